import SyncLoop
import SyncValue

/// An in-memory cluster for engine tests: serves a fixed set of resources, records
/// every write, and can be told to fail applies.
final class FakeCluster: SourceCluster, TargetCluster, @unchecked Sendable {
  private let lock = NSLockish()
  private var objects: [ObjectKey: Value] = [:]
  private(set) var writes: [String] = []
  var failApplies: Set<String> = []
  let resources: [ResourceType]
  private var nextUID = 1

  init(resources: [ResourceType] = FakeCluster.standardResources) {
    self.resources = resources
  }

  static let standardResources = [
    ResourceType(
      group: "", version: "v1", kind: "Namespace", plural: "namespaces", namespaced: false),
    ResourceType(
      group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true),
    ResourceType(
      group: "", version: "v1", kind: "PersistentVolumeClaim", plural: "persistentvolumeclaims",
      namespaced: true),
    ResourceType(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true),
  ]

  func put(_ object: Value) {
    lock.locked {
      var object = object
      if case .object(var root) = object, case .object(var metadata)? = root["metadata"],
        metadata["uid"] == nil
      {
        metadata["uid"] = .string("uid-\(nextUID)")
        nextUID += 1
        root["metadata"] = .object(metadata)
        object = .object(root)
      }
      objects[ObjectKey(of: object)!] = object
    }
  }

  func remove(_ key: ObjectKey) {
    lock.locked { objects[key] = nil }
  }

  func object(_ key: ObjectKey) -> Value? {
    lock.locked { objects[key] }
  }

  var keys: [ObjectKey] { lock.locked { objects.keys.sorted() } }

  func discover() async throws -> [ResourceType] { resources }

  func list(_ resource: ResourceType) async throws -> [Value] {
    lock.locked {
      objects.filter { $0.key.group == resource.group && $0.key.kind == resource.kind }
        .sorted { $0.key < $1.key }.map(\.value)
    }
  }

  func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error> {
    AsyncThrowingStream { continuation in
      Task {
        continuation.yield(.snapshot(try await self.list(resource)))
      }
    }
  }

  func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value? {
    object(ObjectKey(group: resource.group, kind: resource.kind, namespace: namespace, name: name))
  }

  func apply(_ resource: ResourceType, object: Value) async throws -> Value {
    let key = ObjectKey(of: object)!
    if failApplies.contains(key.name) { throw FakeError.refused }
    lock.locked { writes.append("apply \(key)") }
    put(object)
    return object
  }

  func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?) async throws
  {
    let key = ObjectKey(
      group: resource.group, kind: resource.kind, namespace: namespace, name: name)
    lock.locked { writes.append("delete \(key)") }
    remove(key)
  }

  enum FakeError: Error { case refused }
}

/// A tiny lock (Foundation's NSLock without importing Foundation into the fake's API).
final class NSLockish: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  init() { pthread_mutex_init(&mutex, nil) }
  deinit { pthread_mutex_destroy(&mutex) }
  func locked<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return try body()
  }
}

#if canImport(Glibc)
  import Glibc
#endif
