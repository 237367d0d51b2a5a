/// Finds the first byte that does not belong to well-formed UTF-8 (RFC 3629): overlong
/// forms, UTF-16 surrogates (U+D800–U+DFFF) and code points above U+10FFFF are invalid.
///
/// Returns the index of the offending sequence's first byte, or nil when all is valid.
func firstInvalidUTF8(_ start: UnsafePointer<UInt8>, count: Int) -> Int? {
  var index = 0
  let raw = UnsafeRawPointer(start)
  while index < count {
    // Runs of ASCII, the common case, eight bytes at a time.
    while index + 8 <= count
      && raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
    {
      index += 8
    }
    if index >= count { break }
    let lead = start[index]
    if lead < 0x80 {
      index += 1
      continue
    }
    let length: Int
    var low: UInt8 = 0x80
    var high: UInt8 = 0xBF
    switch lead {
    case 0xC2...0xDF:
      length = 2
    case 0xE0:
      length = 3
      low = 0xA0
    case 0xE1...0xEC, 0xEE...0xEF:
      length = 3
    case 0xED:
      length = 3
      high = 0x9F
    case 0xF0:
      length = 4
      low = 0x90
    case 0xF1...0xF3:
      length = 4
    case 0xF4:
      length = 4
      high = 0x8F
    default:
      return index
    }
    if index + length > count { return index }
    let second = start[index + 1]
    if second < low || second > high { return index }
    var next = index + 2
    while next < index + length {
      if start[next] & 0xC0 != 0x80 { return index }
      next += 1
    }
    index += length
  }
  return nil
}
