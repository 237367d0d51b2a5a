/// Which source objects one shard of `sync --shards N` owns: those of the namespaces
/// whose name hashes to it. A Namespace object goes with the objects in it, so that one
/// replica creates a namespace and fills it; other cluster-scoped objects go to shard 0.
/// Dependencies (`dependencies`) always live in the referencing object's namespace, so a
/// shard never needs another shard's objects.
///
/// The hash is 64-bit FNV-1a of the namespace's UTF-8 bytes, modulo the shard count: the
/// same on every replica, every architecture and every release, as it must be for
/// replicas of different versions to agree during a rolling update.
public struct ShardFilter: Sendable, Hashable, CustomStringConvertible {
  /// This shard, from 0.
  public let index: Int
  /// How many shards there are.
  public let count: Int

  public init(index: Int, count: Int) {
    precondition(count >= 1 && (0..<count).contains(index), "shard \(index) of \(count)")
    self.index = index
    self.count = count
  }

  /// The shard that owns `key` among `count`.
  public static func shard(of key: ObjectKey, count: Int) -> Int {
    guard count > 1 else { return 0 }
    let namespace =
      key.namespace.isEmpty && key.group.isEmpty && key.kind == "Namespace"
      ? key.name : key.namespace
    guard !namespace.isEmpty else { return 0 }
    return Int(fnv1a(namespace) % UInt64(count))
  }

  /// Whether this shard owns `key`.
  public func contains(_ key: ObjectKey) -> Bool {
    Self.shard(of: key, count: count) == index
  }

  public var description: String { "\(index)/\(count)" }

  static func fnv1a(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash &*= 0x0000_0100_0000_01b3
    }
    return hash
  }
}
