import SyncValue

/// A Velero resource-modifier rule set (version v1), as read from its ConfigMap.
struct VeleroModifiers {
  struct Condition {
    var node: PolicyNode
    var groupResource: String
    var nameRegex: String?
    var namespaces: [String]
    var labels: LabelSelector?
    /// `matches`: a JSON pointer and the value, typed as Velero types patch values.
    var matches: [(path: String, value: Value, node: PolicyNode)]
  }

  struct JSONPatchOperation {
    var node: PolicyNode
    var operation: String
    var path: String
    var from: String?
    var value: Value?
  }

  struct Rule {
    var node: PolicyNode
    var conditions: Condition
    var patches: [JSONPatchOperation]
    var mergePatches: [(data: Value, node: PolicyNode)]
    var strategicPatches: [PolicyNode]
  }

  var rules: [Rule] = []
  var findings: [ImportFinding] = []

  /// Reads a ConfigMap whose one `data` entry holds the rules, or the rules document
  /// itself.
  static func read(_ documents: PolicyDocuments) throws(ImportFailure) -> VeleroModifiers {
    var modifiers = VeleroModifiers()
    for document in documents.documents {
      let node = PolicyNode(document)
      let kind = try node["kind"]?.string()
      if kind == "ConfigMap" {
        let entries = try node["data"]?.members() ?? []
        guard entries.count == 1 else {
          throw node.invalid(
            "a resource-modifier ConfigMap has exactly one `data` entry (Velero refuses others); this one has \(entries.count)"
          )
        }
        let text = try entries[0].node.string()
        let inner: PolicyDocuments.Document
        do {
          inner = try document.embedded(text, at: entries[0].node.path)
        } catch let error as YAMLError {
          throw entries[0].node.invalid("`data.\(entries[0].key)` is not valid YAML: \(error)")
        } catch {
          throw entries[0].node.invalid("`data.\(entries[0].key)` is not valid YAML")
        }
        try modifiers.addRules(PolicyNode(inner))
      } else if node["resourceModifierRules"] != nil {
        try modifiers.addRules(node)
      } else {
        modifiers.findings.append(
          node.finding(
            .ignoredDocument,
            "ignored: neither a resource-modifier ConfigMap nor a document with `resourceModifierRules`"
          ))
      }
    }
    return modifiers
  }

  private mutating func addRules(_ node: PolicyNode) throws(ImportFailure) {
    let version = try node.requiredString("version")
    guard version.lowercased() == "v1" else {
      throw node.invalid("`version` is `\(version)`; Velero reads only `v1`")
    }
    guard let list = node["resourceModifierRules"], let items = try? list.list(), !items.isEmpty
    else {
      throw node.invalid("`resourceModifierRules` must list at least one rule")
    }
    for item in items {
      guard let conditions = item["conditions"] else {
        throw item.invalid("a rule needs `conditions` (with at least `groupResource`)")
      }
      var patches: [JSONPatchOperation] = []
      for patch in try item["patches"]?.list() ?? [] {
        let operation = try patch["operation"].map {
          (node: PolicyNode) throws(ImportFailure) in
          try node.choice(["add", "remove", "replace", "move", "copy", "test"])
        }
        guard let operation else { throw patch.invalid("a patch needs `operation`") }
        let path = try patch.requiredString("path")
        if path.isEmpty { throw patch.invalid("a patch needs a non-empty `path`") }
        patches.append(
          JSONPatchOperation(
            node: patch, operation: operation, path: path, from: try patch["from"]?.string(),
            value: try patch["value"].map { (node: PolicyNode) throws(ImportFailure) in
              Self.typed(try node.string())
            }))
      }
      var merges: [(Value, PolicyNode)] = []
      for patch in try item["mergePatches"]?.list() ?? [] {
        let data = try patch.requiredString("patchData")
        do {
          merges.append((try YAML.parse(data), patch))
        } catch {
          throw patch.invalid("`patchData` is neither JSON nor YAML: \(error)")
        }
      }
      rules.append(
        Rule(
          node: item, conditions: try condition(conditions), patches: patches,
          mergePatches: merges, strategicPatches: try item["strategicPatches"]?.list() ?? []))
    }
  }

  private func condition(_ node: PolicyNode) throws(ImportFailure) -> Condition {
    let groupResource = try node.requiredString("groupResource")
    if groupResource.isEmpty { throw node.invalid("`groupResource` may not be empty") }
    var matches: [(String, Value, PolicyNode)] = []
    for match in try node["matches"]?.list() ?? [] {
      let path = try match.requiredString("path")
      if path.isEmpty { throw match.invalid("a match needs a non-empty `path`") }
      matches.append((path, Self.typed(try match["value"]?.string() ?? ""), match))
    }
    return Condition(
      node: node, groupResource: groupResource,
      nameRegex: try node["resourceNameRegex"]?.string(),
      namespaces: try node["namespaces"]?.strings() ?? [],
      labels: try node["labelSelector"].map(LabelSelector.read), matches: matches)
  }

  /// Velero writes patch and match values as strings and types them when it builds the
  /// JSON Patch: `"…"` is a string, `null`, `true`/`false` (any case), JSON after `{` or
  /// `[`, a number when it parses as one, and any other text a string.
  static func typed(_ text: String) -> Value {
    if text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") {
      return .string(String(text.dropFirst().dropLast()))
    }
    if text == "null" { return .null }
    if text.lowercased() == "true" { return .bool(true) }
    if text.lowercased() == "false" { return .bool(false) }
    if text.hasPrefix("{") || text.hasPrefix("["), let parsed = try? JSON.parse(text) {
      return parsed
    }
    if let number = Int64(text) { return .int(number) }
    if let number = Double(text), number.isFinite {
      return number.rounded() == number && abs(number) < 1e15
        ? .int(Int64(number)) : .double(number)
    }
    return .string(text)
  }
}
