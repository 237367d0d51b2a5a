/// Every error one object or one stretch of input can meet while rules run, with a
/// stable code.
///
/// These are not findings about the rule file (those are `DiagnosticCode`, reported by
/// `check`): they come from the data, so they never stop the stream — the object or the
/// malformed stretch is reported and the rest flows on. Codes never change meaning once
/// released; `docs/diagnostics.md` has an entry per code, and each has a test.
public enum RuntimeErrorCode: String, Sendable, CaseIterable, Codable {
  // One object fails, the stream goes on (E06xx).
  case runtimeTypeMismatch = "E0601"
  case patchFailed = "E0602"
  case invalidRuntimeValue = "E0603"
  case identityChanged = "E0604"

  // Input streams (E07xx).
  case malformedJSON = "E0701"
  case malformedYAML = "E0702"
  case unsupportedYAML = "E0703"
  case notAnObject = "E0704"
  case duplicateKey = "E0705"

  /// What went wrong with the input, said before the reader's message: `malformed JSON`.
  var inputProblem: String {
    switch self {
    case .malformedJSON: "malformed JSON"
    case .malformedYAML: "malformed YAML"
    case .unsupportedYAML: "unsupported YAML"
    default: "bad input"
    }
  }
}
