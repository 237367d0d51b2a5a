import KubeModel

extension ResourceType {
  /// Objects are stored once per group and plural, whatever version they are read at.
  var storageKey: String { "\(group)/\(plural)" }
}

/// The resources every server starts with.
enum BuiltinResources {
  static let all: [ResourceType] = core + apps + others

  private static let core: [ResourceType] = [
    ResourceType(
      group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false,
      shortNames: ["ns"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true,
      shortNames: ["cm"]),
    ResourceType(group: "", version: "v1", kind: "Secret", plural: "secrets", namespaced: true),
    ResourceType(
      group: "", version: "v1", kind: "Service", plural: "services", namespaced: true,
      shortNames: ["svc"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", kind: "ServiceAccount", plural: "serviceaccounts",
      namespaced: true, shortNames: ["sa"]),
    ResourceType(
      group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims",
      namespaced: true, shortNames: ["pvc"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", kind: "PersistentVolume", plural: "persistentvolumes",
      namespaced: false, shortNames: ["pv"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true, shortNames: ["po"],
      categories: ["all"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", kind: "Event", plural: "events", namespaced: true,
      shortNames: ["ev"]),
    ResourceType(
      group: "", version: "v1", kind: "Endpoints", plural: "endpoints", singular: "endpoints",
      namespaced: true, shortNames: ["ep"]),
  ]

  private static let apps: [ResourceType] = [
    ResourceType(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true,
      shortNames: ["deploy"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", kind: "StatefulSet", plural: "statefulsets", namespaced: true,
      shortNames: ["sts"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", kind: "DaemonSet", plural: "daemonsets", namespaced: true,
      shortNames: ["ds"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", kind: "ReplicaSet", plural: "replicasets", namespaced: true,
      shortNames: ["rs"], categories: ["all"], hasStatus: true),
  ]

  private static let others: [ResourceType] = [
    ResourceType(
      group: "networking.k8s.io", version: "v1", kind: "Ingress", plural: "ingresses",
      namespaced: true, shortNames: ["ing"], hasStatus: true),
    ResourceType(
      group: "networking.k8s.io", version: "v1", kind: "IngressClass", plural: "ingressclasses",
      namespaced: false),
    ResourceType(
      group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true,
      categories: ["all"], hasStatus: true),
    ResourceType(
      group: "batch", version: "v1", kind: "CronJob", plural: "cronjobs", namespaced: true,
      shortNames: ["cj"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases",
      namespaced: true),
    ResourceType(
      group: "policy", version: "v1", kind: "PodDisruptionBudget",
      plural: "poddisruptionbudgets", namespaced: true, shortNames: ["pdb"], hasStatus: true),
    // Stored and served; the server does not evaluate them (see `Authorization`).
    ResourceType(
      group: "rbac.authorization.k8s.io", version: "v1", kind: "Role", plural: "roles",
      namespaced: true),
    ResourceType(
      group: "rbac.authorization.k8s.io", version: "v1", kind: "RoleBinding",
      plural: "rolebindings", namespaced: true),
    ResourceType(
      group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRole",
      plural: "clusterroles", namespaced: false),
    ResourceType(
      group: "rbac.authorization.k8s.io", version: "v1", kind: "ClusterRoleBinding",
      plural: "clusterrolebindings", namespaced: false),
    // Answered, never stored: `kubectl auth can-i`.
    ResourceType(
      group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview",
      plural: "selfsubjectaccessreviews", namespaced: false, verbs: ["create"]),
    ResourceType(
      group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition",
      plural: "customresourcedefinitions", namespaced: false, shortNames: ["crd", "crds"],
      categories: ["api-extensions"], hasStatus: true),
  ]
}

/// Kubernetes' version priority: GA before beta before alpha, higher numbers first, and
/// versions that do not look like `v1beta2` last in name order.
func versionPrecedes(_ a: String, _ b: String) -> Bool {
  func parts(_ text: String) -> (rank: Int, major: Int, minor: Int)? {
    guard text.hasPrefix("v") else { return nil }
    let rest = text.dropFirst()
    let digits = rest.prefix { $0.isNumber }
    guard let major = Int(digits) else { return nil }
    let tail = rest.dropFirst(digits.count)
    if tail.isEmpty { return (3, major, 0) }
    for (label, rank) in [("beta", 2), ("alpha", 1)] where tail.hasPrefix(label) {
      guard let minor = Int(tail.dropFirst(label.count)) else { return nil }
      return (rank, major, minor)
    }
    return nil
  }
  switch (parts(a), parts(b)) {
  case (let x?, let y?):
    if x.rank != y.rank { return x.rank > y.rank }
    if x.major != y.major { return x.major > y.major }
    return x.minor > y.minor
  case (.some, nil): return true
  case (nil, .some): return false
  case (nil, nil): return a < b
  }
}
