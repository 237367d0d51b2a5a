import Foundation
import KubeAPIServer
import KubeClient
import KubeModel
import Logging
import SyncCompile
import SyncLoop
import SyncProgram
import SyncValue

/// `kube-api-server demo`: the loop between two in-process API servers, so a new user
/// sees it work without a cluster. Production is loaded with the shipped example
/// objects; the standby starts empty. It lives beside the test server, not in
/// `syncrules`, so that the shipped binary carries no server or certificate minting.
public struct DemoScenario: Sendable {
  /// The rules the demo runs when none are named.
  public static let defaultRules = "docs/examples/dr-standby.sync"
  /// The objects production starts with.
  public static let defaultData = "docs/examples/production.json"

  /// What went wrong, in a sentence for the terminal.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  public var program: PatchProgram
  /// The rule files `program` came from, for the opening lines.
  public var rulePaths: [String]
  public var dataPath: String
  /// How long each step may take before the demo gives up.
  public var timeout: Duration = .seconds(30)

  public init(program: PatchProgram, rulePaths: [String], dataPath: String = defaultData) {
    self.program = program
    self.rulePaths = rulePaths
    self.dataPath = dataPath
  }

  /// Runs the scenario, telling the story line by line to `say`; returns the write
  /// requests production received from syncrules (the demo's point: none).
  public func run(logger: Logger, say: @escaping @Sendable (String) -> Void) async throws -> Int {
    guard FileManager.default.fileExists(atPath: dataPath) else {
      throw Failure(
        description:
          "the demo loads \(dataPath): run it from the repository root (or a copy of docs/)")
    }
    // syncrules is a read-only user of production: the server itself refuses its writes,
    // on top of the read-only client.
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["syncrules-token": "syncrules", "operator-token": "operator"],
        readOnlyUsers: ["syncrules"], initialObjects: try loadObjects(fromFile: dataPath)))
    let standby = try await KubeAPIServer.start(.init(tokens: ["standby-token": "syncrules"]))
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-demo-\(getpid())-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    let metrics: SyncMetrics
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      func client(_ server: KubeAPIServer, _ token: String, readOnly: Bool = false) throws
        -> KubeClient
      {
        let path = directory.appendingPathComponent("\(token).kubeconfig").path
        try server.kubeconfig(user: .token(token)).write(
          toFile: path, atomically: true, encoding: .utf8)
        return try KubeClient(try ClientConfiguration.resolve(kubeconfig: path), readOnly: readOnly)
      }
      say("production API server: \(production.url), loaded with \(dataPath)")
      say("standby API server:    \(standby.url), empty")
      say("rules: \(rulePaths.joined(separator: ", "))\n")
      let clients = Clients(
        source: try client(production, "syncrules-token", readOnly: true),
        target: try client(standby, "standby-token"),
        operator: try client(production, "operator-token"))
      let outcome: Result<SyncMetrics, any Error>
      do {
        outcome = .success(try await tell(clients, logger: logger, say: say))
      } catch {
        outcome = .failure(error)
      }
      for client in [clients.source, clients.target, clients.operator] {
        try? await client.shutdown()
      }
      metrics = try outcome.get()
    } catch {
      await production.shutdown()
      await standby.shutdown()
      throw error
    }
    let writes = production.nonReadRequests.filter { $0.user == "syncrules" }
    await production.shutdown()
    await standby.shutdown()
    say("\n== production received \(writes.count) write requests from syncrules")
    for line in metrics.exposition().split(separator: "\n")
    where line.hasPrefix("syncrules_objects_synced_total")
      || line.hasPrefix("syncrules_objects_pruned_total")
    {
      say("  \(line)")
    }
    return writes.count
  }

  struct Clients {
    var source: KubeClient
    var target: KubeClient
    /// A person changing production while the loop runs.
    var `operator`: KubeClient
  }

  static let deployments = ResourceType(
    group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)

  static let canary: Value = [
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": ["name": "canary", "namespace": "shop"],
    "spec": [
      "replicas": 2, "selector": ["matchLabels": ["app": "canary"]],
      "template": [
        "metadata": ["labels": ["app": "canary"]],
        "spec": ["containers": [["name": "app", "image": "registry.example/canary:1"]]],
      ],
    ],
  ]

  /// The story: the initial sync, an operator's Deployment followed, then pruned.
  func tell(_ clients: Clients, logger: Logger, say: @escaping @Sendable (String) -> Void)
    async throws -> SyncMetrics
  {
    let metrics = SyncMetrics()
    let engine = SyncEngine(
      source: try KubeSourceCluster(client: clients.source, logger: logger),
      target: KubeTargetCluster(client: clients.target, logger: logger),
      program: program, ownership: Ownership(sourceCluster: "production"),
      metrics: metrics, logger: logger,
      onAction: { say("  \($0)") })
    say("== initial sync")
    let running = Task { try await engine.run(rediscoverEvery: .seconds(2)) }
    defer { running.cancel() }
    try await waitUntil("the initial sync") { await engine.isReady }
    say("\n== the standby now holds")
    for (kind, names) in try await Self.inventory(clients.target) { say("  \(kind): \(names)") }

    say("\n== an operator creates Deployment shop/canary in production")
    let target = clients.target
    let started = ContinuousClock.now
    _ = try await clients.operator.apply(
      Self.canary, to: Self.deployments, fieldManager: "operator")
    try await waitUntil("the canary on the standby") {
      (try? await target.get(Self.deployments, namespace: "shop", name: "canary")) != nil
    }
    let copy = try await target.get(Self.deployments, namespace: "shop", name: "canary")
    let replicas = copy?["spec"]?["replicas"].map { JSON.serialize($0) } ?? "?"
    say("  on the standby after \(Self.milliseconds(since: started)) ms, replicas \(replicas)")

    say("\n== the operator deletes it in production")
    let deleted = ContinuousClock.now
    try await clients.operator.delete(Self.deployments, namespace: "shop", name: "canary")
    try await waitUntil("the canary pruned") {
      (try? await target.get(Self.deployments, namespace: "shop", name: "canary")) == nil
    }
    say("  pruned from the standby after \(Self.milliseconds(since: deleted)) ms")

    running.cancel()
    _ = try? await running.value
    return metrics
  }

  static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(
      elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
  }

  func waitUntil(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
      guard ContinuousClock.now < deadline else {
        throw Failure(description: "the demo timed out waiting for \(what)")
      }
      try await Task.sleep(for: .milliseconds(10))
    }
  }

  /// What the standby holds, by kind, read back through a client like kubectl would.
  static func inventory(_ client: KubeClient) async throws -> [(String, String)] {
    var rows: [(String, String)] = []
    for resource in try await client.discover().resources() {
      let items = try await client.list(resource).items
      guard !items.isEmpty else { continue }
      let names = items.compactMap { item -> String? in
        guard let name = item["metadata"]?["name"]?.stringValue else { return nil }
        let namespace = item["metadata"]?["namespace"]?.stringValue
        return namespace.map { "\($0)/\(name)" } ?? name
      }
      rows.append((resource.kind, names.sorted().joined(separator: ", ")))
    }
    return rows.sorted { $0.0 < $1.0 }
  }
}
