import KubeModel
import SyncValue

/// One watch of the source per resource, shared by the engines of several targets
/// (`sync` with more than one `--to-…`): production sees one list and one watch per
/// resource however many standbys there are.
///
/// A subscriber that arrives after the first list gets the current objects as a snapshot,
/// then the live events. Each subscriber has its own unbounded buffer, so an engine
/// stalled on a slow or failing target never holds up the others: its events wait in its
/// buffer. When the shared watch fails, every subscriber's stream ends with the error
/// and each engine restarts its own follow (with its backoff), which starts a new watch
/// for the first one back.
public final class SharedSource: SourceCluster {
  let upstream: any SourceCluster
  private let hub = Hub()

  public init(_ upstream: any SourceCluster) {
    self.upstream = upstream
  }

  public func discover() async throws -> [ResourceType] { try await upstream.discover() }

  public func list(_ resource: ResourceType) async throws -> [Value] {
    try await upstream.list(resource)
  }

  public func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value?
  {
    try await upstream.get(resource, namespace: namespace, name: name)
  }

  public func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error> {
    let (stream, continuation) = AsyncThrowingStream<ResourceEvent, any Error>.makeStream()
    let hub = self.hub
    let upstream = self.upstream
    let subscribing = Task {
      await hub.subscribe(continuation, to: resource, upstream: upstream)
    }
    continuation.onTermination = { _ in
      Task {
        let id = await subscribing.value
        await hub.unsubscribe(id, from: resource)
      }
    }
    return stream
  }

  /// How many watches of the source are open: one per resource followed by anyone.
  public var upstreamWatches: Int {
    get async { await hub.upstreamCount }
  }

  /// The subscribers and current objects of each watched resource.
  actor Hub {
    typealias Continuation = AsyncThrowingStream<ResourceEvent, any Error>.Continuation

    struct Channel {
      var subscribers: [Int: Continuation] = [:]
      /// The current objects once the first list arrived; nil before.
      var objects: [ObjectKey: Value]?
      var task: Task<Void, Never>?
    }

    private var channels: [ResourceType: Channel] = [:]
    private var nextID = 0

    var upstreamCount: Int { channels.values.filter { $0.task != nil }.count }

    func subscribe(
      _ continuation: Continuation, to resource: ResourceType, upstream: any SourceCluster
    ) -> Int {
      nextID += 1
      var channel = channels[resource] ?? Channel()
      channel.subscribers[nextID] = continuation
      if let objects = channel.objects {
        continuation.yield(.snapshot(objects.keys.sorted().compactMap { objects[$0] }))
      }
      if channel.task == nil {
        channel.task = Task { await self.pump(resource, upstream: upstream) }
      }
      channels[resource] = channel
      return nextID
    }

    func unsubscribe(_ id: Int, from resource: ResourceType) {
      guard var channel = channels[resource] else { return }
      channel.subscribers[id] = nil
      if channel.subscribers.isEmpty {
        channel.task?.cancel()
        channels[resource] = nil
      } else {
        channels[resource] = channel
      }
    }

    /// Reads the upstream watch and hands every event to every subscriber.
    private func pump(_ resource: ResourceType, upstream: any SourceCluster) async {
      do {
        for try await event in upstream.watch(resource) {
          publish(event, of: resource)
        }
        end(resource, error: nil)
      } catch {
        end(resource, error: error)
      }
    }

    private func publish(_ event: ResourceEvent, of resource: ResourceType) {
      guard var channel = channels[resource] else { return }
      switch event {
      case .snapshot(let objects):
        var current: [ObjectKey: Value] = [:]
        for object in objects {
          if let key = ObjectKey(of: object) { current[key] = object }
        }
        channel.objects = current
      case .added(let object), .modified(let object):
        if let key = ObjectKey(of: object) { channel.objects?[key] = object }
      case .deleted(let object):
        if let key = ObjectKey(of: object) { channel.objects?[key] = nil }
      case .restarted, .page, .listComplete:
        break  // the upstream is followed through `watch`, which delivers snapshots
      }
      channels[resource] = channel
      for continuation in channel.subscribers.values { continuation.yield(event) }
    }

    /// The shared watch ended: so do the subscribers' streams; the next subscriber starts
    /// a new one.
    private func end(_ resource: ResourceType, error: (any Error)?) {
      guard let channel = channels.removeValue(forKey: resource) else { return }
      for continuation in channel.subscribers.values { continuation.finish(throwing: error) }
    }
  }
}
