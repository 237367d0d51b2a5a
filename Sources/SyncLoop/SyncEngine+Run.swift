import KubeModel
import Logging
import SyncCompile
import SyncProgram
import SyncRuntime
import SyncValue
import Synchronization

/// The outcome of a `--once` run.
public struct OnceReport: Sendable {
  /// Objects written to the target (created or changed).
  public var applied = 0
  /// Objects whose copy on the target already matched.
  public var unchanged = 0
  /// Copies deleted from the target.
  public var pruned = 0
  /// Source objects whose rules failed or whose copy could not be written.
  public var failed = 0
  public var resources: [ResourceType] = []
}

extension SyncEngine {
  /// Lists every selected resource, applies, prunes, and returns: DR drills and cron.
  /// Throws a ``ClusterError`` when either cluster's discovery fails.
  public func runOnce() async throws -> OnceReport {
    let resources = try await connect()
    let reporting = Task { await self.reportProgress { false } }
    defer { reporting.cancel() }
    resourcesToList = resources.count
    // The workers apply while the lists go on, and each page waits for room in the queue:
    // with trees let go once reconciled, a run holds a few pages of objects, not the
    // whole source (4.9 GB at 200,000 objects when every list came before any apply).
    let workers = (0..<max(1, options.workers)).map { _ in Task { await self.work() } }
    do {
      for resource in resources {
        try await source.listPages(resource) { page, index in
          await self.receiveListPage(page, index: index, of: resource)
        }
        await finishSnapshot(
          of: resource, present: listedKeys.removeValue(forKey: resource) ?? [])
        // Counted like a watch's first list, so that progress says how many are listed.
        snapshots.insert(resource)
      }
    } catch {
      await stopWorkers(workers)
      throw error
    }
    await queue.waitUntilIdle()
    await stopWorkers(workers)
    await pruneOrphans(listed: Set(resources.map(\.groupKind)))
    var report = actionCounts
    report.resources = resources
    report.failed =
      decisions.values.filter {
        if case .failed = $0 { return true }
        return false
      }.count
    return report
  }

  /// One page of a list (`--once`, or the loop's lists and relists); page 0 starts the
  /// list (again, after an expired continue token). Returns once the queue has room for
  /// the next page.
  func receiveListPage(_ page: [Value], index: Int, of resource: ResourceType) async {
    // Taken out while it grows: a copy left in the dictionary would make every page copy
    // the whole set (quadratic over a 200,000-object list).
    var present = listedKeys.removeValue(forKey: resource) ?? []
    if index == 0 { present = [] }
    await receivePage(page, of: resource, present: &present)
    listedKeys[resource] = present
    await queue.waitUntilDepth(atMost: options.listBacklog)
  }

  /// Shuts the queue and waits for the workers to finish their current keys.
  func stopWorkers(_ workers: [Task<Void, Never>]) async {
    await queue.shutDown()
    for worker in workers { await worker.value }
  }

  /// Deletes marked target objects whose source is gone or no longer selected. Every
  /// target resource is listed — a rule removed since the last run leaves copies of kinds
  /// the current rules no longer name. Objects whose source failed to rewrite are kept;
  /// namespaces are never pruned (deleting one deletes everything in it).
  ///
  /// `listed` holds the source kinds whose objects are all known: an orphan whose source
  /// kind the rules still select but that could not be listed (discovery failed for its
  /// group) is kept, since "gone" cannot be told from "not seen". Which copies go is the
  /// ``Decider``'s call (``Decider/fate(of:standing:listedKinds:)``), the one `diff` asks.
  func pruneOrphans(listed: Set<GroupKind>) async {
    guard options.prune, let discovered = try? await target.discover() else { return }
    for resource in discovered.sorted(by: ResourceType.appliesBefore).reversed()
    where Decider.sweeps(resource) {
      // Page by page, keeping only our marks: the copies of a large resource are never
      // all held as trees at once.
      let copies = Mutex<[OwnedCopy]>([])
      let decider = self.decider
      do {
        try await target.listPages(resource) { page, index in
          let owned = page.compactMap { decider.ownedCopy($0) }
          copies.withLock {
            if index == 0 { $0.removeAll() }  // the list started (over)
            $0.append(contentsOf: owned)
          }
        }
      } catch {
        continue
      }
      for copy in copies.withLock({ $0 }) {
        // Another shard's copies are that shard's to judge: this one has not seen their
        // sources, and would take every one for an orphan.
        guard owns(copy.source), fate(of: copy, listed: listed) == .prune else { continue }
        _ = await prune(copy.target, resource: resource, source: copy.source, sweeping: listed)
      }
    }
  }

  /// What the Decider says of a copy given where its source stands now. The sweep asks
  /// again right before deleting: between its listing and its delete, a watch event may
  /// have made the source wanted again.
  func fate(of copy: OwnedCopy, listed: Set<GroupKind>) -> CopyFate {
    decider.fate(of: copy, standing: standing(of: copy.source), listedKinds: listed)
  }

  /// Replaces the program (rules reloaded) and re-evaluates every cached object.
  public func swapProgram(_ program: PatchProgram) async {
    decider = Decider(program: program, ownership: ownership)
    for (key, entry) in sourceObjects { await enqueue(key, resource: entry.resource) }
  }

  /// Keys of cached source objects whose resource is no longer selected: their copies
  /// must go when the rules stop selecting the whole kind.
  func forget(_ resources: Set<ResourceType>) async {
    for (key, entry) in sourceObjects where resources.contains(entry.resource) {
      sourceObjects[key] = nil
      await enqueue(key, resource: entry.resource)
    }
  }
}
