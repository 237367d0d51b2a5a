import KubeModel
import Logging
import SyncCompile
import SyncProgram
import SyncRuntime
import SyncValue

/// What the loop decided for one source object the last time it looked.
enum Decision: Sendable, Equatable {
  /// Rewritten and applied as `target`. The fingerprint is of what was applied; nil after
  /// a resync, so the next pass applies again.
  case desired(target: ObjectKey, resource: ResourceType, fingerprint: Fingerprint?)
  /// Skipped, dropped, unmatched or deleted: any copy of ours should go.
  case notDesired
  /// Evaluation or apply failed: the target copy is kept as it is. `kept` is the copy
  /// applied before the failure, if any: it must still go when the source does.
  case failed(kept: AppliedCopy?)

  /// The copy on the target this decision accounts for.
  var copy: AppliedCopy? {
    switch self {
    case .desired(let target, let resource, _):
      return AppliedCopy(target: target, resource: resource)
    case .failed(let kept): return kept
    case .notDesired: return nil
    }
  }
}

/// A copy the loop applied to the target.
struct AppliedCopy: Sendable, Hashable {
  var target: ObjectKey
  var resource: ResourceType
}

/// The decisions by source key, counting the `.desired` ones as they change: the
/// in-sync gauge is read after every write, and scanning every decision each time made a
/// sync quadratic in the number of objects.
struct DecisionTable: Sequence {
  private var storage: [ObjectKey: Decision] = [:]
  private(set) var desiredCount = 0

  subscript(key: ObjectKey) -> Decision? {
    get { storage[key] }
    set {
      let old =
        newValue.map { storage.updateValue($0, forKey: key) } ?? storage.removeValue(forKey: key)
      if case .desired? = old { desiredCount -= 1 }
      if case .desired? = newValue { desiredCount += 1 }
    }
  }

  var values: Dictionary<ObjectKey, Decision>.Values { storage.values }

  func makeIterator() -> Dictionary<ObjectKey, Decision>.Iterator { storage.makeIterator() }
}

/// Options of a sync run.
public struct SyncOptions: Sendable {
  /// Delete target objects we created whose source is gone or no longer matches.
  public var prune: Bool
  /// Print what would change; write nothing to either cluster.
  public var dryRun: Bool
  /// Concurrent workers applying objects.
  public var workers: Int
  /// Attempts per object before a `--once` run gives up on it. The continuous loop keeps
  /// retrying after them, with growing delays, so an outage loses no change.
  public var maximumAttempts: Int
  /// How often the initial sync (and a whole `--once` run) logs its progress.
  public var progressInterval: Duration
  /// Only this shard's source objects are synced, and only their copies pruned; nil:
  /// every object.
  public var shard: ShardFilter?
  /// Keys a list (`--once`, or the loop's lists and relists) may leave waiting before it
  /// reads its next page: what bounds the objects held at once (a page on top of it).
  public var listBacklog: Int

  public init(
    prune: Bool = true, dryRun: Bool = false, workers: Int = 4, maximumAttempts: Int = 5,
    progressInterval: Duration = .seconds(5), shard: ShardFilter? = nil, listBacklog: Int = 1000
  ) {
    self.listBacklog = listBacklog
    self.shard = shard
    self.prune = prune
    self.dryRun = dryRun
    self.workers = workers
    self.maximumAttempts = maximumAttempts
    self.progressInterval = progressInterval
  }
}

/// A change the loop made, or would make under `--dry-run`.
public enum SyncAction: Sendable, Equatable, CustomStringConvertible {
  case applied(ObjectKey, from: ObjectKey)
  case unchanged(ObjectKey)
  case pruned(ObjectKey, from: ObjectKey)
  case createdNamespace(String)
  case failed(ObjectKey, message: String)

  public var description: String {
    switch self {
    case .applied(let target, let source):
      return target == source ? "apply \(target)" : "apply \(target) (from \(source))"
    case .unchanged(let target): return "unchanged \(target)"
    case .pruned(let target, _): return "prune \(target)"
    case .createdNamespace(let name): return "create namespace \(name)"
    case .failed(let key, let message): return "failed \(key): \(message)"
    }
  }
}

/// The reconciler: keeps the target equal to source-after-rules for every object the
/// rules select, one key at a time. What belongs on the target is the ``Decider``'s to
/// say; the engine schedules (queue, retries, watches) and carries it out.
public actor SyncEngine {
  let source: any SourceCluster
  let target: any TargetCluster
  let ownership: Ownership
  let options: SyncOptions
  let metrics: SyncMetrics
  let logger: Logger
  /// Where failures are reported as Events on the target; nil: none (`--events=false`).
  let events: EventRecorder?
  var decider: Decider
  private let onAction: @Sendable (SyncAction) -> Void
  /// How many of each action this engine took: the counts of a `--once` report.
  var actionCounts = OnceReport()

  var sourceObjects = SourceObjects()
  /// The generation the next arrival of a source object gets.
  var nextGeneration: UInt64 = 0
  /// The keys of the pages of a list so far, by resource.
  var listedKeys: [ResourceType: Set<ObjectKey>] = [:]
  /// The keys a watch event changed or deleted since the list of their resource under way
  /// began (``ResourceEvent/listStarted``): the pages' versions of them are older.
  var changedWhileListing: [ResourceType: Set<ObjectKey>] = [:]
  var decisions = DecisionTable()
  var targetResources: [String: ResourceType] = [:]
  var knownNamespaces: Set<String> = []
  var pendingNamespaces: [String: Task<Bool, Never>] = [:]
  var seenAt: [ObjectKey: ContinuousClock.Instant] = [:]
  /// When each key waiting in the queue was first added: `workqueue_queue_duration_seconds`.
  var queuedAt: [ObjectKey: ContinuousClock.Instant] = [:]
  let queue = WorkQueue<ObjectKey>()
  /// What each source object references (`dependencies` edits), as last decided.
  var dependencies = DependencyGraph()
  var followers: [ResourceType: Task<Void, Never>] = [:]
  var snapshots: Set<ResourceType> = []
  /// Resources a `--once` run lists (progress reports say how many are done).
  var resourcesToList = 0
  /// True once the first full sync (and orphan prune) has completed: `/readyz`.
  public internal(set) var isReady = false
  /// Set while following (`run`): failed keys are retried without limit.
  var keepsRetrying = false

  public init(
    source: any SourceCluster, target: any TargetCluster, program: PatchProgram,
    ownership: Ownership, options: SyncOptions = SyncOptions(),
    metrics: SyncMetrics = SyncMetrics(),
    logger: Logger = Logger(label: "syncrules"), events: EventRecorder? = nil,
    onAction: @escaping @Sendable (SyncAction) -> Void = { _ in }
  ) {
    self.source = source
    self.target = target
    self.decider = Decider(program: program, ownership: ownership)
    self.ownership = ownership
    self.options = options
    self.metrics = metrics
    self.logger = logger
    self.events = events
    self.onAction = onAction
  }

  /// Counts `action` and tells the owner of the engine.
  func record(_ action: SyncAction) {
    switch action {
    case .applied: actionCounts.applied += 1
    case .unchanged: actionCounts.unchanged += 1
    case .pruned: actionCounts.pruned += 1
    case .createdNamespace, .failed: break
    }
    onAction(action)
  }

  /// Source resources the current rules could select (``Decider/selects(_:version:)``).
  /// Preferred versions only.
  func selectedResources(from discovered: [ResourceType]) -> [ResourceType] {
    discovered.filter { decider.selects($0.groupKind, version: $0.version) }
      .sorted(by: ResourceType.appliesBefore)
  }

  // MARK: Source events

  /// Records a snapshot: every listed object is (re)queued, cached objects missing from
  /// it are treated as deleted.
  func receiveSnapshot(_ objects: [Value], of resource: ResourceType) async {
    var present: Set<ObjectKey> = []
    await receivePage(objects, of: resource, present: &present)
    await finishSnapshot(of: resource, present: present)
  }

  /// One page of a list: every object is (re)queued and its key noted in `present`.
  func receivePage(_ objects: [Value], of resource: ResourceType, present: inout Set<ObjectKey>)
    async
  {
    for object in objects {
      guard let key = ObjectKey(of: object) else { continue }
      present.insert(key)
      await receive(object, key: key, of: resource, listed: true)
    }
  }

  /// The list is complete: cached objects of `resource` it did not have are deleted.
  func finishSnapshot(of resource: ResourceType, present: Set<ObjectKey>) async {
    let gone = sourceObjects.filter { $0.value.resource == resource && !present.contains($0.key) }
    for (key, _) in gone { await receiveDeletion(key) }
  }

  /// Whether `key` is this engine's to sync (its shard's, or any without sharding).
  func owns(_ key: ObjectKey) -> Bool {
    options.shard?.contains(key) ?? true
  }

  /// A `listed` object, or (`urgent`) one a watch says changed: that goes ahead of a list's
  /// backlog.
  func receive(
    _ object: Value, key: ObjectKey, of resource: ResourceType, listed: Bool = false,
    urgent: Bool = false
  ) async {
    guard owns(key) else { return }
    // A watch event since the list began is newer than the page: the page must not undo
    // it, nor bring back an object it deleted. (Checked here, in the same step as the
    // store below, so that no event can slip in between.)
    if listed, changedWhileListing[resource]?.contains(key) == true { return }
    nextGeneration += 1
    sourceObjects[key] = HeldObject(resource: resource, object: object, generation: nextGeneration)
    if seenAt[key] == nil { seenAt[key] = .now }
    await enqueue(key, resource: resource, urgent: urgent)
  }

  func receiveDeletion(_ key: ObjectKey, urgent: Bool = false) async {
    guard owns(key) else { return }
    let resource = sourceObjects.removeValue(forKey: key)?.resource
    if seenAt[key] == nil { seenAt[key] = .now }
    await enqueue(key, resource: resource, urgent: urgent)
  }

  func enqueue(_ key: ObjectKey, resource: ResourceType?, urgent: Bool = false) async {
    if queuedAt[key] == nil { queuedAt[key] = .now }
    await queue.add(key, priority: resource?.applyPriority ?? .objects, urgent: urgent)
    metrics.queueAdded()
    metrics.setQueueDepth(await queue.depth, shard: shardIndex)
  }

  // MARK: Workers

  /// Processes keys until the queue shuts down.
  func work() async {
    while let key = await queue.next() {
      metrics.setQueueDepth(await queue.depth, shard: shardIndex)
      if let queued = queuedAt.removeValue(forKey: key) { metrics.waitedInQueue(.now - queued) }
      let started = ContinuousClock.now
      let generation = sourceObjects[key]?.generation
      let succeeded = await reconcile(key)
      let elapsed = ContinuousClock.now - started
      let priority = sourceObjects[key]?.resource.applyPriority ?? .objects
      if succeeded {
        release(key, generation: generation)
        await queue.forget(key)
        metrics.reconciled(result: "success", duration: elapsed)
      } else if await queue.failureCount(key) + 1 < options.maximumAttempts {
        await queue.retry(key, priority: priority)
        metrics.queueRetried()
        metrics.reconciled(result: "error", duration: elapsed)
      } else if keepsRetrying {
        // An outage outlasting the quick retries must not lose the change until the next
        // resync. These slower retries do not hold up readiness or reloads (which wait
        // for the queue to be idle); the object counts as failed meanwhile.
        await queue.retry(key, priority: priority, holdingIdle: false)
        metrics.queueRetried()
        metrics.reconciled(result: "requeue", duration: elapsed)
      } else {
        await queue.forget(key)
        metrics.reconciled(result: "error", duration: elapsed)
      }
      await queue.done(key)
    }
  }

  /// Records what `owner` now references; dependencies gained or lost are re-examined.
  func updateDependencies(of owner: ObjectKey, to current: Set<ObjectKey>) async {
    for dependency in dependencies.update(owner, references: current).sorted() {
      await enqueue(dependency, resource: sourceObjects[dependency]?.resource)
    }
  }

  /// Lets go of the tree of a reconciled object, unless a newer one arrived meanwhile.
  func release(_ key: ObjectKey, generation: UInt64?) {
    guard let generation, sourceObjects[key]?.generation == generation else { return }
    sourceObjects[key]?.object = nil
  }

  /// The tree of a source object: the one held, or else read again from the source.
  /// nil: the object is gone (now forgotten). Throws when the source cannot be read.
  func tree(of key: ObjectKey) async throws -> Value? {
    guard let held = sourceObjects[key] else { return nil }
    if let object = held.object { return object }
    let fetched = try await source.get(held.resource, namespace: key.namespace, name: key.name)
    // A watch event during the read wins: it is at least as new (a deletion included).
    guard let current = sourceObjects[key] else { return nil }
    guard current.generation == held.generation else { return current.object ?? fetched }
    guard let fetched else {
      sourceObjects[key] = nil
      return nil
    }
    sourceObjects[key]?.object = fetched
    return fetched
  }

  /// Brings one source object's copy up to date. Returns false when a retry may help.
  func reconcile(_ key: ObjectKey) async -> Bool {
    let found: Value?
    do {
      found = try await tree(of: key)
    } catch {
      // Counted as failed (not in sync, the run's exit status, the copy kept) until a
      // retry reads it: given up after the retries, it must not pass for synced.
      return fail(key, "cannot read the source object again: \(error)", retryable: true)
    }
    guard let object = found else {
      await updateDependencies(of: key, to: [])
      return await retire(key, reason: "deleted at source")
    }
    let decision = decider.decide(
      object, source: key, isReferenced: dependencies.isReferenced(key))
    await updateDependencies(of: key, to: decision.dependencies)
    switch decision.verdict {
    case .desired(let copy):
      return await write(copy, for: key)
    case .excluded(let exclusion):
      metrics.skipped(group: key.group, kind: key.kind, reason: exclusion.rawValue)
      return await retire(key, reason: exclusion.retirement)
    case .failed(let failure):
      decisions[key] = .failed(kept: decisions[key]?.copy)
      seenAt[key] = nil
      metrics.failed(group: key.group, kind: key.kind)
      metrics.setInSync(inSyncCount, shard: shardIndex)
      var metadata: Logger.Metadata = ["object": "\(key)", "code": "\(failure.code.rawValue)"]
      if let rule = failure.rule { metadata["rule"] = "\(rule)" }
      if let location = failure.location { metadata["location"] = "\(location)" }
      logger.error("\(failure.message)", metadata: metadata)
      record(.failed(key, message: failure.description))
      // What the rules would have made is unknown: the Event is about the copy kept from
      // before, or else the object under the source's name, where a copy would be.
      let kept = decisions[key]?.copy
      if let resource = kept?.resource ?? sourceObjects[key]?.resource {
        let about = InvolvedObject(apiVersion: resource.apiVersion, kept?.target ?? key)
        report(FailureEvent(object: about, failure: failure), resource: resource)
      }
      return true  // rewriting again gives the same failure; a source change requeues it
    }
  }

  /// This engine's shard in per-shard metrics (0 without sharding).
  var shardIndex: Int { options.shard?.index ?? 0 }

  /// Where a source object stands for the fate of its copies on the target.
  func standing(of source: ObjectKey) -> SourceStanding {
    switch decisions[source] {
    case .desired(let target, _, _)?: return .wants(target)
    case .failed?: return .failed
    case .notDesired?: return .unwanted
    case nil: return sourceObjects[source] == nil ? .absent : .pending
    }
  }
}
