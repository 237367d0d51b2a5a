import KubeClient
import KubeModel
import SyncLoop
import SyncValue
import Testing

/// `diff` (``SyncEngine/drift()``) when the target cannot be read in full, and when it
/// does not serve a kind yet.
struct DriftTests {
  static let rules = "rule w match apps/v1 Deployment { set spec.replicas = 0 }"
  static let web = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")

  static func forbidden() -> any Error {
    ClusterError(
      side: .target, cluster: "context `standby`",
      underlying: KubeError.api(
        APIStatus(code: 403, reason: "Forbidden", message: "cannot list persistentvolumeclaims")))
  }

  static func unreachable() -> any Error {
    ClusterError(
      side: .target, cluster: "context `standby`",
      underlying: KubeError.transport("connection reset by peer"))
  }

  static func engine(source: FakeCluster, target: FakeCluster) throws -> SyncEngine {
    SyncEngine(
      source: source, target: target, program: try SyncEngineTests.program(rules),
      ownership: SyncEngineTests.ownership)
  }

  /// A resource the target fails to list, and whether diff must then fail.
  struct Refusal: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: String
    var error: @Sendable () -> any Error
    var throwsError: Bool

    var testDescription: String { name }
  }

  static let refusals = [
    // The loop's sweep skips such a kind too: no copy of it can be pruned.
    Refusal(
      name: "403 on a kind holding no desired copy", kind: "PersistentVolumeClaim",
      error: forbidden, throwsError: false),
    Refusal(
      name: "403 on the kind the desired copies live in", kind: "Deployment", error: forbidden,
      throwsError: true),
    Refusal(
      name: "a connection lost listing a kind holding no desired copy",
      kind: "PersistentVolumeClaim", error: unreachable, throwsError: true),
  ]

  @Test(arguments: refusals)
  func aTargetListThatFailsIsAnErrorUnlessTheSweepWouldSkipItToo(_ refusal: Refusal) async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster()
    target.failingLists = [refusal.kind: refusal.error()]
    let engine = try Self.engine(source: source, target: target)
    do {
      let report = try await engine.drift()
      #expect(!refusal.throwsError, "drift returned \(report.drift.count) objects")
      #expect(report.drift.count == 1)
    } catch let error as ClusterError {
      #expect(refusal.throwsError, "\(error)")
    }
  }

  /// A custom resource whose CRD the target does not serve yet is missing, not left out.
  @Test func aCopyOfAKindTheTargetDoesNotServeIsMissing() async throws {
    let source = FakeCluster()
    source.put(SyncEngineTests.deployment("web"))
    let target = FakeCluster(resources: FakeCluster.standardResources.filter { $0.group.isEmpty })
    let report = try await Self.engine(source: source, target: target).drift()
    #expect(report.drift.count == 1)
    guard case .missing(let key, _)? = report.drift.first else {
      Issue.record("expected the Deployment to be missing: \(report.drift)")
      return
    }
    #expect(key == Self.web)
  }
}
