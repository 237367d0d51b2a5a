import Foundation
import KubeAPIServer
import KubeClient
import Logging
import SyncDriver
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

/// A cluster that cannot be reached, or refuses the credentials, stops `--once`, the
/// loop and `diff` at the start with one error naming it — never one failure per object,
/// and never drift.
@Suite(.serialized)
struct ClusterFailureTests {
  /// What is wrong with the target in each case, and what the error must say.
  enum Breakage: String, CaseIterable, Sendable {
    case closedPort
    case wrongToken

    var expected: String {
      switch self {
      case .closedPort:
        return "cannot reach the target cluster (context `test`, http://127.0.0.1:1): "
          + "connection refused — is the API server running and the address right?"
      case .wrongToken:
        return "the target cluster (context `test`, http://127.0.0.1:"
      }
    }
  }

  /// A production server with a Namespace and a Deployment, a standby broken as told,
  /// and an engine between them; `body` gets the engine, and everything is shut down
  /// afterwards.
  static func withBrokenTarget(
    _ breakage: Breakage, _ body: @Sendable (SyncEngine, KubeAPIServer) async throws -> Void
  ) async throws {
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["sync": "syncrules"], readOnlyUsers: ["syncrules"],
        initialObjects: [
          ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
          LiveSyncTests.deployment("web"),
        ]))
    let standby = try await KubeAPIServer.start(.init(tokens: ["sync": "syncrules"]))
    let source = try KubeClient(
      try Kubeconfig.parse(try production.kubeconfig(user: .token("sync"))).configuration(),
      readOnly: true)
    var targetConfig = try Kubeconfig.parse(
      try standby.kubeconfig(user: .token(breakage == .wrongToken ? "wrong" : "sync"))
    ).configuration()
    if breakage == .closedPort { targetConfig.server = "http://127.0.0.1:1" }
    let target = try KubeClient(targetConfig)
    let ruleSet = RuleSet.load(text: LiveSyncTests.rules)
    let program = try #require(ruleSet.program)
    let logger = Logger(label: "test")
    let engine = SyncEngine(
      source: try KubeSourceCluster(client: source, logger: logger),
      target: KubeTargetCluster(client: target, logger: logger), program: program,
      ownership: Ownership(sourceCluster: "production"),
      options: SyncOptions(workers: 2, maximumAttempts: 2), logger: logger)
    do {
      try await body(engine, standby)
    } catch {
      Issue.record("\(error)")
    }
    try? await source.shutdown()
    try? await target.shutdown()
    await production.shutdown()
    await standby.shutdown()
  }

  static func expectClusterError(
    _ error: any Error, _ breakage: Breakage, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let error = error as? ClusterError else {
      Issue.record("expected a ClusterError, got \(error)", sourceLocation: sourceLocation)
      return
    }
    #expect(error.side == .target, sourceLocation: sourceLocation)
    #expect(
      error.description.hasPrefix(breakage.expected), "\(error)", sourceLocation: sourceLocation)
    if breakage == .wrongToken {
      #expect(
        error.description.contains("refused the credentials (401 Unauthorized)"), "\(error)",
        sourceLocation: sourceLocation)
    }
  }

  @Test(arguments: Breakage.allCases)
  func onceStopsWithOneErrorNamingTheTarget(_ breakage: Breakage) async throws {
    try await Self.withBrokenTarget(breakage) { engine, _ in
      do {
        let report = try await engine.runOnce()
        Issue.record("runOnce returned: \(report.failed) failed of \(report.resources.count)")
      } catch {
        Self.expectClusterError(error, breakage)
      }
    }
  }

  @Test(arguments: Breakage.allCases)
  func theLoopStopsAtStartWithOneErrorNamingTheTarget(_ breakage: Breakage) async throws {
    try await Self.withBrokenTarget(breakage) { engine, _ in
      let running = Task { try await engine.run() }
      let stopper = Task {
        try await Task.sleep(for: .seconds(20))
        running.cancel()
      }
      defer { stopper.cancel() }
      do {
        try await running.value
        Issue.record("the loop ran on without the target")
      } catch {
        Self.expectClusterError(error, breakage)
      }
    }
  }

  @Test(arguments: Breakage.allCases)
  func driftIsNeverReportedForAnUnreadableTarget(_ breakage: Breakage) async throws {
    try await Self.withBrokenTarget(breakage) { engine, _ in
      do {
        let drift = try await engine.drift()
        Issue.record("drift returned \(drift.drift.count) objects")
      } catch {
        Self.expectClusterError(error, breakage)
      }
    }
  }
}
