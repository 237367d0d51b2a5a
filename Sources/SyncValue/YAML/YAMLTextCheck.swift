/// Finds the first character that libyaml refuses, before libyaml reads it.
///
/// libyaml decodes its input ahead of the parser, a buffer at a time, and fails the whole
/// stream as soon as that buffer holds a byte it refuses (a NUL, `0xFF`, invalid UTF-8):
/// the documents before the byte that it had not returned yet were lost, and the error
/// said 1:1 when the input was a pipe. Handing libyaml only the text before such a byte
/// lets it return every complete document first; the reader then reports the byte where
/// the stream stops.
enum YAMLTextCheck {
  /// How many leading bytes of `bytes` are whole characters that YAML allows, and why the
  /// byte after them is refused (nil when none is). A character cut by the end of `bytes`
  /// is not counted, and refused only when `atEnd`.
  ///
  /// The characters allowed are YAML 1.1's printable set, as libyaml checks it: tab, line
  /// feed, carriage return, U+0020–U+007E, U+0085, U+00A0–U+D7FF, U+E000–U+FFFD and
  /// U+10000–U+10FFFF.
  static func validPrefix(of bytes: UnsafeBufferPointer<UInt8>, atEnd: Bool) -> (
    count: Int, problem: String?
  ) {
    var index = 0
    let count = bytes.count
    guard let base = bytes.baseAddress else { return (0, nil) }
    while index < count {
      // ASCII eight bytes at a time. Every mask here is exact per byte: for a 7-bit byte
      // b, b + 0x60 reaches 0x80 exactly when b >= 0x20, and b + 0x01 exactly when
      // b == 0x7F, and no sum carries into the next byte.
      while index &+ 8 <= count {
        let word = UInt64(
          littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
        let low7 = word & 0x7F7F_7F7F_7F7F_7F7F
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let nonASCIIOrDelete = (word | (low7 &+ 0x0101_0101_0101_0101)) & highBits
        if nonASCIIOrDelete != 0 { break }
        let control = ~(low7 &+ 0x6060_6060_6060_6060) & highBits
        if control != 0 {
          // Line feeds, tabs and carriage returns are the controls YAML allows.
          let allowed =
            zeroBytes(word ^ 0x0A0A_0A0A_0A0A_0A0A) | zeroBytes(word ^ 0x0909_0909_0909_0909)
            | zeroBytes(word ^ 0x0D0D_0D0D_0D0D_0D0D)
          if control & ~allowed != 0 { break }
        }
        index &+= 8
      }
      if index >= count { break }
      let lead = bytes[index]
      if lead < 0x80 {
        guard lead >= 0x20 && lead != 0x7F || lead == 0x09 || lead == 0x0A || lead == 0x0D else {
          return (index, "control character \(hex(lead)) is not allowed in YAML")
        }
        index += 1
        continue
      }
      let length: Int
      var scalar: UInt32
      switch lead {
      case 0xC2...0xDF:
        length = 2
        scalar = UInt32(lead & 0x1F)
      case 0xE0...0xEF:
        length = 3
        scalar = UInt32(lead & 0x0F)
      case 0xF0...0xF4:
        length = 4
        scalar = UInt32(lead & 0x07)
      default:
        return (index, "byte \(hex(lead)) is not UTF-8")
      }
      guard index + length <= count else {
        // Only continuation bytes may follow: check those there are.
        for next in bytes[(index + 1)...] where next & 0xC0 != 0x80 {
          return (index, "byte \(hex(lead)) starts a UTF-8 sequence that is cut short")
        }
        return atEnd
          ? (index, "the input ends inside a UTF-8 sequence (byte \(hex(lead)))") : (index, nil)
      }
      for offset in 1..<length {
        let next = bytes[index + offset]
        guard next & 0xC0 == 0x80 else {
          return (index, "byte \(hex(lead)) starts a UTF-8 sequence that is cut short")
        }
        scalar = scalar << 6 | UInt32(next & 0x3F)
      }
      let shortest: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x1_0000
      guard scalar >= shortest, scalar <= 0x10_FFFF, !(0xD800...0xDFFF).contains(scalar) else {
        return (index, "invalid UTF-8 sequence starting with byte \(hex(lead))")
      }
      guard
        scalar == 0x85 || (0xA0...0xD7FF).contains(scalar) || (0xE000...0xFFFD).contains(scalar)
          || scalar >= 0x1_0000
      else {
        return (
          index, "character U+\(String(scalar, radix: 16, uppercase: true)) is not allowed in YAML"
        )
      }
      index += length
    }
    return (count, nil)
  }

  /// Whether the text starts with a UTF-16 byte order mark: libyaml decodes such input
  /// itself, and reports its errors.
  static func isUTF16(_ bytes: some Collection<UInt8>) -> Bool {
    var iterator = bytes.makeIterator()
    guard let first = iterator.next(), let second = iterator.next() else { return false }
    return (first == 0xFE && second == 0xFF) || (first == 0xFF && second == 0xFE)
  }

  private static func hex(_ byte: UInt8) -> String {
    let digits = String(byte, radix: 16, uppercase: true)
    return "0x" + (digits.count < 2 ? "0" + digits : digits)
  }
}
