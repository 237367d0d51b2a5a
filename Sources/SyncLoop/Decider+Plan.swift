import SyncRuntime
import SyncValue

/// The source objects a plan is made from: every object of the kinds that were listed.
public struct SourceSnapshot: Sendable {
  /// By key.
  public var objects: [ObjectKey: Value] = [:]
  /// Kinds whose objects are all here. A copy whose source kind the rules select but
  /// which is not among them is kept: its source may exist unseen.
  public var listedKinds: Set<GroupKind>

  /// Objects without an apiVersion, kind or name are left out: nothing can be synced
  /// from them, and they cannot own a copy.
  public init(objects: [Value], listedKinds: Set<GroupKind>) {
    for object in objects {
      if let key = ObjectKey(of: object) { self.objects[key] = object }
    }
    self.listedKinds = listedKinds
  }
}

/// The target objects a plan is compared with: ours, other people's, namespaces.
public struct TargetSnapshot: Sendable {
  /// By key.
  public var objects: [ObjectKey: Value] = [:]

  /// Objects without an apiVersion, kind or name are left out.
  public init(objects: [Value]) {
    for object in objects {
      if let key = ObjectKey(of: object) { self.objects[key] = object }
    }
  }
}

/// The decisions for a whole source snapshot, settled against each other: an object no
/// rule selects is synced as it is when another one references it.
public struct SourceDecisions: Sendable {
  /// By source key.
  public var decisions: [ObjectKey: ObjectDecision] = [:]
  /// What each object references.
  public var graph = DependencyGraph()
  /// The snapshot's listed kinds.
  public var listedKinds: Set<GroupKind> = []

  /// The copies that belong on the target, by target key.
  public var desired: [ObjectKey: DesiredCopy] {
    var copies: [ObjectKey: DesiredCopy] = [:]
    for key in decisions.keys.sorted() {
      if case .desired(let copy) = decisions[key]?.verdict { copies[copy.target] = copy }
    }
    return copies
  }

  /// Where a source object stands, for the fate of its copies.
  public func standing(of source: ObjectKey) -> SourceStanding {
    switch decisions[source]?.verdict {
    case .desired(let copy)?: return .wants(copy.target)
    case .excluded?: return .unwanted
    case .failed?: return .failed
    case nil: return .absent
    }
  }
}

/// One thing a sync would do, or leave alone.
public enum PlannedAction: Sendable, Hashable, CustomStringConvertible {
  /// Apply a copy the target lacks (target key).
  case create(ObjectKey)
  /// Apply a copy whose fields differ from the desired ones (target key).
  case update(ObjectKey)
  /// Leave a copy as it is (target key).
  case keep(ObjectKey, KeepReason)
  /// Delete a copy of ours nobody wants (target key).
  case prune(ObjectKey)
  /// Sync nothing for a source object (source key).
  case skip(ObjectKey, Exclusion)
  /// The rules failed for a source object (source key): its copies are kept.
  case fail(ObjectKey)

  public var description: String {
    switch self {
    case .create(let key): return "create \(key)"
    case .update(let key): return "update \(key)"
    case .keep(let key, let reason): return "keep \(key) (\(reason))"
    case .prune(let key): return "prune \(key)"
    case .skip(let key, let exclusion): return "skip \(key) (\(exclusion))"
    case .fail(let key): return "fail \(key)"
    }
  }
}

/// What a sync of a source snapshot would do to a target snapshot.
public struct Plan: Sendable {
  /// The decisions it was made from.
  public var decisions: SourceDecisions
  /// The copies that belong on the target, by target key.
  public var desired: [ObjectKey: DesiredCopy]
  /// Sources first, in key order, then the target's copies in key order.
  public var actions: [PlannedAction]
}

extension Decider {
  /// Decides every object of the snapshot.
  public func decide(_ snapshot: SourceSnapshot) -> SourceDecisions {
    var result = SourceDecisions()
    result.listedKinds = snapshot.listedKinds
    for (key, object) in snapshot.objects {
      let decision = decide(object, source: key, isReferenced: false)
      result.decisions[key] = decision
      result.graph.update(key, references: decision.dependencies)
    }
    // An object synced because it is referenced follows no dependencies of its own, so
    // one more pass settles the graph.
    for (key, decision) in result.decisions {
      guard case .excluded(.unmatched) = decision.verdict, result.graph.isReferenced(key),
        let object = snapshot.objects[key]
      else { continue }
      result.decisions[key] = decide(object, source: key, isReferenced: true)
    }
    return result
  }

  /// What a sync would do: the desired copies against what the target holds.
  public func plan(_ decisions: SourceDecisions, against target: TargetSnapshot) -> Plan {
    var actions: [PlannedAction] = []
    for key in decisions.decisions.keys.sorted() {
      switch decisions.decisions[key]!.verdict {
      case .desired(let copy):
        guard let live = target.objects[copy.target] else {
          actions.append(.create(copy.target))
          continue
        }
        let inSync = Self.project(live, onto: copy.object).semanticallyEquals(copy.object)
        actions.append(inSync ? .keep(copy.target, .inSync) : .update(copy.target))
      case .excluded(let exclusion):
        actions.append(.skip(key, exclusion))
      case .failed:
        actions.append(.fail(key))
      }
    }
    for key in target.objects.keys.sorted() {
      guard let copy = ownedCopy(target.objects[key]!) else { continue }
      switch fate(
        of: copy, standing: decisions.standing(of: copy.source),
        listedKinds: decisions.listedKinds)
      {
      case .wanted: continue
      case .keep(let reason): actions.append(.keep(key, reason))
      case .prune: actions.append(.prune(key))
      }
    }
    return Plan(decisions: decisions, desired: decisions.desired, actions: actions)
  }

  /// ``decide(_:)`` and ``plan(_:against:)`` in one.
  public func plan(_ source: SourceSnapshot, against target: TargetSnapshot) -> Plan {
    plan(decide(source), against: target)
  }

  /// `live` reduced to the fields `desired` has: what server-side apply would compare.
  public static func project(_ live: Value, onto desired: Value) -> Value {
    switch (live, desired) {
    case (.object(let liveMap), .object(let desiredMap)):
      var projected = ObjectValue()
      for member in desiredMap.members {
        if let value = liveMap[member.key] {
          projected[member.key] = project(value, onto: member.value)
        }
      }
      return .object(projected)
    case (.array(let liveItems), .array(let desiredItems))
    where liveItems.count == desiredItems.count:
      return .array(zip(liveItems, desiredItems).map { project($0, onto: $1) })
    default:
      return live
    }
  }
}
