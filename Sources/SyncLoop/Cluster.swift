import KubeModel
import SyncValue

extension ResourceType {
  /// The kind without its version: what identifies a resource across versions.
  public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

  /// When objects of this resource are applied (CRDs, then namespaces, then the rest).
  public var applyPriority: ApplyPriority { groupKind.applyPriority }

  /// The order resources are applied and followed in: by ``applyPriority``, then group,
  /// kind and version.
  public static func appliesBefore(_ lhs: ResourceType, _ rhs: ResourceType) -> Bool {
    (lhs.applyPriority, lhs.group, lhs.kind, lhs.version)
      < (rhs.applyPriority, rhs.group, rhs.kind, rhs.version)
  }
}

/// A kind with its API group and without a version (`apps/Deployment`, `/ConfigMap` for the
/// core group): what a rule, an ownership mark or a listing means by "a kind", whichever
/// version discovery prefers.
public struct GroupKind: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var group: String
  public var kind: String

  public init(group: String, kind: String) {
    self.group = group
    self.kind = kind
  }

  /// `group/Kind`, the prefix of an ``ObjectKey``'s description.
  public var description: String { "\(group)/\(kind)" }

  /// When objects of this kind are applied.
  public var applyPriority: ApplyPriority {
    if group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition" {
      return .definitions
    }
    if group.isEmpty && kind == "Namespace" { return .namespaces }
    return .objects
  }

  public static func < (lhs: GroupKind, rhs: GroupKind) -> Bool {
    (lhs.group, lhs.kind) < (rhs.group, rhs.kind)
  }
}

/// The order objects are applied in, so that the objects that need others find them in
/// place: a custom resource needs its CRD served, a namespaced object its namespace.
public enum ApplyPriority: Int, Sendable, Comparable, CaseIterable {
  /// CustomResourceDefinitions: applying one makes the target serve a new kind.
  case definitions
  /// Namespaces. Never pruned, and never swept: deleting one deletes everything in it.
  case namespaces
  /// Everything else.
  case objects

  public static func < (lhs: ApplyPriority, rhs: ApplyPriority) -> Bool {
    lhs.rawValue < rhs.rawValue
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

  /// The identity of an object (`nil` when it lacks apiVersion, kind or name, or its
  /// apiVersion is not `group/version` or `version`).
  public init?(of object: Value) {
    guard case .string(let apiVersion)? = object["apiVersion"],
      case .string(let kind)? = object["kind"],
      case .string(let name)? = object["metadata"]?["name"]
    else { return nil }
    guard let groupVersion = GroupVersion(apiVersion: apiVersion) else { return nil }
    self.group = groupVersion.group
    self.kind = kind
    self.namespace = object["metadata"]?["namespace"]?.stringValue ?? ""
    self.name = name
  }

  /// The object's kind with its group.
  public var groupKind: GroupKind { GroupKind(group: group, kind: kind) }

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
  /// A paged list begins (``SourceCluster/follow(_:_:)``), and changes made while it is
  /// read come as events between its pages, or while a page is handled. They are newer
  /// than every page: a listed object that an event has changed or deleted since
  /// `listStarted` is stale, and an object an event brought is not gone for missing from
  /// the pages.
  case listStarted
  /// One page of a list, from ``SourceCluster/follow(_:_:)``: page index 0 again means
  /// the list started over. A ``listComplete`` follows the last page.
  case page([Value], index: Int)
  /// The pages so far are the complete current state: objects missing from them are gone.
  case listComplete
}

/// The production cluster, as the loop sees it: read-only by construction.
public protocol SourceCluster: Sendable {
  /// The resources the cluster serves (preferred versions, listable and watchable).
  func discover() async throws -> [ResourceType]
  /// All current objects of a resource.
  func list(_ resource: ResourceType) async throws -> [Value]
  /// One object as it is now, nil when it does not exist. The engine reads an object again
  /// this way when it must re-evaluate one whose tree it let go (a dependency changed, the
  /// rules were reloaded, a resync).
  func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  /// A snapshot, then changes, until cancelled; relists after expiry yield new snapshots.
  func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error>
  /// What ``watch(_:)`` delivers, handed to `handle` and awaited before the next event,
  /// lists possibly as pages: a slow `handle` slows the list down instead of letting a
  /// large one pile up in memory. Returns when cancelled or the watch ends.
  ///
  /// After a ``ResourceEvent/listStarted`` `handle` may be called again before an earlier
  /// call returned: the changes made while a list is read do not wait for its pages.
  func follow(
    _ resource: ResourceType, _ handle: @Sendable (ResourceEvent) async -> Void
  ) async throws
  /// All current objects of a resource, handed over a page at a time so that no caller
  /// holds a whole large list; page index 0 again means the list started over.
  func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws
}

extension SourceCluster {
  /// The events of ``watch(_:)``, lists as whole snapshots.
  public func follow(
    _ resource: ResourceType, _ handle: @Sendable (ResourceEvent) async -> Void
  ) async throws {
    for try await event in watch(resource) { await handle(event) }
  }

  /// One page: the whole list.
  public func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws {
    await body(try await list(resource), 0)
  }
}

/// The standby cluster: the only one the loop writes to.
public protocol TargetCluster: Sendable {
  func discover() async throws -> [ResourceType]
  func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  func list(_ resource: ResourceType) async throws -> [Value]
  /// All current objects of a resource, a page at a time; page index 0 again means the
  /// list started over.
  func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws
  /// Server-side apply as field manager `syncrules`, forcing conflicts. The loop never
  /// reads the server's answer, so none is returned.
  func apply(_ resource: ResourceType, object: Value) async throws
  /// Creates the object unless one with its name exists (then does nothing).
  func createIfMissing(_ resource: ResourceType, object: Value) async throws
  /// Deletes only the object with this uid (so a recreated object is left alone).
  func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?) async throws
}

extension TargetCluster {
  /// One page: the whole list.
  public func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws {
    await body(try await list(resource), 0)
  }
}
