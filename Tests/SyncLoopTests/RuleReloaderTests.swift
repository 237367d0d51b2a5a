import Foundation
import Logging
import SyncDriver
import SyncLoop
import SyncRuntime
import SyncValue
import TestSupport
import Testing

struct RuleReloaderTests {
  final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var kinds: [String] = []
    func append(_ kind: String) { lock.withLock { kinds.append(kind) } }
    var all: [String] { lock.withLock { kinds } }
  }

  @Test func cleanEditsSwapTheProgramAndBrokenOnesKeepTheOld() async throws {
    let directory = try TemporaryDirectory(prefix: "reload")
    let rules = directory.url.appendingPathComponent("dr.sync")
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

  /// A rule file nested far past the parser's limit, dropped into a running loop's rule
  /// directory, is rejected like any broken file: before the limit existed, checking it
  /// overflowed the stack and killed the loop.
  @Test func aFileNestedTooDeeplyIsRejectedAndTheOldRulesKeepRunning() async throws {
    let directory = try TemporaryDirectory(prefix: "reload-deep")
    try "rule w match apps/v1 Deployment { set spec.replicas = 0 }\n"
      .write(to: directory.url.appendingPathComponent("dr.sync"), atomically: true, encoding: .utf8)

    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    let reloader = RuleReloader(
      options: RuleSet.Options(rulePaths: [directory.path]), interval: .milliseconds(20))
    guard case .reloaded(let initial) = reloader.load(), let program = initial.program else {
      Issue.record("initial rules do not load")
      return
    }
    let engine = SyncEngine(
      source: source, target: target, program: program, ownership: SyncEngineTests.ownership)
    let codes = Results()
    let running = Task { try await engine.run() }
    let watching = Task {
      await reloader.watch(engine: engine, metrics: SyncMetrics(), logger: Logger(label: "test")) {
        if case .rejected(let diagnostics, _, let findings) = $0 {
          for diagnostic in diagnostics { codes.append(diagnostic.code.rawValue) }
          // One log event per finding, its position as numbers.
          for finding in findings {
            if case .stringConvertible(let line) = finding["line"], line is Int,
              case .string(let code) = finding["code"], code.hasPrefix("E")
            {
              codes.append("event \(code)")
            }
          }
        }
      }
    }
    defer {
      running.cancel()
      watching.cancel()
    }
    let web = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
    try await SyncEngineTests.waitUntil { target.object(web)?["spec"]?["replicas"] == .int(0) }

    let depth = 10_000
    let deep =
      "rule deep match v1 ConfigMap {\n"
      + String(repeating: "when data.a == \"1\" {\n", count: depth) + "drop\n"
      + String(repeating: "}\n", count: depth) + "}\n"
    try deep.write(
      to: directory.url.appendingPathComponent("deep.sync"), atomically: true, encoding: .utf8)
    try await SyncEngineTests.waitUntil { codes.all.count >= 2 }
    #expect(codes.all == ["E0118", "event E0118"])

    // The loop is alive and still runs the old rules.
    source.publish(SyncEngineTests.deployment("api"))
    let api = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "api")
    try await SyncEngineTests.waitUntil { target.object(api)?["spec"]?["replicas"] == .int(0) }
  }
}
