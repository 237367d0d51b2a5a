import KubeModel
import SyncLoop
import SyncValue

/// An in-memory cluster for engine tests: serves a fixed set of resources, records
/// every write, and can be told to fail applies and deletes, to hide resources from
/// discovery (one API group unavailable), to hold back a resource's first list, and to
/// slow writes down.
final class FakeCluster: SourceCluster, TargetCluster, @unchecked Sendable {
  private let lock = NSLockish()
  private var objects: [ObjectKey: Value] = [:]
  private var _writes: [String] = []
  var writes: [String] { lock.locked { _writes } }
  var failApplies: Set<String> = []
  let resources: [ResourceType]
  private var nextUID = 1
  private var watchers: [String: [AsyncThrowingStream<ResourceEvent, any Error>.Continuation]] =
    [:]
  private var held: [AsyncThrowingStream<ResourceEvent, any Error>.Continuation] = []
  private var _failingApplies = 0
  private var _failingDeletes = 0
  private var _hiddenKinds: Set<String> = []
  private var _heldKinds: Set<String> = []
  private var _failingLists: [String: any Error] = [:]
  /// Applies still to be refused, whatever the object.
  var failingApplies: Int {
    get { lock.locked { _failingApplies } }
    set { lock.locked { _failingApplies = newValue } }
  }
  /// Deletes still to be refused.
  var failingDeletes: Int {
    get { lock.locked { _failingDeletes } }
    set { lock.locked { _failingDeletes = newValue } }
  }
  /// Kinds discovery leaves out, as when their API group does not answer.
  var hiddenKinds: Set<String> {
    get { lock.locked { _hiddenKinds } }
    set { lock.locked { _hiddenKinds = newValue } }
  }
  /// Kinds whose watch never delivers its first list (a slow or stuck list).
  var heldKinds: Set<String> {
    get { lock.locked { _heldKinds } }
    set { lock.locked { _heldKinds = newValue } }
  }
  /// Kinds whose lists fail, with the error they fail with.
  var failingLists: [String: any Error] {
    get { lock.locked { _failingLists } }
    set { lock.locked { _failingLists = newValue } }
  }
  /// How long each apply takes.
  var applyDelay: Duration = .zero
  /// Objects per page of ``listPages(_:_:)``; nil: one page.
  var pageSize: Int?
  private var _reads = 0
  /// How many objects were read one by one (``get(_:namespace:name:)``).
  var reads: Int { lock.locked { _reads } }
  private var _failingGets = false
  /// Whether reads of one object fail (the source answering lists but not gets).
  var failingGets: Bool {
    get { lock.locked { _failingGets } }
    set { lock.locked { _failingGets = newValue } }
  }

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

  func discover() async throws -> [ResourceType] {
    let hidden = hiddenKinds
    return resources.filter { !hidden.contains($0.kind) }
  }

  /// Stores `object` and tells the watchers of its kind.
  func publish(_ object: Value) {
    put(object)
    emit(.modified(object), kind: ObjectKey(of: object)!.kind)
  }

  /// Removes the object and tells the watchers of its kind.
  func unpublish(_ key: ObjectKey) {
    guard let object = self.object(key) else { return }
    remove(key)
    emit(.deleted(object), kind: key.kind)
  }

  private func emit(_ event: ResourceEvent, kind: String) {
    for continuation in lock.locked({ watchers[kind] ?? [] }) { continuation.yield(event) }
  }

  func list(_ resource: ResourceType) async throws -> [Value] {
    if let error = failingLists[resource.kind] { throw error }
    return lock.locked {
      objects.filter { $0.key.group == resource.group && $0.key.kind == resource.kind }
        .sorted { $0.key < $1.key }.map(\.value)
    }
  }

  private var _watchesStarted = 0
  /// How many watches were started, over all kinds.
  var watchesStarted: Int { lock.locked { _watchesStarted } }

  func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error> {
    lock.locked { _watchesStarted += 1 }
    return AsyncThrowingStream { continuation in
      guard !heldKinds.contains(resource.kind) else {
        // Kept, not finished: the list is merely slow.
        lock.locked { held.append(continuation) }
        return
      }
      Task {
        let objects = try await self.list(resource)
        self.lock.locked { self.watchers[resource.kind, default: []].append(continuation) }
        continuation.yield(.snapshot(objects))
      }
    }
  }

  func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws {
    let all = try await list(resource)
    guard let pageSize, pageSize > 0, !all.isEmpty else { return await body(all, 0) }
    for (index, start) in stride(from: 0, to: all.count, by: pageSize).enumerated() {
      await body(Array(all[start..<min(start + pageSize, all.count)]), index)
    }
  }

  /// With ``pageSize``, lists come as pages (then the watch's changes), as from a real
  /// cluster's reflector; without, as the snapshot of ``watch(_:)``.
  func follow(
    _ resource: ResourceType, _ handle: @Sendable (ResourceEvent) async -> Void
  ) async throws {
    let paged = pageSize != nil
    if paged {
      try await listPages(resource) { page, index in await handle(.page(page, index: index)) }
      await handle(.listComplete)
    }
    var skipsSnapshot = paged
    for try await event in watch(resource) {
      if skipsSnapshot, case .snapshot = event {
        skipsSnapshot = false
        continue
      }
      await handle(event)
    }
  }

  func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value? {
    lock.locked { _reads += 1 }
    if failingGets { throw FakeError.refused }
    return object(
      ObjectKey(group: resource.group, kind: resource.kind, namespace: namespace, name: name))
  }

  func apply(_ resource: ResourceType, object: Value) async throws {
    let key = ObjectKey(of: object)!
    if applyDelay > .zero { try await Task.sleep(for: applyDelay) }
    if failApplies.contains(key.name) { throw FakeError.refused }
    try lock.locked {
      if _failingApplies > 0 {
        _failingApplies -= 1
        throw FakeError.refused
      }
      _writes.append("apply \(key)")
    }
    put(object)
  }

  func createIfMissing(_ resource: ResourceType, object: Value) async throws {
    guard self.object(ObjectKey(of: object)!) == nil else { return }
    try await apply(resource, object: object)
  }

  func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?) async throws
  {
    let key = ObjectKey(
      group: resource.group, kind: resource.kind, namespace: namespace, name: name)
    try lock.locked {
      if _failingDeletes > 0 {
        _failingDeletes -= 1
        throw FakeError.refused
      }
      _writes.append("delete \(key)")
    }
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
