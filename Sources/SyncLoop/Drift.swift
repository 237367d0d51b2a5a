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

extension SyncEngine {
  /// Compares every selected source object, rewritten, with the target. Writes nothing.
  /// Throws a ``ClusterError`` when either cluster cannot be read: an outage is never
  /// reported as drift.
  public func drift() async throws -> [Drift] {
    let resources = try await connect()
    var result: [Drift] = []
    var wanted: Set<ObjectKey> = []
    for resource in resources {
      for object in try await source.list(resource) {
        guard let sourceKey = ObjectKey(of: object),
          case .rewritten(let rewritten, _) = evaluator.evaluate(object)
        else { continue }
        let desired = prepare(rewritten, source: sourceKey)
        guard let key = ObjectKey(of: desired), let apiVersion = desired["apiVersion"]?.stringValue,
          let targetType = try await targetResource(apiVersion: apiVersion, kind: key.kind)
        else { continue }
        wanted.insert(key)
        guard let live = try await target.get(targetType, namespace: key.namespace, name: key.name)
        else {
          result.append(.missing(key, desired: desired))
          continue
        }
        let projected = Self.project(live, onto: desired)
        if !projected.semanticallyEquals(desired) {
          result.append(.different(key, desired: desired, live: projected))
        }
      }
    }
    for resource in try await target.discover().sorted() where resource.applyPriority == 2 {
      for object in (try? await target.list(resource)) ?? [] {
        guard ownership.source(of: object) != nil, let key = ObjectKey(of: object),
          !wanted.contains(key)
        else { continue }
        result.append(.orphaned(key, live: object))
      }
    }
    return result
  }

  /// `live` reduced to the fields `desired` has: what server-side apply would compare.
  static func project(_ live: Value, onto desired: Value) -> Value {
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
