import Foundation
import Logging
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

struct RuleReloaderTests {
  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var kinds: [String] = []
    func append(_ kind: String) { lock.withLock { kinds.append(kind) } }
    var all: [String] { lock.withLock { kinds } }
  }

  @Test func cleanEditsSwapTheProgramAndBrokenOnesKeepTheOld() async throws {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("reload-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let rules = directory.appendingPathComponent("dr.sync")
    try "rule w match apps/v1 Deployment { set spec.replicas = 0 }\n"
      .write(to: rules, atomically: true, encoding: .utf8)

    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let reloader = RuleReloader(
      options: RuleSet.Options(rulePaths: [rules.path]), interval: .milliseconds(20))
    guard case .reloaded(let initial) = reloader.load(), let program = initial.program else {
      Issue.record("initial rules do not load")
      return
    }
    let engine = SyncEngine(
      source: source, target: target, program: program, ownership: SyncEngineTests.ownership)
    let results = Results()
    let metrics = SyncMetrics()
    let running = Task { try await engine.run() }
    let watching = Task {
      await reloader.watch(engine: engine, metrics: metrics, logger: Logger(label: "test")) {
        switch $0 {
        case .reloaded: results.append("reloaded")
        case .rejected: results.append("rejected")
        case .unreadable: results.append("unreadable")
        }
      }
    }
    defer {
      running.cancel()
      watching.cancel()
    }
    let key = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
    try await SyncEngineTests.waitUntil { target.object(key)?["spec"]?["replicas"] == .int(0) }

    try "rule w match apps/v1 Deployment { set spec.replcas = 2 }\n"
      .write(to: rules, atomically: true, encoding: .utf8)
    try await SyncEngineTests.waitUntil { results.all.contains("rejected") }
    #expect(target.object(key)?["spec"]?["replicas"] == .int(0))

    try "rule w match apps/v1 Deployment { set spec.replicas = 2 }\n"
      .write(to: rules, atomically: true, encoding: .utf8)
    try await SyncEngineTests.waitUntil { target.object(key)?["spec"]?["replicas"] == .int(2) }
    #expect(results.all == ["rejected", "reloaded"])
    #expect(metrics.exposition().contains(#"syncrules_rule_reloads_total{result="failure"} 1"#))
    #expect(metrics.exposition().contains(#"syncrules_rule_reloads_total{result="success"} 1"#))
  }
}
