import SyncValue

/// The edits of one Karmada override rule, in Karmada's order (image, command, args,
/// labels, annotations, field, plaintext), split by the kinds they apply to.
struct OverriderEdits {
  /// Edits of `spec.template.spec.containers` (Deployment, ReplicaSet, DaemonSet,
  /// StatefulSet, Job): Karmada's image, command and args overriders.
  var template: [String] = []
  /// The same edits on a Pod's `spec.containers`.
  var pod: [String] = []
  /// Image edits at a `predicate.path`: only kinds whose schema has that path.
  var predicated: [(keys: [String], edit: String, node: PolicyNode)] = []
  /// Labels, annotations and plaintext: every kind.
  var everyKind: [String] = []
  var findings: [ImportFinding] = []

  /// The kinds the container overriders touch when no `predicate` names a path.
  static let templateKinds: Set<String> = [
    "apps/v1 Deployment", "apps/v1 ReplicaSet", "apps/v1 DaemonSet", "apps/v1 StatefulSet",
    "batch/v1 Job",
  ]
  static let podKind = "v1 Pod"

  /// `mayBeMissing(keys)`: whether the map at `keys` can be absent in a selected object
  /// (some key on the way is not required by the schema).
  static func translate(_ overriders: PolicyNode, mayBeMissing: ([String]) -> Bool)
    throws(ImportFailure) -> OverriderEdits
  {
    var edits = OverriderEdits()
    if let list = overriders["imageOverrider"] {
      for item in try list.list() { try edits.addImage(item) }
    }
    for (field, name) in [("commandOverrider", "command"), ("argsOverrider", "args")] {
      if let list = overriders[field] {
        for item in try list.list() { try edits.addCommand(item, field: name) }
      }
    }
    for (field, name) in [("labelsOverrider", "labels"), ("annotationsOverrider", "annotations")] {
      if let list = overriders[field] {
        for item in try list.list() { try edits.addMetadata(item, field: name) }
      }
    }
    if let list = overriders["fieldOverrider"] {
      for item in try list.list() { try edits.addField(item) }
    }
    if let list = overriders["plaintext"] {
      try edits.addPlaintext(try list.list(), mayBeMissing: mayBeMissing)
    }
    return edits
  }

  // MARK: Containers

  private mutating func addContainerEdit(
    _ item: PolicyNode, predicate: String?, _ edit: (String) -> String
  ) throws(ImportFailure) {
    if let predicate {
      guard let pointer = JSONPointerPath(predicate),
        let path = pointer.syncPath(digitsAreIndices: true)
      else {
        throw item.invalid("`predicate.path` `\(predicate)` is not a JSON pointer")
      }
      predicated.append((pointer.keys, edit(path), item))
    } else {
      template.append(edit("spec.template.spec.containers[*].image"))
      pod.append(edit("spec.containers[*].image"))
    }
  }

  private mutating func addImage(_ item: PolicyNode) throws(ImportFailure) {
    guard let componentNode = item["component"] else {
      throw item.invalid("an imageOverrider needs `component`")
    }
    guard let operatorNode = item["operator"] else {
      throw item.invalid("an imageOverrider needs `operator`")
    }
    let component = try componentNode.choice(["Registry", "Repository", "Tag"])
    let operation = try operatorNode.choice(["add", "remove", "replace"])
    let value = try item["value"]?.string() ?? ""
    let predicate = try item["predicate"]?["path"]?.string()
    let comment = "# imageOverrider: \(component) \(operation)\(value.isEmpty ? "" : " \(value)")"
    switch ImageReferenceEdit.translation(component: component, operation: operation, value: value)
    {
    case .missingValue:
      throw item.invalid("`\(component)` `\(operation)` needs a `value`")
    case .nothing:
      try addContainerEdit(item, predicate: predicate) { _ in
        comment
          + " does nothing: `\(value)` never makes a valid tag, and Karmada then keeps the image"
      }
    case .replace(let pattern, let replacement):
      try addContainerEdit(item, predicate: predicate) { path in
        comment
          + "\n  replace \(path)\n          \(SyncText.regex(pattern)) -> \(SyncText.string(replacement))"
      }
    }
  }

  private mutating func addCommand(_ item: PolicyNode, field: String) throws(ImportFailure) {
    let container = try item.requiredString("containerName")
    guard let operatorNode = item["operator"] else {
      throw item.invalid("a \(field) overrider needs `operator`")
    }
    let operation = try operatorNode.choice(["add", "remove"])
    let values = try item["value"]?.strings() ?? []
    let key = "[name: \(SyncText.exact(container))].\(field)"
    if operation == "remove" {
      // Karmada removes every element equal to each value.
      for value in values {
        let element = "[= \(SyncText.string(value))]"
        template.append("remove spec.template.spec.containers\(key)\(element)")
        pod.append("remove spec.containers\(key)\(element)")
      }
      return
    }
    for value in values {
      template.append("append spec.template.spec.containers\(key) \(SyncText.string(value))")
      pod.append("append spec.containers\(key) \(SyncText.string(value))")
    }
  }

  // MARK: Documents in strings

  /// Karmada `fieldOverrider`: one JSON Patch applied to the JSON or YAML document in the
  /// string at `fieldPath` (the YAML list wins when both are given, as in Karmada).
  private mutating func addField(_ item: PolicyNode) throws(ImportFailure) {
    let pointer = try item.requiredString("fieldPath")
    let format = item["yaml"] != nil ? "yaml" : "json"
    guard let operations = item[format] else {
      throw item.invalid("a fieldOverrider needs `json` or `yaml` operations")
    }
    guard let path = JSONPointerPath(pointer)?.syncPath(digitsAreIndices: false) else {
      everyKind.append("# not translated: fieldOverrider on \(pointer)")
      findings.append(
        item.finding(
          .notTranslated,
          "the fieldOverrider's `fieldPath` `\(pointer)` goes through a list index or `-`, which `edit … as \(format)` cannot name exactly; the rule has a comment where it would go"
        ))
      return
    }
    var entries: [String] = []
    for operation in try operations.list() {
      let subPath = try operation.requiredString("subPath")
      guard let operatorNode = operation["operator"] else {
        throw operation.invalid("a fieldOverrider operation needs `operator`")
      }
      let name = try operatorNode.choice(["add", "remove", "replace"])
      var entry = "{ op: \(name), path: \(SyncText.string(subPath))"
      if name != "remove" {
        guard let value = operation["value"] else {
          throw operation.invalid("`\(name)` needs a `value`")
        }
        entry += ", value: \(SyncText.literal(value.value, indent: "    "))"
      }
      entries.append(entry + " }")
    }
    everyKind.append(
      "edit \(path) as \(format) {\n    patch [\n      "
        + entries.joined(separator: ",\n      ") + "\n    ]\n  }")
  }

  // MARK: Labels and annotations

  private mutating func addMetadata(_ item: PolicyNode, field: String) throws(ImportFailure) {
    guard let operatorNode = item["operator"] else {
      throw item.invalid("a \(field) overrider needs `operator`")
    }
    let operation = try operatorNode.choice(["add", "remove", "replace"])
    let members = try item["value"]?.members() ?? []
    for (key, valueNode) in members.sorted(by: { $0.key < $1.key }) {
      let path = SyncText.path(["metadata", field, key])
      switch operation {
      case "add":
        everyKind.append("set \(path) = \(SyncText.string(try valueNode.string()))")
      case "replace":
        // Karmada replaces only a key that is there.
        everyKind.append(
          "when \(path) exists { set \(path) = \(SyncText.string(try valueNode.string())) }")
      default:
        everyKind.append("remove \(path)")
      }
    }
  }
}
