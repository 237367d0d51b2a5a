import SyncValue

/// A kind the checker knows a schema for.
public struct KindInfo: Sendable {
  public var gvk: GroupVersionKind
  /// False for cluster-scoped kinds (Namespace, ClusterRole, ...).
  public var namespaced: Bool
  /// The schema of the whole object, with `apiVersion`, `kind` and `metadata`.
  ///
  /// A built-in kind's schema is built on first use (see ``DefinitionTable``).
  public var schema: SchemaNode {
    get { storedSchema.node }
    set { storedSchema = .node(newValue) }
  }
  /// Where the schema came from: `built-in (Kubernetes v1.34)` or a CRD file path.
  public var source: String
  /// True for the version a CRD marks `storage: true`. The built-in data does not say
  /// which version the API server stores, so it is false for every built-in kind.
  public var isStorageVersion: Bool
  private var storedSchema: LazySchema

  public init(
    gvk: GroupVersionKind, namespaced: Bool, schema: SchemaNode, source: String,
    isStorageVersion: Bool = false
  ) {
    self.init(
      gvk: gvk, namespaced: namespaced, lazySchema: .node(schema), source: source,
      isStorageVersion: isStorageVersion)
  }

  init(
    gvk: GroupVersionKind, namespaced: Bool, lazySchema: LazySchema, source: String,
    isStorageVersion: Bool = false
  ) {
    self.gvk = gvk
    self.namespaced = namespaced
    self.storedSchema = lazySchema
    self.source = source
    self.isStorageVersion = isStorageVersion
  }
}

/// A schema node, or a definition whose node is built when first asked for.
enum LazySchema: Sendable {
  case node(SchemaNode)
  case definition(DefinitionTable, Int)

  var node: SchemaNode {
    switch self {
    case .node(let node): node
    case .definition(let table, let index): table.node(index)
    }
  }
}

/// The kinds and schemas a rule file is checked against: the built-in Kubernetes
/// kinds plus any CRDs added.
///
/// Immutable and cheap to share; adding CRDs makes a new registry.
public final class SchemaRegistry: Sendable {
  /// The built-in Kubernetes kinds, read from the embedded data on first use.
  public static let builtIn: SchemaRegistry = BuiltInSchemas.load()

  /// The Kubernetes minor of the built-in kinds: `1.34`.
  public let kubernetesVersion: String
  /// Every kind, sorted by group, version and kind.
  public let kinds: [KindInfo]
  /// `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, put into CRD schemas.
  var objectMeta: SchemaNode? { objectMetaSchema?.node }
  private let objectMetaSchema: LazySchema?
  private let indexByGVK: [GroupVersionKind: Int]

  init(kubernetesVersion: String, kinds: [KindInfo], objectMeta: LazySchema?) {
    self.kubernetesVersion = kubernetesVersion
    self.objectMetaSchema = objectMeta
    // Later entries replace earlier ones with the same identity: a CRD file read
    // last wins, as it would when applied last.
    var byGVK: [GroupVersionKind: KindInfo] = [:]
    for info in kinds { byGVK[info.gvk] = info }
    self.kinds = byGVK.values.sorted { $0.gvk < $1.gvk }
    var index: [GroupVersionKind: Int] = [:]
    for (position, info) in self.kinds.enumerated() { index[info.gvk] = position }
    indexByGVK = index
  }

  /// The kind with exactly this group, version and kind.
  public func kind(_ gvk: GroupVersionKind) -> KindInfo? {
    indexByGVK[gvk].map { kinds[$0] }
  }

  /// Kinds matching a pattern, in ``kinds`` order.
  ///
  /// ``KindPattern/any`` matches everything; `.exact("")` is the core group; globs
  /// use `*` and `?`.
  public func kinds(group: KindPattern, version: KindPattern, kind: KindPattern) -> [KindInfo] {
    if case .exact(let group) = group, case .exact(let version) = version,
      case .exact(let kind) = kind
    {
      return self.kind(GroupVersionKind(group: group, version: version, kind: kind)).map { [$0] }
        ?? []
    }
    return kinds.filter {
      group.matches($0.gvk.group) && version.matches($0.gvk.version) && kind.matches($0.gvk.kind)
    }
  }

  /// Every version known for a group and kind, most preferred first (see
  /// ``GroupVersionKind/versionPriority(_:_:)``); empty when the kind is unknown.
  public func versions(group: String, kind: String) -> [KindInfo] {
    kinds.filter { $0.gvk.group == group && $0.gvk.kind == kind }
      .sorted { GroupVersionKind.versionPriority($0.gvk.version, $1.gvk.version) }
  }

  /// Distinct kind names, sorted: candidates for "did you mean".
  public var kindNames: [String] {
    var seen = Set<String>()
    return kinds.map(\.gvk.kind).filter { seen.insert($0).inserted }.sorted()
  }

  /// A registry with `added` kinds on top of these.
  func adding(_ added: [KindInfo]) -> SchemaRegistry {
    SchemaRegistry(
      kubernetesVersion: kubernetesVersion, kinds: kinds + added, objectMeta: objectMetaSchema)
  }
}
