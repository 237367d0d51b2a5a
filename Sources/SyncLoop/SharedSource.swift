import KubeModel
import SyncValue

/// One watch of the source per resource, shared by the engines of several targets
/// (`sync` with more than one `--to-…`): production sees one list and one watch per
/// resource however many standbys there are.
///
/// The current objects of a resource are kept only until each of the engines sharing the
/// source (`sharedBy`) has had them: an engine that subscribes after the first list gets
/// them as a snapshot, then the live events. Once all have, the objects are let go (the
/// engines let go of theirs once reconciled; 200,000 objects kept here would be gigabytes).
/// A subscriber later still (an engine whose follow restarted) starts the resource over:
/// every subscriber's stream ends, and the engines' follows (which restart on their own)
/// start a new shared list and watch.
///
/// Each subscriber has its own unbounded buffer, so an engine stalled on a slow or
/// failing target never holds up the others: its events wait in its buffer. When the
/// shared watch fails, every subscriber's stream ends with the error and each engine
/// restarts its own follow (with its backoff), which starts a new watch for the first one
/// back.
public final class SharedSource: SourceCluster {
  let upstream: any SourceCluster
  private let hub: Hub

  /// - Parameter sharedBy: the engines that follow through this source.
  public init(_ upstream: any SourceCluster, sharedBy engines: Int) {
    self.upstream = upstream
    hub = Hub(sharedBy: max(1, engines))
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

  /// Objects kept for subscribers still to come, over all resources.
  public var heldObjects: Int {
    get async { await hub.heldCount }
  }

  /// The subscribers and current objects of each watched resource.
  actor Hub {
    typealias Continuation = AsyncThrowingStream<ResourceEvent, any Error>.Continuation

    struct Channel {
      /// Tells this channel's pump from that of one it replaced.
      let id: Int
      var subscribers: [Int: Continuation] = [:]
      /// The current objects from the first list until every engine has had them; nil
      /// before and after.
      var objects: [ObjectKey: Value]?
      /// Subscribers that have had the objects, as a snapshot or from the list itself.
      var served = 0
      /// Set once the objects were let go: a later subscriber cannot be served.
      var forgotten = false
      var task: Task<Void, Never>?

      /// Lets go of the objects once `engines` subscribers have had them.
      mutating func served(_ count: Int, of engines: Int) {
        served += count
        if served >= engines {
          objects = nil
          forgotten = true
        }
      }
    }

    let sharedBy: Int
    private var channels: [ResourceType: Channel] = [:]
    private var nextID = 0

    init(sharedBy: Int) {
      self.sharedBy = sharedBy
    }

    var upstreamCount: Int { channels.values.filter { $0.task != nil }.count }

    var heldCount: Int { channels.values.reduce(0) { $0 + ($1.objects?.count ?? 0) } }

    func subscribe(
      _ continuation: Continuation, to resource: ResourceType, upstream: any SourceCluster
    ) -> Int {
      nextID += 1
      if let old = channels[resource], old.forgotten {
        // Too late for the objects: start the resource over for everyone.
        old.task?.cancel()
        end(resource, channel: old.id, error: nil)
      }
      var channel = channels[resource] ?? Channel(id: nextID)
      channel.subscribers[nextID] = continuation
      if let objects = channel.objects {
        continuation.yield(.snapshot(objects.keys.sorted().compactMap { objects[$0] }))
        channel.served(1, of: sharedBy)
      }
      if channel.task == nil {
        let id = channel.id
        channel.task = Task { await self.pump(resource, channel: id, upstream: upstream) }
      }
      channels[resource] = channel
      return nextID
    }

    func unsubscribe(_ id: Int, from resource: ResourceType) {
      // A subscriber of a channel since replaced is not in this one.
      guard var channel = channels[resource], channel.subscribers.removeValue(forKey: id) != nil
      else { return }
      if channel.subscribers.isEmpty {
        channel.task?.cancel()
        channels[resource] = nil
      } else {
        channels[resource] = channel
      }
    }

    /// Reads the upstream watch and hands every event to every subscriber of `channel`
    /// (not to those of a channel that replaced it after this one was cancelled).
    private func pump(_ resource: ResourceType, channel: Int, upstream: any SourceCluster) async {
      do {
        for try await event in upstream.watch(resource) {
          publish(event, of: resource, channel: channel)
        }
        end(resource, channel: channel, error: nil)
      } catch {
        end(resource, channel: channel, error: error)
      }
    }

    private func publish(_ event: ResourceEvent, of resource: ResourceType, channel id: Int) {
      guard var channel = channels[resource], channel.id == id else { return }
      switch event {
      case .snapshot(let objects):
        var current: [ObjectKey: Value] = [:]
        for object in objects {
          if let key = ObjectKey(of: object) { current[key] = object }
        }
        channel.objects = current
        channel.forgotten = false
        channel.served = 0
        channel.served(channel.subscribers.count, of: sharedBy)
      case .added(let object), .modified(let object):
        if let key = ObjectKey(of: object) { channel.objects?[key] = object }
      case .deleted(let object):
        if let key = ObjectKey(of: object) { channel.objects?[key] = nil }
      case .restarted, .listStarted, .page, .listComplete:
        break  // the upstream is followed through `watch`, which delivers snapshots
      }
      channels[resource] = channel
      for continuation in channel.subscribers.values { continuation.yield(event) }
    }

    /// The shared watch ended: so do the subscribers' streams; the next subscriber starts
    /// a new one.
    private func end(_ resource: ResourceType, channel id: Int, error: (any Error)?) {
      guard channels[resource]?.id == id, let channel = channels.removeValue(forKey: resource)
      else { return }
      for continuation in channel.subscribers.values { continuation.finish(throwing: error) }
    }
  }
}
