#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Maps the raw bytes of short object keys to `String`s made once.
///
/// Creating a `String` costs a UTF-8 validation and often an allocation, and Kubernetes
/// objects repeat the same few hundred keys, so a small open-addressing table keyed by
/// the bytes pays for itself. The table stops growing when full, which keeps memory
/// bounded on never-ending streams with ever-new keys. Not copyable: it owns its arena.
struct KeyInterner: ~Copyable {
  static let slotCount = 2048
  static let maximumEntries = 1536
  static let maximumKeyLength = 48

  private struct Slot {
    // 16 bytes, so that the table (looked up at random for every key) fills 32 KB.
    var hash: UInt64 = 0
    var length: Int32 = -1
    /// Index into `strings`; the bytes are at `stringIndex * maximumKeyLength`.
    var stringIndex: Int32 = 0
  }

  private var slots = [Slot](repeating: Slot(), count: slotCount)
  /// The hash of the key ``intern(_:count:)`` returned last: equal keys have equal
  /// hashes, so the scanner compares these to find a key written twice in one object.
  private(set) var lastHash: UInt64 = 0
  private var strings: [String] = []
  /// The bytes of entry `i` at `i * maximumKeyLength`, so that ``sameBytes(_:_:count:)``
  /// may read whole words of a short key; grown as entries come, freed with the
  /// interner.
  private var arena: UnsafeMutablePointer<UInt8>?
  private var arenaEntries = 0

  init() {}

  /// For a key that was not interned (one with escapes): the hash of its decoded bytes,
  /// the same as an interned copy of it without escapes has (`"a"` and `"\u0061"` are
  /// one key, written twice).
  mutating func noteUninternedKey(_ start: UnsafePointer<UInt8>, count: Int) {
    lastHash = Self.hash(start, count)
  }

  deinit {
    arena?.deallocate()
  }

  private mutating func growArena() {
    let entries = min(max(arenaEntries * 2, 64), Self.maximumEntries)
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: entries * Self.maximumKeyLength)
    grown.initialize(repeating: 0, count: entries * Self.maximumKeyLength)
    if let arena {
      grown.update(from: arena, count: arenaEntries * Self.maximumKeyLength)
      arena.deallocate()
    }
    arena = grown
    arenaEntries = entries
  }

  /// The string for `count` bytes at `start`, which must be valid UTF-8.
  ///
  /// `start` must be followed by at least 8 readable bytes past `count`, which the
  /// scanner's padding guarantees.
  @inline(__always)
  mutating func intern(_ start: UnsafePointer<UInt8>, count: Int) -> String {
    let hash = Self.hash(start, count)
    lastHash = hash
    if count > Self.maximumKeyLength { return Self.makeString(start, count) }
    var index = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
    while true {
      let slot = slots[index]
      if slot.length < 0 { break }
      // An entry exists, so the arena does.
      if slot.hash == hash && Int(slot.length) == count
        && sameBytes(
          arena.unsafelyUnwrapped + Int(slot.stringIndex) &* Self.maximumKeyLength, start,
          count: count)
      {
        return strings[Int(slot.stringIndex)]
      }
      index = (index + 1) & (Self.slotCount - 1)
    }
    let string = Self.makeString(start, count)
    if strings.count < Self.maximumEntries {
      if strings.count == arenaEntries { growArena() }
      let offset = strings.count * Self.maximumKeyLength
      slots[index] = Slot(
        hash: hash, length: Int32(count),
        stringIndex: Int32(strings.count))
      (arena.unsafelyUnwrapped + offset).update(from: start, count: count)
      strings.append(string)
    }
    return string
  }

  @inline(__always)
  static func makeString(_ start: UnsafePointer<UInt8>, _ count: Int) -> String {
    String(decoding: UnsafeBufferPointer(start: start, count: count), as: UTF8.self)
  }

  @inline(__always)
  static func hash(_ start: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: count &+ 1)
    var index = 0
    let raw = UnsafeRawPointer(start)
    while index &+ 8 <= count {
      let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash &>> 29
      index &+= 8
    }
    if index < count {
      // Reads past the key into the closing quote and beyond; the mask drops those bytes.
      let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      let mask: UInt64 = (1 &<< UInt64((count &- index) &* 8)) &- 1
      hash = (hash ^ (word & mask)) &* 0xFF51_AFD7_ED55_8CCD
      hash ^= hash &>> 29
    }
    return hash
  }
}

/// Remembers the `String`s of recently read short values, by their raw bytes.
///
/// Kubernetes objects repeat short values within an object (an app's name in its labels,
/// selector, template and containers) and across objects (`TCP`, `IfNotPresent`,
/// namespaces, image registries). A hit costs a hash and a compare instead of a UTF-8
/// validation and, above 15 bytes, a heap allocation that must be freed again with the
/// object. Unlike ``KeyInterner`` it replaces entries (one per slot, the latest wins), so
/// it keeps up with a stream whose values change (namespace after namespace) in a fixed
/// amount of memory. Not copyable: it owns its byte table.
struct ValueStringCache: ~Copyable {
  /// Longer values (UIDs, timestamps, images with digests) rarely repeat.
  static let maximumLength = 32

  private struct Slot {
    var hash: UInt64 = 0
    var length = -1
    var string = ""
  }

  private let slotMask: Int
  private var slots: [Slot]
  /// The bytes of each slot's string, `maximumLength` per slot; freed with the cache.
  private let bytes: UnsafeMutablePointer<UInt8>

  /// - Parameter slots: a power of two; small for a small document parsed whole, so that
  ///   parsing one watch frame does not set up a table for a whole cluster.
  init(slots slotCount: Int) {
    precondition(slotCount > 0 && slotCount & (slotCount - 1) == 0)
    slotMask = slotCount - 1
    slots = [Slot](repeating: Slot(), count: slotCount)
    bytes = .allocate(capacity: slotCount * Self.maximumLength)
    // Zeroed, because comparisons read whole words of a slot.
    bytes.initialize(repeating: 0, count: slotCount * Self.maximumLength)
  }

  /// The slot count for a document of `byteCount` bytes: about one slot per 128 bytes,
  /// between 64 and 4096.
  static func slots(forDocumentOf byteCount: Int) -> Int {
    var slots = 64
    while slots < 4096 && slots * 128 < byteCount { slots *= 2 }
    return slots
  }

  deinit {
    bytes.deallocate()
  }

  /// The string for `count` bytes at `start`, which must be valid UTF-8 and followed by
  /// at least 8 readable bytes (the scanner's padding).
  @inline(__always)
  mutating func string(_ start: UnsafePointer<UInt8>, count: Int) -> String {
    if count > Self.maximumLength { return KeyInterner.makeString(start, count) }
    let hash = KeyInterner.hash(start, count)
    let index = Int(truncatingIfNeeded: hash) & slotMask
    let stored = bytes + index &* Self.maximumLength
    if slots[index].hash == hash && slots[index].length == count
      && sameBytes(stored, start, count: count)
    {
      return slots[index].string
    }
    let string = KeyInterner.makeString(start, count)
    stored.update(from: start, count: count)
    slots[index] = Slot(hash: hash, length: count, string: string)
    return string
  }
}

/// Whether `count` bytes at `a` and `b` are the same, compared a word at a time (a call to
/// `memcmp` for every key and short value of a document cost more than the comparison).
///
/// Both must be followed by readable bytes up to 8 bytes from their start (the scanner's
/// padding; the fixed-size slots of the caches); bytes past `count` are not compared.
@inline(__always)
func sameBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int) -> Bool {
  let left = UnsafeRawPointer(a)
  let right = UnsafeRawPointer(b)
  if count < 8 {
    // Little-endian, so that the mask keeps the first `count` bytes on any machine.
    let mask: UInt64 = (1 &<< UInt64(truncatingIfNeeded: count &* 8)) &- 1
    let difference =
      UInt64(littleEndian: left.loadUnaligned(as: UInt64.self))
      ^ UInt64(littleEndian: right.loadUnaligned(as: UInt64.self))
    return difference & mask == 0
  }
  var offset = 0
  while offset &+ 8 < count {
    if left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
      != right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    {
      return false
    }
    offset &+= 8
  }
  // The last word ends at `count`, overlapping the one before when `count` is not a
  // multiple of 8.
  return left.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
    == right.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
}
