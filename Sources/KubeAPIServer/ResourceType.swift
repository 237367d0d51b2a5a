import SyncValue

/// One resource the server serves at one group/version, as discovery describes it.
public struct ResourceType: Sendable, Hashable {
  /// The API group; empty for the core group (`/api/v1`).
  public var group: String
  /// The version, such as `v1`.
  public var version: String
  /// The plural resource name used in URLs, such as `deployments`.
  public var plural: String
  /// The singular name, such as `deployment`.
  public var singular: String
  /// The kind, such as `Deployment`.
  public var kind: String
  /// The kind of the list, such as `DeploymentList`.
  public var listKind: String
  /// Whether objects live in a namespace.
  public var namespaced: Bool
  /// Short names kubectl accepts, such as `deploy`.
  public var shortNames: [String]
  /// Categories, such as `all`.
  public var categories: [String]
  /// Whether the resource has a `status` subresource, so writes to the main resource keep
  /// the stored status.
  public var hasStatus: Bool

  /// Creates a resource type.
  public init(
    group: String, version: String, plural: String, singular: String? = nil, kind: String,
    listKind: String? = nil, namespaced: Bool, shortNames: [String] = [],
    categories: [String] = [], hasStatus: Bool = false
  ) {
    self.group = group
    self.version = version
    self.plural = plural
    self.singular = singular ?? kind.lowercased()
    self.kind = kind
    self.listKind = listKind ?? kind + "List"
    self.namespaced = namespaced
    self.shortNames = shortNames
    self.categories = categories
    self.hasStatus = hasStatus
  }

  /// `apps/v1`, or `v1` for the core group.
  public var groupVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// `deployments.apps`, or `pods` for the core group, as error messages name resources.
  public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// Objects are stored once per group and plural, whatever version they are read at.
  var storageKey: String { "\(group)/\(plural)" }

  static let verbs: [Value] = [
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
  ]
}

/// The resources every server starts with.
enum BuiltinResources {
  static let all: [ResourceType] = core + apps + others

  private static let core: [ResourceType] = [
    ResourceType(
      group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false,
      shortNames: ["ns"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true,
      shortNames: ["cm"]),
    ResourceType(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true),
    ResourceType(
      group: "", version: "v1", plural: "services", kind: "Service", namespaced: true,
      shortNames: ["svc"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount",
      namespaced: true, shortNames: ["sa"]),
    ResourceType(
      group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim",
      namespaced: true, shortNames: ["pvc"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", plural: "persistentvolumes", kind: "PersistentVolume",
      namespaced: false, shortNames: ["pv"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true, shortNames: ["po"],
      categories: ["all"], hasStatus: true),
    ResourceType(
      group: "", version: "v1", plural: "events", kind: "Event", namespaced: true,
      shortNames: ["ev"]),
    ResourceType(
      group: "", version: "v1", plural: "endpoints", singular: "endpoints", kind: "Endpoints",
      namespaced: true, shortNames: ["ep"]),
  ]

  private static let apps: [ResourceType] = [
    ResourceType(
      group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true,
      shortNames: ["deploy"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true,
      shortNames: ["sts"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true,
      shortNames: ["ds"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", namespaced: true,
      shortNames: ["rs"], categories: ["all"], hasStatus: true),
  ]

  private static let others: [ResourceType] = [
    ResourceType(
      group: "networking.k8s.io", version: "v1", plural: "ingresses", kind: "Ingress",
      namespaced: true, shortNames: ["ing"], hasStatus: true),
    ResourceType(
      group: "networking.k8s.io", version: "v1", plural: "ingressclasses", kind: "IngressClass",
      namespaced: false),
    ResourceType(
      group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true,
      categories: ["all"], hasStatus: true),
    ResourceType(
      group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", namespaced: true,
      shortNames: ["cj"], categories: ["all"], hasStatus: true),
    ResourceType(
      group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease",
      namespaced: true),
    ResourceType(
      group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions",
      kind: "CustomResourceDefinition", namespaced: false, shortNames: ["crd", "crds"],
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
