import Foundation
import SyncRuntime
import SyncSyntax
import SyncValue

/// One `*.test.yaml` file: the rules under test and the cases that exercise them.
///
/// The format is documented in `docs/testing.md`; ``RuleTestSuite/load(path:)`` reads it.
public struct RuleTestSuite: Sendable {
  /// The test file, as the user named it.
  public var path: String
  public var cases: [RuleTestCase]

  public init(path: String, cases: [RuleTestCase]) {
    self.path = path
    self.cases = cases
  }
}

/// One case: rules, input objects, and what must come out.
public struct RuleTestCase: Sendable {
  /// The case's `name`, or `case N` when it has none.
  public var name: String
  /// Where the case starts in the test file.
  public var location: YAMLSourceMap.Location
  public var rules: RuleTestRules
  /// CRD files and directories (resolved against the test file's directory).
  public var crdPaths: [String]
  public var inputs: [RuleTestObject]
  public var expectation: RuleTestExpectation

  public init(
    name: String, location: YAMLSourceMap.Location, rules: RuleTestRules, crdPaths: [String],
    inputs: [RuleTestObject], expectation: RuleTestExpectation
  ) {
    self.name = name
    self.location = location
    self.rules = rules
    self.crdPaths = crdPaths
    self.inputs = inputs
    self.expectation = expectation
  }
}

/// Where a case's rules come from.
public enum RuleTestRules: Sendable, Hashable {
  /// Rule files and directories (resolved against the test file's directory).
  case files([String])
  /// Rule text written in the test file (`source:`); `path` names it in diagnostics
  /// and is the base for its relative imports.
  case text(String, path: String)
}

/// An object of a case, with where it was written (for messages).
public struct RuleTestObject: Sendable, Hashable {
  public var value: Value
  /// `file.yaml document 2`, `test.yaml:14:9`.
  public var origin: String

  public init(_ value: Value, origin: String) {
    self.value = value
    self.origin = origin
  }

  /// `apps/v1 Deployment shop/web`: enough to find the object in a stream.
  public var identity: String {
    Self.identity(of: value)
  }

  static func identity(of value: Value) -> String {
    let apiVersion = value["apiVersion"]?.stringValue ?? "?"
    let kind = value["kind"]?.stringValue ?? "?"
    let metadata = value["metadata"]
    let name = metadata?["name"]?.stringValue ?? metadata?["generateName"]?.stringValue ?? "?"
    if let namespace = metadata?["namespace"]?.stringValue {
      return "\(apiVersion) \(kind) \(namespace)/\(name)"
    }
    return "\(apiVersion) \(kind) \(name)"
  }
}

/// What a case checks.
public enum RuleTestExpectation: Sendable {
  /// The objects `apply` would write, in order: rewritten objects only, compared
  /// exactly (map key order aside).
  case output([RuleTestObject])
  /// One expectation per input object, in input order.
  case outcomes([RuleTestOutcome])
  /// The rules must report exactly these errors and warnings.
  case diagnostics([RuleTestDiagnostic])
}

/// What must happen to one input object.
public enum RuleTestOutcome: Sendable, Hashable {
  case skipped
  case unmatched
  /// Dropped, optionally by the named rule.
  case dropped(rule: String?)
  /// Rewritten; every check that is present must hold.
  case rewritten(RewriteCheck)
  /// Failed, optionally with this code and a message containing this text.
  case failed(code: RuntimeErrorCode?, message: String?)

  /// The checks a rewritten object must pass.
  public struct RewriteCheck: Sendable, Hashable {
    /// The whole object (`rewritten: {...}`).
    public var exact: Value?
    /// Fields that must be present with these values (`includes: {...}`).
    public var includes: Value?
    /// Pointers that must not exist (`absent: [...]`).
    public var absent: [JSONPointer]

    public init(exact: Value? = nil, includes: Value? = nil, absent: [JSONPointer] = []) {
      self.exact = exact
      self.includes = includes
      self.absent = absent
    }
  }

  /// The word used in the test file and in messages.
  public var word: String {
    switch self {
    case .skipped: return "skipped"
    case .unmatched: return "unmatched"
    case .dropped: return "dropped"
    case .rewritten: return "rewritten"
    case .failed: return "failed"
    }
  }
}

/// An expected finding of `check`.
public struct RuleTestDiagnostic: Sendable, Hashable {
  public var code: DiagnosticCode
  /// Line and column in the rule file; nil matches anywhere.
  public var location: SourceLocation?
  /// A substring of the message; nil matches any message.
  public var message: String?
  /// A suffix of the rule file's path; nil matches any file.
  public var file: String?

  public init(
    code: DiagnosticCode, location: SourceLocation? = nil, message: String? = nil,
    file: String? = nil
  ) {
    self.code = code
    self.location = location
    self.message = message
    self.file = file
  }

  /// `E0401 at 4:9 "unknown field"`, as a test file would say it.
  public var summary: String {
    var text = code.rawValue
    if let file { text += " in \(file)" }
    if let location { text += " at \(location)" }
    if let message { text += " \"\(message)\"" }
    return text
  }
}

/// A test file that cannot be used: unreadable, not YAML, or not in the format.
public struct RuleTestFileError: Error, Sendable, Hashable, CustomStringConvertible {
  public var path: String
  public var line: Int
  public var column: Int
  public var message: String

  public init(path: String, line: Int, column: Int, message: String) {
    self.path = path
    self.line = line
    self.column = column
    self.message = message
  }

  /// `tests/a.test.yaml:4:3: unknown key \`inptu\``
  public var description: String { "\(path):\(line):\(column): \(message)" }
}

extension RuleTestSuite {
  /// Reads and validates a test file, and every object file it names.
  public static func load(path: String) throws(RuleTestFileError) -> RuleTestSuite {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RuleTestFileError(path: path, line: 1, column: 1, message: "cannot read the file")
    }
    guard let text = String(bytes: data, encoding: .utf8) else {
      throw RuleTestFileError(path: path, line: 1, column: 1, message: "not UTF-8 text")
    }
    return try load(text: text, path: path)
  }

  /// Reads a test file's text; relative paths in it resolve against `path`'s directory.
  public static func load(text: String, path: String) throws(RuleTestFileError) -> RuleTestSuite {
    try RuleTestFileReader(text: text, path: path).read()
  }

  /// The test files under `paths`: files are taken as named, directories are searched
  /// recursively for `*.test.yaml` (and `*.test.yml`), sorted by path.
  public static func discover(paths: [String]) throws(RuleTestFileError) -> [String] {
    var result: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw RuleTestFileError(
          path: path, line: 1, column: 1, message: "no such file or directory")
      }
      guard isDirectory.boolValue else {
        result.append(path)
        continue
      }
      var found: [String] = []
      let enumerator = FileManager.default.enumerator(atPath: path)
      while let entry = enumerator?.nextObject() as? String {
        if isTestFileName(entry) {
          found.append(path.hasSuffix("/") ? path + entry : path + "/" + entry)
        }
      }
      result += found.sorted()
    }
    return result
  }

  /// True for `*.test.yaml` and `*.test.yml`.
  public static func isTestFileName(_ name: String) -> Bool {
    name.hasSuffix(".test.yaml") || name.hasSuffix(".test.yml")
  }
}
