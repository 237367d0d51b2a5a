import KubeModel
import Logging
import SyncValue

#if canImport(Glibc)
  import Glibc
#endif

extension SyncEngine {
  /// Applies a desired copy unless the target already has exactly this version.
  func write(_ copy: DesiredCopy, for key: ObjectKey) async -> Bool {
    let targetKey = copy.target
    let about = InvolvedObject(apiVersion: copy.apiVersion, targetKey)
    if case .desired(let previous, _, let previousFingerprint)? = decisions[key],
      previous == targetKey, previousFingerprint == copy.fingerprint
    {
      metrics.unchanged(group: targetKey.group, kind: targetKey.kind)
      seenAt[key] = nil
      record(.unchanged(targetKey))
      return true
    }
    // Both can be transient (discovery failing, a CRD applied a moment ago and not yet
    // served, a 500 creating the namespace): retried like a failed apply.
    let served: ResourceType?
    do {
      served = try await targetResource(apiVersion: copy.apiVersion, kind: targetKey.kind)
    } catch {
      return fail(key, "\(error)", retryable: true)
    }
    guard let resource = served else {
      let message =
        "the target cluster serves no resource for \(copy.apiVersion) \(targetKey.kind)"
      return fail(
        key, message, retryable: true,
        event: FailureEvent(object: about, reason: .kindNotServed, message: message))
    }
    if resource.namespaced, !targetKey.namespace.isEmpty {
      guard await ensureNamespace(targetKey.namespace) else {
        return fail(
          key, "cannot create namespace \(targetKey.namespace) on the target", retryable: true)
      }
    }
    // A rule may have renamed the object since the last apply: retire the old copy. Until
    // that succeeds the decision keeps naming it, so a retry prunes it again.
    if let previous = decisions[key]?.copy, previous.target != targetKey {
      guard await prune(previous.target, resource: previous.resource, source: key) else {
        let message = "cannot prune the previous copy \(previous.target)"
        return fail(
          key, message, retryable: true,
          event: FailureEvent(
            object: InvolvedObject(apiVersion: previous.resource.apiVersion, previous.target),
            reason: .pruneFailed, message: message),
          resource: previous.resource)
      }
    }
    if !options.dryRun {
      do {
        try await target.apply(resource, object: copy.object)
      } catch {
        // 404: the namespace may be gone behind our back (a standby restored or rebuilt).
        // Look again on the retry rather than trust the one made before, or every change
        // in it would fail until the next resync.
        if resource.namespaced, isNotFound(error) {
          knownNamespaces.remove(targetKey.namespace)
        }
        let message = "apply failed: \(error)"
        return fail(
          key, message, retryable: true,
          event: FailureEvent(object: about, reason: .applyFailed, message: message),
          resource: resource)
      }
    }
    decisions[key] = .desired(
      target: targetKey, resource: resource, fingerprint: copy.fingerprint)
    metrics.synced(group: targetKey.group, kind: targetKey.kind)
    metrics.lastSync(resource: resource.description, seconds: Self.now())
    if let seen = seenAt.removeValue(forKey: key) { metrics.observeLatency(.now - seen) }
    metrics.setInSync(inSyncCount, shard: shardIndex)
    record(.applied(targetKey, from: key))
    if resource.applyPriority == .definitions { targetResources = [:] }  // a new CRD: rediscover
    return true
  }

  /// The source object no longer wants a copy: prune the one we made, if any.
  func retire(_ key: ObjectKey, reason: String) async -> Bool {
    seenAt[key] = nil
    guard let copy = decisions[key]?.copy else {
      decisions[key] = sourceObjects[key] == nil ? nil : .notDesired
      return true
    }
    logger.info("retiring copy", metadata: ["object": "\(key)", "reason": "\(reason)"])
    // The decision names the copy until it is gone: if the prune fails, the retry must
    // know what to prune.
    guard await prune(copy.target, resource: copy.resource, source: key) else { return false }
    decisions[key] = sourceObjects[key] == nil ? nil : .notDesired
    metrics.setInSync(inSyncCount, shard: shardIndex)
    return true
  }

  /// Deletes a target object after re-reading it, only when it carries our marks for
  /// exactly this source object. Returns false when a retry may help.
  ///
  /// `sweeping`: the orphan sweep, which runs beside the workers, with the kinds whose
  /// source objects are all known. It deletes only if, after the re-read, the source has
  /// no change waiting or in progress and the Decider still says prune — so it does not
  /// race a worker re-applying the same object.
  func prune(
    _ targetKey: ObjectKey, resource: ResourceType, source key: ObjectKey,
    sweeping listed: Set<GroupKind>? = nil
  ) async -> Bool {
    guard options.prune, resource.applyPriority != .namespaces else {
      return true
    }
    do {
      guard
        let live = try await target.get(
          resource, namespace: targetKey.namespace, name: targetKey.name),
        ownership.owns(live, expectedSource: key)
      else { return true }
      if let listed {
        guard !(await queue.isPending(key)), let copy = decider.ownedCopy(live),
          fate(of: copy, listed: listed) == .prune
        else { return true }
      }
      if !options.dryRun {
        try await target.delete(
          resource, namespace: targetKey.namespace, name: targetKey.name,
          uid: live["metadata"]?["uid"]?.stringValue)
      }
      metrics.pruned(group: targetKey.group, kind: targetKey.kind)
      metrics.lastSync(resource: resource.description, seconds: Self.now())
      record(.pruned(targetKey, from: key))
      return true
    } catch {
      logger.warning("prune failed", metadata: ["object": "\(targetKey)", "error": "\(error)"])
      return false
    }
  }

  /// Records that `key` failed to sync. `event`: what to report on the target, if the
  /// failure is about an object there (not when the target's discovery failed, or a
  /// namespace could not be created: an Event would have nowhere to live).
  func fail(
    _ key: ObjectKey, _ message: String, retryable: Bool = false, event: FailureEvent? = nil,
    resource: ResourceType? = nil
  ) -> Bool {
    decisions[key] = .failed(kept: decisions[key]?.copy)
    metrics.failed(group: key.group, kind: key.kind)
    metrics.setInSync(inSyncCount, shard: shardIndex)
    logger.error("\(message)", metadata: ["object": "\(key)"])
    record(.failed(key, message: message))
    if let event { report(event, resource: resource) }
    return !retryable
  }

  /// Queues a Warning Event on the target; never under `--dry-run`, never waits.
  func report(_ event: FailureEvent, resource: ResourceType?) {
    guard !options.dryRun, let events else { return }
    events.record(event, resource: resource)
  }

  var inSyncCount: Int { decisions.desiredCount }

  /// The target resource for a kind, rediscovering once when it is unknown (a CRD may
  /// have just been applied). Nil when the target does not serve it; throws when the
  /// target's discovery fails, so that an outage is not reported as a missing kind.
  func targetResource(apiVersion: String, kind: String) async throws -> ResourceType? {
    let key = apiVersion + " " + kind
    if let resource = targetResources[key] { return resource }
    remember(targetResources: try await target.discover())
    return targetResources[key]
  }

  func remember(targetResources discovered: [ResourceType]) {
    targetResources = [:]
    for resource in discovered {
      targetResources[resource.apiVersion + " " + resource.kind] = resource
    }
  }

  /// Discovery on both clusters before anything else is done, returning the source
  /// resources the rules select. A cluster that cannot be reached, refuses the credentials
  /// or fails TLS stops the run here with one ``ClusterError`` naming it, instead of a
  /// failure for every object.
  func connect() async throws -> [ResourceType] {
    let discovered = try await source.discover()
    remember(targetResources: try await target.discover())
    return selectedResources(from: discovered)
  }

  /// Creates a missing target namespace, marked as ours. Concurrent workers needing the
  /// same namespace share one creation.
  func ensureNamespace(_ name: String) async -> Bool {
    if knownNamespaces.contains(name) { return true }
    if let pending = pendingNamespaces[name] { return await pending.value }
    let creation = Task { await self.createNamespace(name) }
    pendingNamespaces[name] = creation
    let created = await creation.value
    pendingNamespaces[name] = nil
    return created
  }

  private func createNamespace(_ name: String) async -> Bool {
    let served = try? await targetResource(apiVersion: "v1", kind: "Namespace")
    guard let resource = served ?? nil else { return false }
    do {
      if try await target.get(resource, namespace: "", name: name) == nil {
        let namespace: Value = [
          "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)],
        ]
        let key = ObjectKey(group: "", kind: "Namespace", namespace: "", name: name)
        // Create, not apply: a rule may be syncing this very Namespace concurrently, and
        // an apply of the bare namespace would take its labels and annotations away.
        if !options.dryRun {
          try await target.createIfMissing(
            resource, object: ownership.marking(namespace, source: key))
        }
        record(.createdNamespace(name))
      }
      knownNamespaces.insert(name)
      return true
    } catch {
      logger.warning(
        "cannot create namespace", metadata: ["namespace": "\(name)", "error": "\(error)"])
      return false
    }
  }

  static func now() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }
}
