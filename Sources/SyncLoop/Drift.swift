import KubeClient
import KubeModel
import SyncRuntime
import SyncValue

/// How the target differs from source-after-rules for one object: the drift an
/// operator would face if production failed now.
public enum Drift: Sendable {
  /// The rules want this object on the target, and it is not there.
  case missing(ObjectKey, desired: Value)
  /// It is there, but the fields the rules set differ (`live` is projected onto the
  /// fields of `desired`, so defaults the server added are not drift).
  case different(ObjectKey, desired: Value, live: Value)
  /// A copy we made whose source is gone or no longer selected: the loop would prune it.
  case orphaned(ObjectKey, live: Value)
}

/// What `diff` found: the drift, and the source objects whose rules failed (what the
/// target should hold for them is not known; the loop keeps their copies as they are).
public struct DriftReport: Sendable {
  /// Missing, different and orphaned objects: source objects first, in key order, then
  /// the target's orphans in key order.
  public var drift: [Drift] = []
  /// Source objects whose rules failed, in key order.
  public var failures: [(source: ObjectKey, failure: ObjectFailure)] = []
}

extension SyncEngine {
  /// Compares the target with what a sync of the current source would make of it, by
  /// the same ``Decider/plan(_:against:)`` the loop's decisions come from. Writes nothing.
  ///
  /// Throws a ``ClusterError`` when either cluster cannot be read: an outage is never
  /// reported as drift. The one exception is a target resource the target role may not
  /// list (403) and no desired copy lives in: the loop's orphan sweep cannot prune its
  /// copies either, so there is nothing to report.
  public func drift() async throws -> DriftReport {
    let resources = try await connect()
    var objects: [Value] = []
    for resource in resources { objects += try await source.list(resource) }
    let decisions = decider.decide(
      SourceSnapshot(objects: objects, listedKinds: Set(resources.map(\.groupKind))))
    let desired = decisions.desired
    var holdingCopies: Set<ResourceType> = []
    let types = Set(desired.values.map { [$0.apiVersion, $0.target.kind] })
    for type in types.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      // Not served (a CRD not applied yet): its copies are missing, there is nothing to list.
      if let resource = try await targetResource(apiVersion: type[0], kind: type[1]) {
        holdingCopies.insert(resource)
      }
    }
    var live: [Value] = []
    for resource in Set(targetResources.values).sorted(by: ResourceType.appliesBefore)
    where holdingCopies.contains(resource) || Decider.sweeps(resource) {
      do {
        live += try await target.list(resource)
      } catch  where !holdingCopies.contains(resource) && isForbidden(error) {
        continue
      }
    }
    let targetSnapshot = TargetSnapshot(objects: live)
    let plan = decider.plan(decisions, against: targetSnapshot)
    var report = DriftReport()
    for action in plan.actions {
      switch action {
      case .create(let key):
        report.drift.append(.missing(key, desired: desired[key]!.object))
      case .update(let key):
        let wanted = desired[key]!.object
        let projected = Decider.project(targetSnapshot.objects[key]!, onto: wanted)
        report.drift.append(.different(key, desired: wanted, live: projected))
      case .prune(let key):
        report.drift.append(.orphaned(key, live: targetSnapshot.objects[key]!))
      case .fail(let key):
        if case .failed(let failure)? = decisions.decisions[key]?.verdict {
          report.failures.append((key, failure))
        }
      case .keep, .skip:
        continue
      }
    }
    return report
  }
}

/// Whether a cluster refused a request for lack of permission (403).
func isForbidden(_ error: any Error) -> Bool {
  let underlying = (error as? ClusterError)?.underlying ?? error
  return (underlying as? KubeError)?.code == 403
}
