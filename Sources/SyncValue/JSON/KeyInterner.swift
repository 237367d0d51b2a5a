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
/// bounded on never-ending streams with ever-new keys.
struct KeyInterner {
  static let slotCount = 2048
  static let maximumEntries = 1536
  static let maximumKeyLength = 48

  private struct Slot {
    var hash: UInt64 = 0
    var offset: Int32 = 0
    var length: Int32 = -1
    var stringIndex: Int32 = 0
  }

  private var slots = [Slot](repeating: Slot(), count: slotCount)
  private var strings: [String] = []
  private var arena: [UInt8] = []

  /// The string for `count` bytes at `start`, which must be valid UTF-8.
  ///
  /// `start` must be followed by at least 8 readable bytes past `count`, which the
  /// scanner's padding guarantees.
  @inline(__always)
  mutating func intern(_ start: UnsafePointer<UInt8>, count: Int) -> String {
    if count > Self.maximumKeyLength { return Self.makeString(start, count) }
    let hash = Self.hash(start, count)
    var index = Int(truncatingIfNeeded: hash) & (Self.slotCount - 1)
    while true {
      let slot = slots[index]
      if slot.length < 0 { break }
      if slot.hash == hash && Int(slot.length) == count {
        let same = arena.withUnsafeBufferPointer { stored in
          memcmp(stored.baseAddress! + Int(slot.offset), start, count) == 0
        }
        if same { return strings[Int(slot.stringIndex)] }
      }
      index = (index + 1) & (Self.slotCount - 1)
    }
    let string = Self.makeString(start, count)
    if strings.count < Self.maximumEntries {
      slots[index] = Slot(
        hash: hash, offset: Int32(arena.count), length: Int32(count),
        stringIndex: Int32(strings.count))
      arena.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
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
