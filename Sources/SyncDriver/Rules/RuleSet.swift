import Foundation
import SyncCheck
import SyncCompile
import SyncProgram
import SyncRuntime
import SyncSchema
import SyncSyntax

/// Rule files loaded, checked and (when clean) compiled: the front half in one call.
public struct RuleSet: Sendable {
  /// The compiled program; nil when any diagnostic is an error.
  public let program: PatchProgram?
  /// The checked program, also when there are errors (for `explain`).
  public let checked: CheckedProgram
  public let diagnostics: [Diagnostic]
  public let files: SourceManager

  public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

  /// What to load.
  public struct Options: Sendable {
    public var rulePaths: [String]
    public var crdPaths: [String]
    public var strict: Bool
    public var stdlib: any StdlibSource

    public init(
      rulePaths: [String], crdPaths: [String] = [], strict: Bool = false,
      stdlib: any StdlibSource = EmbeddedStdlib()
    ) {
      self.rulePaths = rulePaths
      self.crdPaths = crdPaths
      self.strict = strict
      self.stdlib = stdlib
    }
  }

  /// A problem with the inputs themselves (a missing file, an unreadable CRD), as
  /// opposed to findings in the rules.
  public struct InputError: Error, Sendable, CustomStringConvertible {
    /// ``DiagnosticCode/inputUnreadable`` for a path that is missing or cannot be
    /// read, ``DiagnosticCode/invalidCRD`` for a CRD file that does not parse or is
    /// not a valid CRD.
    public var code: DiagnosticCode
    /// The file or directory at fault, as named or as found under a named directory.
    public var file: String
    /// 1-based position of a syntax error, when the reader reported one.
    public var line: Int?
    public var column: Int?
    public var message: String
    /// True when the user named something that does not exist (a usage error).
    public var isUsageError: Bool

    /// `crds/rollout.yaml:12:3: message`.
    public var description: String {
      SchemaLoadError(file: file, line: line, column: column, message: message).description
    }

    init(
      _ code: DiagnosticCode, file: String, line: Int? = nil, column: Int? = nil,
      message: String, isUsageError: Bool = false
    ) {
      self.code = code
      self.file = file
      self.line = line
      self.column = column
      self.message = message
      self.isUsageError = isUsageError
    }

    /// A CRD path that could not be read or a CRD that is not valid. A path that does
    /// not exist is a usage error, as a missing rule file is.
    init(_ error: SchemaLoadError) {
      self.init(
        error.isUnreadable ? .inputUnreadable : .invalidCRD, file: error.file, line: error.line,
        column: error.column, message: error.message,
        isUsageError: error.isUnreadable && !FileManager.default.fileExists(atPath: error.file))
    }

    /// A rule path that is missing (`isUsageError`) or cannot be read.
    init(_ error: RuleLoader.PathError, isUsageError: Bool) {
      self.init(
        .inputUnreadable, file: error.path, message: error.reason, isUsageError: isUsageError)
    }
  }

  /// Loads, checks and compiles.
  public static func load(_ options: Options) throws(InputError) -> RuleSet {
    var registry = SchemaRegistry.builtIn
    if !options.crdPaths.isEmpty {
      do {
        registry = try registry.adding(crdPaths: options.crdPaths)
      } catch {
        throw InputError(error)
      }
    }
    let paths: [String]
    do {
      paths = try RuleLoader.expand(paths: options.rulePaths)
    } catch {
      throw InputError(error, isUsageError: true)
    }
    let files = SourceManager()
    let loaded: LoadedRules
    do {
      loaded = try RuleLoader(stdlib: options.stdlib).load(paths: paths, into: files)
    } catch {
      throw InputError(error, isUsageError: false)
    }
    return build(loaded, registry: registry, strict: options.strict)
  }

  /// Checks and compiles rule text given directly (tests, embedded rules).
  public static func load(
    text: String, path: String = "<rules>", registry: SchemaRegistry = .builtIn,
    strict: Bool = false, stdlib: any StdlibSource = EmbeddedStdlib()
  ) -> RuleSet {
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: stdlib).load(path: path, text: text, into: files)
    return build(loaded, registry: registry, strict: strict)
  }

  private static func build(_ loaded: LoadedRules, registry: SchemaRegistry, strict: Bool)
    -> RuleSet
  {
    let checker = Checker(registry: registry, options: CheckOptions(strict: strict))
    let (checked, diagnostics) = checker.check(loaded)
    let hasErrors = diagnostics.contains { $0.severity == .error }
    let program = hasErrors ? nil : Compiler.compile(checked)
    return RuleSet(
      program: program, checked: checked, diagnostics: diagnostics, files: loaded.files)
  }
}
