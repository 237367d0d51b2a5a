import SyncSchema
import SyncSyntax

/// The wording of every diagnostic the checker reports, one helper per kind of error.
enum CheckerMessages {
  static func importNotFound(_ path: String, at range: SourceRange, detail: String, help: String?)
    -> Diagnostic
  {
    Diagnostic(.importNotFound, "cannot import `\(path)`: \(detail)", at: range, help: help)
  }

  static func importCycle(_ path: String, at range: SourceRange, chain: [String]) -> Diagnostic {
    Diagnostic(
      .importCycle, "importing `\(path)` forms a cycle", at: range,
      notes: [.init("import chain: " + chain.joined(separator: " → "))])
  }

  static func importsNestTooDeep(_ path: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .nestingTooDeep,
      "importing `\(path)` nests imports more than \(Parser.maximumNestingDepth) files deep",
      at: range, help: "import the shared files from one top-level file instead of in a chain")
  }

  static func duplicateRule(_ name: Identifier, first: SourceRange) -> Diagnostic {
    Diagnostic(
      .duplicateRule, "a rule named `\(name.text)` is already defined", at: name.range,
      notes: [.init("first defined here", at: first)],
      help: "rule names must be unique across all loaded files; rename one of them")
  }

  static func duplicateGroup(_ name: Identifier, first: SourceRange) -> Diagnostic {
    Diagnostic(
      .duplicateGroup, "a group named `\(name.text)` is already defined", at: name.range,
      notes: [.init("first defined here", at: first)])
  }

  static func unknownGroup(_ name: Identifier, suggestion: String?) -> Diagnostic {
    Diagnostic(
      .unknownGroup, "no group named `\(name.text)`", at: name.range,
      help: suggestion.map { "did you mean `\($0)`?" })
  }

  static func recursiveGroup(_ name: Identifier, chain: [String]) -> Diagnostic {
    Diagnostic(
      .recursiveGroup, "group `\(name.text)` uses itself", at: name.range,
      notes: [.init("use chain: " + chain.joined(separator: " → "))])
  }

  static func ruleTooLarge(_ name: Identifier) -> Diagnostic {
    Diagnostic(
      .ruleTooLarge,
      "rule `\(name.text)` has more than \(GroupExpansion.maximumEdits) edits once its groups "
        + "are inlined",
      at: name.range,
      help: "a group used several times is copied at every `use`; use it once, or split the rule")
  }

  static func groupsNestTooDeep(_ name: Identifier, chain: [String]) -> Diagnostic {
    Diagnostic(
      .nestingTooDeep,
      "`use \(name.text)` nests `when` blocks and groups more than "
        + "\(Parser.maximumNestingDepth) levels deep",
      at: name.range, notes: [.init("use chain: " + chain.joined(separator: " → "))])
  }

  static func blocksNestTooDeep(at range: SourceRange, chain: [String]) -> Diagnostic {
    Diagnostic(
      .nestingTooDeep,
      "this `when` nests `when` blocks and groups more than "
        + "\(Parser.maximumNestingDepth) levels deep",
      at: range,
      notes: chain.isEmpty ? [] : [.init("use chain: " + chain.joined(separator: " → "))])
  }

  static func invalidRegex(_ pattern: String, at range: SourceRange, reason: String) -> Diagnostic {
    Diagnostic(
      .invalidRegex, "regular expression `\(pattern)` does not compile: \(reason)", at: range)
  }

  static func invalidGlob(_ pattern: String, at range: SourceRange, reason: String) -> Diagnostic {
    Diagnostic(.invalidGlob, "glob `\(pattern)` is invalid: \(reason)", at: range)
  }

  static func invalidLabelKey(_ key: String, at range: SourceRange, reason: String, what: String)
    -> Diagnostic
  {
    Diagnostic(.invalidLabelKey, "`\(key)` is not a valid \(what) key: \(reason)", at: range)
  }

  static func invalidLabelValue(_ value: String, at range: SourceRange, reason: String)
    -> Diagnostic
  {
    Diagnostic(.invalidLabelValue, "`\(value)` is not a valid label value: \(reason)", at: range)
  }

  static func unknownKind(_ ref: String, at range: SourceRange, suggestion: String?, strict: Bool)
    -> Diagnostic
  {
    Diagnostic(
      .unknownKind, "unknown kind `\(ref)`: no built-in schema or loaded CRD defines it", at: range,
      notes: [
        .init("paths on this kind cannot be checked; load its CRD with `--crd FILE`")
      ],
      help: suggestion.map { "did you mean `\($0)`?" }, severity: strict ? .error : .warning)
  }

  /// `served` is most preferred first and not empty.
  static func versionNotServed(
    _ ref: String, version: String, at range: SourceRange, served: [KindInfo]
  )
    -> Diagnostic
  {
    let gvk = served[0].gvk
    let owner = "\(gvk.kind) (\(gvk.group.isEmpty ? "core group" : gvk.group))"
    let names = served.map(\.gvk.version)
    let list =
      names.count == 1
      ? "only as \(names[0])"
      : "as " + names.dropLast().joined(separator: ", ") + " and " + names.last!
    let described = served.map {
      $0.isStorageVersion ? "\($0.gvk.version) (storage)" : $0.gvk.version
    }
    let suggested = (served.first(where: \.isStorageVersion) ?? served[0]).gvk
    // The core group has no spelling for "any version" that keeps it apart from others.
    let help =
      gvk.group.isEmpty
      ? "write `\(suggested)`"
      : "write `\(suggested)`, or `\(gvk.group)/* \(gvk.kind)` for every served version"
    return Diagnostic(
      .versionNotServed,
      "`\(ref)` names version `\(version)`, which is not served: \(owner) is served \(list)",
      at: range,
      notes: [
        .init(
          "served versions: \(described.joined(separator: ", ")); "
            + "schema from \(served[0].source)")
      ],
      help: help)
  }

  static func impossibleScope(at range: SourceRange, detail: String) -> Diagnostic {
    Diagnostic(.impossibleScope, "this rule can never match: \(detail)", at: range)
  }

  static func neverMatches(at range: SourceRange, detail: String, note: SourceRange?) -> Diagnostic
  {
    Diagnostic(
      .ruleNeverMatches, "this rule can never match: \(detail)", at: range,
      notes: note.map { [.init("conflicts with this clause", at: $0)] } ?? [])
  }

  static func hiddenBySkip(rule: Identifier, detail: String, skip: SourceRange) -> Diagnostic {
    Diagnostic(
      .ruleHiddenBySkip, "rule `\(rule.text)` never applies: \(detail)", at: rule.range,
      notes: [.init("skipped here; `skip` wins over every rule", at: skip)])
  }

  static func invalidObjectName(_ name: String, at range: SourceRange, reason: String, what: String)
    -> Diagnostic
  {
    Diagnostic(.invalidObjectName, "`\(name)` can never be a \(what): it \(reason)", at: range)
  }

  static func unknownField(
    _ name: String, at range: SourceRange, owner: String, kind: String, suggestion: String?
  ) -> Diagnostic {
    Diagnostic(
      .unknownField, "unknown field `\(name)` in \(owner) of \(kind)", at: range,
      help: suggestion.map { "did you mean `\($0)`?" })
  }

  static func typeMismatch(
    _ what: String, expected: String, found: String, at range: SourceRange, kind: String,
    help: String? = nil
  ) -> Diagnostic {
    Diagnostic(
      .typeMismatch, "\(what) of \(kind) is \(expected), but the value is \(found)", at: range,
      help: help)
  }

  static func unknownListKey(
    _ key: String, at range: SourceRange, list: String, kind: String, keys: [String]
  ) -> Diagnostic {
    let help =
      keys.isEmpty
      ? "this list has no key fields; select elements by index `[0]` or with `[*]`"
      : "select by \(keys.map { "`\($0)`" }.joined(separator: ", "))"
    return Diagnostic(
      .unknownListKey,
      "`\(list)` of \(kind) cannot be selected by `\(key)`: its elements have no field `\(key)`",
      at: range, help: help)
  }

  static func selectorOnNonList(_ path: String, type: String, at range: SourceRange, kind: String)
    -> Diagnostic
  {
    Diagnostic(
      .selectorOnNonList,
      "`\(path)` of \(kind) is \(type), not a list; `[…]` selects list elements",
      at: range)
  }

  static func fieldOnNonObject(
    _ field: String, parent: String, type: String, at range: SourceRange, kind: String
  ) -> Diagnostic {
    Diagnostic(
      .fieldOnNonObject,
      "`\(parent)` of \(kind) is \(type), so it has no field `\(field)`", at: range)
  }

  static func invalidLabelValueEdit(_ value: String, at range: SourceRange, reason: String)
    -> Diagnostic
  {
    Diagnostic(
      .invalidLabelValueEdit, "label value `\(value)` would be rejected by Kubernetes: \(reason)",
      at: range)
  }

  static func invalidMetadataKey(_ key: String, at range: SourceRange, map: String, reason: String)
    -> Diagnostic
  {
    Diagnostic(
      .invalidMetadataKey, "`\(key)` is not a valid \(map) key: \(reason)", at: range)
  }

  static func editNotApplicable(
    _ edit: String, needs: String, path: String, found: String, at range: SourceRange, kind: String
  ) -> Diagnostic {
    Diagnostic(
      .editNotApplicable, "`\(edit)` needs \(needs), but `\(path)` of \(kind) is \(found)",
      at: range)
  }

  static func notInEnum(_ value: String, at range: SourceRange, path: String, allowed: [String])
    -> Diagnostic
  {
    Diagnostic(
      .valueNotInEnum, "\(value) is not an allowed value of `\(path)`", at: range,
      notes: [.init("allowed: " + allowed.joined(separator: ", "))])
  }

  /// `detail` names the value, the keyword and its limit, and the path.
  static func constraintViolated(_ detail: String, at range: SourceRange, help: String? = nil)
    -> Diagnostic
  {
    Diagnostic(.valueViolatesConstraint, detail, at: range, help: help)
  }

  static func missingRequired(_ fields: [String], path: String, at range: SourceRange)
    -> Diagnostic
  {
    let names = fields.map { "`\($0)`" }
    let list =
      names.count == 1 ? names[0] : names.dropLast().joined(separator: ", ") + " and " + names.last!
    return Diagnostic(
      .missingRequiredField,
      "the value written to `\(path)` lacks \(list), which the schema requires", at: range,
      help: "add \(fields.count == 1 ? "it" : "them"), or write the fields one by one with `set`"
        + " or `merge` to keep what the object has")
  }

  static func incomparable(_ left: String, _ right: String, at range: SourceRange, detail: String)
    -> Diagnostic
  {
    Diagnostic(
      .incomparableTypes, "cannot compare \(left) with \(right): \(detail)", at: range,
      help: "Kubernetes keeps types apart: `0` and `\"0\"` are different values")
  }

  static func interpolationNotScalar(_ path: String, type: String, at range: SourceRange)
    -> Diagnostic
  {
    Diagnostic(
      .interpolationNotScalar,
      "`${\(path)}` is \(type); only strings, numbers and booleans can be interpolated", at: range)
  }

  static func invalidYAML(at range: SourceRange, reason: String) -> Diagnostic {
    Diagnostic(.invalidYAMLLiteral, "YAML value does not parse: \(reason)", at: range)
  }

  static func invalidPatch(at range: SourceRange, reason: String) -> Diagnostic {
    Diagnostic(.invalidPatchOperation, "invalid JSON Patch operation: \(reason)", at: range)
  }

  static func patchWritesWholeObject(operation: Int, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .patchWritesWholeObject,
      "operation \(operation) of the JSON Patch writes the path \"\", the whole object",
      at: range,
      help: "an edit may not replace an object (its kind and name with it); write its fields: "
        + "`/spec/…`, `/metadata/labels/…`")
  }

  static func invalidPointer(_ pointer: String, at range: SourceRange, reason: String) -> Diagnostic
  {
    Diagnostic(.invalidJSONPointer, "invalid JSON Pointer `\(pointer)`: \(reason)", at: range)
  }
}
