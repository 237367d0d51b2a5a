import Foundation
import KubeClient
import KubeModel
import Logging
import SyncValue

/// Shares `--shards N` among the replicas of `sync --leader-elect`, through Leases on the
/// target cluster only.
///
/// Each shard is a Lease (`NAME-shard-I`) with client-go's election rules: its holder
/// syncs that shard's objects (``ShardFilter``), and when the holder dies its Lease
/// expires and another replica takes the shard over. Replicas announce themselves with a
/// Lease each (`NAME-member-IDENTITY`, renewed like the others), so every replica knows
/// how many there are and holds at most ⌈N / replicas⌉ shards: a replica that joins gets
/// its share from replicas holding more, which give the surplus up (releasing the
/// Lease, so the taker does not wait for it to expire). Member Leases that stopped being
/// renewed are deleted by the others.
public actor ShardCoordinator {
  /// What to run for a shard while its Lease is held. `fence` must gate every write the
  /// work makes (``KubeClient/gateWrites(_:)``); the work ends when cancelled.
  public typealias ShardWork =
    @Sendable (_ shard: ShardFilter, _ fence: LeaderElector.WriteFence) async throws -> Void

  let client: KubeClient
  let shards: Int
  /// The base Lease name and namespace, this replica's identity, and the timings.
  let election: LeaderElector.Settings
  let metrics: SyncMetrics
  let logger: Logger
  let work: ShardWork
  private var held: Set<Int> = []
  private var reserved: Set<Int> = []
  private var attempts: [Int: Task<Void, any Error>] = [:]
  private var members = 1
  private var observedMembers: [String: (record: String, at: ContinuousClock.Instant)] = [:]

  public init(
    client: KubeClient, shards: Int, election: LeaderElector.Settings, metrics: SyncMetrics,
    logger: Logger, work: @escaping ShardWork
  ) {
    self.client = client
    self.shards = shards
    self.election = election
    self.metrics = metrics
    self.logger = logger
    self.work = work
  }

  /// The shards this replica holds now.
  public var heldShards: Set<Int> { held }

  /// The most shards one replica should hold with the members seen.
  var share: Int { (shards + members - 1) / max(1, members) }

  var memberLeaseName: String { "\(election.name)-member-\(Self.dnsLabel(election.identity))" }

  /// Contends for shards and keeps the share balanced until cancelled; then stops the
  /// shards' work (their in-flight writes finish), releases their Leases and deletes this
  /// replica's member Lease.
  public func run() async throws {
    // Announce, then look for a lease duration before taking any shard: replicas
    // started together (a rollout, a scale-up) all see each other first and divide the
    // shards without moving them afterwards.
    let joined = ContinuousClock.now
    while ContinuousClock.now - joined < election.leaseDuration {
      await renewMembership()
      await countMembers()
      try await Task.sleep(for: election.retryPeriod)
    }
    logger.info(
      "contending for shards",
      metadata: ["shards": "\(shards)", "members": "\(members)", "share": "\(share)"])
    await withTaskGroup(of: Void.self) { group in
      for shard in 0..<shards { group.addTask { await self.contend(for: shard) } }
      group.addTask { await self.balance() }
      await group.waitForAll()
    }
    // From a task of its own: this one is cancelled, and the delete must still go out.
    await Task { await self.leaveMembership() }.value
  }

  /// Runs the shard's election until cancelled: waits for its Lease while this replica
  /// is below its share, runs the work while holding it, and after losing or giving it
  /// up waits a retry period and contends again.
  private func contend(for shard: Int) async {
    var settings = election
    settings.name = "\(election.name)-shard-\(shard)"
    let elector = LeaderElector(
      client: client, settings: settings, metrics: metrics, logger: logger)
    let filter = ShardFilter(index: shard, count: shards)
    while !Task.isCancelled {
      let work = self.work
      let attempt = Task {
        try await elector.run(
          mayAcquire: { await self.reserve(shard) },
          attempted: { await self.attempted(shard, acquired: $0) }
        ) {
          await self.took(shard)
          try await work(filter, elector.fence)
        }
      }
      attempts[shard] = attempt
      do {
        try await withTaskCancellationHandler {
          try await attempt.value
        } onCancel: {
          attempt.cancel()
        }
      } catch is LeaderElector.LeadershipLost {
        logger.error("lost the lease of shard \(shard): its work stopped")
      } catch is CancellationError {
      } catch {
        logger.error("shard \(shard) stopped", metadata: ["error": "\(error)"])
      }
      attempts[shard] = nil
      gaveUp(shard)
      try? await Task.sleep(for: election.retryPeriod)
    }
  }

  /// Whether to try for `shard` now: only below the share, counting the attempts in
  /// flight, so that this replica's contenders, all trying at once, cannot overshoot.
  private func reserve(_ shard: Int) -> Bool {
    guard held.count + reserved.count < share else { return false }
    reserved.insert(shard)
    return true
  }

  private func attempted(_ shard: Int, acquired: Bool) {
    reserved.remove(shard)
    if acquired { held.insert(shard) }
  }

  private func took(_ shard: Int) {
    held.insert(shard)
    metrics.setShardsHeld(held.count)
    logger.info("took shard \(shard)", metadata: ["held": "\(held.sorted())"])
  }

  private func gaveUp(_ shard: Int) {
    guard held.remove(shard) != nil else { return }
    metrics.setShardsHeld(held.count)
    metrics.forgetShard(shard)
  }

  /// Every retry period: renew the member Lease, count the members, and give up one
  /// shard (the highest) while holding more than the share.
  private func balance() async {
    while !Task.isCancelled {
      try? await Task.sleep(for: election.retryPeriod)
      guard !Task.isCancelled else { return }
      await renewMembership()
      await countMembers()
      if held.count > share, let surplus = held.max(), let attempt = attempts[surplus] {
        logger.info(
          "giving shard \(surplus) up to another replica",
          metadata: ["members": "\(members)", "share": "\(share)"])
        attempt.cancel()
      }
    }
  }

  // MARK: Membership

  static let leases = LeaderElector.leases

  /// Creates or renews this replica's member Lease; failures only delay the count.
  private func renewMembership() async {
    let now = LeaderElector.microTime(Date())
    var lease: Value = [
      "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
      "metadata": ["name": .string(memberLeaseName), "namespace": .string(election.namespace)],
      "spec": [
        "holderIdentity": .string(election.identity),
        "leaseDurationSeconds": .int(Int64(election.leaseDuration.components.seconds)),
        "renewTime": .string(now),
      ],
    ]
    do {
      if let live = try await client.get(
        Self.leases, namespace: election.namespace, name: memberLeaseName)
      {
        if case .object(var root) = lease, case .object(var metadata)? = root["metadata"] {
          metadata["resourceVersion"] = live["metadata"]?["resourceVersion"]
          root["metadata"] = .object(metadata)
          lease = .object(root)
        }
        _ = try await client.replace(lease, in: Self.leases)
      } else {
        _ = try await client.create(lease, in: Self.leases)
      }
    } catch  where !Task.isCancelled {
      logger.warning("member lease not renewed", metadata: ["error": "\(error)"])
    } catch {}
  }

  /// Counts the member Leases renewed within a lease duration (as this replica saw them
  /// change, on its own clock), itself included, and deletes those unrenewed for three.
  private func countMembers() async {
    guard
      let leases = try? await client.list(Self.leases, namespace: election.namespace).items
    else { return }
    let prefix = "\(election.name)-member-"
    var live = 1
    for lease in leases {
      guard let name = lease["metadata"]?["name"]?.stringValue, name.hasPrefix(prefix),
        name != memberLeaseName
      else { continue }
      let record =
        (lease["spec"]?["holderIdentity"]?.stringValue ?? "")
        + (lease["spec"]?["renewTime"]?.stringValue ?? "")
      if observedMembers[name]?.record != record { observedMembers[name] = (record, .now) }
      let unchanged = ContinuousClock.now - (observedMembers[name]?.at ?? .now)
      if unchanged < election.leaseDuration {
        live += 1
      } else if unchanged > election.leaseDuration * 3 {
        let uid = lease["metadata"]?["uid"]?.stringValue
        try? await client.delete(
          Self.leases, namespace: election.namespace, name: name,
          preconditions: DeletePreconditions(uid: uid))
        observedMembers[name] = nil
      }
    }
    members = live
  }

  private func leaveMembership() async {
    do {
      try await client.delete(Self.leases, namespace: election.namespace, name: memberLeaseName)
    } catch {
      logger.warning("member lease not deleted", metadata: ["error": "\(error)"])
    }
  }

  /// `identity` as a DNS label part: lower case, `-` for anything else, at most 200
  /// characters (a Lease name may have 253).
  static func dnsLabel(_ identity: String) -> String {
    let mapped = identity.lowercased().unicodeScalars.map { scalar -> Character in
      ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
    }
    return String(String(mapped).prefix(200))
  }
}
