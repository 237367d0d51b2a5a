import Foundation

/// The string formats the Kubernetes API server validates, each checked so that it
/// never rejects a value the server accepts.
///
/// CRD schemas are validated with kube-openapi's `strfmt` registry, restricted to the
/// formats apiextensions-apiserver lists (`bsonobjectid` … `datetime`); format names
/// are compared with `-` removed, as go-openapi does, so `date-time` is `datetime`.
/// Built-in kinds declare `byte` and `date-time`, which decoding into Go types checks
/// alike. Where server versions differ (`hostname`, `uri`, `email`), only what every
/// version rejects is reported. `isbn`, `isbn10`, `isbn13`, `creditcard` and
/// `rgbcolor` are validated by the server but not here; `password` accepts anything.
enum StringFormat {
  /// What `format` expects, in words, when `text` is not valid for it; nil when it is
  /// valid or the format is not one this checks.
  static func expectation(violatedBy text: String, format: String) -> String? {
    let name = format.replacingOccurrences(of: "-", with: "")
    guard let (isValid, expectation) = checks[name], !isValid(text) else { return nil }
    return expectation
  }

  private static let checks: [String: (@Sendable (String) -> Bool, String)] = [
    "byte": (isBase64, "base64 text (standard alphabet, padded with `=`)"),
    "date": ({ parseDate(Array($0.utf8)[...]) }, "a date such as `2024-05-31`"),
    "datetime": (isDateTime, "an RFC 3339 time such as `2024-05-31T12:00:00Z`"),
    "uuid": ({ isUUID($0, version: nil) }, "a UUID such as `123e4567-e89b-12d3-a456-426614174000`"),
    "uuid3": ({ isUUID($0, version: "3") }, "a version 3 UUID"),
    "uuid4": ({ isUUID($0, version: "4") }, "a version 4 UUID"),
    "uuid5": ({ isUUID($0, version: "5") }, "a version 5 UUID"),
    "ipv4": (isIPv4, "an IPv4 address such as `10.0.0.1`"),
    "ipv6": (isIPv6, "an IPv6 address such as `fd00::1`"),
    "cidr": (isCIDR, "an IP range such as `10.0.0.0/8` or `fd00::/64`"),
    "mac": (isMAC, "a MAC address such as `00:1a:2b:3c:4d:5e`"),
    "hostname": (isHostname, "a host name such as `db.example.com`"),
    "email": ({ $0.contains("@") }, "an email address"),
    "uri": (isURI, "an absolute URI such as `https://example.com/x`, or an absolute path"),
    "bsonobjectid": ({ $0.utf8.count == 24 && $0.utf8.allSatisfy(isHexDigit) }, "24 hex digits"),
    "hexcolor": (isHexColor, "a colour such as `#ff8800` or `#f80`"),
    "ssn": (isSSN, "a U.S. social security number such as `123-45-6789`"),
    "duration": (isDuration, "a duration such as `30s`, `1h30m` or `2 days`"),
  ]

  // MARK: Encodings and identifiers

  /// Go's `base64.StdEncoding`, which skips line breaks and does not insist on zero
  /// trailing bits.
  static func isBase64(_ text: String) -> Bool {
    var count = 0
    var padding = 0
    for byte in text.utf8 {
      switch byte {
      case 0x0A, 0x0D:
        continue
      case UInt8(ascii: "="):
        padding += 1
        if padding > 2 { return false }
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
        if padding > 0 { return false }
      default:
        return false
      }
      count += 1
    }
    return count % 4 == 0
  }

  /// `(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`, with the
  /// version digit (and for versions 4 and 5 the variant) pinned when given.
  static func isUUID(_ text: String, version: Character?) -> Bool {
    var groups: [Substring] = []
    var rest = Substring(text)
    for length in [8, 4, 4, 4, 12] {
      if !groups.isEmpty, rest.first == "-" { rest = rest.dropFirst() }
      let group = rest.prefix(length)
      guard group.count == length, group.utf8.allSatisfy(isHexDigit) else { return false }
      groups.append(group)
      rest = rest.dropFirst(length)
    }
    guard rest.isEmpty else { return false }
    guard let version else { return true }
    guard groups[2].first == version else { return false }
    return version == "3" || "89abAB".contains(groups[3].first!)
  }

  static func isHexColor(_ text: String) -> Bool {
    let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
    return (digits.utf8.count == 3 || digits.utf8.count == 6) && digits.utf8.allSatisfy(isHexDigit)
  }

  /// `^\d{3}[- ]?\d{2}[- ]?\d{4}$`.
  static func isSSN(_ text: String) -> Bool {
    var rest = Substring(text)
    for (index, length) in [3, 2, 4].enumerated() {
      if index > 0, rest.first == "-" || rest.first == " " { rest = rest.dropFirst() }
      let group = rest.prefix(length)
      guard group.count == length, group.utf8.allSatisfy(isDigit) else { return false }
      rest = rest.dropFirst(length)
    }
    return rest.isEmpty
  }

  // MARK: Times

  /// `YYYY-MM-DD`, a real calendar day.
  static func parseDate(_ bytes: ArraySlice<UInt8>) -> Bool {
    let text = Array(bytes)
    guard text.count == 10, text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"),
      let year = number(text[0..<4]), let month = number(text[5..<7]),
      let day = number(text[8..<10]), (1...12).contains(month)
    else { return false }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return (1...days).contains(day)
  }

  /// A date, `T`, `HH:MM:SS`, an optional fraction and a zone (`Z` or `±HH:MM`): what
  /// both Go's RFC 3339 parser (built-in kinds) and strfmt (CRDs) require.
  static func isDateTime(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count >= 20, parseDate(bytes[0..<10]),
      bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"),
      bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
      let hour = number(bytes[11..<13]), let minute = number(bytes[14..<16]),
      let second = number(bytes[17..<19]), hour < 24, minute < 60, second < 60
    else { return false }
    var index = 19
    if bytes[index] == UInt8(ascii: ".") {
      index += 1
      let start = index
      while index < bytes.count, isDigit(bytes[index]) { index += 1 }
      if index == start { return false }
    }
    let zone = bytes[index...]
    if zone.elementsEqual("Z".utf8) || zone.elementsEqual("z".utf8) { return true }
    let offset = Array(zone)
    guard offset.count == 6, offset[0] == UInt8(ascii: "+") || offset[0] == UInt8(ascii: "-"),
      offset[3] == UInt8(ascii: ":"), let hours = number(offset[1..<3]),
      let minutes = number(offset[4..<6])
    else { return false }
    return hours < 24 && minutes < 60
  }

  /// Go's `time.ParseDuration` (`1h30m`, `-1.5s`), or the Scala-like form strfmt also
  /// reads (`2 days`, `10 min`).
  static func isDuration(_ text: String) -> Bool {
    isGoDuration(Array(text.utf8)) || isWordDuration(text)
  }

  private static func isGoDuration(_ bytes: [UInt8]) -> Bool {
    var index = 0
    if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
      index += 1
    }
    if bytes[index...].elementsEqual("0".utf8) { return true }
    let units: Set<String> = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
    var parts = 0
    while index < bytes.count {
      let numberStart = index
      var digits = 0
      while index < bytes.count, isDigit(bytes[index]) {
        index += 1
        digits += 1
      }
      if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
        index += 1
        while index < bytes.count, isDigit(bytes[index]) {
          index += 1
          digits += 1
        }
      }
      guard digits > 0, index > numberStart else { return false }
      let unitStart = index
      while index < bytes.count, !isDigit(bytes[index]), bytes[index] != UInt8(ascii: ".") {
        index += 1
      }
      let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
      guard units.contains(unit) else { return false }
      parts += 1
    }
    return parts > 0
  }

  /// `^\s*(?:\d+\s*[A-Za-zµ]+\s*)+$` with at least one unit strfmt knows.
  private static func isWordDuration(_ text: String) -> Bool {
    let exact: Set<String> = ["ns", "us", "µs", "ms", "s", "m", "h", "hr", "d", "w", "wk"]
    let prefixes = ["nano", "micro", "milli", "sec", "min", "hour", "day", "week"]
    var scalars = Array(text.unicodeScalars)[...]
    func skipSpaces() {
      while let first = scalars.first, first.properties.isWhitespace {
        scalars = scalars.dropFirst()
      }
    }
    var known = false
    var parts = 0
    skipSpaces()
    while !scalars.isEmpty {
      let digits = scalars.prefix { ("0"..."9").contains($0) }
      guard !digits.isEmpty else { return false }
      scalars = scalars.dropFirst(digits.count)
      skipSpaces()
      let unit = scalars.prefix {
        ("a"..."z").contains($0) || ("A"..."Z").contains($0) || $0 == "µ"
      }
      guard !unit.isEmpty else { return false }
      scalars = scalars.dropFirst(unit.count)
      skipSpaces()
      let word = String(String.UnicodeScalarView(unit)).lowercased()
      if exact.contains(word) || prefixes.contains(where: word.hasPrefix) { known = true }
      parts += 1
    }
    return parts > 0 && known
  }

  // MARK: Network

  /// Four decimal numbers up to 255. Leading zeros are accepted: older servers
  /// (Go before 1.17) took them.
  static func isIPv4(_ text: String) -> Bool {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4
      && parts.allSatisfy { part in
        (1...3).contains(part.utf8.count) && part.utf8.allSatisfy(isDigit) && Int(part)! <= 255
      }
  }

  /// Go's `net.ParseIP` for IPv6: eight groups of up to four hex digits, `::` standing
  /// for at least one zero group, an IPv4 address allowed as the last 32 bits, no zone.
  static func isIPv6(_ text: String) -> Bool {
    guard text.contains(":") else { return false }
    let halves = text.components(separatedBy: "::")
    guard halves.count <= 2 else { return false }
    var groups = 0
    for (index, half) in halves.enumerated() where !half.isEmpty {
      let parts = half.split(separator: ":", omittingEmptySubsequences: false)
      for (position, part) in parts.enumerated() {
        let isLast = index == halves.count - 1 && position == parts.count - 1
        if isLast, part.contains("."), isIPv4(String(part)) {
          groups += 2
          continue
        }
        guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit) else {
          return false
        }
        groups += 1
      }
    }
    return halves.count == 2 ? groups <= 7 : groups == 8
  }

  /// `ADDRESS/PREFIX`, the prefix at most the address's bit count.
  static func isCIDR(_ text: String) -> Bool {
    guard let slash = text.lastIndex(of: "/") else { return false }
    let address = String(text[..<slash])
    let prefix = text[text.index(after: slash)...]
    guard !prefix.isEmpty, prefix.utf8.count <= 3, prefix.utf8.allSatisfy(isDigit),
      let bits = Int(prefix)
    else { return false }
    if isIPv4(address) { return bits <= 32 }
    return isIPv6(address) && bits <= 128
  }

  /// Go's `net.ParseMAC`: 6, 8 or 20 octets as `aa:bb:…` or `aa-bb-…`, or as dotted
  /// groups of four hex digits (`0000.5e00.5301`).
  static func isMAC(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    let sizes: Set<Int> = [6, 8, 20]
    guard bytes.count >= 14 else { return false }
    if bytes[2] == UInt8(ascii: ":") || bytes[2] == UInt8(ascii: "-") {
      guard (bytes.count + 1) % 3 == 0, sizes.contains((bytes.count + 1) / 3) else { return false }
      for start in stride(from: 0, to: bytes.count, by: 3) {
        guard isHexDigit(bytes[start]), isHexDigit(bytes[start + 1]) else { return false }
        if start + 2 < bytes.count, bytes[start + 2] != bytes[2] { return false }
      }
      return true
    }
    if bytes[4] == UInt8(ascii: ".") {
      guard (bytes.count + 1) % 5 == 0, sizes.contains(2 * (bytes.count + 1) / 5) else {
        return false
      }
      for start in stride(from: 0, to: bytes.count, by: 5) {
        guard bytes[start..<(start + 4)].allSatisfy(isHexDigit) else { return false }
        if start + 4 < bytes.count, bytes[start + 4] != UInt8(ascii: ".") { return false }
      }
      return true
    }
    return false
  }

  /// What every strfmt version rejects: more than 255 bytes, an empty label, a label
  /// over 63 bytes or starting or ending with `-`, characters other than letters,
  /// digits, symbols and `-`, and a one-character last label after a dot (an IPv4
  /// address aside).
  static func isHostname(_ text: String) -> Bool {
    guard !text.isEmpty, text.utf8.count <= 255 else { return false }
    if isIPv4(text) { return true }
    var labels = text.split(separator: ".", omittingEmptySubsequences: false)
    if labels.count > 1, labels.last!.isEmpty { labels.removeLast() }
    for label in labels {
      guard !label.isEmpty, label.utf8.count <= 63, label.first != "-", label.last != "-",
        label.unicodeScalars.allSatisfy({ scalar in
          scalar == "-" || scalar.properties.numericType == .decimal
            || scalar.properties.isAlphabetic || isSymbol(scalar)
        })
      else { return false }
    }
    return labels.count == 1 || labels.last!.count >= 2
  }

  /// Go's `url.ParseRequestURI`, in what it always rejects: empty text, control
  /// characters, and text that is neither an absolute path nor starts with a scheme.
  static func isURI(_ text: String) -> Bool {
    guard !text.isEmpty, !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
      return false
    }
    if text.hasPrefix("/") { return true }
    guard let colon = text.firstIndex(of: ":"), colon > text.startIndex else { return false }
    let scheme = text[..<colon].unicodeScalars
    return scheme.first!.isASCII && scheme.first!.properties.isAlphabetic
      && scheme.allSatisfy { scalar in
        scalar.isASCII
          && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || scalar == "+" || scalar == "-" || scalar == ".")
      }
  }

  // MARK: Characters

  private static func isSymbol(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol: return true
    default: return false
    }
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
  }

  private static func isHexDigit(_ byte: UInt8) -> Bool {
    isDigit(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte | 0x20)
  }

  private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
    guard !bytes.isEmpty, bytes.allSatisfy(isDigit) else { return nil }
    return bytes.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
  }
}
