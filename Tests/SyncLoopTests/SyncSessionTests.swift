import Foundation
import KubeAPIServer
import KubeClient
import Logging
import SyncDriver
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

/// The wiring `syncrules sync` and `diff` use, driven without a process: settings in,
/// the engine, the Lease, the health server and the reloader out.
@Suite(.serialized)
struct SyncSessionTests {
  /// Lines a session printed, in order.
  final class Printed: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
  }

  struct Rig {
    var production: KubeAPIServer
    var standby: KubeAPIServer
    var source: KubeClient
    var target: KubeClient
    var rulesPath: String
    var printed = Printed()

    func session(_ configure: (inout SyncSession.Settings) -> Void = { _ in }) throws
      -> SyncSession
    {
      var settings = SyncSession.Settings(
        rules: RuleSet.Options(rulePaths: [rulesPath]), sourceName: "production")
      settings.metricsAddress = ""
      configure(&settings)
      let ruleSet = try RuleSet.load(settings.rules)
      let program = try #require(ruleSet.program, "\(ruleSet.renderedDiagnostics())")
      let printed = self.printed
      return SyncSession(
        settings: settings, program: program, source: source, target: target,
        logger: Logger(label: "test"), print: { printed.append($0) })
    }

    var deployments: [Value] {
      standby.objects(group: "apps", version: "v1", plural: "deployments")
    }
  }

  /// The production server SyncSessionTests use: namespace shop and one Deployment,
  /// read-only to the loop's user.
  static let production = KubeAPIServer.Configuration(
    tokens: ["sync": "syncrules"], readOnlyUsers: ["syncrules"],
    initialObjects: [
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
      LiveSyncTests.deployment("web"),
    ])

  /// Runs `body` with two API servers, clients for them as the loop's user (`sync`, read
  /// only on production) and `rules` in a file; afterwards checks that the loop wrote
  /// nothing to production, and shuts everything down.
  static func withRig(
    production: KubeAPIServer.Configuration = production,
    standby: KubeAPIServer.Configuration = .init(tokens: ["sync": "syncrules"]),
    rules: String = LiveSyncTests.rules, _ body: (Rig) async throws -> Void
  ) async throws {
    let production = try await KubeAPIServer.start(production)
    let standby = try await KubeAPIServer.start(standby)
    let rulesPath = NSTemporaryDirectory() + "session-\(UUID().uuidString).sync"
    try rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
    func client(_ server: KubeAPIServer, readOnly: Bool) throws -> KubeClient {
      try KubeClient(
        try Kubeconfig.parse(try server.kubeconfig(user: .token("sync"))).configuration(),
        readOnly: readOnly)
    }
    let rig = Rig(
      production: production, standby: standby, source: try client(production, readOnly: true),
      target: try client(standby, readOnly: false), rulesPath: rulesPath)
    let outcome: Result<Void, any Error>
    do { outcome = .success(try await body(rig)) } catch { outcome = .failure(error) }
    let sourceWrites = production.nonReadRequests.filter { $0.user == "syncrules" }
    #expect(sourceWrites.isEmpty, "\(sourceWrites)")
    try? await rig.source.shutdown()
    try? await rig.target.shutdown()
    await production.shutdown()
    await standby.shutdown()
    try? FileManager.default.removeItem(atPath: rulesPath)
    try outcome.get()
  }

  @Test func onceAppliesAndDriftTurnsEmpty() async throws {
    try await Self.withRig { rig in
      let before = try await rig.session().drift()
      let missing = before.drift.compactMap { drift -> String? in
        if case .missing(let key, _) = drift { return "\(key)" }
        return nil
      }
      #expect(missing.contains("apps/Deployment:shop/web"), "\(missing)")
      let report = try await rig.session().runOnce()
      #expect(report.failed == 0)
      #expect(rig.printed.all.isEmpty, "only a dry run prints")
      #expect(rig.deployments.map { $0["spec"]?["replicas"] } == [.int(0)])
      let after = try await rig.session().drift()
      #expect(after.drift.isEmpty)
      #expect(after.failures.isEmpty)
    }
  }

  /// The continuous loop with leader election: it takes the Lease on the target, syncs,
  /// serves health on a free port, and stops when cancelled.
  @Test func runHoldsTheLeaseSyncsAndStopsWhenCancelled() async throws {
    try await Self.withRig { rig in
      let session = try rig.session {
        $0.metricsAddress = "127.0.0.1:0"
        $0.leaderElection = LeaderElector.Settings(
          name: "syncrules", namespace: "default", identity: "test")
      }
      let running = Task { try await session.run() }
      let standby = rig.standby
      try await LiveSyncTests.eventually("the copy on the standby") {
        !standby.objects(group: "apps", version: "v1", plural: "deployments").isEmpty
      }
      let leases = standby.objects(group: "coordination.k8s.io", version: "v1", plural: "leases")
      #expect(leases.map { $0["spec"]?["holderIdentity"] } == ["test"])
      running.cancel()
      _ = try? await running.value
    }
  }

  @Test(arguments: ["9090", "localhost", "a:b:c", "host:port"])
  func aMetricsAddressThatIsNotHostAndPortIsRefused(_ address: String) async throws {
    try await Self.withRig { rig in
      let session = try rig.session { $0.metricsAddress = address }
      await #expect(throws: SyncSession.InvalidSetting.self) { try await session.run() }
    }
  }
}
