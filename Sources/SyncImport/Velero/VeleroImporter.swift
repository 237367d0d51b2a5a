import SyncSchema
import SyncValue

/// `syncrules import velero`: a restore resource-modifier ConfigMap as one `.sync` file.
///
/// A Velero restore brings back every object of the backup and the modifiers change
/// some of them; so the translation has a rule that syncs everything, then one rule per
/// modifier rule, in order (every matching rule applies, and conditions read the object
/// as it was before any rule, as in Velero 1.14 and later).
public struct VeleroImporter {
  public var registry: SchemaRegistry

  public init(registry: SchemaRegistry = .builtIn) {
    self.registry = registry
  }

  public func translate(paths: [String]) throws(ImportFailure) -> ImportResult {
    let documents = try PolicyDocuments.read(paths: paths)
    let modifiers = try VeleroModifiers.read(documents)
    var findings = modifiers.findings
    var names = RuleNames()
    var sections = [
      """
      # Translated by `syncrules import velero` from \(paths.joined(separator: ", ")).
      #
      # A restore brings back every object of the backup except nodes, events and
      # Velero's own, without the fields the server sets; `restore` below does the same.
      # Narrow it (kinds, `in`, `labels`) to sync less.
      import "std/skip-cluster-noise"     # Events, Leases, nodes, token Secrets, owned objects …
      import "std/strip-server-fields"    # uid, resourceVersion, managedFields …

      skip groups velero.io

      rule \(names.claim("restore")) match * {
        use strip-server-fields
        use strip-status
      }
      """
    ]
    if modifiers.rules.isEmpty {
      throw ImportFailure(
        findings: [
          ImportFinding(
            code: .invalidPolicy,
            file: documents.documents.first?.file ?? documents.paths.joined(separator: ", "),
            line: 1, column: 1,
            message:
              "no resource-modifier rules found (a ConfigMap with `version: v1` and `resourceModifierRules`)"
          )
        ] + findings)
    }
    for (index, rule) in modifiers.rules.enumerated() {
      var writer = VeleroRuleWriter(rule: rule, index: index, registry: registry)
      let text = try writer.write(name: names.claim("modifier-\(index + 1)"))
      findings += writer.findings
      sections.append(text)
    }
    return ImportResult(
      text: sections.joined(separator: "\n\n") + "\n", findings: findings,
      files: documents.documents.map(\.file))
  }
}

/// One modifier rule: its conditions as a selection, its patches as edits.
struct VeleroRuleWriter {
  let rule: VeleroModifiers.Rule
  let index: Int
  let registry: SchemaRegistry
  var findings: [ImportFinding] = []

  init(rule: VeleroModifiers.Rule, index: Int, registry: SchemaRegistry) {
    self.rule = rule
    self.index = index
    self.registry = registry
  }

  mutating func write(name: String) throws(ImportFailure) -> String {
    let conditions = rule.conditions
    let location = conditions.node.document.location(of: rule.node.path)
    var comments = [
      "resourceModifierRules[\(index)] (\(rule.node.document.file):\(location.line)): \(conditions.groupResource)"
    ]
    guard let (kinds, mayBeClusterScoped, builtIn) = kindReferences(conditions) else {
      comments.append("not translated: no kind is known for `\(conditions.groupResource)`")
      return comments.map { "# " + $0 }.joined(separator: "\n")
    }
    var selection = Selection(kinds: kinds)
    selection.namespaces = conditions.namespaces.map(SyncText.exact)
    if let regex = conditions.nameRegex, !regex.isEmpty {
      selection.names = [SyncText.regex(Self.wholeNameRegex(regex))]
    }
    if let labels = conditions.labels?.syncText { selection.labels = [labels] }
    for match in conditions.matches {
      guard let condition = Self.equality(match.path, match.value) else {
        // No way to say it exactly: the rule would select too much, so it is left out.
        findings.append(
          match.node.finding(
            .notTranslated,
            "the match on `\(match.path)` (a list index or a map or list value) has no exact .sync condition; the rule is left out"
          ))
        comments.append("not translated: a match on \(match.path)")
        return comments.map { "# " + $0 }.joined(separator: "\n")
      }
      selection.conditions.append(condition)
    }
    let edits = edits(builtInKinds: builtIn)
    var text = RuleDraft(name: name, comments: comments, selection: selection, edits: edits).text
    if !selection.namespaces.isEmpty && mayBeClusterScoped {
      // Velero's `namespaces` does not hold back cluster-scoped objects; `in` would.
      var clusterScoped = selection
      clusterScoped.namespaces = []
      clusterScoped.scope = "cluster"
      text +=
        "\n\n"
        + RuleDraft(
          name: "\(name)-cluster-scoped",
          comments: [comments[0], "Velero's `namespaces` lets cluster-scoped objects through"],
          selection: clusterScoped, edits: edits
        ).text
    }
    return text
  }

  // MARK: Patches

  /// Velero applies one kind of patch per rule: JSON patches when there are any, else
  /// merge patches, else strategic merge patches.
  private mutating func edits(builtInKinds: Bool) -> [String] {
    if !rule.patches.isEmpty {
      ignoreOthers([
        "mergePatches": !rule.mergePatches.isEmpty,
        "strategicPatches": !rule.strategicPatches.isEmpty,
      ])
      return jsonPatchEdits()
    }
    if !rule.mergePatches.isEmpty {
      ignoreOthers(["strategicPatches": !rule.strategicPatches.isEmpty])
      return rule.mergePatches.map { patch in
        guard case .object = patch.data else {
          findings.append(
            patch.node.finding(
              .notTranslated,
              "a merge patch that is not a map would replace the whole object; it is left out"))
          return "# not translated: a merge patch that is not a map"
        }
        return "merge \(SyncText.literal(patch.data, indent: "  "))"
      }
    }
    if let first = rule.strategicPatches.first {
      // Velero builds the patch against the kind's Go type: built-in kinds only.
      guard builtInKinds else {
        findings.append(
          first.finding(
            .notTranslated,
            "strategic merge patches need built-in kinds (custom resources have no patch strategies, and Velero refuses them too); the rule has a comment where the patch would go"
          ))
        return rule.strategicPatches.map { patch in
          let data = (try? patch.requiredString("patchData")) ?? ""
          let lines = data.split(separator: "\n").map { "#   " + $0 }
          return (["# not translated: a strategic merge patch"] + lines).joined(separator: "\n  ")
        }
      }
      var edits: [String] = []
      for patch in rule.strategicPatches {
        let data = (try? patch.requiredString("patchData")) ?? ""
        guard let value = try? YAML.parse(data), case .object = value else {
          findings.append(
            patch.finding(.notTranslated, "a strategic merge patch that is not a map is left out"))
          edits.append("# not translated: a strategic merge patch that is not a map")
          continue
        }
        edits.append("patch strategic \(SyncText.literal(value, indent: "  "))")
      }
      return edits
    }
    return []
  }

  private mutating func ignoreOthers(_ kinds: [String: Bool]) {
    for (kind, present) in kinds.sorted(by: { $0.key < $1.key }) where present {
      findings.append(
        rule.node.finding(
          .notTranslated,
          "Velero applies one kind of patch per rule and ignores this rule's `\(kind)`; so does the translation"
        ))
    }
  }

  /// The rule's JSON Patch, exactly; with a `test` among the operations, `if tests pass`:
  /// Velero skips the rule's patch when a test fails and keeps the object.
  private func jsonPatchEdits() -> [String] {
    let entries = rule.patches.map { operation in
      var entry = "{ op: \(operation.operation), path: \(SyncText.string(operation.path))"
      if let from = operation.from { entry += ", from: \(SyncText.string(from))" }
      if let value = operation.value, operation.operation != "remove" {
        entry += ", value: \(SyncText.literal(value, indent: "  "))"
      }
      return entry + " }"
    }
    let tests = rule.patches.contains { $0.operation == "test" }
    return [
      "patch [\n    " + entries.joined(separator: ",\n    ") + "\n  ]"
        + (tests ? " if tests pass" : "")
    ]
  }

  // MARK: Conditions

  /// `PATH == VALUE` for a pointer of map keys and a scalar; nil otherwise.
  static func equality(_ pointer: String, _ value: Value) -> String? {
    guard let path = JSONPointerPath(pointer), path.isMapKeysOnly, !path.keys.isEmpty else {
      return nil
    }
    switch value {
    case .array, .object: return nil
    default: return "\(SyncText.path(path.keys)) == \(SyncText.literal(value))"
    }
  }

  /// Velero's `resourceNameRegex` matches anywhere in the name; `.sync` regexes match
  /// the whole name.
  static func wholeNameRegex(_ regex: String) -> String {
    let anchoredStart = regex.hasPrefix("^")
    let anchoredEnd = regex.hasSuffix("$") && !regex.hasSuffix("\\$")
    guard !regex.contains("|") else { return ".*(?:\(regex)).*" }
    return (anchoredStart ? "" : ".*") + regex + (anchoredEnd ? "" : ".*")
  }
}
