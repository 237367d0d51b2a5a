import SyncValue

/// What a reader may leave out of each object, for one reader (so one thread): the
/// projection of each kind met, worked out once per kind, and whether an object's
/// `metadata` already decides that it is not written.
final class KindProjections: JSONProjectionSource {
  private struct Kind: Hashable {
    var apiVersion: String
    var kind: String
  }

  private let evaluator: Evaluator
  private var known: [Kind: JSONProjection] = [:]

  init(_ evaluator: Evaluator) {
    self.evaluator = evaluator
  }

  func projection(apiVersion: String, kind: String) -> JSONProjection {
    let key = Kind(apiVersion: apiVersion, kind: kind)
    if let projection = known[key] { return projection }
    let projection = evaluator.projection(apiVersion: apiVersion, kind: kind)
    // A stream of made-up kinds must not grow this without end.
    if known.count >= 1024 { known.removeAll(keepingCapacity: true) }
    known[key] = projection
    return projection
  }

  func leavesOutTheRest(apiVersion: String, kind: String, metadata: ObjectValue) -> Bool {
    evaluator.isLeftOut(apiVersion: apiVersion, kind: kind, metadata: metadata)
  }
}
