import ArgumentParser
import SyncCommandOptions
import SyncRuntime
import SyncSyntax
import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// `syncrules apply`: the pipe from `kubectl get` to `kubectl apply`.
struct ApplyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract: "Rewrite Kubernetes objects (JSON or YAML) with rule files.",
    discussion: """
      Reads objects from FILEs or standard input: one object, a `kind: List` \
      (`kubectl get -o json`), concatenated or newline-delimited JSON, YAML documents, or \
      watch streams (`kubectl get -w -o json`, with or without --output-watch-events). \
      Objects a rule rewrites are written in the input's format; the rest are left out \
      unless --passthrough. See docs/apply.md.

      Exit status: 0 when every object went through, 1 when the rules have errors, an \
      object failed or the input is malformed, 2 for usage errors.
      """)

  @Option(
    name: [.customShort("f"), .customLong("rules")],
    help: ArgumentHelp(
      "A rule file or directory of .sync files; repeatable, at least one.",
      valueName: "RULES"))
  var rulePaths: [String] = []

  @OptionGroup var ruleOptions: RuleInputOptions

  @Flag(help: "Also write skipped and unmatched objects, unchanged (dropped ones never).")
  var passthrough = false

  @Flag(help: "Print a summary per kind on standard error (always when it is a terminal).")
  var report = false

  @Option(help: "Summary format: text or json (implies --report).")
  var reportFormat: ReportFormat?

  @Flag(help: "Print a unified diff per changed or dropped object instead of the objects.")
  var diff = false

  @Flag(help: "In --diff, print the values of Secrets (masked as *** by default).")
  var showSecrets = false

  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: "Output format: json, yaml or ndjson (default: the input's).")
  var output: OutputFormat?

  @Option(help: "Input format: json or yaml (default: detected from the first bytes).")
  var inputFormat: InputFormat?

  @Option(
    name: [.customShort("j"), .long],
    help: ArgumentHelp(
      "Threads for JSON that comes one value per line (NDJSON, watch streams); the "
        + "output keeps the input's order (default: the processors online, at most 8).",
      valueName: "N"))
  var jobs: Int?

  @Option(
    help: ArgumentHelp(
      "The most one object may take (a JSON value, a List item, a YAML document): bytes, "
        + "or with a suffix Ki, Mi, Gi; larger input is reported and skipped (default: 64Mi).",
      valueName: "SIZE"))
  var maxObjectSize: ByteSize?

  @Argument(help: ArgumentHelp("Input files; standard input when none or `-`.", valueName: "FILE"))
  var files: [String] = []

  enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case text
    case json
  }

  func validate() throws {
    if rulePaths.isEmpty { throw ValidationError("Missing rule files: pass -f RULES.") }
    if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
  }

  /// The processors online, at most 8 (each job keeps its own buffers and caches).
  static func defaultJobs() -> Int {
    return min(max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1), 8)
  }

  func run() throws {
    let program = try requireProgram(
      try loadRuleSet(paths: rulePaths, options: ruleOptions), showingWarnings: true)
    let inputs = try openInputs()
    defer {
      for input in inputs where input.descriptor != 0 { close(input.descriptor) }
    }

    let sink = OutputSink(fileDescriptor: 1)
    // A progress line only where someone watches: a terminal on standard error.
    let progress = Terminal.isTTY(2) ? StreamProgress() : nil
    let line = progress.map(ProgressLine.init)
    let applier = StreamApplier(
      options: StreamApplier.Options(
        inputFormat: inputFormat, outputFormat: output, passthrough: passthrough, diff: diff,
        showSecrets: showSecrets, jobs: jobs ?? Self.defaultJobs(),
        maximumObjectBytes: maxObjectSize?.bytes ?? JSONReaderLimits.defaultMaximumValueBytes,
        progress: progress),
      output: sink, evaluator: Evaluator(program: program),
      problem: { text in
        if let line { line.write(text) } else { Terminal.write(text, to: 2) }
      })
    line?.start()
    defer { line?.stop() }
    do {
      for input in inputs {
        try applier.apply(StreamInput(fileDescriptor: input.descriptor, name: input.name))
      }
      try applier.finish()
      line?.stop()
    } catch {
      line?.stop()
      Terminal.write("syncrules: error: cannot write the output: \(error.description)\n", to: 2)
      throw ExitCode(1)
    }

    if report || reportFormat != nil || Terminal.isTTY(2) {
      switch reportFormat ?? .text {
      case .text: Terminal.write(applier.report.renderText(), to: 2)
      case .json: Terminal.write(applier.report.renderJSON(), to: 2)
      }
    }
    if applier.hasFailures { throw ExitCode(1) }
  }

  /// Opens every input before reading any, so that a mistyped path writes nothing.
  private func openInputs() throws -> [(descriptor: Int32, name: String)] {
    if files.isEmpty { return [(0, "<stdin>")] }
    var opened: [(descriptor: Int32, name: String)] = []
    for path in files {
      if path == "-" {
        opened.append((0, "<stdin>"))
        continue
      }
      let descriptor = open(path, O_RDONLY)
      if descriptor < 0 {
        let reason = String(cString: strerror(errno))
        for input in opened where input.descriptor != 0 { close(input.descriptor) }
        Terminal.write("syncrules: error: \(path): \(reason.lowercased())\n", to: 2)
        throw ExitCode(2)
      }
      opened.append((descriptor, path))
    }
    return opened
  }
}

extension OutputFormat: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}

/// A size on the command line: `1048576`, `512Ki`, `64Mi`, `1Gi` (Kubernetes' binary
/// suffixes).
struct ByteSize: ExpressibleByArgument {
  var bytes: Int

  init?(argument: String) {
    let suffixes: [(String, Int)] = [("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)]
    var digits = Substring(argument)
    var unit = 1
    for (suffix, size) in suffixes where argument.hasSuffix(suffix) {
      digits = argument.dropLast(suffix.count)
      unit = size
    }
    guard let count = Int(digits), count > 0, count <= Int.max / unit else { return nil }
    bytes = count * unit
  }
}
