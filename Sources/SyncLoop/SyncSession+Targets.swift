import KubeClient
import Logging
import Prometheus
import SyncDriver
import SyncProgram

/// One standby of several (`sync --to-context a --to-context b=rules-b.sync`).
public struct SyncTarget: Sendable {
  /// The `target` label of its metrics and the `target` field of its log lines.
  public var name: String
  public var client: KubeClient
  public var program: PatchProgram
  /// Where its rules come from, reloaded from there.
  public var rules: RuleSet.Options

  public init(name: String, client: KubeClient, program: PatchProgram, rules: RuleSet.Options) {
    self.name = name
    self.client = client
    self.program = program
    self.rules = rules
  }
}

/// The continuous loop into several standbys from one watch of the source.
///
/// Each standby has its own engine (queue, retries, backoff, rules, Events), so one that
/// is slow or unreachable holds up none of the others: its share of the source events
/// waits in its own buffer (``SharedSource``). Metrics carry a `target` label. With
/// leader election, the Lease is on the first target, and every target's writes pass
/// the leader's fence.
public struct MultiTargetSync: Sendable {
  /// The settings, source, logger and output of the first target's session; its
  /// `target` and `program` are the first target's.
  public let base: SyncSession
  public let targets: [SyncTarget]

  public init(base: SyncSession, targets: [SyncTarget]) {
    precondition(!targets.isEmpty, "at least one target")
    self.base = base
    self.targets = targets
  }

  /// The session of one target: its client, rules and a logger naming it.
  func session(for target: SyncTarget) -> SyncSession {
    var settings = base.settings
    settings.rules = target.rules
    var logger = base.logger
    logger[metadataKey: "target"] = "\(target.name)"
    return SyncSession(
      settings: settings, program: target.program, source: base.source, target: target.client,
      logger: logger, print: base.print)
  }

  /// `sync --once` into every target in turn; the reports in target order.
  public func runOnce() async throws -> [OnceReport] {
    var reports: [OnceReport] = []
    let registry = PrometheusCollectorRegistry()
    for target in targets {
      reports.append(
        try await session(for: target).runOnce(
          metrics: SyncMetrics(registry: registry, target: target.name)))
    }
    return reports
  }

  /// Runs until cancelled. A target that cannot be reached at the start (or whose
  /// engine stops with an error) is retried with backoff while the others sync.
  public func run() async throws {
    let registry = PrometheusCollectorRegistry()
    let metrics = targets.map { SyncMetrics(registry: registry, target: $0.name) }
    base.source.observeRequests { method, host, code, duration in
      metrics[0].request(method: method, host: host, code: code, duration: duration)
    }
    let shared = SharedSource(
      try KubeSourceCluster(
        client: base.source, logger: base.logger, pageSize: base.settings.pageSize),
      sharedBy: targets.count)
    var engines: [SyncEngine] = []
    var recorders: [EventRecorder] = []
    for (index, target) in targets.enumerated() {
      let session = session(for: target)
      let targetMetrics = metrics[index]
      target.client.observeRequests { method, host, code, duration in
        targetMetrics.request(method: method, host: host, code: code, duration: duration)
      }
      let events = session.makeEventRecorder(metrics: targetMetrics)
      if let events { recorders.append(events) }
      engines.append(
        try session.makeEngine(metrics: targetMetrics, events: events, sourceCluster: shared))
    }
    let elector = base.settings.leaderElection.map {
      LeaderElector(
        client: targets[0].client, settings: $0, metrics: metrics[0], logger: base.logger)
    }
    if let fence = elector?.fence {
      for target in targets { target.client.gateWrites(fence.allows) }
    }
    let allEngines = engines
    let health = try await base.startHealthServer(metrics: metrics[0]) {
      if let elector, !(await elector.isLeader) { return true }
      for engine in allEngines where !(await engine.isReady) { return false }
      return true
    }
    let (allTargets, settings, logger) = (targets, base.settings, base.logger)
    let sync: @Sendable () async throws -> Void = {
      await withTaskGroup(of: Void.self) { group in
        for (index, engine) in allEngines.enumerated() {
          group.addTask {
            await Self.follow(
              engine, target: allTargets[index], metrics: metrics[index], settings: settings,
              logger: logger)
          }
        }
        await group.waitForAll()
      }
    }
    do {
      if let elector { try await elector.run(sync) } else { try await sync() }
    } catch {
      for recorder in recorders { await recorder.finish() }
      await health?.shutdown()
      throw error
    }
    for recorder in recorders { await recorder.finish() }
    await health?.shutdown()
  }

  /// One target's engine and rule reloads until cancelled; an engine that stops with an
  /// error (the target unreachable at the start) is restarted after a growing delay.
  static func follow(
    _ engine: SyncEngine, target: SyncTarget, metrics: SyncMetrics,
    settings: SyncSession.Settings, logger: Logger
  ) async {
    var logger = logger
    logger[metadataKey: "target"] = "\(target.name)"
    let reloader = RuleReloader(options: target.rules, interval: settings.reloadInterval)
    async let reloading: Void = reloader.watch(engine: engine, metrics: metrics, logger: logger)
    var delay = Duration.seconds(1)
    while !Task.isCancelled {
      do {
        try await engine.run(
          rediscoverEvery: settings.rediscoverInterval, resyncEvery: settings.resyncInterval)
      } catch {
        logger.error(
          "this target cannot be synced now; the others go on", metadata: ["error": "\(error)"])
        try? await Task.sleep(for: delay)
        delay = min(delay * 2, .seconds(60))
      }
    }
    await reloading
  }
}
