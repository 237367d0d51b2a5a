import Prometheus

/// The loop's Prometheus metrics. Names follow what users already chart: client-go's
/// `workqueue_*`, and `syncrules_*` for the rest.
public final class SyncMetrics: Sendable {
  public let registry: PrometheusCollectorRegistry
  private let latency: DurationHistogram
  private let inSync: Gauge
  private let queueDepth: Gauge
  private let queueAdds: Counter
  private let queueRetries: Counter

  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    self.registry = registry
    latency = registry.makeDurationHistogram(
      name: "syncrules_sync_latency_seconds",
      buckets: [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10), .seconds(30),
      ],
      help: "Time from a source change being seen to the rewritten object applied on the target.")
    inSync = registry.makeGauge(
      name: "syncrules_objects_in_sync",
      help: "Source objects whose rewritten form is applied on the target.")
    queueDepth = registry.makeGauge(name: "workqueue_depth", help: "Keys waiting to be processed.")
    queueAdds = registry.makeCounter(name: "workqueue_adds_total", help: "Keys added to the queue.")
    queueRetries = registry.makeCounter(
      name: "workqueue_retries_total", help: "Keys queued again after a failure.")
  }

  private static func group(_ group: String) -> String { group.isEmpty ? "core" : group }

  public func synced(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_synced_total",
      labels: [("group", Self.group(group)), ("kind", kind)],
      help: "Objects applied to the target."
    ).increment()
  }

  public func unchanged(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_writes_unchanged_total",
      labels: [("group", Self.group(group)), ("kind", kind)],
      help: "Writes skipped because the rewritten object had not changed."
    ).increment()
  }

  public func failed(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_failed_total",
      labels: [("group", Self.group(group)), ("kind", kind)],
      help: "Objects that could not be rewritten or applied."
    ).increment()
  }

  /// `reason` is `skip`, `drop` or `unmatched`.
  public func skipped(group: String, kind: String, reason: String) {
    registry.makeCounter(
      name: "syncrules_objects_skipped_total",
      labels: [("group", Self.group(group)), ("kind", kind), ("reason", reason)],
      help: "Source objects not synced: skipped, dropped by a rule, or matched by no rule."
    ).increment()
  }

  public func pruned(group: String, kind: String) {
    registry.makeCounter(
      name: "syncrules_objects_pruned_total",
      labels: [("group", Self.group(group)), ("kind", kind)],
      help: "Target objects deleted because their source is gone or no longer matches."
    ).increment()
  }

  public func watchRestarted(resource: String) {
    registry.makeCounter(
      name: "syncrules_watch_restarts_total", labels: [("resource", resource)],
      help: "Watches restarted (dropped connections, expired resource versions)."
    ).increment()
  }

  public func lastSync(resource: String, seconds: Double) {
    registry.makeGauge(
      name: "syncrules_last_sync_timestamp_seconds", labels: [("resource", resource)],
      help: "Unix time of the last successful apply or prune for the resource."
    ).set(seconds)
  }

  /// `result` is `success` or `failure`.
  public func ruleReload(result: String) {
    registry.makeCounter(
      name: "syncrules_rule_reloads_total", labels: [("result", result)],
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

  public func observeLatency(_ duration: Duration) { latency.record(duration) }
  public func setInSync(_ count: Int) { inSync.set(Double(count)) }
  public func setQueueDepth(_ depth: Int) { queueDepth.set(Double(depth)) }
  public func queueAdded() { queueAdds.increment() }
  public func queueRetried() { queueRetries.increment() }

  /// The Prometheus text exposition of every metric.
  public func exposition() -> String { registry.emitToString() }
}
