import SyncValue

/// A kind of object a cluster serves, as discovery reports it.
public struct ResourceType: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var kind: String
  /// The plural resource name used in URLs (`deployments`).
  public var plural: String
  public var namespaced: Bool

  public init(group: String, version: String, kind: String, plural: String, namespaced: Bool) {
    self.group = group
    self.version = version
    self.kind = kind
    self.plural = plural
    self.namespaced = namespaced
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
  public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

  /// The order objects are applied in: CRDs, then namespaces, then everything else, so
  /// the objects that need them find them in place.
  public var applyPriority: Int {
    if group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition" { return 0 }
    if group.isEmpty && kind == "Namespace" { return 1 }
    return 2
  }

  public static func < (lhs: ResourceType, rhs: ResourceType) -> Bool {
    (lhs.applyPriority, lhs.group, lhs.kind, lhs.version)
      < (rhs.applyPriority, rhs.group, rhs.kind, rhs.version)
  }
}

/// One object's identity within a cluster.
public struct ObjectKey: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var group: String
  public var kind: String
  public var namespace: String
  public var name: String

  public init(group: String, kind: String, namespace: String, name: String) {
    self.group = group
    self.kind = kind
    self.namespace = namespace
    self.name = name
  }

  /// The identity of an object (`nil` when it lacks apiVersion, kind or name).
  public init?(of object: Value) {
    guard case .string(let apiVersion)? = object["apiVersion"],
      case .string(let kind)? = object["kind"],
      case .string(let name)? = object["metadata"]?["name"]
    else { return nil }
    let slash = apiVersion.lastIndex(of: "/")
    self.group = slash.map { String(apiVersion[..<$0]) } ?? ""
    self.kind = kind
    self.namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
    self.name = name
  }

  /// `group/Kind:namespace/name`, the form ownership annotations use.
  public var description: String {
    "\(group)/\(kind):\(namespace)/\(name)"
  }

  public static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
    (lhs.group, lhs.kind, lhs.namespace, lhs.name) < (rhs.group, rhs.kind, rhs.namespace, rhs.name)
  }
}

/// What a list+watch of one resource delivers.
public enum ResourceEvent: Sendable {
  /// The complete current state (first list, and every relist after a 410): objects
  /// missing from it are gone.
  case snapshot([Value])
  case added(Value)
  case modified(Value)
  case deleted(Value)
  /// The watch restarted (dropped connection, expiry); counted in metrics.
  case restarted(reason: String)
}

/// The production cluster, as the loop sees it: read-only by construction.
public protocol SourceCluster: Sendable {
  /// The resources the cluster serves (preferred versions, listable and watchable).
  func discover() async throws -> [ResourceType]
  /// All current objects of a resource.
  func list(_ resource: ResourceType) async throws -> [Value]
  /// A snapshot, then changes, until cancelled; relists after expiry yield new snapshots.
  func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error>
}

/// The standby cluster: the only one the loop writes to.
public protocol TargetCluster: Sendable {
  func discover() async throws -> [ResourceType]
  func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  func list(_ resource: ResourceType) async throws -> [Value]
  /// Server-side apply as field manager `syncrules`, forcing conflicts. The loop never
  /// reads the server's answer, so none is returned.
  func apply(_ resource: ResourceType, object: Value) async throws
  /// Creates the object unless one with its name exists (then does nothing).
  func createIfMissing(_ resource: ResourceType, object: Value) async throws
  /// Deletes only the object with this uid (so a recreated object is left alone).
  func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?) async throws
}
