/// Which source objects each synced object needs beside it on the target (`dependencies`
/// edits), and the reverse: a dependency is synced while some object still references it.
///
/// A value: the loop keeps one and updates it object by object, `diff` builds one from a
/// whole snapshot, and both ask it the same question.
public struct DependencyGraph: Sendable, Equatable {
  private var owners: [ObjectKey: Set<ObjectKey>] = [:]
  private var dependencies: [ObjectKey: Set<ObjectKey>] = [:]

  public init() {}

  /// Whether some object references `key`.
  public func isReferenced(_ key: ObjectKey) -> Bool {
    owners[key] != nil
  }

  /// The objects `key` references.
  public func dependencies(of key: ObjectKey) -> Set<ObjectKey> {
    dependencies[key] ?? []
  }

  /// The objects that reference `key`.
  public func owners(of key: ObjectKey) -> Set<ObjectKey> {
    owners[key] ?? []
  }

  /// Records that `owner` now references `current`, replacing what it referenced before.
  /// Returns the objects that became referenced or stopped being referenced: whether
  /// they are synced may have changed (one still referenced by another owner has not).
  @discardableResult
  public mutating func update(_ owner: ObjectKey, references current: Set<ObjectKey>)
    -> Set<ObjectKey>
  {
    let previous = dependencies[owner] ?? []
    guard previous != current else { return [] }
    dependencies[owner] = current.isEmpty ? nil : current
    var changed: Set<ObjectKey> = []
    for dependency in current.subtracting(previous) {
      if owners[dependency] == nil { changed.insert(dependency) }
      owners[dependency, default: []].insert(owner)
    }
    for dependency in previous.subtracting(current) {
      owners[dependency]?.remove(owner)
      if owners[dependency]?.isEmpty == true {
        owners[dependency] = nil
        changed.insert(dependency)
      }
    }
    return changed
  }
}
