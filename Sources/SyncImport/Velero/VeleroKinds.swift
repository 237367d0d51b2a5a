import SyncSchema

extension VeleroRuleWriter {
  /// `groupResource` as kind references: `deployments.apps` → `apps/Deployment`,
  /// `pods` → `v1 Pod`, `*.apps` → `apps/*`, `*` → `v1` (the core group: Velero's glob
  /// stops at dots), and whether any of them may be cluster-scoped. nil, with a finding,
  /// when a resource is not known.
  mutating func kindReferences(_ condition: VeleroModifiers.Condition)
    -> (kinds: [String], mayBeClusterScoped: Bool, builtIn: Bool)?
  {
    let text = condition.groupResource
    let resource: String
    let group: String
    if let dot = text.firstIndex(of: ".") {
      resource = String(text[..<dot])
      group = String(text[text.index(after: dot)...])
    } else {
      resource = text
      group = ""
    }
    let groupIsGlob = group.contains("*") || group.contains("?")
    if groupIsGlob && group != "*" && group != "**" {
      findings.append(
        condition.node.finding(
          .notTranslated,
          "the group pattern `\(group)` has no .sync kind pattern; only `*` and `**` translate (to any group)"
        ))
      return nil
    }
    let groupPart = groupIsGlob ? "*" : group
    if resource == "*" || resource == "**" {
      let inGroup = registry.kinds.filter { groupIsGlob || $0.gvk.group == group }
      return (
        [group.isEmpty ? "v1" : "\(groupPart)/*"],
        inGroup.isEmpty || inGroup.contains { !$0.namespaced },
        !groupIsGlob && !inGroup.isEmpty && inGroup.allSatisfy { $0.source.hasPrefix("built-in") }
      )
    }
    if resource.contains("*") || resource.contains("?") {
      findings.append(
        condition.node.finding(
          .notTranslated,
          "the resource pattern `\(resource)` names plural resources, which .sync kind patterns cannot match; use `*` or a resource name"
        ))
      return nil
    }
    let kinds = registry.kinds.filter {
      Self.plural(of: $0.gvk.kind) == resource && (groupIsGlob || $0.gvk.group == group)
    }
    var names: [String] = []
    for info in kinds where !names.contains(info.gvk.kind) { names.append(info.gvk.kind) }
    guard !names.isEmpty else {
      findings.append(
        condition.node.finding(
          .notTranslated,
          "no kind is known for `\(text)`; pass its CustomResourceDefinition with --crd. The rule is left out"
        ))
      return nil
    }
    return (
      names.map { group.isEmpty ? "v1 \($0)" : "\(groupPart)/\($0)" },
      kinds.contains { !$0.namespaced },
      kinds.allSatisfy { $0.source.hasPrefix("built-in") }
    )
  }

  /// The plural resource name Kubernetes derives from a kind (the rule of
  /// `meta.UnsafeGuessKindToResource`), with the one irregular built-in kind.
  static func plural(of kind: String) -> String {
    let lower = kind.lowercased()
    if lower == "endpoints" { return lower }
    if lower.hasSuffix("s") { return lower + "es" }
    if lower.hasSuffix("y") { return lower.dropLast() + "ies" }
    return lower + "s"
  }
}
