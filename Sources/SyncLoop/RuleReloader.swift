import Logging
import SyncDriver
import SyncProgram
import SyncRuntime
import SyncSyntax
import SyncValue

#if canImport(Glibc)
  import Glibc
#endif

/// Watches rule files (and the CRD files they are checked against) and swaps the
/// program when they change: a clean check replaces it and re-evaluates every object;
/// a failing one keeps the old program running and reports the diagnostics.
public struct RuleReloader: Sendable {
  public var options: RuleSet.Options
  public var interval: Duration

  public init(options: RuleSet.Options, interval: Duration = .seconds(2)) {
    self.options = options
    self.interval = interval
  }

  /// What a reload attempt found.
  public enum Result: Sendable {
    case reloaded(RuleSet)
    /// The files do not check: the findings, as `check` prints them (`rendered`) and as
    /// log fields, one event per finding (`file`, `line`, `column`, `code`, `severity`,
    /// `message`, `help`).
    case rejected([Diagnostic], rendered: String, findings: [Logger.Metadata])
    case unreadable(String)
  }

  /// Polls until cancelled; calls `onChange` when the files' contents change.
  public func watch(
    engine: SyncEngine, metrics: SyncMetrics, logger: Logger,
    onResult: @escaping @Sendable (Result) -> Void = { _ in }
  ) async {
    await watch(metrics: metrics, logger: logger, onResult: onResult) {
      await engine.reload($0)
    }
  }

  /// Polls until cancelled; hands every new program that checks to `reload` (several
  /// engines: one per shard).
  public func watch(
    metrics: SyncMetrics, logger: Logger,
    onResult: @escaping @Sendable (Result) -> Void = { _ in },
    reload: @escaping @Sendable (PatchProgram) async -> Void
  ) async {
    // Imported files count too: editing `common.sync` reloads the files importing it.
    var imported: [String] = []
    if case .reloaded(let ruleSet) = load() { imported = Self.importedPaths(ruleSet) }
    var fingerprint = self.fingerprint(extra: imported)
    while !Task.isCancelled {
      try? await Task.sleep(for: interval)
      guard !Task.isCancelled else { return }
      let current = self.fingerprint(extra: imported)
      guard current != fingerprint else { continue }
      let result = load()
      onResult(result)
      switch result {
      case .reloaded(let ruleSet):
        imported = Self.importedPaths(ruleSet)
        fingerprint = self.fingerprint(extra: imported)
        guard let program = ruleSet.program else { continue }
        metrics.ruleReload(result: "success")
        logger.info(
          "rules reloaded", metadata: ["files": .stringConvertible(ruleSet.files.files.count)])
        await reload(program)
      case .rejected(let diagnostics, _, let findings):
        fingerprint = current
        metrics.ruleReload(result: "failure")
        logger.error(
          "rules not reloaded: the new files do not check; the previous rules keep running",
          metadata: [
            "errors": .stringConvertible(diagnostics.filter { $0.severity == .error }.count)
          ])
        for finding in findings { logger.error("rule file finding", metadata: finding) }
      case .unreadable(let reason):
        fingerprint = current
        metrics.ruleReload(result: "failure")
        logger.error("rules not reloaded: \(reason)")
      }
    }
  }

  /// Loads and checks the rule files once.
  public func load() -> Result {
    do {
      let ruleSet = try RuleSet.load(options)
      if ruleSet.program == nil {
        return .rejected(
          ruleSet.diagnostics, rendered: ruleSet.renderedDiagnostics(),
          findings: Self.findings(ruleSet))
      }
      return .reloaded(ruleSet)
    } catch {
      return .unreadable(error.description)
    }
  }

  /// Each finding of `ruleSet` as log fields, read from `check --format json`'s lines so
  /// that the two never disagree.
  public static func findings(_ ruleSet: RuleSet) -> [Logger.Metadata] {
    ruleSet.renderedDiagnostics(format: .json).split(separator: "\n").compactMap { line in
      guard let object = (try? JSON.parse(String(line)))?.objectValue else { return nil }
      var fields: Logger.Metadata = [:]
      for member in object.members {
        switch member.value {
        case .string(let text): fields[member.key] = .string(text)
        case .int(let number): fields[member.key] = .stringConvertible(Int(number))
        case .array(let notes) where !notes.isEmpty:
          fields[member.key] = .array(notes.map { .string($0.stringValue ?? "\($0)") })
        default: continue
        }
      }
      return fields
    }
  }

  /// Size and modification time of every input file: cheap to poll, changes on save.
  func fingerprint(extra: [String] = []) -> [String: [Int]] {
    var result: [String: [Int]] = [:]
    for path in options.rulePaths + options.crdPaths + extra {
      for file in Self.files(under: path) {
        var info = stat()
        if stat(file, &info) == 0 {
          result[file] = [
            Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec),
          ]
        }
      }
    }
    return result
  }

  /// Files the rule set read from disk (imports included; embedded stdlib modules are not
  /// files and never change).
  static func importedPaths(_ ruleSet: RuleSet) -> [String] {
    ruleSet.files.files.map(\.path).filter { !$0.hasPrefix("std/") && !$0.hasPrefix("<") }
  }

  static func files(under path: String) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [path] }
    guard (info.st_mode & S_IFMT) == S_IFDIR else { return [path] }
    guard let directory = opendir(path) else { return [] }
    defer { closedir(directory) }
    var found: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      guard name != ".", name != ".." else { continue }
      found += files(under: path + "/" + name)
    }
    return found.sorted()
  }
}
