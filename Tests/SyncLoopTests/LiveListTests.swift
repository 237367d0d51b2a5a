import KubeAPIServer
import KubeClient
import KubeModel
import Logging
import SyncDriver
import SyncLoop
import SyncValue
import Testing

/// The first list of a large resource, against real (in-memory) API servers: read a page
/// at a time at the pace of a slow standby, while a change made meanwhile reaches the
/// standby at once instead of after the last page.
struct LiveListTests {
  @Test func aChangeMadeWhileTheListIsReadIsAppliedBeforeTheListEnds() async throws {
    let count = 300
    let pageSize = 10
    var objects: [Value] = [
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]
    ]
    for index in 0..<count {
      objects.append(LiveSyncTests.deployment(Self.name(index)))
    }
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["sync": "syncrules", "op": "operator"], readOnlyUsers: ["syncrules"],
        initialObjects: objects))
    let standby = try await KubeAPIServer.start(
      .init(tokens: ["sync": "syncrules", "op": "operator"]))
    // A slow standby: the list waits for room in the queue, so it lasts the whole sync.
    standby.latency = .milliseconds(5)
    let client = LiveSyncTests.client
    let source = try client(production, "sync", true)
    let target = try client(standby, "sync", false)
    let operatorClient = try client(production, "op", false)
    let standbyReader = try client(standby, "op", false)
    let program = try #require(RuleSet.load(text: LiveSyncTests.rules).program)
    let logger = Logger(label: "test")
    let engine = SyncEngine(
      source: try KubeSourceCluster(client: source, logger: logger, pageSize: pageSize),
      target: KubeTargetCluster(client: target, logger: logger), program: program,
      ownership: Ownership(sourceCluster: "production"),
      options: SyncOptions(workers: 1, listBacklog: pageSize), logger: logger)
    let running = Task { try await engine.run() }
    defer {
      running.cancel()
      Task {
        _ = try? await running.value
        for client in [source, target, operatorClient, standbyReader] {
          try? await client.shutdown()
        }
        await production.shutdown()
        await standby.shutdown()
      }
    }
    @Sendable func image(_ index: Int) async -> String? {
      let copy = try? await standbyReader.get(
        LiveSyncTests.deployments, namespace: "shop", name: Self.name(index))
      return copy?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"]?
        .stringValue
    }
    try await LiveSyncTests.eventually("the first copy") { await image(0) != nil }
    // Already listed and applied: only the watch can bring this change.
    _ = try await operatorClient.apply(
      LiveSyncTests.deployment(Self.name(0), image: "web:2"), to: LiveSyncTests.deployments,
      fieldManager: "operator")
    try await LiveSyncTests.eventually("the change applied") { await image(0) == "web:2" }
    let pagesRead = production.requests.filter {
      $0.user == "syncrules" && $0.path.hasSuffix("/deployments") && !$0.query.contains("watch")
    }.count
    #expect(pagesRead < count / pageSize)
    try await LiveSyncTests.eventually("the initial sync") { await engine.isReady }
    #expect(await image(0) == "web:2")
    #expect(await image(count - 1) == "web:1")
    #expect(production.nonReadRequests.filter { $0.user == "syncrules" }.isEmpty)
  }

  static func name(_ index: Int) -> String {
    "web-" + String(repeating: "0", count: 3 - String(index).count) + String(index)
  }
}
