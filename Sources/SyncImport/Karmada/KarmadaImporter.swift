import SyncSchema
import SyncValue

/// `syncrules import karmada`: PropagationPolicies, OverridePolicies (and their
/// cluster-wide forms) as one `.sync` file.
public struct KarmadaImporter {
  /// Which member cluster is the standby. nil: the one cluster the policies name.
  public var cluster: String?
  /// Karmada's `--skipped-propagating-namespaces` (anchored regexes since v1.6); nil:
  /// Karmada's default, `kube-.*`.
  public var skippedNamespaces: [String]?
  /// Kinds and schemas: which kinds have a status, a pod template.
  public var registry: SchemaRegistry

  public init(
    cluster: String? = nil, skippedNamespaces: [String]? = nil,
    registry: SchemaRegistry = .builtIn
  ) {
    self.cluster = cluster
    self.skippedNamespaces = skippedNamespaces
    self.registry = registry
  }

  /// Translates the policies in `paths` (files, or directories of YAML files).
  public func translate(paths: [String]) throws(ImportFailure) -> ImportResult {
    let documents = try PolicyDocuments.read(paths: paths)
    let policies = try KarmadaPolicies.read(documents)
    var writer = KarmadaWriter(
      policies: policies, cluster: try standby(policies), registry: registry)
    writer.findings = policies.findings
    let text = try writer.write(
      sources: paths, skippedNamespaces: skippedNamespaces ?? ["kube-.*"],
      skippedByFlag: skippedNamespaces != nil)
    return ImportResult(
      text: text, findings: writer.findings, files: documents.documents.map(\.file))
  }

  /// The standby's cluster name: given, or the only one the placements name.
  private func standby(_ policies: KarmadaPolicies) throws(ImportFailure) -> String? {
    if let cluster { return cluster }
    var names: [String] = []
    for policy in policies.propagation {
      for name in policy.placement?.clusterNames ?? [] where !names.contains(name) {
        names.append(name)
      }
    }
    guard names.count > 1, let first = policies.propagation.first else { return names.first }
    throw first.node.invalid(
      "the policies place objects on several clusters (\(names.joined(separator: ", "))): say which is the standby with --cluster"
    )
  }
}

/// Builds the text: the Karmada defaults made explicit, one rule per propagation
/// selector group, then the overrides in the order Karmada applies them.
struct KarmadaWriter {
  let policies: KarmadaPolicies
  let cluster: String?
  let registry: SchemaRegistry
  var findings: [ImportFinding] = []
  var names = RuleNames()
  /// The selections that are propagated: the objects an override may touch.
  var propagated: [Selection] = []
  /// Policies and override rules not translated because they are not for this standby.
  var leftOut: [String] = []
  private var warnedAboutClaims = false

  init(policies: KarmadaPolicies, cluster: String?, registry: SchemaRegistry) {
    self.policies = policies
    self.cluster = cluster
    self.registry = registry
  }

  mutating func write(sources: [String], skippedNamespaces: [String], skippedByFlag: Bool)
    throws(ImportFailure) -> String
  {
    var propagationRules: [RuleDraft] = []
    for policy in policies.propagation {
      propagationRules += propagationDrafts(policy)
    }
    if let first = policies.overrides.first {
      findings.append(
        first.node.finding(
          .deletionPrunes,
          "deleting the PropagationPolicy and OverridePolicy left Karmada's copies running on the standby with production's settings (karmada-io/karmada#3873); deleting a rule of the translation makes `syncrules sync` prune the objects it synced"
        ))
    }
    var overrideRules: [RuleDraft] = []
    for target in overrideTargets() {
      overrideRules += try overrideDrafts(target)
    }
    let allKinds = Set(propagated.flatMap(\.kinds) + overrideRules.flatMap(\.selection.kinds))
    var sections: [String] = [header(sources: sources)]
    sections.append(imports(kinds: allKinds))
    sections.append(skips(skippedNamespaces, byFlag: skippedByFlag))
    sections.append(
      RuleDraft(
        name: names.claim("namespaces"),
        comments: [
          "Karmada's namespace controller propagates every namespace that is not skipped."
        ],
        selection: Selection(kinds: ["v1 Namespace"]),
        edits: ["use strip-server-fields", "use strip-status"]
      ).text)
    sections += propagationRules.map(\.text)
    sections += overrideRules.map(\.text)
    if let cluster, !leftOut.isEmpty {
      var seen: Set<String> = []
      let lines = leftOut.filter { seen.insert($0).inserted }.map { "# - " + $0 }
      sections.append(
        (["# Left out: not for the standby cluster `\(cluster)`."] + lines).joined(separator: "\n"))
    }
    return sections.joined(separator: "\n\n") + "\n"
  }

  // MARK: The fixed parts

  private func header(sources: [String]) -> String {
    """
    # Translated by `syncrules import karmada` from \(sources.joined(separator: ", ")).
    #
    # Karmada did some things without being asked; they are written down here:
    # the namespaces it never propagates, the server-set fields and status it prunes,
    # and Service cluster IPs. Differences on purpose: finalizers are kept (the
    # standby's own controllers need kubernetes.io/pvc-protection and the like; add
    # `remove metadata.finalizers` for Karmada's behaviour); Services also lose their
    # node ports, which could clash on the standby; and deleting a rule here makes
    # `syncrules sync` prune what it synced, where deleting a Karmada policy left the
    # workloads running with production's settings (karmada-io/karmada#3873).
    """
  }

  private func imports(kinds: Set<String>) -> String {
    var lines = [
      "import \"std/skip-cluster-noise\"     # Events, Leases, token Secrets, owned objects …",
      "import \"std/strip-server-fields\"    # what Karmada prunes: uid, resourceVersion, status …",
    ]
    if kinds.contains("v1 Service") {
      lines.append("import \"std/service-portability\"   # cluster IPs and node ports")
    }
    if kinds.contains("v1 PersistentVolumeClaim") {
      lines.append("import \"std/pvc-portability\"       # the production volume and its binding")
    }
    return lines.joined(separator: "\n")
  }

  private func skips(_ skipped: [String], byFlag: Bool) -> String {
    let patterns = skipped.map { pattern in
      pattern.contains(where: { "\\^$.*+?()[]{}|".contains($0) })
        ? SyncText.regex(pattern) : SyncText.exact(pattern)
    }
    let list = patterns.joined(separator: ", ")
    return """
      # Karmada never propagates its own namespaces.
      skip namespaces karmada-system, karmada-cluster, "karmada-es-*"
      skip match v1 Namespace named karmada-system, karmada-cluster, "karmada-es-*"
      # \(byFlag ? "--skipped-propagating-namespaces" : "Karmada's default --skipped-propagating-namespaces").
      skip namespaces \(list)
      skip match v1 Namespace named \(list)
      """
  }

  // MARK: Propagation

  private mutating func propagationDrafts(_ policy: PropagationPolicy) -> [RuleDraft] {
    let origin = "\(policy.kindName) `\(policy.name)` (\(location(policy.node)))"
    if let cluster, let placement = policy.placement, placement.includes(cluster) != true {
      let reason =
        placement.includes(cluster) == nil
        ? "its placement depends on cluster labels or fields, which this command cannot see"
        : "it does not place objects on `\(cluster)`"
      if placement.includes(cluster) == false {
        findings.append(policy.node.finding(.notForThisCluster, "\(origin) is left out: \(reason)"))
        leftOut.append("\(origin): \(reason)")
        return []
      }
      findings.append(
        policy.node.finding(
          .notForThisCluster,
          "\(origin) is translated as if it placed objects on `\(cluster)`: \(reason)"))
    }
    for selector in policy.selectors {
      if let name = selector.name, name.count + selector.kind.count + 1 > 63 {
        findings.append(
          policy.node.finding(
            .nameTooLongForKarmada,
            "Karmada could not propagate `\(name)`: its `resourcebinding.karmada.io/name` label value `\(name)-\(selector.kind.lowercased())` is longer than 63 characters (karmada-io/karmada#3834); syncrules adds no such label and syncs it"
          ))
      }
    }
    var drafts: [RuleDraft] = []
    for group in Self.groups(policy.selectors) {
      propagated.append(group)
      // Kinds that need the same edits share a rule; edits are checked per kind.
      var byEdits: [(edits: [String], kinds: [String])] = []
      for kind in group.kinds {
        let edits = implicitEdits(
          kind: kind, dependencies: policy.propagatesDependencies, selectedBy: policy.node)
        if let index = byEdits.firstIndex(where: { $0.edits == edits }) {
          byEdits[index].kinds.append(kind)
        } else {
          byEdits.append((edits, [kind]))
        }
      }
      for (edits, kinds) in byEdits {
        var selection = group
        selection.kinds = kinds
        drafts.append(
          RuleDraft(
            name: names.claim(policy.name), comments: [origin], selection: selection,
            edits: edits))
      }
    }
    if policy.propagatesDependencies {
      // Karmada follows pod templates, Ingress TLS and (v1.7+) ServiceImports; only the
      // last, and kinds whose schema is unknown, are not followed here.
      for kind in Set(policy.selectors.map(\.kindReference)).sorted()
      where !followsDependencies(kind) && (info(kind) == nil || kind.hasSuffix(" ServiceImport")) {
        findings.append(
          policy.node.finding(
            .notTranslated,
            "propagateDeps on `\(kind)`: syncrules follows what pod templates and Ingresses reference, not this kind's dependencies"
          ))
      }
    }
    return drafts
  }

  /// What Karmada does to every propagated object of `kind`, as edits.
  mutating func implicitEdits(kind: String, dependencies: Bool, selectedBy policy: PolicyNode)
    -> [String]
  {
    var edits: [String] = []
    if dependencies && followsDependencies(kind) { edits.append("dependencies") }
    edits.append("use strip-server-fields")
    if hasStatus(kind) { edits.append("use strip-status") }
    if kind == "v1 Service" { edits.append("use service-portability") }
    if kind == "v1 PersistentVolumeClaim" {
      edits.append("use pvc-portability")
      if !warnedAboutClaims {
        warnedAboutClaims = true
        findings.append(
          policy.finding(
            .claimBindingAnnotations,
            "PersistentVolumeClaims lose their binding annotations too (std/pvc-portability): with Karmada they kept `pv.kubernetes.io/bind-completed` without the volume, and the standby marked them Lost"
          ))
      }
    }
    return edits
  }

  private func info(_ kind: String) -> KindInfo? {
    let parts = kind.split(separator: " ")
    guard parts.count == 2 else { return nil }
    return registry.kind(GroupVersionKind(apiVersion: String(parts[0]), kind: String(parts[1])))
  }

  /// Unknown kinds are assumed to have one: removing an absent status is harmless.
  private func hasStatus(_ kind: String) -> Bool {
    guard let info = info(kind) else { return true }
    return info.schema.property("status") != nil
  }

  /// Whether the map at `keys` can be absent in an object of `kind` (unknown kinds:
  /// assume so). A key is always there when its parent requires it, or when it has
  /// required fields of its own (a Deployment's `spec`, a template's pod `spec`): the
  /// API server refuses objects without them.
  func mayBeMissing(_ keys: [String], in kind: String) -> Bool {
    guard var node = info(kind)?.schema else { return true }
    for key in keys {
      guard let child = node.property(key), node.required.contains(key) || !child.required.isEmpty
      else { return true }
      node = child
    }
    return false
  }

  /// Whether the schema of `kind` has the path (digit keys step into list items).
  func hasPath(_ keys: [String], in kind: String) -> Bool {
    guard var node = info(kind)?.schema else { return true }
    for key in keys {
      if key.allSatisfy(\.isNumber), let items = node.items {
        node = items
      } else if let child = node.property(key) {
        node = child
      } else {
        return false
      }
    }
    return true
  }

  private func followsDependencies(_ kind: String) -> Bool {
    guard let info = info(kind) else { return false }
    if info.gvk.kind == "Pod" || info.gvk.kind == "Ingress" { return true }
    let spec = info.schema.property("spec")
    return spec?.property("template")?.property("spec") != nil
      || spec?.property("jobTemplate")?.property("spec")?.property("template") != nil
  }

  /// Selectors with the same namespace, name and labels share one rule.
  static func groups(_ selectors: [ResourceSelector]) -> [Selection] {
    var groups: [Selection] = []
    for selector in selectors {
      var selection = Selection(kinds: [selector.kindReference])
      if let namespace = selector.namespace { selection.namespaces = [SyncText.exact(namespace)] }
      if let name = selector.name { selection.names = [SyncText.exact(name)] }
      if let labels = selector.labels?.syncText { selection.labels = [labels] }
      if let index = groups.firstIndex(where: { $0.hasSameClauses(as: selection) }) {
        if !groups[index].kinds.contains(selection.kinds[0]) {
          groups[index].kinds.append(selection.kinds[0])
        }
      } else {
        groups.append(selection)
      }
    }
    return groups
  }

  func location(_ node: PolicyNode) -> String {
    let place = node.document.location(of: node.path)
    return "\(node.document.file):\(place.line)"
  }
}
