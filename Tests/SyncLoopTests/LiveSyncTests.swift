import Foundation
import KubeAPIServer
import KubeClient
import KubeModel
import Logging
import SyncDriver
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

/// The loop against two real (in-memory) API servers, over HTTP, through KubeClient.
@Suite(.serialized)
struct LiveSyncTests {
  static let rules = """
    skip namespaces kube-system
    rule namespaces match v1 Namespace named shop
    rule workload match apps/v1 Deployment {
      remove metadata.annotations."kubectl.kubernetes.io/last-applied-configuration"
      set spec.replicas = 0
      set spec.template.metadata.annotations."dr.example.com/standby" = "true"
    }
    rule config match v1 ConfigMap named web-config
    """

  static let deployments = ResourceType(
    group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
  static let configMaps = ResourceType(
    group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)

  static func deployment(_ name: String, replicas: Int64 = 3, image: String = "web:1") -> Value {
    [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": .string(name), "namespace": "shop"],
      "spec": [
        "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
        "template": [
          "metadata": ["labels": ["app": .string(name)]],
          "spec": ["containers": [["name": "app", "image": .string(image)]]],
        ],
      ],
    ]
  }

  /// Two servers, an operator client on production, the loop running.
  final class Rig: Sendable {
    let production: KubeAPIServer
    let standby: KubeAPIServer
    let operatorClient: KubeClient
    let standbyReader: KubeClient
    let engine: SyncEngine
    let running: Task<Void, any Error>
    let clients: [KubeClient]

    /// `tls`: serve HTTPS, as kubectl sends bearer tokens only over TLS.
    init(rules: String = LiveSyncTests.rules, resync: Duration = .seconds(600), tls: Bool = false)
      async throws
    {
      production = try await KubeAPIServer.start(
        .init(
          tls: tls, tokens: ["sync": "syncrules", "op": "operator"], readOnlyUsers: ["syncrules"],
          initialObjects: [
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
            LiveSyncTests.deployment("web"),
            [
              "apiVersion": "v1", "kind": "ConfigMap",
              "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
            ],
          ], bookmarkInterval: .milliseconds(200)))
      standby = try await KubeAPIServer.start(
        .init(tls: tls, tokens: ["sync": "syncrules", "op": "operator"]))
      let client = LiveSyncTests.client
      let source = try client(production, "sync", true)
      let target = try client(standby, "sync", false)
      operatorClient = try client(production, "op", false)
      standbyReader = try client(standby, "op", false)
      clients = [source, target, operatorClient, standbyReader]
      let ruleSet = RuleSet.load(text: rules)
      guard let program = ruleSet.program else { throw LiveError.rules("\(ruleSet.diagnostics)") }
      let logger = Logger(label: "test")
      engine = SyncEngine(
        source: try KubeSourceCluster(client: source, logger: logger),
        target: KubeTargetCluster(client: target, logger: logger), program: program,
        ownership: Ownership(sourceCluster: "production"),
        options: SyncOptions(workers: 2, maximumAttempts: 100), logger: logger)
      let engine = self.engine
      running = Task { try await engine.run(rediscoverEvery: .seconds(1), resyncEvery: resync) }
      try await LiveSyncTests.eventually("the initial sync") { await engine.isReady }
    }

    func standbyObject(_ name: String, _ resource: ResourceType = LiveSyncTests.deployments)
      async -> Value?
    {
      try? await standbyReader.get(resource, namespace: "shop", name: name)
    }

    func stop() async {
      running.cancel()
      _ = try? await running.value
      for client in clients { try? await client.shutdown() }
      await production.shutdown()
      await standby.shutdown()
    }

    /// The loop never wrote to production.
    var sourceWrites: [RecordedRequest] {
      production.nonReadRequests.filter { $0.user == "syncrules" }
    }
  }

  /// A client of `server` authenticated with bearer `token`.
  static func client(_ server: KubeAPIServer, _ token: String, readOnly: Bool) throws
    -> KubeClient
  {
    let config = try Kubeconfig.parse(try server.kubeconfig(user: .token(token)))
      .configuration()
    return try KubeClient(config, readOnly: readOnly)
  }

  enum LiveError: Error {
    case rules(String)
    case timedOut(String)
  }

  static func eventually(
    _ what: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
      guard ContinuousClock.now < deadline else { throw LiveError.timedOut(what) }
      try await Task.sleep(for: .milliseconds(20))
    }
  }

  @Test func createUpdateDeleteReachTheStandbyAndNothingIsWrittenToProduction() async throws {
    let rig = try await Rig()
    defer { Task { await rig.stop() } }
    let web = try #require(await rig.standbyObject("web"))
    #expect(web["spec"]?["replicas"] == .int(0))
    #expect(
      web["spec"]?["template"]?["metadata"]?["annotations"]?["dr.example.com/standby"] == "true")

    // A foreign object on the standby must survive everything.
    _ = try await rig.standbyReader.apply(
      Self.deployment("handmade"), to: Self.deployments, fieldManager: "someone")

    _ = try await rig.operatorClient.apply(
      Self.deployment("api"), to: Self.deployments, fieldManager: "operator")
    try await Self.eventually("api created") { await rig.standbyObject("api") != nil }

    _ = try await rig.operatorClient.apply(
      Self.deployment("api", image: "web:2"), to: Self.deployments, fieldManager: "operator")
    try await Self.eventually("api updated") {
      await rig.standbyObject("api")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?
        .first?["image"] == "web:2"
    }

    try await rig.operatorClient.delete(Self.deployments, namespace: "shop", name: "api")
    try await Self.eventually("api pruned") { await rig.standbyObject("api") == nil }
    #expect(await rig.standbyObject("handmade") != nil)
    #expect(rig.sourceWrites.isEmpty)
    #expect(rig.production.nonReadRequests.allSatisfy { $0.user == "operator" })
  }

  @Test func anObjectThatStopsMatchingIsPrunedAndARemovedRulePrunesItsObjects() async throws {
    let rig = try await Rig()
    defer { Task { await rig.stop() } }
    try await Self.eventually("config synced") {
      await rig.standbyObject("web-config", Self.configMaps) != nil
    }
    // Relabel nothing, rename nothing: move the config out of the rule's `named` set by
    // replacing the rules with ones that select no ConfigMap.
    let withoutConfig = RuleSet.load(
      text: Self.rules.replacingOccurrences(
        of: "rule config match v1 ConfigMap named web-config", with: ""))
    await rig.engine.reload(try #require(withoutConfig.program))
    try await Self.eventually("config pruned") {
      await rig.standbyObject("web-config", Self.configMaps) == nil
    }
    // A source object that stops matching: skip its namespace's objects by a condition.
    let bigOnly = RuleSet.load(
      text: """
        rule namespaces match v1 Namespace named shop
        rule workload match apps/v1 Deployment when spec.replicas > 5 { set spec.replicas = 0 }
        """)
    await rig.engine.reload(try #require(bigOnly.program))
    try await Self.eventually("web pruned") { await rig.standbyObject("web") == nil }
    #expect(rig.sourceWrites.isEmpty)
  }

  @Test func changesMadeWhileWatchesWereDroppedOrExpiredStillArrive() async throws {
    let rig = try await Rig()
    defer { Task { await rig.stop() } }
    rig.production.dropWatches(abruptly: true)
    _ = try await rig.operatorClient.apply(
      Self.deployment("during-drop"), to: Self.deployments, fieldManager: "operator")
    try await Self.eventually("after a dropped watch") {
      await rig.standbyObject("during-drop") != nil
    }
    // History trimmed, watches dropped: resuming gets 410 Expired, the loop relists.
    _ = try await rig.operatorClient.apply(
      Self.deployment("during-expiry"), to: Self.deployments, fieldManager: "operator")
    try await rig.operatorClient.delete(Self.deployments, namespace: "shop", name: "during-drop")
    rig.production.trimWatchHistory()
    rig.production.dropWatches(abruptly: true)
    try await Self.eventually("after 410 and relist") {
      let created = await rig.standbyObject("during-expiry") != nil
      let deleted = await rig.standbyObject("during-drop") == nil
      return created && deleted
    }
    #expect(rig.sourceWrites.isEmpty)
  }

  @Test(arguments: [409, 429, 500])
  func targetErrorsAreRetried(_ status: Int) async throws {
    let rig = try await Rig()
    defer { Task { await rig.stop() } }
    rig.standby.failNextRequests(3, status: status, method: "PATCH")
    _ = try await rig.operatorClient.apply(
      Self.deployment("retried"), to: Self.deployments, fieldManager: "operator")
    try await Self.eventually("applied after \(status)s") {
      await rig.standbyObject("retried") != nil
    }
  }

  @Test func aTargetThatRestartsAndLosesEverythingIsRebuilt() async throws {
    let rig = try await Rig(resync: .milliseconds(500))
    defer { Task { await rig.stop() } }
    try await rig.standby.restart(.losingObjects)
    try await Self.eventually("rebuilt after a restart") {
      await rig.standbyObject("web") != nil
    }
    #expect(rig.sourceWrites.isEmpty)
  }
}

extension LiveSyncTests {
  /// A standby restored from nothing (its namespaces gone with everything else): a change
  /// made in production afterwards reaches it at once, not at the next resync, although
  /// the loop created the namespace before.
  @Test func aChangeAfterTheStandbyLostItsNamespacesIsAppliedWithoutWaitingForAResync()
    async throws
  {
    let rig = try await Rig()
    defer { Task { await rig.stop() } }
    try await rig.standby.restart(.losingObjects)
    _ = try await rig.operatorClient.apply(
      Self.deployment("web", image: "web:2"), to: Self.deployments, fieldManager: "operator")
    try await Self.eventually("the change applied", timeout: .seconds(20)) {
      await rig.standbyObject("web")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?
        .first?["image"] == "web:2"
    }
    #expect(rig.sourceWrites.isEmpty)
  }
}
