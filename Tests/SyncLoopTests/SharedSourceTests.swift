import KubeModel
import SyncLoop
import SyncValue
import Synchronization
import Testing

/// One watch of the source shared by several engines keeps the objects of a resource
/// only until every engine has had them.
struct SharedSourceTests {
  static let configMaps = ResourceType(
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)

  static func configMap(_ name: String, data: String = "1") -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": .string(name), "namespace": "shop"],
      "data": ["a": .string(data)],
    ]
  }

  /// The events of one subscription, read on a task of their own.
  final class Subscriber: Sendable {
    let events = Events()
    let finished = Events()
    let task: Task<Void, Never>

    init(_ stream: AsyncThrowingStream<ResourceEvent, any Error>) {
      let (events, finished) = (self.events, self.finished)
      task = Task {
        do {
          for try await event in stream { events.append(event) }
        } catch {}
        finished.append(.restarted(reason: "finished"))
      }
    }

    /// The names in each snapshot received.
    var snapshots: [[String]] {
      events.all.compactMap {
        guard case .snapshot(let objects) = $0 else { return nil }
        return objects.compactMap { $0["metadata"]?["name"]?.stringValue }
      }
    }
  }

  final class Events: Sendable {
    private let storage = Mutex<[ResourceEvent]>([])
    func append(_ event: ResourceEvent) { storage.withLock { $0.append(event) } }
    var all: [ResourceEvent] { storage.withLock { $0 } }
  }

  @Test func theObjectsAreKeptUntilEveryEngineHasHadThem() async throws {
    let upstream = FakeCluster()
    for name in ["a", "b"] { upstream.put(Self.configMap(name)) }
    let shared = SharedSource(upstream, sharedBy: 2)
    let first = Subscriber(shared.watch(Self.configMaps))
    try await SyncEngineTests.waitUntil { first.snapshots.count == 1 }
    #expect(await shared.heldObjects == 2)
    // A change before the second engine comes is in its snapshot.
    upstream.publish(Self.configMap("c"))
    try await SyncEngineTests.waitUntil { first.events.all.count == 2 }
    let second = Subscriber(shared.watch(Self.configMaps))
    try await SyncEngineTests.waitUntil { second.snapshots.count == 1 }
    #expect(second.snapshots == [["a", "b", "c"]])
    #expect(await shared.heldObjects == 0)
    #expect(upstream.watchesStarted == 1)
    // Changes still reach both.
    upstream.publish(Self.configMap("a", data: "2"))
    try await SyncEngineTests.waitUntil {
      first.events.all.count == 3 && second.events.all.count == 2
    }
    #expect(await shared.upstreamWatches == 1)
  }

  /// A third subscriber when only two engines share the source (a follow restarted):
  /// the objects are gone, so the resource starts over for everyone.
  @Test func aLaterSubscriberStartsTheResourceOver() async throws {
    let upstream = FakeCluster()
    upstream.put(Self.configMap("a"))
    let shared = SharedSource(upstream, sharedBy: 2)
    let first = Subscriber(shared.watch(Self.configMaps))
    let second = Subscriber(shared.watch(Self.configMaps))
    try await SyncEngineTests.waitUntil {
      first.snapshots.count == 1 && second.snapshots.count == 1
    }
    #expect(await shared.heldObjects == 0)
    upstream.publish(Self.configMap("b"))
    let late = Subscriber(shared.watch(Self.configMaps))
    try await SyncEngineTests.waitUntil { late.snapshots.count == 1 }
    #expect(late.snapshots == [["a", "b"]])
    // The others' streams ended, for their follows to start again.
    try await SyncEngineTests.waitUntil {
      !first.finished.all.isEmpty && !second.finished.all.isEmpty
    }
    #expect(upstream.watchesStarted == 2)
    #expect(await shared.upstreamWatches == 1)
    // The late one alone is served so far: its objects are kept for one more engine.
    #expect(await shared.heldObjects == 2)
    let again = Subscriber(shared.watch(Self.configMaps))
    try await SyncEngineTests.waitUntil { again.snapshots.count == 1 }
    #expect(await shared.heldObjects == 0)
    #expect(upstream.watchesStarted == 2)
  }
}
