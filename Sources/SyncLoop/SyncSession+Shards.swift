import KubeClient
import Logging
import SyncProgram

/// The engines of the shards this replica holds, and the program new ones start with.
actor ShardEngines {
  private var engines: [Int: SyncEngine] = [:]
  private(set) var program: PatchProgram

  init(program: PatchProgram) { self.program = program }

  func add(_ engine: SyncEngine, shard: Int) { engines[shard] = engine }
  func remove(shard: Int) { engines[shard] = nil }

  /// New rules: every running engine re-evaluates, and shards taken later start with them.
  func reload(_ program: PatchProgram) async {
    self.program = program
    for engine in engines.values { await engine.reload(program) }
  }

  /// Ready when every held shard finished its initial sync (and with none held: the
  /// replica is healthy, only waiting).
  var isReady: Bool {
    get async {
      for engine in engines.values where !(await engine.isReady) { return false }
      return true
    }
  }
}

extension SyncSession {
  /// `sync --leader-elect --shards N`: this replica syncs the shards whose Leases it
  /// holds, each with an engine of its own writing through a client of its own, so that
  /// a shard's fence stops that shard's writes only: its copies, prunes and Events (each
  /// shard has its own Event recorder on that client; the base client, which is not
  /// fenced, writes only the Leases).
  func runSharded(_ election: LeaderElector.Settings, metrics: SyncMetrics) async throws {
    let engines = ShardEngines(program: program)
    let health = try await startHealthServer(metrics: metrics) { await engines.isReady }
    let reloader = RuleReloader(options: settings.rules, interval: settings.reloadInterval)
    let (rediscover, resync) = (settings.rediscoverInterval, settings.resyncInterval)
    let session = self
    let coordinator = ShardCoordinator(
      client: target, shards: settings.shards, election: election, metrics: metrics,
      logger: logger
    ) { shard, fence in
      let client = try KubeClient(session.target.configuration)
      client.gateWrites(fence.allows)
      client.observeRequests { method, host, code, duration in
        metrics.request(method: method, host: host, code: code, duration: duration)
      }
      let events = session.makeEventRecorder(metrics: metrics, client: client)
      let result: Result<Void, any Error>
      do {
        let engine = try session.makeEngine(
          metrics: metrics, events: events, target: client, program: await engines.program,
          shard: shard)
        await engines.add(engine, shard: shard.index)
        result = await Result {
          try await engine.run(rediscoverEvery: rediscover, resyncEvery: resync)
        }
      } catch {
        result = .failure(error)
      }
      await engines.remove(shard: shard.index)
      // Events still queued are written while the fence allows, refused after.
      await events?.finish()
      try? await client.shutdown()
      try result.get()
    }
    let log = logger
    async let reloading: Void = reloader.watch(metrics: metrics, logger: log) {
      await engines.reload($0)
    }
    do {
      try await coordinator.run()
    } catch {
      await health?.shutdown()
      throw error
    }
    await reloading
    await health?.shutdown()
  }
}

extension Result where Failure == any Error {
  /// The result of an async throwing body.
  init(_ body: () async throws -> Success) async {
    do {
      self = .success(try await body())
    } catch {
      self = .failure(error)
    }
  }
}
