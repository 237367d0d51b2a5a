import Logging

extension SyncEngine {
  /// Where the initial sync stands, as log fields: how many resources have been listed
  /// of those followed, the source objects known, what was applied, found unchanged or
  /// failed, what waits in the queue, how many objects are held as trees, and the objects listed per resource.
  func progress() async -> Logger.Metadata {
    var perResource: [String: Int] = [:]
    for entry in sourceObjects.values { perResource[entry.resource.description, default: 0] += 1 }
    let failed = decisions.values.filter {
      if case .failed = $0 { return true }
      return false
    }.count
    return [
      "resourcesListed": .stringConvertible(snapshots.count),
      "resources": .stringConvertible(max(followers.count, resourcesToList)),
      "objects": .stringConvertible(sourceObjects.count),
      "applied": .stringConvertible(actionCounts.applied),
      "unchanged": .stringConvertible(actionCounts.unchanged),
      "failed": .stringConvertible(failed),
      "queued": .stringConvertible(await queue.depth),
      "held": .stringConvertible(sourceObjects.treeCount),
      "listed": .dictionary(perResource.mapValues { .stringConvertible($0) }),
    ]
  }

  /// Logs ``progress()`` every `options.progressInterval` until cancelled or `done`.
  func reportProgress(until done: @Sendable () async -> Bool) async {
    while !Task.isCancelled {
      try? await Task.sleep(for: options.progressInterval)
      guard !Task.isCancelled, !(await done()) else { return }
      let fields = await progress()
      logger.info("initial sync progress", metadata: fields)
    }
  }
}
