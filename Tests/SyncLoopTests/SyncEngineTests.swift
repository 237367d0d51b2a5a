import SyncCompile
import SyncDriver
import SyncLoop
import SyncProgram
import SyncRuntime
import SyncValue
import Testing

struct SyncEngineTests {
  static let rules = """
    skip namespaces kube-system
    rule workload match apps/v1 Deployment {
      set spec.replicas = 0
      set metadata.annotations.dr = "standby"
    }
    rule pvc match v1 PersistentVolumeClaim { remove spec.volumeName }
    """

  static func program(_ text: String = rules) throws -> PatchProgram {
    let ruleSet = RuleSet.load(text: text)
    return try #require(ruleSet.program, "\(ruleSet.diagnostics)")
  }

  static func deployment(_ name: String, namespace: String = "shop", replicas: Int64 = 3) -> Value {
    [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": [
        "name": .string(name), "namespace": .string(namespace), "resourceVersion": "7",
        "managedFields": [["manager": "kubectl"]],
      ],
      "spec": ["replicas": .int(replicas)],
      "status": ["readyReplicas": .int(replicas)],
    ]
  }

  static let ownership = Ownership(sourceCluster: "prod")

  func once(
    _ source: FakeCluster, _ target: FakeCluster, program: PatchProgram? = nil,
    options: SyncOptions = SyncOptions()
  ) async throws -> OnceReport {
    let engine = SyncEngine(
      source: source, target: target, program: try program ?? Self.program(),
      ownership: Self.ownership, options: options)
    return try await engine.runOnce()
  }

  @Test func appliesRewrittenObjectsWithMarksAndCreatesNamespaces() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    source.put(Self.deployment("dns", namespace: "kube-system"))
    let target = FakeCluster()
    let report = try await once(source, target)
    #expect(report.failed == 0)
    let key = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
    let copy = try #require(target.object(key))
    #expect(copy["spec"]?["replicas"] == .int(0))
    #expect(copy["status"] == nil)
    #expect(copy["metadata"]?["resourceVersion"] == nil)
    #expect(copy["metadata"]?["managedFields"] == nil)
    #expect(
      copy["metadata"]?["annotations"]?["syncrules.io/source"]
        == "prod:apps/Deployment:shop/web")
    #expect(
      target.object(ObjectKey(group: "", kind: "Namespace", namespace: "", name: "shop")) != nil)
    #expect(
      target.object(
        ObjectKey(group: "apps", kind: "Deployment", namespace: "kube-system", name: "dns"))
        == nil)
    #expect(source.writes.isEmpty)
  }

  /// The `--once` summary counts what the run did. A new run applies every copy again
  /// (server-side apply makes that a no-op on the target; `unchanged` counts what one
  /// engine had already applied), and a source deleted in between is pruned.
  @Test func onceReportCountsTheActions() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    source.put(Self.deployment("api"))
    let target = FakeCluster()
    let first = try await once(source, target)
    #expect((first.applied, first.unchanged, first.pruned, first.failed) == (2, 0, 0, 0))
    source.remove(ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "api"))
    let second = try await once(source, target)
    #expect((second.applied, second.unchanged, second.pruned, second.failed) == (1, 0, 1, 0))
  }

  @Test func prunesCopiesWhoseSourceIsGoneButNeverForeignObjects() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    source.put(Self.deployment("api"))
    let target = FakeCluster()
    _ = try await once(source, target)
    // Someone copies `api` by hand under another name: it keeps our annotations.
    let api = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "api")
    guard case .object(var copy)? = target.object(api),
      case .object(var metadata)? = copy["metadata"]
    else { throw SyncTestError.missing }
    metadata["name"] = "api-copy"
    metadata["uid"] = nil
    copy["metadata"] = .object(metadata)
    target.put(.object(copy))
    target.put(Self.deployment("handmade"))
    source.remove(api)
    _ = try await once(source, target)
    let names = target.keys.filter { $0.kind == "Deployment" }.map(\.name)
    #expect(names == ["api-copy", "handmade", "web"])
    #expect(target.writes.contains("delete apps/Deployment:shop/api"))
    #expect(source.writes.isEmpty)
  }

  @Test func aRemovedRulePrunesItsObjects() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    source.put([
      "apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": ["name": "data", "namespace": "shop"], "spec": ["volumeName": "pv-1"],
    ])
    let target = FakeCluster()
    _ = try await once(source, target)
    #expect(target.keys.contains { $0.kind == "PersistentVolumeClaim" })
    let withoutPVCs = try Self.program(
      "rule workload match apps/v1 Deployment { set spec.replicas = 0 }")
    _ = try await once(source, target, program: withoutPVCs)
    #expect(!target.keys.contains { $0.kind == "PersistentVolumeClaim" })
    #expect(target.keys.contains { $0.kind == "Deployment" })
  }

  @Test func anObjectThatStopsMatchingIsPruned() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    let target = FakeCluster()
    let onlyBig = try Self.program(
      "rule big match apps/v1 Deployment when spec.replicas > 2 { set spec.replicas = 0 }")
    _ = try await once(source, target, program: onlyBig)
    #expect(target.keys.contains { $0.name == "web" })
    source.put(Self.deployment("web", replicas: 1))
    _ = try await once(source, target, program: onlyBig)
    #expect(!target.keys.contains { $0.name == "web" })
  }

  @Test func pruneCanBeTurnedOff() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    let target = FakeCluster()
    _ = try await once(source, target)
    source.remove(ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web"))
    _ = try await once(source, target, options: SyncOptions(prune: false))
    #expect(target.keys.contains { $0.name == "web" })
  }

  @Test func dryRunWritesNothing() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    let target = FakeCluster()
    _ = try await once(source, target, options: SyncOptions(dryRun: true))
    #expect(target.writes.isEmpty)
    #expect(target.keys.isEmpty)
  }

  @Test func aFailedApplyKeepsTheStreamGoing() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("bad"))
    source.put(Self.deployment("good"))
    let target = FakeCluster()
    target.failApplies = ["bad"]
    let report = try await once(
      source, target, options: SyncOptions(maximumAttempts: 2))
    #expect(report.failed == 1)
    #expect(target.keys.contains { $0.name == "good" })
  }

  @Test func dependenciesFollowWhatThePodTemplateReferences() async throws {
    let source = FakeCluster()
    var web = Self.deployment("web")
    if case .object(var root) = web, case .object(var spec)? = root["spec"] {
      spec["template"] = [
        "spec": [
          "containers": [
            [
              "name": "app", "image": "web:1",
              "envFrom": [["configMapRef": ["name": "web-config"]]],
            ]
          ]
        ]
      ]
      root["spec"] = .object(spec)
      web = .object(root)
    }
    source.put(web)
    for name in ["web-config", "unrelated"] {
      source.put([
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": "shop"], "data": ["a": "1"],
      ])
    }
    let target = FakeCluster()
    let rules = "rule w match apps/v1 Deployment { dependencies configmaps }"
    _ = try await once(source, target, program: try Self.program(rules))
    let configMaps = target.keys.filter { $0.kind == "ConfigMap" }.map(\.name)
    #expect(configMaps == ["web-config"])
    // The workload goes away: its dependency is pruned with it.
    source.remove(ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web"))
    _ = try await once(source, target, program: try Self.program(rules))
    #expect(target.keys.filter { $0.kind == "ConfigMap" }.isEmpty)
  }

  @Test func followsChangesAndSkipsUnchangedWrites() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    let target = FakeCluster()
    let engine = SyncEngine(
      source: source, target: target, program: try Self.program(), ownership: Self.ownership)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    try await Self.waitUntil { await engine.isReady }
    #expect(target.writes == ["apply /Namespace:/shop", "apply apps/Deployment:shop/web"])
    // The same rules again: every object is re-evaluated, nothing has changed.
    await engine.reload(try Self.program())
    await engine.settle()
    #expect(target.writes.count == 2)
    // New rules: the change reaches the target.
    await engine.reload(
      try Self.program("rule workload match apps/v1 Deployment { set spec.replicas = 1 }"))
    await engine.settle()
    #expect(target.writes.count == 3)
    let key = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
    #expect(target.object(key)?["spec"]?["replicas"] == .int(1))
  }

  /// Rules that stop selecting a kind: its objects are forgotten (not kept for the
  /// life of the process) and its copies pruned; the other kinds stay as they were.
  @Test func aKindTheRulesDropIsForgotten() async throws {
    let source = FakeCluster()
    source.put(Self.deployment("web"))
    source.put(HeldTreesTests.configMap("settings"))
    let target = FakeCluster()
    let both = Self.rules + "\n" + HeldTreesTests.configMaps
    let engine = SyncEngine(
      source: source, target: target, program: try Self.program(both), ownership: Self.ownership)
    let running = Task { try await engine.run() }
    defer { running.cancel() }
    try await Self.waitUntil { await engine.isReady }
    #expect(await engine.knownObjectsByKind == ["Deployment": 1, "ConfigMap": 1])
    #expect(target.keys.contains { $0.kind == "ConfigMap" })

    await engine.reload(try Self.program())
    await engine.settle()
    #expect(await engine.knownObjectsByKind == ["Deployment": 1])
    #expect(!target.keys.contains { $0.kind == "ConfigMap" })
    #expect(target.keys.contains { $0.kind == "Deployment" })
  }

  /// Polls `condition` until it holds. The timeout only guards against a hang: in the
  /// full suite, tests that wait for child processes synchronously hold the two pool
  /// threads for seconds at a time, and a wait of a few seconds alone took over 60 there.
  static func waitUntil(
    _ condition: @Sendable () async -> Bool, timeout: Duration = .seconds(180)
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
      guard ContinuousClock.now < deadline else { throw SyncTestError.timedOut }
      try await Task.sleep(for: .milliseconds(10))
    }
  }
}

enum SyncTestError: Error {
  case missing
  case timedOut
}
