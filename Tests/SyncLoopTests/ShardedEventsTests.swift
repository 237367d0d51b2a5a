import KubeAPIServer
import KubeClient
import SyncLoop
import SyncValue
import Testing

/// Sharded, each shard reports failures as Events through the shard's own client, whose
/// writes its Lease fences: a replica that lost a shard writes nothing more for it, not
/// even an Event it had queued just before. (Through the replica's base client, as
/// before, Events went on being written after the fence closed.)
@Suite(.serialized)
struct ShardedEventsTests {
  @Test func aShardsEventsStopWithItsLease() async throws {
    var production = SyncSessionTests.production
    production.tokens["op"] = "operator"
    try await SyncSessionTests.withRig(production: production) { rig in
      let operatorClient = try KubeClient(
        try Kubeconfig.parse(try rig.production.kubeconfig(user: .token("op"))).configuration())
      defer { Task { try? await operatorClient.shutdown() } }
      // Every apply of the Deployment fails, so the loop keeps reporting it.
      rig.standby.failNextRequests(
        1_000_000, status: 500, method: "PATCH",
        pathPrefix: "/apis/apps/v1/namespaces/shop/deployments")
      var election = LeaderElector.Settings(
        name: "syncrules", namespace: "default", identity: "replica-a")
      election.leaseDuration = .seconds(2)
      election.renewDeadline = .milliseconds(1500)
      election.retryPeriod = .milliseconds(200)
      let session = try rig.session {
        $0.leaderElection = election
        $0.shards = 2
        // Every failure becomes an Event, up to the fence: none is held back by the spam
        // filter, which would hide the writes that must not happen.
        $0.eventLimits.objectBurst = 10_000
        $0.eventLimits.totalBurst = 10_000
      }
      let running = Task { try await session.run() }
      defer { running.cancel() }
      let standby = rig.standby
      @Sendable func eventWrites() -> [RecordedRequest] {
        standby.requests.filter {
          $0.isWrite && $0.path.contains("/events") && (200..<300).contains($0.status)
        }
      }
      try await LiveSyncTests.eventually("an Event about the failing apply") {
        !eventWrites().isEmpty
      }
      let event = try #require(
        standby.objects(group: "", version: "v1", plural: "events", namespace: "shop").first)
      #expect(event["involvedObject"]?["name"] == "web")
      #expect(event["reason"] == "ApplyFailed")
      // The Leases can no longer be renewed: each shard's fence closes at its renew
      // deadline, and from then on its client refuses every write, Events included. The
      // Deployment keeps changing meanwhile, so that until the replica notices and stops
      // the shard, applies are tried, refused by the fence, and reported.
      rig.standby.failNextRequests(
        1_000_000, status: 500, method: "PUT", pathPrefix: "/apis/coordination.k8s.io")
      let end = ContinuousClock.now + election.leaseDuration * 2
      var version = 1
      while ContinuousClock.now < end {
        version += 1
        _ = try await operatorClient.apply(
          LiveSyncTests.deployment("web", image: "web:\(version)"), to: LiveSyncTests.deployments,
          fieldManager: "operator")
        try await Task.sleep(for: .milliseconds(50))
      }
      // A fence closes a renew deadline after its last renewal began (before its answer);
      // a write let through just before may be answered a moment after.
      // (Taken or renewed: a shard's Lease is created with a POST to the collection.)
      let renewals = standby.requests.filter {
        $0.isWrite && $0.path.contains("/leases") && !$0.path.contains("-member-")
          && (200..<300).contains($0.status)
      }
      let lastRenewal = try #require(renewals.map(\.time).max())
      let cutOff = lastRenewal + election.renewDeadline + .milliseconds(50)
      let late = eventWrites().filter { $0.time > cutOff }
      #expect(late.isEmpty, "\(late.map { "\($0.method) \($0.path)" })")
      running.cancel()
      _ = try? await running.value
    }
  }
}
