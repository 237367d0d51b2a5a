import KubeClient
import KubeModel
import Logging
import SyncValue

/// Discovery shared by both sides: resources that can be listed, watched and written,
/// one version per group and kind (the first discovery offers: the preferred one).
private func discoverResources(_ client: KubeClient, logger: Logger) async throws
  -> [ResourceType]
{
  let discovery = try await client.discover()
  for failure in discovery.failures {
    // One broken aggregated API (metrics-server down) must not stop the sync.
    logger.warning(
      "discovery failed for one API group; its resources are left alone",
      metadata: ["groupVersion": "\(failure.groupVersion)", "error": "\(failure.error)"])
  }
  var seen: Set<GroupKind> = []
  var result: [ResourceType] = []
  for resource in discovery.resources(allowing: ResourceType.syncVerbs)
  where seen.insert(resource.groupKind).inserted {
    result.append(resource)
  }
  return result
}

/// The production cluster through a read-only client: any write is refused by the client
/// before a request is made.
public struct KubeSourceCluster: SourceCluster {
  public let client: KubeClient
  let logger: Logger
  /// Objects per list request (`limit`); nil lists each resource in one response.
  let pageSize: Int?

  /// `client` must be read-only; the initializer refuses one that is not.
  public init(client: KubeClient, logger: Logger, pageSize: Int? = 500) throws {
    guard client.isReadOnly else {
      throw KubeError.configuration("the source cluster client must be read-only")
    }
    self.client = client
    self.logger = logger
    self.pageSize = pageSize
  }

  var listOptions: ListOptions { ListOptions(pageSize: pageSize) }

  public func discover() async throws -> [ResourceType] {
    try await ClusterError.naming(.source, client) {
      try await discoverResources(client, logger: logger)
    }
  }

  public func list(_ resource: ResourceType) async throws -> [Value] {
    try await ClusterError.naming(.source, client) {
      try await client.list(resource, options: listOptions).items
    }
  }

  public func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  {
    try await ClusterError.naming(.source, client) {
      try await client.get(
        resource, namespace: namespace.isEmpty ? nil : namespace, name: name)
    }
  }

  public func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws {
    try await ClusterError.naming(.source, client) {
      _ = try await client.listPages(resource, options: listOptions) { await body($0, $1) }
    }
  }

  public func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error> {
    var reflector = Reflector(client: client, resource: resource)
    reflector.options.listOptions = listOptions
    let events = reflector.events()
    return AsyncThrowingStream { continuation in
      let task = Task {
        do {
          for try await event in events {
            switch event {
            case .snapshot(let list): continuation.yield(.snapshot(list.items))
            case .event(.added(let object)): continuation.yield(.added(object))
            case .event(.modified(let object)): continuation.yield(.modified(object))
            case .event(.deleted(let object)): continuation.yield(.deleted(object))
            case .event(.bookmark): continue
            case .retrying(let error, _): continuation.yield(.restarted(reason: "\(error)"))
            case .listStarted, .page, .listed: continue  // only with `deliversPages`
            }
          }
          continuation.finish()
        } catch {
          continuation.finish(throwing: error)
        }
      }
      continuation.onTermination = { _ in task.cancel() }
    }
  }
}

extension KubeSourceCluster {
  /// The reflector's events, each awaited, lists page by page (`--page-size`).
  public func follow(
    _ resource: ResourceType, _ handle: @Sendable (ResourceEvent) async -> Void
  ) async throws {
    var reflector = Reflector(client: client, resource: resource)
    reflector.options.listOptions = listOptions
    reflector.options.deliversPages = true
    await reflector.run { event in
      switch event {
      case .snapshot(let list): await handle(.snapshot(list.items))
      case .listStarted: await handle(.listStarted)
      case .page(let items, let index): await handle(.page(items, index: index))
      case .listed: await handle(.listComplete)
      case .event(.added(let object)): await handle(.added(object))
      case .event(.modified(let object)): await handle(.modified(object))
      case .event(.deleted(let object)): await handle(.deleted(object))
      case .event(.bookmark): break
      case .retrying(let error, _): await handle(.restarted(reason: "\(error)"))
      }
    }
    try Task.checkCancellation()
  }
}

/// The standby cluster: server-side apply as `syncrules`, deletes with a uid
/// precondition. Read failures name the cluster (``ClusterError``); write failures are the
/// client's errors, reported per object.
public struct KubeTargetCluster: TargetCluster {
  public let client: KubeClient
  let logger: Logger

  public init(client: KubeClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  public func discover() async throws -> [ResourceType] {
    try await ClusterError.naming(.target, client) {
      try await discoverResources(client, logger: logger)
    }
  }

  public func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  {
    try await ClusterError.naming(.target, client) {
      try await client.get(
        resource, namespace: namespace.isEmpty ? nil : namespace, name: name)
    }
  }

  public func list(_ resource: ResourceType) async throws -> [Value] {
    try await ClusterError.naming(.target, client) {
      try await client.list(resource).items
    }
  }

  public func listPages(
    _ resource: ResourceType, _ body: @Sendable (_ page: [Value], _ index: Int) async -> Void
  ) async throws {
    try await ClusterError.naming(.target, client) {
      _ = try await client.listPages(resource, options: ListOptions(pageSize: 500)) {
        await body($0, $1)
      }
    }
  }

  public func apply(_ resource: ResourceType, object: Value) async throws {
    try await client.applyDiscardingAnswer(object, to: resource)
  }

  public func createIfMissing(_ resource: ResourceType, object: Value) async throws {
    do {
      _ = try await client.create(object, in: resource)
    } catch let error where error.isConflict {
      return  // 409 AlreadyExists: someone (a rule) created it first
    }
  }

  public func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?)
    async throws
  {
    try await client.delete(
      resource, namespace: namespace.isEmpty ? nil : namespace, name: name,
      preconditions: uid.map { DeletePreconditions(uid: $0) })
  }
}

/// Whether a target cluster's error is a 404 (the object, or its namespace, is not there).
func isNotFound(_ error: any Error) -> Bool {
  (error as? KubeError)?.isNotFound == true
}
