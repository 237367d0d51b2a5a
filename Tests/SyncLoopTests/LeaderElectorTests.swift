import KubeAPIServer
import KubeClient
import KubeModel
import Logging
import SyncLoop
import SyncValue
import Testing

@Suite(.serialized)
struct LeaderElectorTests {
  final class Counter: @unchecked Sendable {
    private let lock = NSLockish()
    private var value = 0
    func increment() { lock.locked { value += 1 } }
    var current: Int { lock.locked { value } }
  }

  /// Short retries; a lease long enough that only a release (not expiry) can hand over
  /// within the tests' waits, unless a test shortens it.
  static func settings(_ identity: String, lease: Duration = .seconds(60)) -> LeaderElector.Settings
  {
    var settings = LeaderElector.Settings(
      name: "syncrules", namespace: "default", identity: identity)
    settings.leaseDuration = lease
    settings.renewDeadline = .milliseconds(400)
    settings.retryPeriod = .milliseconds(50)
    return settings
  }

  static func client(_ server: KubeAPIServer) throws -> KubeClient {
    try KubeClient(try Kubeconfig.parse(try server.kubeconfig()).configuration())
  }

  @Test func oneReplicaLeadsAndAReleasedLeaseIsTakenOverAtOnce() async throws {
    let server = try await KubeAPIServer.start()
    let clients = [try Self.client(server), try Self.client(server)]
    defer {
      Task {
        for client in clients { try? await client.shutdown() }
        await server.shutdown()
      }
    }
    let first = LeaderElector(
      client: clients[0], settings: Self.settings("a"), metrics: SyncMetrics(),
      logger: Logger(label: "a"))
    let second = LeaderElector(
      client: clients[1], settings: Self.settings("b"), metrics: SyncMetrics(),
      logger: Logger(label: "b"))
    let firstWork = Counter()
    let secondWork = Counter()
    let leading = Task {
      try await first.run {
        firstWork.increment()
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
      }
    }
    try await SyncEngineTests.waitUntil { await first.isLeader }
    let waiting = Task { try await second.run { secondWork.increment() } }
    try await Task.sleep(for: .milliseconds(300))
    #expect(secondWork.current == 0)
    #expect(!(await second.isLeader))
    leading.cancel()
    try await leading.value
    // The lease lasts a minute: only the release lets the second replica in this soon.
    try await SyncEngineTests.waitUntil { secondWork.current == 1 }
    _ = try? await waiting.value
    #expect(firstWork.current == 1)
  }

  @Test func anExpiredLeaseIsTakenOver() async throws {
    let server = try await KubeAPIServer.start()
    let client = try Self.client(server)
    defer {
      Task {
        try? await client.shutdown()
        await server.shutdown()
      }
    }
    // A leader that vanished without releasing: its lease is never renewed again.
    _ = try await client.create(
      [
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
        "metadata": ["name": "syncrules", "namespace": "default"],
        "spec": [
          "holderIdentity": "ghost", "leaseDurationSeconds": 1,
          "renewTime": "2026-01-01T00:00:00.000000Z", "leaseTransitions": 3,
        ],
      ],
      in: ResourceType(
        group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases",
        namespaced: true))
    let elector = LeaderElector(
      client: client, settings: Self.settings("b", lease: .milliseconds(300)),
      metrics: SyncMetrics(), logger: Logger(label: "b"))
    let worked = Counter()
    let running = Task { try await elector.run { worked.increment() } }
    try await SyncEngineTests.waitUntil { worked.current == 1 }
    _ = try? await running.value
  }

  @Test func aLeaderThatCannotRenewStopsWorking() async throws {
    let server = try await KubeAPIServer.start()
    let client = try Self.client(server)
    defer {
      Task {
        try? await client.shutdown()
        await server.shutdown()
      }
    }
    let elector = LeaderElector(
      client: client, settings: Self.settings("a"), metrics: SyncMetrics(),
      logger: Logger(label: "a"))
    let stopped = Counter()
    let leading = Task {
      try await elector.run {
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
        stopped.increment()
      }
    }
    try await SyncEngineTests.waitUntil { await elector.isLeader }
    server.failNextRequests(1000, status: 500, pathPrefix: "/apis/coordination.k8s.io")
    await #expect(throws: LeaderElector.LeadershipLost.self) { try await leading.value }
    #expect(stopped.current == 1)
    server.clearFaults()
  }

  /// The fence opens with the lease and closes when renewal fails: a write the work
  /// attempts after that is refused before it leaves, and the lease's own requests pass.
  @Test func theFenceFollowsTheLease() async throws {
    let server = try await KubeAPIServer.start()
    let client = try Self.client(server)
    defer {
      Task {
        try? await client.shutdown()
        await server.shutdown()
      }
    }
    // The fence closes a renew deadline after the last renewal began: long enough here
    // that a loaded machine's scheduling does not close it while leading.
    var settings = Self.settings("a")
    settings.renewDeadline = .seconds(2)
    let elector = LeaderElector(
      client: client, settings: settings, metrics: SyncMetrics(), logger: Logger(label: "a"))
    client.gateWrites(elector.fence.allows)
    let configMaps = ResourceType(
      group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)
    func configMap(_ name: String) -> Value {
      [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name), "namespace": "default"],
      ]
    }
    #expect(!elector.fence.allows(method: "POST", path: "/api/v1/namespaces/default/configmaps"))
    await #expect {
      _ = try await client.create(configMap("before"), in: configMaps)
    } throws: { error in
      if case .fenced = error as? KubeError { return true }
      return false
    }
    let leading = Task {
      try await elector.run {
        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(10)) }
      }
    }
    try await SyncEngineTests.waitUntil { await elector.isLeader }
    _ = try await client.create(configMap("leading"), in: configMaps)
    server.failNextRequests(1000, status: 500, pathPrefix: "/apis/coordination.k8s.io")
    await #expect(throws: LeaderElector.LeadershipLost.self) { try await leading.value }
    server.clearFaults()
    server.clearRequests()
    await #expect {
      _ = try await client.create(configMap("after"), in: configMaps)
    } throws: { error in
      if case .fenced = error as? KubeError { return true }
      return false
    }
    #expect(server.nonReadRequests.isEmpty, "a fenced write reached the server")
    #expect(
      elector.fence.allows(
        method: "PUT", path: "/apis/coordination.k8s.io/v1/namespaces/default/leases/syncrules"))
    let names = server.objects(group: "", version: "v1", plural: "configmaps").compactMap {
      $0["metadata"]?["name"]?.stringValue
    }
    #expect(names == ["leading"])
  }
}
