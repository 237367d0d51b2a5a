import SyncCompile
import SyncLoop
import SyncProgram
import SyncRuntime
import SyncValue
import Testing

/// The continuous loop under failures: transient errors must neither lose a change nor
/// delete a copy that should stay, and stopping must not start new work.
struct LoopSafetyTests {
  static let web = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
  static let shop: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]

  /// What the engine reported, for tests that wait on a failure.
  final class Actions: @unchecked Sendable {
    private let lock = NSLockish()
    private var recorded: [SyncAction] = []
    func append(_ action: SyncAction) { lock.locked { recorded.append(action) } }
    var all: [SyncAction] { lock.locked { recorded } }
  }

  /// A running engine with default options, as `syncrules sync` runs it.
  struct Running {
    let engine: SyncEngine
    let task: Task<Void, any Error>
    let actions: Actions
    let metrics: SyncMetrics

    init(
      _ source: FakeCluster, _ target: FakeCluster, program: PatchProgram? = nil,
      options: SyncOptions = SyncOptions(), rediscoverEvery: Duration = .seconds(30)
    ) throws {
      let actions = Actions()
      let metrics = SyncMetrics()
      let engine = SyncEngine(
        source: source, target: target, program: try program ?? SyncEngineTests.program(),
        ownership: SyncEngineTests.ownership, options: options, metrics: metrics,
        onAction: { actions.append($0) })
      self.engine = engine
      self.actions = actions
      self.metrics = metrics
      task = Task { try await engine.run(rediscoverEvery: rediscoverEvery) }
    }

    func stop() async {
      task.cancel()
      _ = try? await task.value
    }
  }

  static func deployment(_ name: String, minReadySeconds: Int64) -> Value {
    guard case .object(var root) = SyncEngineTests.deployment(name),
      case .object(var spec)? = root["spec"]
    else { return SyncEngineTests.deployment(name) }
    spec["minReadySeconds"] = .int(minReadySeconds)
    root["spec"] = .object(spec)
    return .object(root)
  }

  @Test func aTransientFailureCreatingTheNamespaceIsRetried() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    target.failingApplies = 1  // the namespace, created first
    let loop = try Running(source, target)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil({ target.object(Self.web) != nil })
  }

  @Test func anOutageLongerThanTheQuickRetriesLosesNoChange() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    source.put(SyncEngineTests.deployment("bad"))
    let target = FakeCluster()
    target.put(Self.shop)
    target.failApplies = ["bad"]  // refused for good
    target.failingApplies = 8  // more than the 5 quick attempts
    let loop = try Running(source, target)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil({ target.object(Self.web) != nil })
    // An object that keeps failing holds up neither readiness nor reloads.
    try await SyncEngineTests.waitUntil({ await loop.engine.isReady })
    await loop.engine.reload(try SyncEngineTests.program())
  }

  @Test func aKindMissingFromDiscoveryForAMomentIsNotPruned() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let loop = try Running(source, target, rediscoverEvery: .milliseconds(20))
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    #expect(target.object(Self.web) != nil)
    source.hiddenKinds = ["Deployment"]  // apps/v1 did not answer discovery
    try await Task.sleep(for: .milliseconds(300))
    #expect(target.object(Self.web) != nil)
    #expect(!target.writes.contains { $0.hasPrefix("delete") })
  }

  @Test func aFailedPruneIsRetried() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let loop = try Running(source, target)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    target.failingDeletes = 2
    source.unpublish(Self.web)
    try await SyncEngineTests.waitUntil({ target.object(Self.web) == nil })
  }

  @Test func aCopyWhoseLatestChangeFailedIsPrunedWhenItsSourceGoes() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let loop = try Running(source, target)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    #expect(Self.gauge("syncrules_objects_in_sync", in: loop.metrics) == 1)
    target.failApplies = ["web"]
    source.publish(Self.deployment("web", minReadySeconds: 10))
    try await SyncEngineTests.waitUntil {
      loop.actions.all.contains {
        if case .failed(Self.web, _) = $0 { return true }
        return false
      }
    }
    // The standby holds the previous version, which is not the source after the rules.
    #expect(Self.gauge("syncrules_objects_in_sync", in: loop.metrics) == 0)
    source.unpublish(Self.web)
    try await SyncEngineTests.waitUntil({ target.object(Self.web) == nil })
  }

  /// An object whose tree was let go and that the source no longer lets read (a reload
  /// re-evaluates it) is not in sync, is reported failed, and keeps its copy.
  @Test func aSourceObjectThatCannotBeReadAgainCountsAsFailed() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let loop = try Running(source, target)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    #expect(Self.gauge("syncrules_objects_in_sync", in: loop.metrics) == 1)
    source.failingGets = true
    await loop.engine.reload(try SyncEngineTests.program())
    try await SyncEngineTests.waitUntil {
      loop.actions.all.contains {
        if case .failed(Self.web, let message) = $0 {
          return message.contains("cannot read the source object again")
        }
        return false
      }
    }
    #expect(Self.gauge("syncrules_objects_in_sync", in: loop.metrics) == 0)
    #expect(target.object(Self.web) != nil)
    // Readable again: the slower retries bring it back in sync.
    source.failingGets = false
    try await SyncEngineTests.waitUntil {
      Self.gauge("syncrules_objects_in_sync", in: loop.metrics) == 1
    }
  }

  @Test func aReloadDoesNotPruneAKindWhoseFirstListHasNotArrived() async throws {
    let rules = """
      rule workload match apps/v1 Deployment { set spec.replicas = 0 }
      rule config match v1 ConfigMap
      """
    let config: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
    ]
    let configKey = ObjectKey(of: config)!
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    source.put(config)
    // A copy made by an earlier run; ConfigMaps are not discoverable at the source yet.
    let target = FakeCluster()
    target.put(SyncEngineTests.ownership.marking(config, source: configKey))
    source.hiddenKinds = ["ConfigMap"]
    let program = try SyncEngineTests.program(rules)
    let loop = try Running(source, target, program: program)
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    #expect(target.object(configKey) != nil)
    // Discovery recovers during a reload, but the first list of ConfigMaps is slow.
    source.hiddenKinds = []
    source.heldKinds = ["ConfigMap"]
    await loop.engine.reload(program)
    #expect(target.object(configKey) != nil)
    #expect(!target.writes.contains { $0.hasPrefix("delete") })
  }

  @Test func stoppingDuringTheInitialSyncFinishesOnlyTheWritesInFlight() async throws {
    let source = FakeCluster()
    for index in 0..<40 { source.put(SyncEngineTests.deployment("web-\(index)")) }
    let target = FakeCluster()
    target.put(Self.shop)
    target.applyDelay = .milliseconds(50)
    let loop = try Running(source, target, options: SyncOptions(workers: 1))
    try await SyncEngineTests.waitUntil { target.writes.count >= 2 }
    await loop.stop()
    // The backlog of 40 was not worked through before stopping.
    let written = target.writes.count
    #expect(written < 40)
    try await Task.sleep(for: .milliseconds(200))
    #expect(target.writes.count == written)
    #expect(await !loop.engine.isReady)
  }

  static func gauge(_ name: String, in metrics: SyncMetrics) -> Double? {
    for line in metrics.exposition().split(separator: "\n") where line.hasPrefix(name + " ") {
      return Double(line.dropFirst(name.count + 1))
    }
    return nil
  }
}

extension LoopSafetyTests {
  static func workload(template: Value) -> Value {
    guard case .object(var root) = SyncEngineTests.deployment("web"),
      case .object(var spec)? = root["spec"]
    else { return SyncEngineTests.deployment("web") }
    spec["template"] = template
    root["spec"] = .object(spec)
    return .object(root)
  }

  @Test func aWorkloadWhoseRulesFailKeepsItsDependencies() async throws {
    let podSpec: Value = [
      "containers": [
        ["name": "app", "image": "web:1", "envFrom": [["configMapRef": ["name": "web-config"]]]]
      ]
    ]
    let source = FakeCluster()
    source.put(Self.workload(template: ["metadata": ["labels": ["app": "web"]], "spec": podSpec]))
    let config: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
    ]
    let configKey = ObjectKey(of: config)!
    source.put(config)
    let target = FakeCluster()
    let rules = """
      rule w match apps/v1 Deployment {
        set spec.template.metadata.annotations.dr = "standby"
        dependencies configmaps
      }
      """
    let loop = try Running(source, target, program: try SyncEngineTests.program(rules))
    defer { Task { await loop.stop() } }
    try await SyncEngineTests.waitUntil { await loop.engine.isReady }
    #expect(target.object(configKey) != nil)
    // A change the rule cannot apply: the template's metadata is not a map.
    source.publish(Self.workload(template: ["metadata": "broken", "spec": podSpec]))
    try await SyncEngineTests.waitUntil {
      loop.actions.all.contains {
        if case .failed(Self.web, _) = $0 { return true }
        return false
      }
    }
    await loop.engine.settle()
    #expect(target.object(Self.web) != nil)
    #expect(target.object(configKey) != nil)
  }
}
