extension JSONScanner {
  /// Reads past a string value whose opening quote is consumed, checking it exactly as
  /// ``scanString()`` does (the same errors at the same places, in the same order)
  /// without decoding its escapes.
  ///
  /// Decoding checks the UTF-8 of the whole decoded string; checking each run of raw
  /// bytes between escapes is the same test, because an escape decodes to ASCII or to a
  /// lead byte, never to a continuation byte that could complete a run's last sequence.
  mutating func skipString() throws(JSONError) {
    var run = pos
    var p = pos
    // The bytes of the current run ORed together: a high bit means UTF-8 to check.
    var seen: UInt64 = 0
    var escaped = false
    var invalidUTF8 = false
    while true {
      skipPlainStringBytes(&p, seen: &seen)
      let c = base[p]
      if c == 0x22 { break }
      if c == 0x5C {
        if seen & 0x8080_8080_8080_8080 != 0, firstInvalidUTF8(base + run, count: p - run) != nil {
          invalidUTF8 = true
        }
        escaped = true
        seen = 0
        if end - p < 2 {
          pos = p
          try ensureAvailable(2)
          p = pos
        }
        switch base[p + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
          UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
          p &+= 2
        case UInt8(ascii: "u"):
          pos = p
          _ = try readUnicodeEscape()
          p = pos
        default:
          if p + 1 >= end { throw error("unexpected end of input in string", at: end) }
          throw error("invalid escape sequence in string", at: p)
        }
        run = p
        continue
      }
      if p < end {
        throw error("control character \(describeByte(c)) in string must be escaped", at: p)
      }
      pos = p
      if !(try refill(keeping: &run)) {
        throw error("unexpected end of input in string", at: pos)
      }
      p = pos
    }
    pos = p + 1
    if seen & 0x8080_8080_8080_8080 != 0, let bad = firstInvalidUTF8(base + run, count: p - run) {
      // As decoding reports it: at the string's end when it had escapes.
      throw error("invalid UTF-8 in string", at: escaped ? pos - 1 : run + bad)
    }
    if invalidUTF8 { throw error("invalid UTF-8 in string", at: pos - 1) }
  }
}
