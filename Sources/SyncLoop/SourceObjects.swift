import KubeModel
import SyncValue

/// A source object as the engine keeps it between events.
///
/// The tree (about 27 KB for a workload object) is held only until the object has been
/// reconciled: after that the engine keeps what it decided (a fingerprint of the copy),
/// and reads the object again from the source on the rare occasions it must look at an
/// unchanged object once more (a dependency changed, the rules were reloaded, a resync).
/// Holding every tree cost 4.9 GB at 200,000 objects; compact JSON instead of trees cost
/// 20–45% more CPU on every reconcile (docs/performance.md, "The sync loop").
struct HeldObject: Sendable {
  let resource: ResourceType
  /// Nil once reconciled: read it again with ``SourceCluster/get(_:namespace:name:)``.
  var object: Value?
  /// Which arrival this is: a tree is only let go, or a re-read one kept, when no newer
  /// event replaced it meanwhile.
  let generation: UInt64
}

/// The source objects the engine knows, counting the trees it holds as they come and go:
/// the progress log's `held`, and what a test checks stays bounded.
struct SourceObjects: Sequence {
  private var storage: [ObjectKey: HeldObject] = [:]
  /// Objects whose tree is held (not yet reconciled, or read again).
  private(set) var treeCount = 0
  /// The most trees held at once so far.
  private(set) var peakTreeCount = 0

  subscript(key: ObjectKey) -> HeldObject? {
    get { storage[key] }
    set {
      let old =
        newValue.map { storage.updateValue($0, forKey: key) } ?? storage.removeValue(forKey: key)
      if old?.object != nil { treeCount -= 1 }
      if newValue?.object != nil {
        treeCount += 1
        peakTreeCount = Swift.max(peakTreeCount, treeCount)
      }
    }
  }

  @discardableResult
  mutating func removeValue(forKey key: ObjectKey) -> HeldObject? {
    let old = self[key]
    self[key] = nil
    return old
  }

  var count: Int { storage.count }

  var values: Dictionary<ObjectKey, HeldObject>.Values { storage.values }

  func makeIterator() -> Dictionary<ObjectKey, HeldObject>.Iterator { storage.makeIterator() }
}

extension SyncEngine {
  /// How many source objects the engine holds as trees now (received, not yet
  /// reconciled), and the most it held at once: what its memory grows with.
  public var heldTrees: (now: Int, peak: Int) {
    (sourceObjects.treeCount, sourceObjects.peakTreeCount)
  }

  /// The source objects the engine knows (with or without their tree), per kind.
  public var knownObjectsByKind: [String: Int] {
    var counts: [String: Int] = [:]
    for (key, _) in sourceObjects { counts[key.kind, default: 0] += 1 }
    return counts
  }
}
