import KubeModel
import SyncLoop
import SyncValue
import Testing

/// A paged list is watched while its pages are read (from the first page's version), so a
/// change made during a long list reaches the engine at once. Such a change is newer than
/// every page: a page must not undo it, bring back what it deleted, or count what it
/// created as gone.
struct ListWhileWatchingTests {
  /// Plays a fixed order of list pages and watch events for ConfigMaps, as a reflector
  /// listing while it watches may deliver them, then waits until cancelled.
  struct ScriptedSource: SourceCluster {
    let cluster: FakeCluster
    let script: [ResourceEvent]
    let played: AsyncStream<Void>.Continuation

    func discover() async throws -> [ResourceType] { try await cluster.discover() }
    func list(_ resource: ResourceType) async throws -> [Value] {
      try await cluster.list(resource)
    }
    func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value? {
      try await cluster.get(resource, namespace: namespace, name: name)
    }
    func watch(_ resource: ResourceType) -> AsyncThrowingStream<ResourceEvent, any Error> {
      cluster.watch(resource)
    }

    func follow(
      _ resource: ResourceType, _ handle: @Sendable (ResourceEvent) async -> Void
    ) async throws {
      if resource.kind == "ConfigMap" {
        for event in script { await handle(event) }
        played.yield()
      } else {
        await handle(.snapshot([]))
      }
      while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
    }
  }

  /// The standby, remembering every ConfigMap written as `name=data` (`-name` for a
  /// delete): the source is read again when the engine lets go of a tree, which can mend
  /// a wrong copy before the test looks, so the writes are what tell.
  final class RecordingTarget: TargetCluster, @unchecked Sendable {
    let cluster = FakeCluster()
    private let lock = NSLockish()
    private var _written: [String] = []
    var written: [String] { lock.locked { _written } }

    func discover() async throws -> [ResourceType] { try await cluster.discover() }
    func get(_ resource: ResourceType, namespace: String, name: String) async throws -> Value? {
      try await cluster.get(resource, namespace: namespace, name: name)
    }
    func list(_ resource: ResourceType) async throws -> [Value] {
      try await cluster.list(resource)
    }
    func apply(_ resource: ResourceType, object: Value) async throws {
      if resource.kind == "ConfigMap", let key = ObjectKey(of: object) {
        let data = object["data"]?["a"]?.stringValue ?? "?"
        lock.locked { _written.append("\(key.name)=\(data)") }
      }
      try await cluster.apply(resource, object: object)
    }
    func createIfMissing(_ resource: ResourceType, object: Value) async throws {
      try await cluster.createIfMissing(resource, object: object)
    }
    func delete(_ resource: ResourceType, namespace: String, name: String, uid: String?)
      async throws
    {
      if resource.kind == "ConfigMap" { lock.locked { _written.append("-\(name)") } }
      try await cluster.delete(resource, namespace: namespace, name: name, uid: uid)
    }
  }

  static func configMap(_ name: String, data: String) -> Value {
    HeldTreesTests.configMap(name, data: data)
  }

  /// Runs the loop over `script`; once the script has played and the queue is idle,
  /// returns the standby's ConfigMaps by name with the value of their `data.a`, and what
  /// was written (``RecordingTarget/written``).
  ///
  /// `now` is the source as it stands after the script: what the engine reads when it
  /// looks at an object again after letting go of its tree.
  static func standby(after script: [ResourceEvent], now: [String: String]) async throws
    -> (copies: [String: String], written: [String])
  {
    let (played, whenPlayed) = AsyncStream.makeStream(of: Void.self)
    let cluster = FakeCluster()
    for (name, data) in now { cluster.put(configMap(name, data: data)) }
    let source = ScriptedSource(cluster: cluster, script: script, played: whenPlayed)
    let target = RecordingTarget()
    let engine = SyncEngine(
      source: source, target: target,
      program: try SyncEngineTests.program(HeldTreesTests.configMaps),
      ownership: SyncEngineTests.ownership)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    var iterator = played.makeAsyncIterator()
    _ = await iterator.next()
    try await SyncEngineTests.waitUntil { await engine.isReady }
    await engine.settle()
    var copies: [String: String] = [:]
    for key in target.cluster.keys where key.kind == "ConfigMap" {
      copies[key.name] = target.cluster.object(key)?["data"]?["a"]?.stringValue ?? "?"
    }
    return (copies, target.written)
  }

  /// Each change arrives before the page that still shows the object as it was.
  @Test func aPageDoesNotUndoAChangeMadeWhileItWasListed() async throws {
    let (copies, written) = try await Self.standby(
      after: [
        .listStarted,
        .modified(Self.configMap("changed", data: "2")),
        .deleted(Self.configMap("deleted", data: "1")),
        .added(Self.configMap("created", data: "1")),
        .page(
          [
            Self.configMap("changed", data: "1"), Self.configMap("deleted", data: "1"),
            Self.configMap("kept", data: "1"),
          ], index: 0),
        .listComplete,
      ], now: ["changed": "2", "created": "1", "kept": "1"])
    #expect(copies == ["changed": "2", "created": "1", "kept": "1"])
    #expect(!written.contains("changed=1"))
    #expect(!written.contains("deleted=1"))
  }

  /// A relist (after a 410) still deletes what it no longer has, unless a change during it
  /// brought the object; and a list that starts over (page 0 again) keeps the changes.
  @Test func aRelistDeletesWhatItLacksButNotWhatChangesBrought() async throws {
    let (copies, written) = try await Self.standby(
      after: [
        .listStarted,
        .page([Self.configMap("a", data: "1"), Self.configMap("b", data: "1")], index: 0),
        .listComplete,
        .listStarted,
        .added(Self.configMap("new", data: "1")),
        .page([Self.configMap("a", data: "1")], index: 0),
        .modified(Self.configMap("a", data: "3")),
        // An expired continue token: the list starts over, and its pages are still older.
        .page([Self.configMap("a", data: "2")], index: 0),
        .listComplete,
      ], now: ["a": "3", "new": "1"])
    #expect(copies == ["a": "3", "new": "1"])
    #expect(!written.contains("a=2"))
    #expect(!written.contains("-new"))
  }

  /// Outside a list, events and snapshots behave as before: the latest word wins.
  @Test func afterTheListEveryEventCountsAgain() async throws {
    let (copies, written) = try await Self.standby(
      after: [
        .listStarted,
        .modified(Self.configMap("a", data: "2")),
        .page([Self.configMap("a", data: "1")], index: 0),
        .listComplete,
        .modified(Self.configMap("a", data: "4")),
        .snapshot([Self.configMap("a", data: "5")]),
      ], now: ["a": "5"])
    #expect(copies == ["a": "5"])
    #expect(!written.contains("a=1"))
  }
}
