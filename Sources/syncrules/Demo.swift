import ArgumentParser
import Foundation
import KubeAPIServer
import KubeClient
import KubeModel
import Logging
import SyncLoop
import SyncRuntime
import SyncValue

/// `syncrules sync --demo`: the loop between two in-process API servers, so a new user
/// sees it work without a cluster. Production is loaded with the shipped example
/// objects; the standby starts empty.
enum Demo {
  static let dataPath = "docs/examples/production.json"

  static func run(rules: [String], options: RuleInputOptions, logFormat: LogOutput.Format)
    async throws
  {
    let rulePaths = rules.isEmpty ? ["docs/examples/dr-standby.sync"] : rules
    guard FileManager.default.fileExists(atPath: dataPath) else {
      throw ValidationError(
        "--demo loads \(dataPath): run it from the repository root (or a copy of docs/)")
    }
    let logger = makeLogger(format: logFormat)
    let ruleSet = try loadRuleSet(paths: rulePaths, options: options)
    guard let program = ruleSet.program else {
      printDiagnostics(ruleSet)
      throw ExitCode(1)
    }
    // syncrules is a read-only user of production: the server itself refuses its writes,
    // on top of the read-only client.
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["syncrules-token": "syncrules", "operator-token": "operator"],
        readOnlyUsers: ["syncrules"], initialObjects: try loadObjects(fromFile: dataPath)))
    let standby = try await KubeAPIServer.start(.init(tokens: ["standby-token": "syncrules"]))
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-demo-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    func kubeconfig(_ server: KubeAPIServer, _ token: String, _ name: String) throws -> String {
      let path = directory.appendingPathComponent(name).path
      try server.kubeconfig(user: .token(token)).write(
        toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let sourcePath = try kubeconfig(production, "syncrules-token", "production.kubeconfig")
    let operatorPath = try kubeconfig(production, "operator-token", "operator.kubeconfig")
    let standbyPath = try kubeconfig(standby, "standby-token", "standby.kubeconfig")
    say("production API server: \(production.url), loaded with \(dataPath)")
    say("standby API server:    \(standby.url), empty")
    say("rules: \(rulePaths.joined(separator: ", "))\n")

    let sourceClient = try KubeClient(
      try ClientConfiguration.resolve(kubeconfig: sourcePath), readOnly: true)
    let targetClient = try KubeClient(try ClientConfiguration.resolve(kubeconfig: standbyPath))
    let operatorClient = try KubeClient(try ClientConfiguration.resolve(kubeconfig: operatorPath))
    let metrics = SyncMetrics()
    let engine = SyncEngine(
      source: try KubeSourceCluster(client: sourceClient, logger: logger),
      target: KubeTargetCluster(client: targetClient, logger: logger),
      program: program, ownership: Ownership(sourceCluster: "production"),
      metrics: metrics, logger: logger,
      onAction: { say("  \($0)") })
    say("== initial sync")
    let running = Task { try await engine.run(rediscoverEvery: .seconds(2)) }
    try await waitUntil("the initial sync") { await engine.isReady }
    say("\n== the standby now holds")
    for (kind, names) in try await inventory(standbyPath) { say("  \(kind): \(names)") }

    say("\n== an operator creates Deployment shop/canary in production")
    let deployments = ResourceType(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    let canary: Value = [
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
    let started = ContinuousClock.now
    _ = try await operatorClient.apply(canary, to: deployments, fieldManager: "operator")
    try await waitUntil("the canary on the standby") {
      (try? await targetClient.get(deployments, namespace: "shop", name: "canary")) != nil
    }
    let copy = try await targetClient.get(deployments, namespace: "shop", name: "canary")
    say(
      "  on the standby after \(milliseconds(since: started)) ms, replicas \(copy?["spec"]?["replicas"].map { JSON.serialize($0) } ?? "?")"
    )

    say("\n== the operator deletes it in production")
    let deleted = ContinuousClock.now
    try await operatorClient.delete(deployments, namespace: "shop", name: "canary")
    try await waitUntil("the canary pruned") {
      (try? await targetClient.get(deployments, namespace: "shop", name: "canary")) == nil
    }
    say("  pruned from the standby after \(milliseconds(since: deleted)) ms")

    running.cancel()
    _ = try? await running.value
    let writes = production.nonReadRequests.filter { $0.user == "syncrules" }
    say("\n== production received \(writes.count) write requests from syncrules")
    for line in metrics.exposition().split(separator: "\n")
    where line.hasPrefix("syncrules_objects_synced_total")
      || line.hasPrefix("syncrules_objects_pruned_total")
    {
      say("  \(line)")
    }
    try? await sourceClient.shutdown()
    try? await targetClient.shutdown()
    try? await operatorClient.shutdown()
    await production.shutdown()
    await standby.shutdown()
    try? FileManager.default.removeItem(at: directory)
    if !writes.isEmpty { throw ExitCode(1) }
  }

  static func say(_ text: String) {
    Terminal.write(text + "\n", to: 1)
  }

  static func milliseconds(since start: ContinuousClock.Instant) -> Int {
    let elapsed = ContinuousClock.now - start
    return Int(
      elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
  }

  static func waitUntil(_ what: String, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while !(await condition()) {
      guard ContinuousClock.now < deadline else {
        throw ValidationError("the demo timed out waiting for \(what)")
      }
      try await Task.sleep(for: .milliseconds(10))
    }
  }

  /// What the standby holds, by kind, read back through a client like kubectl would.
  static func inventory(_ kubeconfig: String) async throws -> [(String, String)] {
    let client = try KubeClient(
      try ClientConfiguration.resolve(kubeconfig: kubeconfig), readOnly: true)
    defer { Task { try? await client.shutdown() } }
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

/// Renders drift as unified diffs of YAML, one per object.
enum DriftText {
  /// - Parameter showingSecrets: print Secret values; otherwise they are masked as
  ///   `kubectl diff` masks them (``SecretMask``).
  static func render(_ drift: [Drift], showingSecrets: Bool = false) -> String {
    func shown(_ before: Value?, _ after: Value?) -> (before: String, after: String) {
      let masked =
        showingSecrets
        ? (before: before, after: after) : SecretMask.masking(before: before, after: after)
      return (masked.before.map(YAML.serialize) ?? "", masked.after.map(YAML.serialize) ?? "")
    }
    var out = ""
    for entry in drift {
      switch entry {
      case .missing(let key, let desired):
        let text = shown(nil, desired)
        out += diff(old: text.before, new: text.after, key: key, oldName: "/dev/null")
      case .different(let key, let desired, let live):
        let text = shown(live, desired)
        out += diff(old: text.before, new: text.after, key: key)
      case .orphaned(let key, let live):
        let text = shown(live, nil)
        out += "# \(key) would be pruned: its source is gone or no longer selected\n"
        out += diff(old: text.before, new: text.after, key: key, newName: "/dev/null")
      }
    }
    return out
  }

  static func diff(
    old: String, new: String, key: ObjectKey, oldName: String? = nil, newName: String? = nil
  ) -> String {
    let bytes = LineDiff.unified(
      old: Array(old.utf8), new: Array(new.utf8),
      oldName: oldName ?? "target/\(key)", newName: newName ?? "desired/\(key)")
    return String(decoding: bytes, as: UTF8.self)
  }
}
