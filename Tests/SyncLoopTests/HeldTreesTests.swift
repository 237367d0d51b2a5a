import SyncLoop
import SyncValue
import Testing

/// The engine holds a source object's tree only until it has reconciled it, and reads it
/// again from the source when it must look once more: memory follows the backlog, not the
/// size of the source.
struct HeldTreesTests {
  static let configMaps = """
    rule copies match v1 ConfigMap { set metadata.annotations.dr = "standby" }
    """

  static func configMap(_ name: String, data: String = "1") -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": .string(name), "namespace": "shop", "resourceVersion": "1"],
      "data": ["a": .string(data)],
    ]
  }

  static func engine(
    _ source: FakeCluster, _ target: FakeCluster, options: SyncOptions = SyncOptions()
  ) throws -> SyncEngine {
    SyncEngine(
      source: source, target: target, program: try SyncEngineTests.program(Self.configMaps),
      ownership: SyncEngineTests.ownership, options: options)
  }

  /// 600 ConfigMaps listed 20 a page.
  static func pagedSource() -> (FakeCluster, count: Int) {
    let source = FakeCluster()
    let count = 600
    for index in 0..<count { source.put(Self.configMap("cm-\(index)")) }
    source.pageSize = 20
    return (source, count)
  }

  /// The most trees a paged list may hold: the backlog, a page on top of it, and the keys
  /// the workers have taken.
  static func peakBound(_ options: SyncOptions) -> Int {
    options.listBacklog + 20 + options.workers + 1
  }

  static func key(_ name: String) -> ObjectKey {
    ObjectKey(group: "", kind: "ConfigMap", namespace: "shop", name: name)
  }

  /// Every list came before any apply: 200,000 objects were 200,000 trees at once. Now the
  /// workers apply while the list goes on, and a page waits for room in the queue.
  @Test func aOnceRunHoldsAFewPagesNotTheWholeSource() async throws {
    let (source, count) = Self.pagedSource()
    let target = FakeCluster()
    let options = SyncOptions(listBacklog: 50)
    let engine = try Self.engine(source, target, options: options)
    let report = try await engine.runOnce()
    #expect(report.applied == count)
    #expect(target.keys.filter { $0.kind == "ConfigMap" }.count == count)
    let held = await engine.heldTrees
    #expect(held.now == 0)
    #expect(held.peak <= Self.peakBound(options))
    #expect(source.reads == 0)
  }

  /// The continuous loop takes its first list the same way: a page at a time, each once
  /// the queue has room, then the watch.
  @Test func theLoopsFirstListIsTakenAPageAtATime() async throws {
    let (source, count) = Self.pagedSource()
    let target = FakeCluster()
    // Applies slower than the list, as on a real standby: without the wait for room the
    // whole list was held (peak 600).
    target.applyDelay = .milliseconds(2)
    let options = SyncOptions(listBacklog: 50)
    let engine = try Self.engine(source, target, options: options)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    try await SyncEngineTests.waitUntil { await engine.isReady }
    #expect(target.keys.filter { $0.kind == "ConfigMap" }.count == count)
    let held = await engine.heldTrees
    #expect(held.now == 0)
    #expect(held.peak <= Self.peakBound(options))
    source.publish(Self.configMap("cm-7", data: "changed"))
    try await SyncEngineTests.waitUntil {
      target.object(Self.key("cm-7"))?["data"]?["a"] == "changed"
    }
  }

  /// The orphan sweep reads the target a page at a time too, keeping only the marks.
  @Test func theOrphanSweepReadsTheTargetPageByPage() async throws {
    let source = FakeCluster()
    source.put(Self.configMap("keep"))
    let target = FakeCluster()
    target.pageSize = 2
    for name in ["keep", "gone-1", "gone-2", "gone-3", "gone-4", "gone-5"] {
      target.put(DeciderTests.copy(Self.configMap(name)))
    }
    let engine = try Self.engine(source, target)
    let report = try await engine.runOnce()
    #expect(report.pruned == 5)
    #expect(target.keys.filter { $0.kind == "ConfigMap" }.map(\.name) == ["keep"])
  }

  /// A reload re-evaluates objects whose trees were let go: each is read again, once, and
  /// one deleted at the source meanwhile (no watch event seen) loses its copy.
  @Test func aReloadReadsReconciledObjectsAgain() async throws {
    let source = FakeCluster()
    for name in ["a", "b", "c"] { source.put(Self.configMap(name)) }
    let target = FakeCluster()
    let engine = try Self.engine(source, target)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    try await SyncEngineTests.waitUntil { await engine.isReady }
    #expect(await engine.heldTrees.now == 0)
    #expect(source.reads == 0)
    // Changed and deleted behind the engine's back: only a read can tell.
    source.put(Self.configMap("a", data: "2"))
    source.remove(Self.key("c"))
    await engine.reload(
      try SyncEngineTests.program(
        #"rule copies match v1 ConfigMap { set metadata.annotations.dr = "reloaded" }"#))
    await engine.settle()
    #expect(source.reads == 3)
    #expect(await engine.heldTrees.now == 0)
    let a = try #require(target.object(Self.key("a")))
    #expect(a["data"]?["a"] == "2")
    #expect(a["metadata"]?["annotations"]?["dr"] == "reloaded")
    #expect(target.object(Self.key("b"))?["metadata"]?["annotations"]?["dr"] == "reloaded")
    #expect(target.object(Self.key("c")) == nil)
  }

  /// A change seen on the watch while the first list's backlog is being applied goes
  /// ahead of that backlog.
  @Test func aChangeDuringTheInitialSyncDoesNotWaitForTheBacklog() async throws {
    let (source, count) = Self.pagedSource()
    let target = FakeCluster()
    target.applyDelay = .milliseconds(10)
    let engine = try Self.engine(
      source, target, options: SyncOptions(workers: 2, listBacklog: count))
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    // The whole list is queued (the backlog allows it); then the last object changes.
    try await SyncEngineTests.waitUntil { source.watchesStarted > 0 }
    let last = Self.key("cm-\(count - 1)")
    try await SyncEngineTests.waitUntil {
      source.publish(Self.configMap(last.name, data: "changed"))
      return target.object(last)?["data"]?["a"] == "changed"
    }
    let applied = target.writes.count
    #expect(applied < count / 2, "the change waited for \(applied) of \(count) applies")
  }

  /// A watch event is the newest word on an object: it is used, not re-read.
  @Test func aChangeFromTheWatchIsNotReadAgain() async throws {
    let source = FakeCluster()
    source.put(Self.configMap("a"))
    let target = FakeCluster()
    let engine = try Self.engine(source, target)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    try await SyncEngineTests.waitUntil { await engine.isReady }
    source.publish(Self.configMap("a", data: "3"))
    try await SyncEngineTests.waitUntil { target.object(Self.key("a"))?["data"]?["a"] == "3" }
    await engine.settle()
    #expect(source.reads == 0)
    #expect(await engine.heldTrees.now == 0)
  }
}
