import Foundation
import KubeClient
import KubeModel
import Logging
import SyncValue
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, with client-go's rules, so
/// several replicas can run and exactly one syncs.
///
/// The Lease lives on the target cluster: syncrules writes nothing to the source. Expiry
/// is judged by when this replica last saw the record change (its own clock), never by
/// the timestamps written by another replica, so clock skew cannot make two leaders.
public actor LeaderElector {
  /// Timings and identity; the defaults are client-go's.
  public struct Settings: Sendable {
    public var name: String
    public var namespace: String
    public var identity: String
    public var leaseDuration: Duration = .seconds(15)
    public var renewDeadline: Duration = .seconds(10)
    public var retryPeriod: Duration = .seconds(2)

    public init(name: String, namespace: String, identity: String) {
      self.name = name
      self.namespace = namespace
      self.identity = identity
    }
  }

  /// This replica could not renew within the renew deadline and stopped working.
  public struct LeadershipLost: Error, CustomStringConvertible {
    public var description: String { "lost the leader lease: stopped before it expired" }
  }

  static let leases = ResourceType(
    group: "coordination.k8s.io", version: "v1", kind: "Lease", plural: "leases", namespaced: true)

  /// Whether this replica may write now: while it leads and its last successful renewal
  /// began less than the renew deadline ago. Another replica takes over no sooner than a
  /// lease duration after it saw that renewal, so a replica that was paused (SIGSTOP, a
  /// stalled node) or cut off refuses its own writes before anyone else can start.
  public final class WriteFence: Sendable {
    private let renewedAt = Mutex<ContinuousClock.Instant?>(nil)
    let deadline: Duration
    let leasePathPrefix: String

    init(deadline: Duration, leaseNamespace: String) {
      self.deadline = deadline
      leasePathPrefix = "/apis/coordination.k8s.io/v1/namespaces/\(leaseNamespace)/leases"
    }

    /// True while the lease is ours and fresh; the lease's own requests always pass.
    public func allows(method: String, path: String) -> Bool {
      if path.hasPrefix(leasePathPrefix) { return true }
      guard let renewed = renewedAt.withLock({ $0 }) else { return false }
      return ContinuousClock.now - renewed < deadline
    }

    func renewed(at instant: ContinuousClock.Instant) { renewedAt.withLock { $0 = instant } }
    func close() { renewedAt.withLock { $0 = nil } }
  }

  let client: KubeClient
  let settings: Settings
  let metrics: SyncMetrics
  let logger: Logger
  /// Install with `client.gateWrites(fence.allows)` on the client `work` writes with.
  public nonisolated let fence: WriteFence
  private var observed: (record: String, at: ContinuousClock.Instant)?
  public private(set) var isLeader = false

  public init(client: KubeClient, settings: Settings, metrics: SyncMetrics, logger: Logger) {
    self.client = client
    self.settings = settings
    self.metrics = metrics
    self.logger = logger
    fence = WriteFence(deadline: settings.renewDeadline, leaseNamespace: settings.namespace)
  }

  /// Waits to become leader, runs `work` while leading, and returns when `work` returns
  /// or the task is cancelled (releasing the lease so another replica takes over at once).
  /// Throws ``LeadershipLost`` after cancelling `work` when renewing fails for longer than
  /// the renew deadline.
  ///
  /// `mayAcquire` is asked before each attempt to take the lease (not to renew it), and
  /// `attempted` told how it went: a replica holding its share of `--shards` leaves the
  /// rest to the others.
  public func run(
    mayAcquire: @escaping @Sendable () async -> Bool = { true },
    attempted: @escaping @Sendable (_ acquired: Bool) async -> Void = { _ in },
    _ work: @escaping @Sendable () async throws -> Void
  ) async throws {
    metrics.setLeader(false, name: settings.name)
    while true {
      if await mayAcquire() {
        let acquired = await tryAcquireOrRenew()
        await attempted(acquired)
        if acquired { break }
      }
      try await Task.sleep(for: settings.retryPeriod * Double.random(in: 1.0...1.2))
    }
    isLeader = true
    metrics.setLeader(true, name: settings.name)
    logger.info("became leader", metadata: ["lease": "\(settings.namespace)/\(settings.name)"])
    defer { metrics.setLeader(false, name: settings.name) }
    do {
      // Whichever ends first ends the leadership: the work (normally, or cancelled by
      // SIGTERM), or renewal failing past the deadline, which cancels the work and waits
      // for its in-flight writes before this replica stops.
      try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await work() }
        group.addTask { try await self.keepRenewing() }
        try await group.next()
        group.cancelAll()
      }
    } catch let lost as LeadershipLost {
      isLeader = false
      fence.close()
      throw lost
    } catch is CancellationError {
      // A graceful stop: fall through and release the lease.
    }
    // Released from a task of its own: this one may be cancelled (SIGTERM), and the
    // release request must still go out.
    await Task { await self.release() }.value
  }

  private func keepRenewing() async throws {
    var lastRenewal = ContinuousClock.now
    while true {
      try await Task.sleep(for: settings.retryPeriod)
      let began = ContinuousClock.now
      if await tryAcquireOrRenew() {
        lastRenewal = began
      } else if ContinuousClock.now - lastRenewal > settings.renewDeadline {
        logger.error("could not renew the leader lease within the deadline: stopping")
        throw LeadershipLost()
      }
    }
  }

  /// One client-go step: create the lease, renew ours, or take over an expired one. On
  /// success the fence counts from when the step began: the lease is ours from at
  /// most then.
  func tryAcquireOrRenew() async -> Bool {
    let began = ContinuousClock.now
    let renewed = await acquireOrRenew()
    if renewed { fence.renewed(at: began) }
    return renewed
  }

  private func acquireOrRenew() async -> Bool {
    let now = Self.microTime(Date())
    do {
      guard
        let lease = try await client.get(
          Self.leases, namespace: settings.namespace, name: settings.name)
      else {
        _ = try await client.create(
          leaseObject(holder: now, acquired: now, transitions: 0), in: Self.leases)
        observed = (settings.identity + now, .now)
        return true
      }
      let spec = lease["spec"]
      let holder = spec?["holderIdentity"]?.stringValue ?? ""
      let renewTime = spec?["renewTime"]?.stringValue ?? ""
      let record = holder + renewTime
      if observed?.record != record { observed = (record, .now) }
      let expired = ContinuousClock.now > (observed?.at ?? .now) + settings.leaseDuration
      if !holder.isEmpty && holder != settings.identity && !expired { return false }
      var transitions =
        spec?["leaseTransitions"].flatMap { value -> Int64? in
          if case .int(let count) = value { return count }
          return nil
        } ?? 0
      let acquired: String
      if holder == settings.identity {
        acquired = spec?["acquireTime"]?.stringValue ?? now
      } else {
        acquired = now
        transitions += 1
      }
      var updated = leaseObject(holder: now, acquired: acquired, transitions: transitions)
      if case .object(var root) = updated, case .object(var metadata)? = root["metadata"] {
        metadata["resourceVersion"] = lease["metadata"]?["resourceVersion"]
        root["metadata"] = .object(metadata)
        updated = .object(root)
      }
      _ = try await client.replace(updated, in: Self.leases)
      observed = (settings.identity + now, .now)
      return true
    } catch {
      // Cancelled (a shutdown, a shard given up): not a problem with the lease.
      if !Task.isCancelled {
        logger.warning("leader lease not acquired or renewed", metadata: ["error": "\(error)"])
      }
      return false
    }
  }

  /// Gives the lease up so a waiting replica takes over without waiting for expiry.
  func release() async {
    guard isLeader else { return }
    isLeader = false
    fence.close()
    do {
      guard
        let lease = try await client.get(
          Self.leases, namespace: settings.namespace, name: settings.name),
        lease["spec"]?["holderIdentity"]?.stringValue == settings.identity,
        case .object(var root) = lease, case .object(var spec)? = root["spec"]
      else { return }
      spec["holderIdentity"] = ""
      spec["leaseDurationSeconds"] = 1
      root["spec"] = .object(spec)
      _ = try await client.replace(.object(root), in: Self.leases)
      logger.info("released the leader lease")
    } catch {
      logger.warning("could not release the leader lease", metadata: ["error": "\(error)"])
    }
  }

  private func leaseObject(holder renewTime: String, acquired: String, transitions: Int64) -> Value
  {
    let seconds = Int64(settings.leaseDuration.components.seconds)
    return [
      "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
      "metadata": ["name": .string(settings.name), "namespace": .string(settings.namespace)],
      "spec": [
        "holderIdentity": .string(settings.identity), "leaseDurationSeconds": .int(seconds),
        "acquireTime": .string(acquired), "renewTime": .string(renewTime),
        "leaseTransitions": .int(transitions),
      ],
    ]
  }

  /// Kubernetes MicroTime: RFC 3339 with microseconds, UTC.
  static func microTime(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    var text = formatter.string(from: date)  // milliseconds: pad to microseconds
    if text.hasSuffix("Z") { text.removeLast() }
    return text + "000Z"
  }
}
