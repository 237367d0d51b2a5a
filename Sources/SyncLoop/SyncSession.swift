import Foundation
import KubeClient
import Logging
import SyncCompile
import SyncDriver
import SyncProgram
import SyncRuntime

/// One run of the loop between two clusters, wired from what the command line decided:
/// the engine, and for the continuous loop the leader election, the health server and
/// the rule reloader. `syncrules sync` and `diff` only parse flags and print; the wiring
/// lives here so tests can drive it without a process.
public struct SyncSession: Sendable {
  /// Everything `syncrules sync` and `diff` take from their flags, once parsed.
  public struct Settings: Sendable {
    /// Where the rules come from; reloaded from the same place when the files change.
    public var rules: RuleSet.Options
    /// The source cluster's name in ownership annotations.
    public var sourceName: String
    public var prune = true
    public var dryRun = false
    public var workers = 4
    /// `HOST:PORT` of `/metrics`, `/healthz` and `/readyz`; empty: no server. An empty
    /// host means every address.
    public var metricsAddress = "127.0.0.1:9090"
    public var reloadInterval: Duration = .seconds(2)
    public var rediscoverInterval: Duration = .seconds(30)
    public var resyncInterval: Duration = .seconds(600)
    /// Objects per list request to the source (`limit`/`continue`); nil: one response
    /// per resource.
    public var pageSize: Int? = 500
    /// The Lease to hold before syncing; nil syncs without leader election.
    public var leaderElection: LeaderElector.Settings?
    /// More than 1 (with leader election): the objects are split into this many shards,
    /// each synced by whichever replica holds its Lease (``ShardCoordinator``).
    public var shards = 1
    /// Report objects that fail to sync as Warning Events on the target (`--events`).
    /// Never under `dryRun`.
    public var events = true
    /// The Events' rate limits and queue size.
    public var eventLimits = EventRecorder.Limits()

    public init(rules: RuleSet.Options, sourceName: String) {
      self.rules = rules
      self.sourceName = sourceName
    }
  }

  /// A setting that only turns out wrong once the session starts using it.
  public struct InvalidSetting: Error, CustomStringConvertible {
    public var description: String
  }

  public let settings: Settings
  public let program: PatchProgram
  public let source: KubeClient
  public let target: KubeClient
  public let logger: Logger
  /// Receives `--dry-run`'s lines (`would apply …`, `failed …`), newline-terminated.
  public let print: @Sendable (String) -> Void

  public init(
    settings: Settings, program: PatchProgram, source: KubeClient, target: KubeClient,
    logger: Logger, print: @escaping @Sendable (String) -> Void
  ) {
    self.settings = settings
    self.program = program
    self.source = source
    self.target = target
    self.logger = logger
    self.print = print
  }

  /// The recorder of Events on the target, nil when they are off or this is a dry run.
  /// Its `reportingInstance` is the leader-election identity, or `host_pid`.
  ///
  /// - Parameter client: the client its Events are written through; nil: the target's.
  ///   A shard's recorder writes through the shard's client, so that the shard's fence
  ///   stops its Events too.
  public func makeEventRecorder(metrics: SyncMetrics, client: KubeClient? = nil)
    -> EventRecorder?
  {
    guard settings.events, !settings.dryRun else { return nil }
    return EventRecorder(
      writer: KubeEventWriter(client: client ?? target),
      reporter: .thisProcess(identity: settings.leaderElection?.identity),
      limits: settings.eventLimits, metrics: metrics, logger: logger)
  }

  /// The engine these settings describe; under dry-run its actions are printed.
  ///
  /// A shard's engine writes through a client of its own (`target`), gated by the
  /// shard's fence, runs the latest `program`, and syncs `shard`'s objects only.
  public func makeEngine(
    metrics: SyncMetrics = SyncMetrics(), events: EventRecorder? = nil,
    target: KubeClient? = nil, program: PatchProgram? = nil, shard: ShardFilter? = nil,
    sourceCluster: (any SourceCluster)? = nil
  ) throws -> SyncEngine {
    let isDryRun = settings.dryRun
    let print = self.print
    let report: @Sendable (SyncAction) -> Void = { action in
      guard isDryRun else { return }
      switch action {
      case .applied, .pruned, .createdNamespace: print("would \(action)\n")
      case .failed: print("\(action)\n")
      case .unchanged: break
      }
    }
    return SyncEngine(
      source: try sourceCluster
        ?? KubeSourceCluster(client: source, logger: logger, pageSize: settings.pageSize),
      target: KubeTargetCluster(client: target ?? self.target, logger: logger),
      program: program ?? self.program,
      ownership: Ownership(sourceCluster: settings.sourceName),
      options: SyncOptions(
        prune: settings.prune, dryRun: settings.dryRun, workers: settings.workers, shard: shard),
      metrics: metrics, logger: logger, events: events, onAction: report)
  }

  /// `sync --once`: list, apply, prune, and return once the Events are written.
  public func runOnce(metrics: SyncMetrics = SyncMetrics()) async throws -> OnceReport {
    let events = makeEventRecorder(metrics: metrics)
    do {
      let report = try await makeEngine(metrics: metrics, events: events).runOnce()
      await events?.finish()
      return report
    } catch {
      await events?.finish()
      throw error
    }
  }

  /// `diff`: how the target differs from source-after-rules; writes nothing (no Events).
  public func drift() async throws -> DriftReport {
    try await makeEngine().drift()
  }

  /// The continuous loop, until cancelled: the engine (behind the Lease when leader
  /// election is on), the rule reloader, and the health server while it runs.
  public func run() async throws {
    let metrics = SyncMetrics()
    for client in [source, target] {
      client.observeRequests { method, host, code, duration in
        metrics.request(method: method, host: host, code: code, duration: duration)
      }
    }
    // Sharded, each shard records its own Events, through its fenced client.
    let events = isSharded ? nil : makeEventRecorder(metrics: metrics)
    do {
      try await run(metrics: metrics, events: events)
    } catch {
      await events?.finish()
      throw error
    }
    await events?.finish()
  }

  /// Whether objects are split into shards (`--shards` over 1, with leader election).
  var isSharded: Bool { settings.shards > 1 && settings.leaderElection != nil }

  private func run(metrics: SyncMetrics, events: EventRecorder?) async throws {
    if isSharded, let election = settings.leaderElection {
      try await runSharded(election, metrics: metrics)
      return
    }
    let engine = try makeEngine(metrics: metrics, events: events)
    let elector = settings.leaderElection.map {
      LeaderElector(client: target, settings: $0, metrics: metrics, logger: logger)
    }
    if let fence = elector?.fence { target.gateWrites(fence.allows) }
    let health = try await startHealthServer(metrics: metrics, engine: engine, elector: elector)
    let reloader = RuleReloader(options: settings.rules, interval: settings.reloadInterval)
    let (log, rediscover, resync) = (logger, settings.rediscoverInterval, settings.resyncInterval)
    let sync: @Sendable () async throws -> Void = {
      async let reloading: Void = reloader.watch(engine: engine, metrics: metrics, logger: log)
      try await engine.run(rediscoverEvery: rediscover, resyncEvery: resync)
      await reloading
    }
    do {
      if let elector { try await elector.run(sync) } else { try await sync() }
    } catch {
      await health?.shutdown()
      throw error
    }
    await health?.shutdown()
  }

  /// `/readyz` is 200 once the first full sync completed, and on a replica waiting for
  /// the lease (it is healthy, just not leading).
  func startHealthServer(
    metrics: SyncMetrics, engine: SyncEngine, elector: LeaderElector?
  ) async throws -> HealthServer? {
    try await startHealthServer(metrics: metrics) {
      if let elector, !(await elector.isLeader) { return true }
      return await engine.isReady
    }
  }

  /// The health server with `isReady` behind `/readyz`; nil when `--metrics-address` is
  /// empty.
  func startHealthServer(
    metrics: SyncMetrics, isReady: @escaping @Sendable () async -> Bool
  ) async throws -> HealthServer? {
    guard !settings.metricsAddress.isEmpty else { return nil }
    let parts = settings.metricsAddress.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let port = Int(parts[1]) else {
      throw InvalidSetting(
        description: "--metrics-address must be HOST:PORT, e.g. 0.0.0.0:9090")
    }
    let host = parts[0].isEmpty ? "0.0.0.0" : String(parts[0])
    let server = try await HealthServer.start(
      host: host, port: port, metrics: metrics, isReady: isReady)
    logger.info(
      "serving /metrics, /healthz and /readyz", metadata: ["address": "\(host):\(server.port)"])
    return server
  }
}

/// Makes the source client (read-only) and the target client, runs `body`, and shuts both
/// down on every path, errors included: a client dropped without `shutdown()` traps in
/// debug builds ("Client not shut down before the deinit").
public func withClients<T>(
  source: ClientConfiguration, target: ClientConfiguration, targetReadOnly: Bool,
  _ body: (KubeClient, KubeClient) async throws -> T
) async throws -> T {
  try await withClients(source: source, targets: [target], targetReadOnly: targetReadOnly) {
    try await body($0, $1[0])
  }
}

/// ``withClients(source:target:targetReadOnly:_:)`` for several targets (standbys).
public func withClients<T>(
  source: ClientConfiguration, targets: [ClientConfiguration], targetReadOnly: Bool,
  _ body: (KubeClient, [KubeClient]) async throws -> T
) async throws -> T {
  let sourceClient: KubeClient
  do {
    sourceClient = try KubeClient(source, readOnly: true)
  } catch {
    throw ClusterError(side: .source, cluster: source.clusterLabel, underlying: error)
  }
  var targetClients: [KubeClient] = []
  for target in targets {
    do {
      targetClients.append(try KubeClient(target, readOnly: targetReadOnly))
    } catch {
      try? await sourceClient.shutdown()
      for client in targetClients { try? await client.shutdown() }
      throw ClusterError(side: .target, cluster: target.clusterLabel, underlying: error)
    }
  }
  let result: Result<T, any Error>
  do {
    result = .success(try await body(sourceClient, targetClients))
  } catch {
    result = .failure(error)
  }
  try? await sourceClient.shutdown()
  for client in targetClients { try? await client.shutdown() }
  return try result.get()
}

/// Runs `body` until it returns or SIGTERM/SIGINT arrives; a signal cancels it, which
/// the engine turns into a graceful stop.
public func runUntilSignalled(
  logger: Logger, _ body: @escaping @Sendable () async throws -> Void
) async throws {
  let task = Task { try await body() }
  let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
      logger.info("signal received: finishing in-flight writes, then stopping")
      task.cancel()
    }
    source.resume()
    return source
  }
  defer { for source in signals { source.cancel() } }
  try await task.value
}
