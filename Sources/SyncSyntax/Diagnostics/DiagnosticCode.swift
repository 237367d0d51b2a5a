/// Every finding `check` can report about rule files, with a stable code.
///
/// Errors met while rules run over objects (E06xx, E07xx) are `RuntimeErrorCode` in
/// SyncRuntime: they come from the data, not the rules. Codes never change meaning once
/// released. `docs/diagnostics.md` has an entry per
/// code (meaning, example, fix), and each code has a test that triggers it.
public enum DiagnosticCode: String, Sendable, CaseIterable, Codable {
  // Lexical and syntax errors (E01xx).
  case tooManyErrors = "E0100"
  case unterminatedString = "E0101"
  case invalidEscape = "E0102"
  case unexpectedCharacter = "E0103"
  case invalidNumber = "E0104"
  case invalidMultilineString = "E0105"
  case expectedToken = "E0110"
  case unknownItem = "E0111"
  case unknownEdit = "E0112"
  case unclosedDelimiter = "E0113"
  case invalidPath = "E0114"
  case invalidKindReference = "E0115"
  case invalidYAMLLiteral = "E0116"
  case duplicateMapKey = "E0117"
  case nestingTooDeep = "E0118"

  // Imports and names (E02xx).
  case importNotFound = "E0201"
  case importCycle = "E0202"
  case duplicateRule = "E0203"
  case duplicateGroup = "E0204"
  case unknownGroup = "E0205"
  case recursiveGroup = "E0206"
  case ruleTooLarge = "E0207"
  case inputUnreadable = "E0208"
  case invalidCRD = "E0209"

  // Selection (E03xx, W03xx).
  case invalidRegex = "E0301"
  case invalidGlob = "E0302"
  case invalidLabelKey = "E0303"
  case invalidLabelValue = "E0304"
  case unknownKind = "W0305"
  case impossibleScope = "E0306"
  case ruleNeverMatches = "E0307"
  case ruleHiddenBySkip = "E0308"
  case invalidObjectName = "E0309"
  case versionNotServed = "E0310"

  // Types (E04xx).
  case unknownField = "E0401"
  case typeMismatch = "E0402"
  case unknownListKey = "E0403"
  case selectorOnNonList = "E0404"
  case fieldOnNonObject = "E0405"
  case invalidLabelValueEdit = "E0406"
  case invalidMetadataKey = "E0407"
  case editNotApplicable = "E0408"
  case valueNotInEnum = "E0409"
  case valueViolatesConstraint = "E0410"
  case incomparableTypes = "E0411"
  case missingRequiredField = "E0412"
  case interpolationNotScalar = "E0415"

  // JSON Patch (E05xx).
  case invalidPatchOperation = "E0501"
  case invalidJSONPointer = "E0502"
  case patchWritesWholeObject = "E0503"

  /// Severity a finding with this code has unless options change it.
  public var defaultSeverity: Severity {
    rawValue.hasPrefix("W") ? .warning : .error
  }
}

/// How serious a finding is. `check` exits 1 when any finding is an error.
public enum Severity: String, Sendable, Codable, Comparable {
  case note
  case warning
  case error

  public static func < (lhs: Severity, rhs: Severity) -> Bool {
    let order: [Severity] = [.note, .warning, .error]
    return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
  }
}
