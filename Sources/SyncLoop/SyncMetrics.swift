import Prometheus
import Synchronization

/// The loop's Prometheus metrics. Names follow what users already chart for Kubernetes
/// controllers: controller-runtime's `controller_runtime_reconcile_*`, client-go's
/// `workqueue_*` (label `name`) and `rest_client_*`, the Prometheus client's `process_*`,
/// and `syncrules_*` for the rest.
public final class SyncMetrics: Sendable {
  /// The `controller` label of the reconcile metrics and the `name` of the work queue.
  public static let controllerName = "syncrules"

  public let registry: PrometheusCollectorRegistry
  private let latency: DurationHistogram
  private let inSync: Gauge
  private let queueDepth: Gauge
  private let queueAdds: Counter
  private let queueRetries: Counter
  private let queueDuration: DurationHistogram
  private let workDuration: DurationHistogram
  private let reconcileTime: DurationHistogram
  private let reconcileErrors: Counter
  private let process = ProcessMetrics()
  private let shardsHeld: Gauge
  private let shardGauges = Mutex(ShardGauges())

  /// Per-shard values of the gauges that several engines in one process set.
  struct ShardGauges {
    var inSync: [Int: Int] = [:]
    var queueDepth: [Int: Int] = [:]

    /// Stores one shard's value and returns the sum over the shards.
    mutating func set(_ gauge: WritableKeyPath<Self, [Int: Int]>, _ value: Int, shard: Int) -> Int {
      self[keyPath: gauge][shard] = value
      return self[keyPath: gauge].values.reduce(0, +)
    }
  }

  /// The `target` label of this instance's series: several standbys share one registry,
  /// one instance each. nil (one standby): no such label.
  public let target: String?

  /// `labels`, and `target` when set: the series of one standby's engine.
  func labeled(_ labels: [(String, String)]) -> [(String, String)] {
    target.map { labels + [("target", $0)] } ?? labels
  }

  public init(
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), target: String? = nil
  ) {
    self.registry = registry
    self.target = target
    let target = target.map { [("target", $0)] } ?? []
    let name = [("name", Self.controllerName)] + target
    let controller = [("controller", Self.controllerName)] + target
    latency = registry.makeDurationHistogram(
      name: "syncrules_sync_latency_seconds", labels: target,
      buckets: [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30),
      ],
      help: "Time from a source change being seen to the rewritten object applied on the target.")
    inSync = registry.makeGauge(
      name: "syncrules_objects_in_sync", labels: target,
      help: "Source objects whose rewritten form is applied on the target.")
    queueDepth = registry.makeGauge(
      name: "workqueue_depth", labels: name, help: "Current depth of the work queue.")
    queueAdds = registry.makeCounter(
      name: "workqueue_adds_total", labels: name, help: "Total number of adds to the work queue.")
    queueRetries = registry.makeCounter(
      name: "workqueue_retries_total", labels: name,
      help: "Total number of retries handled by the work queue.")
    queueDuration = registry.makeDurationHistogram(
      name: "workqueue_queue_duration_seconds", labels: name, buckets: Self.queueBuckets,
      help: "How long a key stays in the work queue before being processed.")
    workDuration = registry.makeDurationHistogram(
      name: "workqueue_work_duration_seconds", labels: name, buckets: Self.queueBuckets,
      help: "How long processing a key from the work queue takes.")
    reconcileTime = registry.makeDurationHistogram(
      name: "controller_runtime_reconcile_time_seconds", labels: controller,
      buckets: Self.reconcileBuckets, help: "Length of time per reconciliation per controller.")
    shardsHeld = registry.makeGauge(
      name: "syncrules_shards_held",
      help: "Shards whose Lease this replica holds (sync --shards).")
    reconcileErrors = registry.makeCounter(
      name: "controller_runtime_reconcile_errors_total", labels: controller,
      help: "Total number of reconciliation errors per controller.")
    // Present from the start, as controller-runtime registers them, so that a rate over
    // a fresh process is 0 rather than absent.
    for result in ["success", "error", "requeue"] {
      _ = registry.makeCounter(
        name: "controller_runtime_reconcile_total",
        labels: [("controller", Self.controllerName), ("result", result)] + target,
        help: "Total number of reconciliations per controller.")
    }
    for cause in ["rate_limited", "queue_full", "write_failed"] {
      _ = registry.makeCounter(
        name: "syncrules_events_dropped_total", labels: [("cause", cause)] + target,
        help: "Kubernetes Events about failed objects that were not written to the target.")
    }
  }

  /// client-go's work-queue buckets: 1 µs to 10 s by powers of ten.
  private static let queueBuckets: [Duration] = [
    .microseconds(1), .microseconds(10), .microseconds(100), .milliseconds(1),
    .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10),
  ]
  /// controller-runtime's reconcile-time buckets, from 5 ms to a minute.
  private static let reconcileBuckets: [Duration] = [
    .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
    .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
    .seconds(5), .seconds(10), .seconds(15), .seconds(30), .seconds(60),
  ]
  /// client-go's request-latency buckets.
  private static let requestBuckets: [Duration] = [
    .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(250),
    .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(15),
    .seconds(30), .seconds(60),
  ]

  /// One reconciliation of a source object: how long it took and how it ended
  /// (`success`; `error` when it failed and is retried; `requeue` when it failed past the
  /// quick retries and waits for a slower one).
  public func reconciled(result: String, duration: Duration) {
    registry.makeCounter(
      name: "controller_runtime_reconcile_total",
      labels: labeled([("controller", Self.controllerName), ("result", result)]),
      help: "Total number of reconciliations per controller."
    ).increment()
    if result == "error" { reconcileErrors.increment() }
    reconcileTime.record(duration)
    workDuration.record(duration)
  }

  /// How long a key waited in the queue before a worker took it.
  public func waitedInQueue(_ duration: Duration) { queueDuration.record(duration) }

  /// One HTTP request to a cluster, as client-go's `rest_client_*` count them: `code` is
  /// the HTTP status, or `<error>` when no answer came.
  public func request(method: String, host: String, code: String, duration: Duration) {
    registry.makeCounter(
      name: "rest_client_requests_total",
      labels: [("code", code), ("host", host), ("method", method)],
      help: "Number of HTTP requests, partitioned by status code, method, and host."
    ).increment()
    registry.makeDurationHistogram(
      name: "rest_client_request_duration_seconds", labels: [("host", host), ("verb", method)],
      buckets: Self.requestBuckets,
      help: "Request latency in seconds. Broken down by verb, and host."
    ).record(duration)
  }

  private static func group(_ group: String) -> String { group.isEmpty ? "core" : group }

  public func synced(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_synced_total",
      labels: labeled([("group", Self.group(group)), ("kind", kind)]),
      help: "Objects applied to the target."
    ).increment()
  }

  public func unchanged(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_writes_unchanged_total",
      labels: labeled([("group", Self.group(group)), ("kind", kind)]),
      help: "Writes skipped because the rewritten object had not changed."
    ).increment()
  }

  public func failed(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_failed_total",
      labels: labeled([("group", Self.group(group)), ("kind", kind)]),
      help: "Objects that could not be rewritten or applied."
    ).increment()
  }

  /// `reason` is `skip`, `drop` or `unmatched`.
  public func skipped(group: String, kind: String, reason: String) {
    registry.makeCounter(
      name: "syncrules_objects_skipped_total",
      labels: labeled([("group", Self.group(group)), ("kind", kind), ("reason", reason)]),
      help: "Source objects not synced: skipped, dropped by a rule, or matched by no rule."
    ).increment()
  }

  public func pruned(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_pruned_total",
      labels: labeled([("group", Self.group(group)), ("kind", kind)]),
      help: "Target objects deleted because their source is gone or no longer matches."
    ).increment()
  }

  public func watchRestarted(resource: String) {
    registry.makeCounter(
      name: "syncrules_watch_restarts_total", labels: labeled([("resource", resource)]),
      help: "Watches restarted (dropped connections, expired resource versions)."
    ).increment()
  }

  public func lastSync(resource: String, seconds: Double) {
    registry.makeGauge(
      name: "syncrules_last_sync_timestamp_seconds", labels: labeled([("resource", resource)]),
      help: "Unix time of the last successful apply or prune for the resource."
    ).set(seconds)
  }

  /// `result` is `success` or `failure`.
  public func ruleReload(result: String) {
    registry.makeCounter(
      name: "syncrules_rule_reloads_total", labels: labeled([("result", result)]),
      help: "Rule file reloads, by result."
    ).increment()
  }

  /// `leader_election_master_status`: 1 while this replica holds the lease.
  public func setLeader(_ leading: Bool, name: String) {
    registry.makeGauge(
      name: "leader_election_master_status", labels: [("name", name)],
      help: "1 while this replica is the leader, 0 otherwise."
    ).set(leading ? 1.0 : 0.0)
  }

  /// An Event not written: `cause` is `rate_limited` (the spam filter), `queue_full` or
  /// `write_failed` (the target refused it or could not be reached).
  public func eventDropped(cause: String) {
    registry.makeCounter(
      name: "syncrules_events_dropped_total", labels: labeled([("cause", cause)]),
      help: "Kubernetes Events about failed objects that were not written to the target."
    ).increment()
  }

  public func observeLatency(_ duration: Duration) { latency.record(duration) }
  /// Sets one shard's count (shard 0 without sharding); the gauge shows the sum over
  /// the shards this process runs.
  public func setInSync(_ count: Int, shard: Int = 0) {
    inSync.set(Double(shardGauges.withLock { $0.set(\.inSync, count, shard: shard) }))
  }

  /// Sets one shard's queue depth; the gauge shows the sum.
  public func setQueueDepth(_ depth: Int, shard: Int = 0) {
    queueDepth.set(Double(shardGauges.withLock { $0.set(\.queueDepth, depth, shard: shard) }))
  }

  /// A shard this process gave up: its counts leave the sums.
  public func forgetShard(_ shard: Int) {
    let (synced, depth) = shardGauges.withLock { gauges in
      gauges.inSync[shard] = nil
      gauges.queueDepth[shard] = nil
      return (gauges.inSync.values.reduce(0, +), gauges.queueDepth.values.reduce(0, +))
    }
    inSync.set(Double(synced))
    queueDepth.set(Double(depth))
  }

  /// How many shards this process holds (`--shards`).
  public func setShardsHeld(_ count: Int) { shardsHeld.set(Double(count)) }
  public func queueAdded() { queueAdds.increment() }
  public func queueRetried() { queueRetries.increment() }

  /// The Prometheus text exposition of every metric, `process_*` read now.
  public func exposition() -> String {
    process.update(registry)
    return registry.emitToString()
  }
}
