import Testing

@testable import SyncValue

/// The interner and the short-string cache compare bytes a word at a time; these pin
/// that comparison and the caches built on it to plain byte equality.
struct KeyInternerTests {
  /// Every length up to the interner's limit, with one byte changed at every position
  /// (and bytes past the length changed, which must not count).
  @Test func sameBytesAgreesWithByteEquality() {
    let length = KeyInterner.maximumKeyLength + 8
    var left = [UInt8](repeating: 0x61, count: length)
    var right = left
    left.withUnsafeMutableBufferPointer { a in
      right.withUnsafeMutableBufferPointer { b in
        for count in 0...KeyInterner.maximumKeyLength {
          #expect(sameBytes(a.baseAddress!, b.baseAddress!, count: count))
          b[count] = 0x62
          #expect(sameBytes(a.baseAddress!, b.baseAddress!, count: count), "past \(count)")
          b[count] = 0x61
          for position in 0..<count {
            b[position] = 0x62
            #expect(
              !sameBytes(a.baseAddress!, b.baseAddress!, count: count), "\(position)/\(count)")
            b[position] = 0x61
          }
        }
      }
    }
  }

  /// Keys that differ only near the end or only in length come back as themselves.
  @Test func internedKeysKeepTheirBytes() {
    var interner = KeyInterner()
    var keys: [String] = []
    for length in 0...KeyInterner.maximumKeyLength + 2 {
      keys.append(String(repeating: "k", count: length))
      keys.append(String(repeating: "k", count: max(length - 1, 0)) + (length > 0 ? "z" : ""))
    }
    for _ in 0..<2 {
      for key in keys {
        #expect(Self.padded(key) { interner.intern($0, count: $1) } == key)
      }
    }
  }

  @Test func cachedValuesKeepTheirBytes() {
    var cache = ValueStringCache(slots: 64)
    let values = ["", "a", "TCP", "TCQ", "IfNotPresent", "IfNotPresenT", "registry.example/app"]
    for _ in 0..<3 {
      for value in values {
        #expect(Self.padded(value) { cache.string($0, count: $1) } == value)
      }
    }
  }

  /// Calls `body` with the bytes of `text` followed by eight zero bytes, as the scanner's
  /// padding follows what it reads, and their count.
  static func padded(
    _ text: String, _ body: (UnsafePointer<UInt8>, Int) -> String
  ) -> String {
    let bytes = Array(text.utf8) + [UInt8](repeating: 0, count: 8)
    return bytes.withUnsafeBufferPointer { body($0.baseAddress!, text.utf8.count) }
  }
}
