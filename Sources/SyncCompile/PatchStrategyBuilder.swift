import SyncProgram
import SyncSchema

/// Takes the strategic-merge-patch strategies out of a kind's schema, once per definition.
final class PatchStrategyBuilder {
  /// Trees by definition name; `.none` marks a definition with no strategies.
  private var built: [String: PatchStrategyTree] = [:]
  /// Definitions on the current path, so a recursive schema ends.
  private var visiting: Set<String> = []

  /// The strategies of an object of `kind` (possibly none).
  func strategies(of kind: KindInfo) -> PatchStrategyTree {
    tree(kind.schema, depth: 0) ?? .none
  }

  private func tree(_ node: SchemaNode, depth: Int) -> PatchStrategyTree? {
    // Kubernetes objects nest a few dozen levels at most; deeper schemas are recursive.
    guard depth < 48 else { return nil }
    let definition = node.definitionName
    if let definition {
      if let done = built[definition] { return done.isEmpty ? nil : done }
      if visiting.contains(definition) { return nil }
      visiting.insert(definition)
    }
    defer { if let definition { visiting.remove(definition) } }
    var fields: [String: PatchStrategyTree] = [:]
    for name in node.propertyNames {
      if let child = node.property(name), let found = tree(child, depth: depth + 1) {
        fields[name] = found
      }
    }
    let result = PatchStrategyTree(
      fields: fields, anyField: node.additionalProperties.flatMap { tree($0, depth: depth + 1) },
      items: node.items.flatMap { tree($0, depth: depth + 1) },
      mergesList: node.mergesList, replacesWhole: node.replacesWhole,
      patchMergeKey: node.patchMergeKey)
    if let definition { built[definition] = result }
    return result.isEmpty ? nil : result
  }
}
