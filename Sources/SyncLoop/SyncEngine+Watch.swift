import KubeModel
import Logging
import SyncCompile
import SyncProgram
import SyncValue

extension SyncEngine {
  /// Follows the source until cancelled: lists and watches every selected resource,
  /// applies changes, prunes, picks up resources that appear later (new CRDs), and
  /// re-evaluates everything when the rules change.
  ///
  /// Both clusters must answer discovery at the start, or a ``ClusterError`` is thrown;
  /// later outages are retried.
  ///
  /// Cancellation is graceful: no new work starts, and the writes already in flight
  /// finish (workers run outside the cancelled task so a request is never cut in half).
  ///
  /// Every `resyncInterval` every object is applied again even if unchanged, so a target
  /// that lost objects behind our back (restored from an old backup, rebuilt, edited by
  /// hand) converges without a restart.
  public func run(
    rediscoverEvery interval: Duration = .seconds(30),
    resyncEvery resyncInterval: Duration = .seconds(600)
  ) async throws {
    let selected = try await connect()
    keepsRetrying = true
    await follow(selected)
    let workers = (0..<max(1, options.workers)).map { _ in Task { await self.work() } }
    await withTaskGroup(of: Void.self) { group in
      group.addTask { await self.completeInitialSync() }
      group.addTask { await self.reportProgress { await self.isReady } }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: interval)
          guard !Task.isCancelled else { break }
          await self.rediscover()
        }
      }
      group.addTask {
        while !Task.isCancelled {
          try? await Task.sleep(for: resyncInterval)
          guard !Task.isCancelled else { break }
          await self.resync()
        }
      }
      while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
      group.cancelAll()
      // Before waiting for the tasks: a stopped queue hands out no more keys and wakes
      // the initial sync's wait for idle, so only the writes in flight finish.
      await stop()
    }
    for worker in workers { await worker.value }
    logger.info("stopped: in-flight writes finished")
  }

  /// Starts a follower for each resource not yet followed, stops those not in `wanted`.
  func follow(_ wanted: [ResourceType]) async {
    let wantedSet = Set(wanted)
    var dropped: Set<ResourceType> = []
    for (resource, task) in followers where !wantedSet.contains(resource) {
      dropped.insert(resource)
      task.cancel()
      followers[resource] = nil
      snapshots.remove(resource)
      // A list cut short: its keys so far mean nothing to a later one.
      listedKeys[resource] = nil
      changedWhileListing[resource] = nil
    }
    for resource in wanted where followers[resource] == nil {
      followers[resource] = Task { await self.followResource(resource) }
    }
    // Only objects of a resource just dropped can be cached unwanted: every cached object
    // came from a follower, and a stopped follower's late events are ignored (`handle`).
    // Walking all of them at every rediscovery held the engine for ~0.15 s at 200,000
    // objects, every 30 s, and every change waiting behind it.
    if !dropped.isEmpty { await forget(dropped) }
  }

  /// Consumes one resource's list+watch stream, restarting it with backoff when it ends.
  func followResource(_ resource: ResourceType) async {
    var delay = Duration.milliseconds(800)
    while !Task.isCancelled {
      let started = ContinuousClock.now
      do {
        try await source.follow(resource) { event in await self.handle(event, of: resource) }
      } catch is CancellationError {
        return
      } catch {
        logger.warning(
          "watch failed", metadata: ["resource": "\(resource)", "error": "\(error)"])
      }
      guard !Task.isCancelled else { return }
      metrics.watchRestarted(resource: resource.description)
      if ContinuousClock.now - started > .seconds(120) { delay = .milliseconds(800) }
      let jitter = Double.random(in: 1.0...1.5)
      try? await Task.sleep(for: delay * jitter)
      delay = min(delay * 2, .seconds(30))
    }
  }

  func handle(_ event: ResourceEvent, of resource: ResourceType) async {
    // An event from a follower stopped meanwhile (its resource dropped): it must not
    // bring back objects that `follow` just forgot.
    guard !Task.isCancelled else { return }
    switch event {
    case .snapshot(let objects):
      await receiveSnapshot(objects, of: resource)
      snapshots.insert(resource)
    case .added(let object), .modified(let object):
      if let key = ObjectKey(of: object) {
        changedWhileListing[resource]?.insert(key)
        await receive(object, key: key, of: resource, urgent: true)
      }
    case .deleted(let object):
      if let key = ObjectKey(of: object) {
        changedWhileListing[resource]?.insert(key)
        await receiveDeletion(key, urgent: true)
      }
    case .listStarted:
      changedWhileListing[resource] = []
    case .page(let objects, let index):
      // Like a `--once` list: the next page is read once the queue has room for it.
      await receiveListPage(objects, index: index, of: resource)
    case .listComplete:
      // An object a change brought during the list is there even if no page had it (and
      // one a change deleted is not cached, so counting it present deletes nothing).
      let changed = changedWhileListing.removeValue(forKey: resource) ?? []
      let listed = listedKeys.removeValue(forKey: resource) ?? []
      await finishSnapshot(of: resource, present: listed.union(changed))
      snapshots.insert(resource)
    case .restarted(let reason):
      metrics.watchRestarted(resource: resource.description)
      logger.info("watch restarted", metadata: ["resource": "\(resource)", "reason": "\(reason)"])
    }
  }

  /// Once every followed resource has delivered its first list and the queue is idle,
  /// prunes orphans left by earlier runs and reports ready.
  func completeInitialSync() async {
    while !Task.isCancelled {
      if !followers.isEmpty, followers.keys.allSatisfy({ snapshots.contains($0) }) { break }
      if followers.isEmpty { break }
      try? await Task.sleep(for: .milliseconds(20))
    }
    await queue.waitUntilIdle()
    // Stopping: the state is partial, and nothing is written after a stop.
    guard !Task.isCancelled else { return }
    await pruneOrphans(listed: listedKinds)
    isReady = true
    logger.info(
      "initial sync complete", metadata: ["objects": .stringConvertible(sourceObjects.count)])
  }

  /// Forgets what was written and queues every object: the next pass re-applies all.
  func resync() async {
    for (key, decision) in decisions {
      if case .desired(let target, let resource, _) = decision {
        decisions[key] = .desired(target: target, resource: resource, fingerprint: nil)
      }
    }
    knownNamespaces = []
    for (key, entry) in sourceObjects { await enqueue(key, resource: entry.resource) }
  }

  /// Looks for resources that appeared (a CRD created at the source) or disappeared.
  func rediscover() async {
    do {
      let discovered = selectedResources(from: try await source.discover())
      guard !Task.isCancelled else { return }
      // A followed kind missing from discovery is far more likely an API group that did
      // not answer this time than a kind that is gone (deleting a CRD deletes its objects
      // first, and those deletions arrive as events). Dropping it would prune every copy
      // of it, so it stays followed while the rules select it.
      let kinds = Set(discovered.map(\.groupKind))
      let missing = selectedResources(from: Array(followers.keys)).filter {
        !kinds.contains($0.groupKind)
      }
      await follow(discovered + missing)
    } catch {
      logger.warning("discovery failed", metadata: ["error": "\(error)"])
    }
  }

  /// Swaps in reloaded rules: follows the resources they select, re-evaluates every
  /// object, then prunes what no longer matches.
  public func reload(_ program: PatchProgram) async {
    await swapProgram(program)
    await rediscover()
    await queue.waitUntilIdle()
    guard !Task.isCancelled else { return }
    await pruneOrphans(listed: listedKinds)
  }

  /// Kinds whose first list has arrived. A kind followed a moment ago
  /// (new rules, a CRD, discovery recovering) is not among them: its objects are not
  /// known yet, and its copies must not be taken for orphans.
  var listedKinds: Set<GroupKind> {
    Set(snapshots.map(\.groupKind))
  }

  /// Returns once every queued change has been processed (tests, `--once`).
  public func settle() async {
    await queue.waitUntilIdle()
  }

  /// Stops following and lets in-flight work finish; nothing is written after this.
  func stop() async {
    for task in followers.values { task.cancel() }
    followers = [:]
    await queue.shutDown()
  }
}
