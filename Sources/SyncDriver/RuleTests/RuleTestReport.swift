import SyncRuntime
import SyncValue

/// The text `syncrules test` prints: a line per case, details under failures, counts
/// at the end.
public struct RuleTestReport: Sendable {
  /// Also print what happened to each object of passing cases.
  public var verbose: Bool
  /// ANSI colors for PASS/FAIL and diff lines.
  public var color: Bool
  public private(set) var passed = 0
  public private(set) var failed = 0
  /// Test files that could not be used.
  public private(set) var fileErrors = 0

  public init(verbose: Bool = false, color: Bool = false) {
    self.verbose = verbose
    self.color = color
  }

  /// Counts `result` and returns its lines.
  public mutating func add(_ result: RuleTestResult) -> String {
    let place = "\(result.path):\(result.location.line)"
    var out: String
    if result.passed {
      passed += 1
      out = paint("PASS", "32") + " \(place): \(result.name)\n"
      if verbose { out += result.trace.map { "    \($0)\n" }.joined() }
      return out
    }
    failed += 1
    out = paint("FAIL", "31") + " \(place): \(result.name)\n"
    if verbose { out += result.trace.map { "    \($0)\n" }.joined() }
    for failure in result.failures {
      out += "    " + failure.summary.replacingNewlines(with: "\n    ") + "\n"
      if let detail = failure.detail {
        for line in detail.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
          out += "      " + paintDiff(String(line)) + "\n"
        }
      }
    }
    return out
  }

  /// Counts a test file that could not be used and returns its line.
  public mutating func add(_ error: RuleTestFileError) -> String {
    fileErrors += 1
    return paint("ERROR", "31") + " \(error.description)\n"
  }

  /// `12 passed, 1 failed` (and how many test files had errors).
  public var summary: String {
    var text = "\(passed) passed, \(failed) failed"
    if fileErrors > 0 {
      text += ", \(fileErrors) test file\(fileErrors == 1 ? "" : "s") with errors"
    }
    return text + "\n"
  }

  /// The exit status: 0 all passed, 1 a case failed, 2 a test file could not be used.
  public var exitStatus: Int32 {
    fileErrors > 0 ? 2 : failed > 0 ? 1 : 0
  }

  private func paint(_ text: String, _ code: String) -> String {
    color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }

  private func paintDiff(_ line: String) -> String {
    guard color else { return line }
    if line.hasPrefix("--- expected") || line.hasPrefix("+++ actual") { return paint(line, "1") }
    if line.hasPrefix("@@") { return paint(line, "36") }
    if line.hasPrefix("+") { return paint(line, "32") }
    if line.hasPrefix("-") { return paint(line, "31") }
    return line
  }
}

extension String {
  fileprivate func replacingNewlines(with replacement: String) -> String {
    split(separator: "\n", omittingEmptySubsequences: false).joined(separator: replacement)
  }
}

extension RuleTestReport {
  /// The results as data: `syncrules test -o json|yaml`.
  ///
  /// Versioned by `apiVersion` (`syncrules.io/v1`, kind `TestResults`); fields are only
  /// added within a version. docs/machine-output.md describes them.
  public static func document(results: [RuleTestResult], fileErrors: [RuleTestFileError])
    -> Value
  {
    let cases: [Value] = results.map { result in
      let failures: [Value] = result.failures.map { failure in
        [
          "summary": .string(failure.summary),
          "detail": failure.detail.map { .string($0) } ?? .null,
        ]
      }
      return [
        "file": .string(result.path), "line": .int(Int64(result.location.line)),
        "name": .string(result.name), "passed": .bool(result.passed),
        "failures": .array(failures), "trace": .array(result.trace.map { .string($0) }),
      ]
    }
    let passed = results.filter(\.passed).count
    return [
      "apiVersion": "syncrules.io/v1",
      "kind": "TestResults",
      "passed": .int(Int64(passed)),
      "failed": .int(Int64(results.count - passed)),
      "cases": .array(cases),
      "fileErrors": .array(fileErrors.map { .string($0.description) }),
    ]
  }
}
