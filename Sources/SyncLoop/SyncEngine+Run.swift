import Logging
import SyncCompile
import SyncRuntime
import SyncValue

/// The outcome of a `--once` run.
public struct OnceReport: Sendable {
  public var applied = 0
  public var unchanged = 0
  public var pruned = 0
  public var failed = 0
  public var resources: [ResourceType] = []
}

extension SyncEngine {
  /// Lists every selected resource, applies, prunes, and returns: DR drills and cron.
  /// Throws a ``ClusterError`` when either cluster's discovery fails.
  public func runOnce() async throws -> OnceReport {
    let resources = try await connect()
    for resource in resources {
      await receiveSnapshot(try await source.list(resource), of: resource)
    }
    await drain()
    await pruneOrphans(listed: Set(resources.map { $0.group + "/" + $0.kind }))
    var report = OnceReport()
    report.resources = resources
    report.failed =
      decisions.values.filter {
        if case .failed = $0 { return true }
        return false
      }.count
    return report
  }

  /// Runs workers until the queue is empty.
  func drain() async {
    await withTaskGroup(of: Void.self) { group in
      for _ in 0..<max(1, options.workers) { group.addTask { await self.work() } }
      await queue.waitUntilIdle()
      await queue.shutDown()
    }
  }

  /// Deletes marked target objects whose source is gone or no longer selected. Every
  /// target resource is listed — a rule removed since the last run leaves copies of kinds
  /// the current rules no longer name. Objects whose source failed to rewrite are kept;
  /// namespaces are never pruned (deleting one deletes everything in it).
  ///
  /// `listed` holds the source kinds (`group/Kind`) whose objects are all known: an orphan
  /// whose source kind the rules still select but that could not be listed (discovery
  /// failed for its group) is kept, since "gone" cannot be told from "not seen".
  func pruneOrphans(listed: Set<String>) async {
    guard options.prune, let discovered = try? await target.discover() else { return }
    for resource in discovered.sorted().reversed() where resource.applyPriority == 2 {
      guard let objects = try? await target.list(resource) else { continue }
      for object in objects {
        guard let sourceKey = ownership.source(of: object), let targetKey = ObjectKey(of: object)
        else { continue }
        guard isOrphan(targetKey, of: sourceKey) else { continue }
        let stillSelected = evaluator.program.mayMatch(
          group: sourceKey.group, version: resource.version, kind: sourceKey.kind)
        if stillSelected && !listed.contains(sourceKey.group + "/" + sourceKey.kind) { continue }
        _ = await prune(targetKey, resource: resource, source: sourceKey, sweeping: true)
      }
    }
  }

  /// Whether the decisions say nobody wants `target` for `source` any more. The sweep
  /// asks again right before deleting: between its listing and its delete, a watch event
  /// may have made the source wanted again.
  func isOrphan(_ target: ObjectKey, of source: ObjectKey) -> Bool {
    switch decisions[source] {
    case .desired(let wanted, _, _)? where wanted == target: return false
    case .failed?: return false
    case nil where sourceObjects[source] != nil: return false  // not evaluated yet
    default: return true
    }
  }

  /// Replaces the program (rules reloaded) and re-evaluates every cached object.
  public func swapProgram(_ program: PatchProgram) async {
    evaluator = Evaluator(program: program)
    for (key, entry) in sourceObjects { await enqueue(key, resource: entry.resource) }
  }

  /// Keys of cached source objects whose resource is no longer selected: their copies
  /// must go when the rules stop selecting the whole kind.
  func forgetResources(notIn selected: Set<ResourceType>) async {
    for (key, entry) in sourceObjects where !selected.contains(entry.resource) {
      sourceObjects[key] = nil
      await enqueue(key, resource: entry.resource)
    }
  }
}

extension PatchProgram {
  /// The dependency kinds any rule follows (`dependencies` edits).
  public var followedDependencyKinds: Set<DependencyKind> {
    var kinds: Set<DependencyKind> = []
    for rule in rules {
      for case .dependencies(let followed) in rule.code { kinds.formUnion(followed) }
    }
    return kinds
  }

  /// Whether any rule could select objects of this kind, and no skip excludes the kind
  /// or its group entirely. Decides which source resources are listed and watched.
  public func mayMatch(group: String, version: String, kind: String) -> Bool {
    for skip in skips {
      switch skip {
      case .kinds(let matchers):
        if matchers.contains(where: { $0.matches(group: group, version: version, kind: kind) }) {
          return false
        }
      case .groups(let matchers):
        if matchers.contains(where: { $0.matches(group) }) { return false }
      default:
        continue
      }
    }
    return rules.contains { rule in
      rule.selector.kinds.contains { $0.matches(group: group, version: version, kind: kind) }
    }
  }
}
