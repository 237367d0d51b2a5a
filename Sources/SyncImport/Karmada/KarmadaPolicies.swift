import SyncValue

/// A Kubernetes label selector (`matchLabels`, `matchExpressions`), as Karmada's and
/// Velero's selectors write it.
struct LabelSelector: Hashable {
  struct Requirement: Hashable {
    var key: String
    /// `In`, `NotIn`, `Exists`, `DoesNotExist`.
    var operation: String
    var values: [String]
  }

  var requirements: [Requirement] = []

  static func read(_ node: PolicyNode) throws(ImportFailure) -> LabelSelector {
    var selector = LabelSelector()
    if let labels = node["matchLabels"] {
      for (key, value) in try labels.members().sorted(by: { $0.key < $1.key }) {
        selector.requirements.append(
          Requirement(key: key, operation: "=", values: [try value.string()]))
      }
    }
    if let expressions = node["matchExpressions"] {
      for expression in try expressions.list() {
        let key = try expression.requiredString("key")
        guard let operatorNode = expression["operator"] else {
          throw expression.invalid("`\(expression.dottedPath)` has no `operator`")
        }
        let operation = try operatorNode.choice(["In", "NotIn", "Exists", "DoesNotExist"])
        let values = try expression["values"]?.strings() ?? []
        if (operation == "In" || operation == "NotIn") && values.isEmpty {
          throw expression.invalid("`\(operation)` needs at least one value")
        }
        selector.requirements.append(
          Requirement(key: key, operation: operation, values: values))
      }
    }
    return selector
  }

  /// `app=web, tier in (a, b), !legacy`; nil when it selects everything.
  var syncText: String? {
    guard !requirements.isEmpty else { return nil }
    return requirements.map { requirement in
      let key = SyncText.exact(requirement.key)
      let values = requirement.values.map(SyncText.exact).joined(separator: ", ")
      switch requirement.operation {
      case "=": return "\(key)=\(SyncText.exact(requirement.values[0]))"
      case "In": return "\(key) in (\(values))"
      case "NotIn": return "\(key) notin (\(values))"
      case "Exists": return key
      default: return "!\(key)"
      }
    }.joined(separator: ", ")
  }
}

/// One `resourceSelectors` entry.
struct ResourceSelector: Hashable {
  var apiVersion: String
  var kind: String
  var namespace: String?
  var name: String?
  var labels: LabelSelector?

  /// Karmada's implicit priority among selectors: by name, then by labels, then all.
  var specificity: Int { name != nil ? 2 : labels != nil ? 1 : 0 }

  /// `apps/v1 Deployment`.
  var kindReference: String { "\(apiVersion) \(kind)" }

  static func read(_ node: PolicyNode, policyNamespace: String?) throws(ImportFailure)
    -> ResourceSelector
  {
    var selector = ResourceSelector(
      apiVersion: try node.requiredString("apiVersion"), kind: try node.requiredString("kind"))
    selector.namespace = try node["namespace"]?.string()
    if let policyNamespace {
      // A namespaced policy sees only its own namespace, whatever the selector says.
      if let named = selector.namespace, named != policyNamespace {
        throw node.invalid(
          "selects namespace `\(named)`, but a PropagationPolicy or OverridePolicy in `\(policyNamespace)` only sees its own namespace"
        )
      }
      selector.namespace = policyNamespace
    }
    selector.name = try node["name"]?.string()
    // With a name, Karmada ignores the label selector.
    if selector.name == nil, let labels = node["labelSelector"] {
      let read = try LabelSelector.read(labels)
      selector.labels = read.requirements.isEmpty ? nil : read
    }
    return selector
  }
}

/// Where a policy or override rule sends objects: `clusterNames`, and whether other
/// criteria (labels, fields, exclusions) that this tool cannot evaluate were given.
struct ClusterAffinity {
  var clusterNames: [String]
  var excluded: [String]
  var hasOtherCriteria: Bool

  static func read(_ node: PolicyNode) throws(ImportFailure) -> ClusterAffinity {
    ClusterAffinity(
      clusterNames: try node["clusterNames"]?.strings() ?? [],
      excluded: try node["exclude"]?.strings() ?? [],
      hasOtherCriteria: node["labelSelector"] != nil || node["fieldSelector"] != nil)
  }

  /// Whether `cluster` is one of the clusters: nil when that depends on the cluster's
  /// labels or fields.
  func includes(_ cluster: String) -> Bool? {
    if excluded.contains(cluster) { return false }
    if !clusterNames.isEmpty && !clusterNames.contains(cluster) { return false }
    return hasOtherCriteria ? nil : true
  }
}

/// A PropagationPolicy or ClusterPropagationPolicy.
struct PropagationPolicy {
  var node: PolicyNode
  var name: String
  /// nil for a ClusterPropagationPolicy.
  var namespace: String?
  var selectors: [ResourceSelector]
  var propagatesDependencies: Bool
  var placement: ClusterAffinity?
  var priority: Int64

  var kindName: String { namespace == nil ? "ClusterPropagationPolicy" : "PropagationPolicy" }
}

/// An OverridePolicy or ClusterOverridePolicy.
struct OverridePolicy {
  struct Rule {
    var node: PolicyNode
    var targetCluster: ClusterAffinity?
    var overriders: PolicyNode
  }

  var node: PolicyNode
  var name: String
  var namespace: String?
  /// Empty: every resource the policy can see.
  var selectors: [ResourceSelector]
  var rules: [Rule]

  var kindName: String { namespace == nil ? "ClusterOverridePolicy" : "OverridePolicy" }
}

/// The Karmada policies found in the input documents.
struct KarmadaPolicies {
  var propagation: [PropagationPolicy] = []
  var overrides: [OverridePolicy] = []
  var findings: [ImportFinding] = []

  static let policyGroup = "policy.karmada.io/"

  static func read(_ documents: PolicyDocuments) throws(ImportFailure) -> KarmadaPolicies {
    var policies = KarmadaPolicies()
    for document in documents.documents {
      try policies.add(PolicyNode(document))
    }
    if policies.propagation.isEmpty && policies.overrides.isEmpty {
      let place = documents.documents.first
      throw ImportFailure(
        findings: [
          ImportFinding(
            code: .invalidPolicy, file: place?.file ?? documents.paths.joined(separator: ", "),
            line: 1, column: 1,
            message: "no PropagationPolicy or OverridePolicy (policy.karmada.io) found")
        ] + policies.findings)
    }
    return policies
  }

  private mutating func add(_ node: PolicyNode) throws(ImportFailure) {
    guard case .object = node.value else {
      throw node.invalid("a document must be a map (a Karmada policy), not \(node.value.typeName)")
    }
    let kind = try node["kind"]?.string() ?? ""
    if kind == "List", let items = node["items"] {
      for item in try items.list() { try add(item) }
      return
    }
    let apiVersion = try node["apiVersion"]?.string() ?? ""
    guard apiVersion.hasPrefix(Self.policyGroup) else {
      findings.append(
        node.finding(
          .ignoredDocument,
          "ignored: \(kind.isEmpty ? "a document" : "`\(apiVersion) \(kind)`") is not a Karmada policy"
        ))
      return
    }
    guard let metadata = node["metadata"], let spec = node["spec"] else {
      throw node.invalid("a \(kind) needs `metadata` and `spec`")
    }
    let name = try metadata.requiredString("name")
    switch kind {
    case "PropagationPolicy", "ClusterPropagationPolicy":
      let namespace = kind == "PropagationPolicy" ? try namespaceOf(metadata) : nil
      propagation.append(
        PropagationPolicy(
          node: node, name: name, namespace: namespace,
          selectors: try selectors(spec, namespace: namespace, required: true),
          propagatesDependencies: try spec["propagateDeps"]?.bool() ?? false,
          placement: try spec["placement"]?["clusterAffinity"].map(ClusterAffinity.read),
          priority: try spec["priority"]?.int() ?? 0))
    case "OverridePolicy", "ClusterOverridePolicy":
      let namespace = kind == "OverridePolicy" ? try namespaceOf(metadata) : nil
      var rules: [OverridePolicy.Rule] = []
      if let list = spec["overrideRules"], !(list.value.arrayValue?.isEmpty ?? false) {
        for rule in try list.list() {
          guard let overriders = rule["overriders"] else {
            throw rule.invalid("an override rule needs `overriders`")
          }
          rules.append(
            OverridePolicy.Rule(
              node: rule, targetCluster: try rule["targetCluster"].map(ClusterAffinity.read),
              overriders: overriders))
        }
      } else if let overriders = spec["overriders"] {
        // The form before overrideRules: one rule, deprecated but still read by Karmada.
        rules.append(
          OverridePolicy.Rule(
            node: spec, targetCluster: try spec["targetCluster"].map(ClusterAffinity.read),
            overriders: overriders))
      }
      overrides.append(
        OverridePolicy(
          node: node, name: name, namespace: namespace,
          selectors: try selectors(spec, namespace: namespace, required: false), rules: rules))
    default:
      findings.append(
        node.finding(.ignoredDocument, "ignored: `\(kind)` is not a policy this command reads"))
    }
  }

  private func namespaceOf(_ metadata: PolicyNode) throws(ImportFailure) -> String {
    guard let namespace = try metadata["namespace"]?.string() else {
      throw metadata.invalid("a namespaced policy needs `metadata.namespace`")
    }
    return namespace
  }

  private func selectors(_ spec: PolicyNode, namespace: String?, required: Bool)
    throws(ImportFailure) -> [ResourceSelector]
  {
    let items = try spec["resourceSelectors"]?.list() ?? []
    if items.isEmpty && required {
      throw spec.invalid("`spec.resourceSelectors` must name at least one kind")
    }
    var result: [ResourceSelector] = []
    for item in items {
      result.append(try ResourceSelector.read(item, policyNamespace: namespace))
    }
    return result
  }
}
