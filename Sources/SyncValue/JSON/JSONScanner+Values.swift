#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

extension UInt8 {
  @inline(__always) fileprivate var isDigit: Bool { self &- 0x30 < 10 }

  /// Bytes that can continue a number token; used to find the token's end before
  /// checking its grammar.
  @inline(__always) fileprivate var isNumberByte: Bool {
    self &- 0x30 < 10 || self == 0x2D || self == 0x2B || self == 0x2E || self | 0x20 == 0x65
  }
}

extension JSONScanner {
  // MARK: - Values

  mutating func parseValue() throws(JSONError) -> Value {
    try skipWhitespace()
    switch byte {
    case UInt8(ascii: "{"):
      return try parseObject()
    case UInt8(ascii: "["):
      return try parseArray()
    case UInt8(ascii: "\""):
      pos += 1
      return .string(try parseString(interning: false))
    case UInt8(ascii: "t"):
      try expectLiteral(0x6575_7274, length: 4, name: "true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectLiteral(0x65_736C_6166, length: 5, name: "false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectLiteral(0x6C6C_756E, length: 4, name: "null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return try parseNumber()
    default:
      throw unexpected("expected a value")
    }
  }

  @inline(__always)
  mutating func enterContainer() throws(JSONError) {
    depth += 1
    if depth > maximumDepth {
      throw error("nesting deeper than \(maximumDepth) levels", at: pos)
    }
  }

  mutating func parseObject() throws(JSONError) -> Value {
    try enterContainer()
    pos += 1
    try skipWhitespace()
    if byte == UInt8(ascii: "}") {
      pos += 1
      depth -= 1
      return .object(ObjectValue())
    }
    let first = memberStack.count
    var seen: Set<UInt64>?
    while true {
      guard byte == UInt8(ascii: "\"") else {
        throw unexpected("expected '\"' to begin an object key")
      }
      let place = keyRecordAfterWhitespace
      pos += 1
      let key = try parseString(interning: true)
      let record = KeyRecord(hash: keys.lastHash, place: place)
      try skipWhitespace()
      guard byte == UInt8(ascii: ":") else { throw unexpected("expected ':' after object key") }
      pos += 1
      noteIfDuplicate(key, record, since: first, seen: &seen)
      let value = try parseValue()
      memberStack.push(Member(key: key, value: value))
      keyRecordStack.push(record)
      try skipWhitespace()
      let c = byte
      if c == UInt8(ascii: ",") {
        pos += 1
        try skipWhitespace()
      } else if c == UInt8(ascii: "}") {
        pos += 1
        break
      } else {
        throw unexpected("expected ',' or '}' after object member")
      }
    }
    depth -= 1
    keyRecordStack.pop(to: first)
    return .object(ObjectValue(members: memberStack.popArray(from: first)))
  }

  /// Records `key` as a duplicate when the object whose members start at `first` on the
  /// member stack already has it. Equal keys have equal hashes (the interner's), so only
  /// the hashes are compared, and the strings only when two hashes are equal; an object
  /// past 32 keys is searched through `seen`, so that one with many keys costs linear
  /// time, not quadratic.
  @inline(__always)
  mutating func noteIfDuplicate(
    _ key: String, _ record: KeyRecord, since first: Int, seen: inout Set<UInt64>?
  ) {
    let count = memberStack.count - first
    if count < 32 {
      for index in first..<memberStack.count where keyRecordStack[index].hash == record.hash {
        if memberStack[index].key == key {
          recordDuplicate(key, earlier: index, at: record)
          return
        }
      }
      return
    }
    if seen == nil {
      seen = Set((first..<memberStack.count).map { keyRecordStack[$0].hash })
    }
    if !seen!.insert(record.hash).inserted {
      // Rare: a hash seen before; look for an equal key.
      for index in first..<memberStack.count where memberStack[index].key == key {
        recordDuplicate(key, earlier: index, at: record)
        return
      }
    }
  }

  private mutating func recordDuplicate(_ key: String, earlier: Int, at record: KeyRecord) {
    guard duplicateKey == nil else { return }
    duplicateKey = JSONDuplicateKey(
      key: key, first: keyRecordStack[earlier].lineAndColumn, second: record.lineAndColumn)
  }

  mutating func parseArray() throws(JSONError) -> Value {
    try enterContainer()
    pos += 1
    try skipWhitespace()
    if byte == UInt8(ascii: "]") {
      pos += 1
      depth -= 1
      return .array([])
    }
    let first = valueStack.count
    while true {
      valueStack.push(try parseValue())
      try skipWhitespace()
      let c = byte
      if c == UInt8(ascii: ",") {
        pos += 1
      } else if c == UInt8(ascii: "]") {
        pos += 1
        break
      } else {
        throw unexpected("expected ',' or ']' after array element")
      }
    }
    depth -= 1
    return .array(valueStack.popArray(from: first))
  }

  /// Compares the next `length` bytes with `literal` (little-endian packed ASCII).
  mutating func expectLiteral(_ literal: UInt64, length: Int, name: String) throws(JSONError) {
    try ensureAvailable(length)
    // Past `end` sits the 0 sentinel, which never matches, so a short input fails here.
    let word = UInt64(littleEndian: UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self))
    let mask: UInt64 = (1 &<< UInt64(length &* 8)) &- 1
    if word & mask == literal {
      pos += length
      return
    }
    var index = 0
    while index < length && base[pos + index] == UInt8(truncatingIfNeeded: literal >> (index * 8)) {
      index += 1
    }
    pos += index
    throw unexpected("invalid literal, expected '\(name)'")
  }

  // MARK: - Strings

  /// Reads a string whose opening quote is already consumed.
  @inline(__always)
  mutating func parseString(interning: Bool) throws(JSONError) -> String {
    let string = try scanString()
    if string.escaped {
      if interning { keys.noteUninternedKey(string.bytes, count: string.count) }
      return KeyInterner.makeString(string.bytes, string.count)
    }
    if interning { return keys.intern(string.bytes, count: string.count) }
    return values.string(string.bytes, count: string.count)
  }

  /// Advances `p` to the next quote, backslash or control byte of a string, eight bytes
  /// at a time, ORing the bytes passed into `seen` (a high bit means UTF-8 to check). The
  /// sentinel at `end` is a control byte; the padding behind it keeps the load in bounds.
  @inline(__always)
  func skipPlainStringBytes(_ p: inout Int, seen: inout UInt64) {
    while true {
      let word = UInt64(
        littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
      // The lowest flag of each test is exact; only flags above it can be spurious.
      let special =
        zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
        | ((word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080)
      if special == 0 {
        seen |= word
        p &+= 8
        continue
      }
      let plain = special.trailingZeroBitCount &>> 3
      seen |= word & ((1 &<< UInt64(truncatingIfNeeded: plain &* 8)) &- 1)
      p &+= plain
      return
    }
  }

  /// Reads and checks a string whose opening quote is already consumed, without making a
  /// `String` of it: its decoded bytes stay in the buffer, or in `stringScratch` when it
  /// has escapes, until the next read.
  @inline(__always)
  mutating func scanString() throws(JSONError) -> ScannedString {
    var start = pos
    var p = pos
    // All bytes of the string ORed together: a high bit means UTF-8 to validate.
    var seen: UInt64 = 0
    while true {
      skipPlainStringBytes(&p, seen: &seen)
      let c = base[p]
      if c == 0x22 { break }
      if c == 0x5C {
        pos = p
        let count = try decodeEscapedString(
          from: start, seen: seen & 0x8080_8080_8080_8080 == 0 ? 0 : 0x80)
        return ScannedString(bytes: stringScratch, count: count, escaped: true)
      }
      if p < end {
        throw error("control character \(describeByte(c)) in string must be escaped", at: p)
      }
      pos = p
      if !(try refill(keeping: &start)) {
        throw error("unexpected end of input in string", at: pos)
      }
      p = pos
    }
    let count = p - start
    pos = p + 1
    if seen & 0x8080_8080_8080_8080 != 0, let bad = firstInvalidUTF8(base + start, count: count) {
      throw error("invalid UTF-8 in string", at: start + bad)
    }
    return ScannedString(bytes: base + start, count: count, escaped: false)
  }

  /// The slow path for strings with escapes: decodes into `stringScratch` and returns the
  /// number of bytes there.
  ///
  /// `pos` is at the first backslash; the bytes from `start` to it are plain text, and
  /// `seen` is all of them ORed together. kubectl's last-applied-configuration annotation
  /// is a whole object in one string with an escape every few bytes, so this is one
  /// tight loop writing through a pointer rather than an array append per piece.
  mutating func decodeEscapedString(from start: Int, seen plain: UInt8) throws(JSONError)
    -> Int
  {
    var used = pos - start
    reserveStringScratch(used + 4, keeping: 0)
    stringScratch.update(from: base + start, count: used)
    // Locals, so the loop keeps them in registers: `out` and `room` change only when the
    // scratch grows; one step writes at most 4 bytes (a surrogate pair).
    var out = stringScratch
    var room = stringScratchCapacity &- 4
    var seen = plain  // raw bytes only: escapes always decode to well-formed UTF-8
    var seenWords: UInt64 = 0  // the same for runs copied eight bytes at a time
    var p = pos
    while true {
      // Runs between escapes eight bytes at a time, as in `parseString`: the padding
      // behind `end` keeps the load in bounds, and a word is stored whole only when the
      // scratch has room for all eight bytes (only the plain ones are counted).
      while used &+ 8 <= stringScratchCapacity {
        let word = UInt64(
          littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
        let special =
          zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
          | ((word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080)
        UnsafeMutableRawPointer(out + used).storeBytes(
          of: word.littleEndian, toByteOffset: 0, as: UInt64.self)
        if special == 0 {
          seenWords |= word
          used &+= 8
          p &+= 8
          continue
        }
        let run = special.trailingZeroBitCount &>> 3
        seenWords |= word & ((1 &<< UInt64(truncatingIfNeeded: run &* 8)) &- 1)
        used &+= run
        p &+= run
        break
      }
      // After the word loop, which may fill the scratch to the last byte: what follows
      // writes up to four bytes (an escape of a character outside the BMP).
      if used > room {
        reserveStringScratch(used + 4, keeping: used)
        out = stringScratch
        room = stringScratchCapacity &- 4
      }
      // Checked in debug builds (the tests), where a write past the scratch would
      // otherwise land silently in the allocator's slack.
      assert(used &+ 4 <= stringScratchCapacity, "string scratch overflow")
      let c = base[p]
      if c == 0x5C {
        if end - p < 2 {
          pos = p
          try ensureAvailable(2)
          p = pos
        }
        let decoded: UInt8
        switch base[p + 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
          pos = p
          used = try parseUnicodeEscape(into: used)
          p = pos
          continue
        default:
          if p + 1 >= end { throw error("unexpected end of input in string", at: end) }
          throw error("invalid escape sequence in string", at: p)
        }
        out[used] = decoded
        used &+= 1
        p &+= 2
        continue
      }
      if c == 0x22 { break }
      if c < 0x20 {
        if p < end {
          throw error("control character \(describeByte(c)) in string must be escaped", at: p)
        }
        pos = p
        var keep = p  // everything before is decoded already
        if !(try refill(keeping: &keep)) {
          throw error("unexpected end of input in string", at: pos)
        }
        p = pos
        continue
      }
      seen |= c
      out[used] = c
      used &+= 1
      p &+= 1
    }
    pos = p + 1
    if seenWords & 0x8080_8080_8080_8080 != 0 { seen |= 0x80 }
    if seen >= 0x80 && firstInvalidUTF8(out, count: used) != nil {
      // The bad bytes may already be gone from the buffer; point at the string's end.
      throw error("invalid UTF-8 in string", at: pos - 1)
    }
    return used
  }

  private func hexQuad(at index: Int) -> UInt32? {
    var value: UInt32 = 0
    for offset in 0..<4 {
      let c = base[index + offset]
      let digit: UInt8
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
      default: return nil
      }
      value = value << 4 | UInt32(digit)
    }
    return value
  }

  /// Decodes `\uXXXX` at `pos`, and the low half that must follow a high surrogate, into
  /// `stringScratch` at `used`; returns the new count of decoded bytes.
  private mutating func parseUnicodeEscape(into used: Int) throws(JSONError) -> Int {
    let scalar = try readUnicodeEscape()
    return used + appendUTF8(scalar, at: stringScratch + used)
  }

  /// Reads `\uXXXX` at `pos`, and the low half that must follow a high surrogate,
  /// checking them; returns the scalar.
  mutating func readUnicodeEscape() throws(JSONError) -> UInt32 {
    try ensureAvailable(12)
    guard let unit = hexQuad(at: pos + 2) else {
      throw error("invalid \\u escape: expected four hex digits", at: pos)
    }
    var scalar = unit
    var length = 6
    if unit >= 0xD800 && unit < 0xDC00 {
      guard base[pos + 6] == 0x5C, base[pos + 7] == UInt8(ascii: "u"),
        let low = hexQuad(at: pos + 8), low >= 0xDC00 && low < 0xE000
      else {
        throw error("invalid \\u escape: high surrogate without a low surrogate", at: pos)
      }
      scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
      length = 12
    } else if unit >= 0xDC00 && unit < 0xE000 {
      throw error("invalid \\u escape: low surrogate without a high surrogate", at: pos)
    }
    pos += length
    return scalar
  }

  /// Writes `scalar` as UTF-8 at `out`; returns the number of bytes.
  private func appendUTF8(_ scalar: UInt32, at out: UnsafeMutablePointer<UInt8>) -> Int {
    if scalar < 0x80 {
      out[0] = UInt8(scalar)
      return 1
    } else if scalar < 0x800 {
      out[0] = UInt8(0xC0 | scalar >> 6)
      out[1] = UInt8(0x80 | scalar & 0x3F)
      return 2
    } else if scalar < 0x10000 {
      out[0] = UInt8(0xE0 | scalar >> 12)
      out[1] = UInt8(0x80 | scalar >> 6 & 0x3F)
      out[2] = UInt8(0x80 | scalar & 0x3F)
      return 3
    } else {
      out[0] = UInt8(0xF0 | scalar >> 18)
      out[1] = UInt8(0x80 | scalar >> 12 & 0x3F)
      out[2] = UInt8(0x80 | scalar >> 6 & 0x3F)
      out[3] = UInt8(0x80 | scalar & 0x3F)
      return 4
    }
  }

  // MARK: - Numbers

  mutating func parseNumber() throws(JSONError) -> Value {
    // Buffer the whole token first, so the grammar check below needs no refills.
    var start = pos
    var p = pos
    while true {
      while base[p].isNumberByte { p &+= 1 }
      if p < end { break }
      pos = p
      let more = try refill(keeping: &start)
      p = pos  // compaction moved it even when no bytes came
      if !more { break }
    }
    let tokenEnd = p
    var q = start
    let negative = base[q] == UInt8(ascii: "-")
    if negative { q += 1 }
    var magnitude: UInt64 = 0
    var overflow = false
    if base[q] == UInt8(ascii: "0") {
      q += 1
    } else if base[q].isDigit {
      let digitsStart = q
      while base[q].isDigit {
        magnitude = magnitude &* 10 &+ UInt64(base[q] &- 0x30)
        q += 1
      }
      // 19 digits always fit in UInt64 and more never fit in Int64.
      overflow = q - digitsStart > 19
    } else {
      pos = q
      throw unexpected("expected a digit in number")
    }
    var isInteger = true
    if base[q] == UInt8(ascii: ".") {
      isInteger = false
      q += 1
      guard base[q].isDigit else {
        pos = q
        throw unexpected("expected a digit after '.' in number")
      }
      while base[q].isDigit { q += 1 }
    }
    if base[q] | 0x20 == UInt8(ascii: "e") {
      isInteger = false
      q += 1
      if base[q] == UInt8(ascii: "+") || base[q] == UInt8(ascii: "-") { q += 1 }
      guard base[q].isDigit else {
        pos = q
        throw unexpected("expected a digit in exponent")
      }
      while base[q].isDigit { q += 1 }
    }
    if q != tokenEnd {
      throw error("invalid number", at: q)
    }
    pos = q
    if isInteger && !overflow {
      if !negative && magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
      if negative && magnitude <= UInt64(Int64.max) + 1 {
        return .int(Int64(bitPattern: 0 &- magnitude))
      }
    }
    // The byte after the token is not part of any number, so strtod stops at tokenEnd.
    let double = strtod(UnsafeRawPointer(base + start).assumingMemoryBound(to: CChar.self), nil)
    if double.isInfinite {
      throw error("number out of range", at: start)
    }
    return .double(double)
  }
}
