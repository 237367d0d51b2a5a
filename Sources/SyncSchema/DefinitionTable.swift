#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The named definitions of one schema document, each built on first use.
///
/// `$ref` nodes point into this table and definitions point at each other, so the
/// names exist before any node does. The built-in data holds hundreds of definitions and a
/// rule file reaches a few dozen: building them all would slow every `syncrules apply`
/// (docs/performance.md has the numbers), so a definition is parsed and built when a
/// lookup first reaches it. Building never looks up another definition (a `$ref` becomes a
/// ``Reference``), so a build needs no lock; two threads may build the same definition
/// at once, and the first one stored wins, so every lookup sees the same node.
final class DefinitionTable: @unchecked Sendable {
  /// Definition names to indexes; set at creation, only read after.
  let indexByName: [String: Int]
  private let names: [String]
  /// Builds the node of a definition; called at most once per index that is stored.
  private let build: @Sendable (_ table: DefinitionTable, _ index: Int) -> SchemaNode
  /// Built nodes, guarded by `mutex`.
  private var nodes: [SchemaNode?]
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  /// A table of `names`, whose nodes `build` makes on first use.
  init(
    names: [String],
    build: @escaping @Sendable (_ table: DefinitionTable, _ index: Int) -> SchemaNode
  ) {
    self.names = names
    var index: [String: Int] = [:]
    index.reserveCapacity(names.count)
    for (position, name) in names.enumerated() { index[name] = position }
    indexByName = index
    self.build = build
    nodes = Array(repeating: nil, count: names.count)
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// The name of definition `index`.
  func name(_ index: Int) -> String { names[index] }

  /// The node of definition `index`, built now if no lookup has reached it before.
  func node(_ index: Int) -> SchemaNode {
    if let built = locked({ nodes[index] }) { return built }
    let fresh = build(self, index)
    return locked {
      if let built = nodes[index] { return built }
      nodes[index] = fresh
      return fresh
    }
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }
}
