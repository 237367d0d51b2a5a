import SyncValue

/// The projection of each kind a reader meets, worked out once per kind: readers ask for
/// every object, the analysis walks the whole rule set.
///
/// One per reader (so per thread); the analysis itself is shared and `Sendable`.
final class KindProjections {
  private struct Kind: Hashable {
    var apiVersion: String
    var kind: String
  }

  private let analyse: @Sendable (_ apiVersion: String, _ kind: String) -> JSONProjection
  private var known: [Kind: JSONProjection] = [:]

  init(_ analyse: @escaping @Sendable (_ apiVersion: String, _ kind: String) -> JSONProjection) {
    self.analyse = analyse
  }

  /// The lookup to give a ``JSONStreamReader``.
  var lookup: JSONProjectionLookup {
    { [self] apiVersion, kind in projection(apiVersion: apiVersion, kind: kind) }
  }

  func projection(apiVersion: String, kind: String) -> JSONProjection {
    let key = Kind(apiVersion: apiVersion, kind: kind)
    if let projection = known[key] { return projection }
    let projection = analyse(apiVersion, kind)
    // A stream of made-up kinds must not grow this without end.
    if known.count >= 1024 { known.removeAll(keepingCapacity: true) }
    known[key] = projection
    return projection
  }
}
