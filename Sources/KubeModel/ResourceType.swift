/// One resource a server serves at one group version, as discovery describes it: what the
/// client lists, watches and writes, and what the test server serves.
///
/// Two resource types are equal when they name the same resource: group, version, kind,
/// plural and scope. Verbs, short names, categories and the status subresource describe
/// it; they are not part of its identity, so a resource built by hand equals the one
/// discovery reports whatever verbs the server lists.
public struct ResourceType: Sendable, Hashable, CustomStringConvertible {
  /// The API group; empty for the core group (`/api/v1`).
  public var group: String
  /// The version, such as `v1`.
  public var version: String
  /// The kind, such as `Deployment`.
  public var kind: String
  /// The plural resource name used in URLs, such as `deployments`.
  public var plural: String
  /// The singular name, such as `deployment`.
  public var singular: String
  /// The kind of the list, such as `DeploymentList`.
  public var listKind: String
  /// Whether objects live in a namespace.
  public var namespaced: Bool
  /// What the resource allows (`get`, `list`, `watch`, `create`, …).
  public var verbs: [String]
  /// Short names kubectl accepts, such as `deploy`.
  public var shortNames: [String]
  /// Categories, such as `all`.
  public var categories: [String]
  /// Whether the resource has a `status` subresource, so writes to the main resource keep
  /// the stored status.
  public var hasStatus: Bool

  /// The verbs of an ordinary resource, in the order discovery lists them.
  public static let standardVerbs = [
    "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch",
  ]

  /// Creates a resource type; the singular name and list kind default to what
  /// Kubernetes derives from the kind.
  public init(
    group: String, version: String, kind: String, plural: String, singular: String? = nil,
    listKind: String? = nil, namespaced: Bool, verbs: [String] = ResourceType.standardVerbs,
    shortNames: [String] = [], categories: [String] = [], hasStatus: Bool = false
  ) {
    self.group = group
    self.version = version
    self.kind = kind
    self.plural = plural
    self.singular = singular ?? kind.lowercased()
    self.listKind = listKind ?? kind + "List"
    self.namespaced = namespaced
    self.verbs = verbs
    self.shortNames = shortNames
    self.categories = categories
    self.hasStatus = hasStatus
  }

  /// The group and version.
  public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }

  /// `apps/v1`, or `v1` for the core group.
  public var apiVersion: String { groupVersion.apiVersion }

  /// `deployments.apps`, or `pods` for the core group, as error messages name resources.
  public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// `deployments.v1.apps`, or `pods.v1` for the core group: the name with its version.
  public var versionedName: String {
    group.isEmpty ? "\(plural).\(version)" : "\(plural).\(version).\(group)"
  }

  public static func == (lhs: ResourceType, rhs: ResourceType) -> Bool {
    lhs.group == rhs.group && lhs.version == rhs.version && lhs.kind == rhs.kind
      && lhs.plural == rhs.plural && lhs.namespaced == rhs.namespaced
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(group)
    hasher.combine(version)
    hasher.combine(kind)
    hasher.combine(plural)
    hasher.combine(namespaced)
  }
}
