import SyncValue

/// A kind the checker knows a schema for.
public struct KindInfo: Sendable {
  public var gvk: GroupVersionKind
  /// False for cluster-scoped kinds (Namespace, ClusterRole, ...).
  public var namespaced: Bool
  /// The schema of the whole object, with `apiVersion`, `kind` and `metadata`.
  public var schema: SchemaNode
  /// Where the schema came from: `built-in (Kubernetes v1.34)` or a CRD file path.
  public var source: String

  public init(gvk: GroupVersionKind, namespaced: Bool, schema: SchemaNode, source: String) {
    self.gvk = gvk
    self.namespaced = namespaced
    self.schema = schema
    self.source = source
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
  let objectMeta: SchemaNode?
  private let indexByGVK: [GroupVersionKind: Int]

  init(kubernetesVersion: String, kinds: [KindInfo], objectMeta: SchemaNode?) {
    self.kubernetesVersion = kubernetesVersion
    self.objectMeta = objectMeta
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

  /// Distinct kind names, sorted: candidates for "did you mean".
  public var kindNames: [String] {
    var seen = Set<String>()
    return kinds.map(\.gvk.kind).filter { seen.insert($0).inserted }.sorted()
  }

  /// A registry with `added` kinds on top of these.
  func adding(_ added: [KindInfo]) -> SchemaRegistry {
    SchemaRegistry(
      kubernetesVersion: kubernetesVersion, kinds: kinds + added, objectMeta: objectMeta)
  }
}

/// Reads ``BuiltInSchemaData``.
enum BuiltInSchemas {
  static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

  static func load() -> SchemaRegistry {
    do {
      return try read(JSON.parse(BuiltInSchemaData.json))
    } catch {
      // The data is generated and covered by tests; failing here is a build defect.
      fatalError("embedded Kubernetes schemas are unreadable: \(error)")
    }
  }

  static func read(_ data: Value) throws -> SchemaRegistry {
    guard let definitions = data["definitions"]?.objectValue,
      let kindList = data["kinds"]?.arrayValue,
      let version = data["kubernetesVersion"]?.stringValue
    else {
      throw SchemaBuildError(path: "", message: "missing definitions, kinds or version")
    }
    let table = DefinitionTable()
    for (index, member) in definitions.members.enumerated() {
      table.indexByName[member.key] = index
    }
    let builder = SchemaBuilder(definitions: table)
    var nodes: [SchemaNode] = []
    nodes.reserveCapacity(definitions.count)
    for member in definitions.members {
      var node = try builder.node(from: member.value, path: member.key)
      if node.reference != nil {
        throw SchemaBuildError(path: member.key, message: "a definition cannot be a bare $ref")
      }
      var facets = node.own
      facets.definitionName = member.key
      node = SchemaNode(facets)
      nodes.append(node)
    }
    table.nodes = nodes
    let source = "built-in (Kubernetes v\(version))"
    var kinds: [KindInfo] = []
    for entry in kindList {
      guard let group = entry["group"]?.stringValue, let version = entry["version"]?.stringValue,
        let kind = entry["kind"]?.stringValue, let definition = entry["definition"]?.stringValue,
        let index = table.indexByName[definition], case .bool(let namespaced) = entry["namespaced"]
      else {
        throw SchemaBuildError(path: "kinds", message: "malformed kind entry")
      }
      let gvk = GroupVersionKind(group: group, version: version, kind: kind)
      kinds.append(
        KindInfo(gvk: gvk, namespaced: namespaced, schema: table.nodes[index], source: source))
    }
    let objectMeta = table.indexByName[objectMetaName].map { table.nodes[$0] }
    return SchemaRegistry(kubernetesVersion: version, kinds: kinds, objectMeta: objectMeta)
  }
}
