/// How a string is written so that it reads back as the same string.
enum YAMLScalarStyle {
  case plain
  case singleQuoted
  case doubleQuoted
  /// A `|` block; only for text with line breaks that a block can carry exactly.
  case literal

  /// The most readable style that round-trips `text`, preferring what kubectl's
  /// `-o yaml` would print: plain, then single quotes, then a literal block for
  /// multi-line text, and double quotes (with escapes) when nothing else can carry it.
  static func choose(for text: UnsafeBufferPointer<UInt8>, isKey: Bool) -> YAMLScalarStyle {
    guard let first = text.first, let last = text.last else { return .singleQuoted }
    var plainAllowed = startsPlain(text) && !isBlank(first) && !isBlank(last)
    var hasLineBreak = false
    var previous: UInt8 = 0
    var index = 0
    while index < text.count {
      let byte = text[index]
      switch byte {
      case UInt8(ascii: "\n"):
        hasLineBreak = true
        plainAllowed = false
      case UInt8(ascii: "\t"):
        plainAllowed = false
      case 0..<0x20, 0x7F:
        return .doubleQuoted
      case UInt8(ascii: ":"):
        if index + 1 == text.count || isBlank(text[index + 1]) { plainAllowed = false }
      case UInt8(ascii: "#"):
        if isBlank(previous) { plainAllowed = false }
      case 0xC2:
        // U+0080...U+009F: C1 controls (and NEL, a YAML line break).
        if text[index + 1] < 0xA0 { return .doubleQuoted }
      case 0xE2:
        // U+2028 and U+2029 are line breaks to YAML and would be folded.
        if text[index + 1] == 0x80, text[index + 2] == 0xA8 || text[index + 2] == 0xA9 {
          return .doubleQuoted
        }
      case 0xEF:
        // U+FEFF (a byte order mark, skipped at line starts), U+FFFE, U+FFFF.
        if (text[index + 1] == 0xBB && text[index + 2] == 0xBF)
          || (text[index + 1] == 0xBF && text[index + 2] >= 0xBE)
        {
          return .doubleQuoted
        }
      default:
        break
      }
      previous = byte
      index += 1
    }
    if hasLineBreak {
      return !isKey && literalAllowed(text) ? .literal : .doubleQuoted
    }
    guard plainAllowed, YAMLScalar.resolvePlain(text) == nil, !looksTypedToOthers(text) else {
      return .singleQuoted
    }
    return .plain
  }

  /// Text that go-yaml reads as a string but other YAML 1.1 readers (PyYAML, kubectl's
  /// own `-o yaml` writer) treat as typed: sexagesimal numbers (`1:30`), timestamps
  /// (`2024-01-02`), the merge key `<<` and the value key `=`. Quoting them costs
  /// nothing and keeps the output portable, as go-yaml's writer does.
  private static func looksTypedToOthers(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    if text.count <= 2 {
      return (text.count == 2 && text[0] == UInt8(ascii: "<") && text[1] == UInt8(ascii: "<"))
        || (text.count == 1 && text[0] == UInt8(ascii: "="))
    }
    if text.count >= 5, text[4] == UInt8(ascii: "-"), text[..<4].allSatisfy(isDigit) {
      return true
    }
    return isSexagesimal(text)
  }

  /// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
  private static func isSexagesimal(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    if text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") { index = 1 }
    guard index < text.count, isDigit(text[index]) else { return false }
    while index < text.count, isDigit(text[index]) || text[index] == UInt8(ascii: "_") {
      index += 1
    }
    var groups = 0
    while index < text.count, text[index] == UInt8(ascii: ":") {
      index += 1
      var digits = 0
      while index < text.count, isDigit(text[index]), digits < 2 {
        if digits == 1, text[index - 1] > UInt8(ascii: "5") { return false }
        index += 1
        digits += 1
      }
      guard digits > 0 else { return false }
      groups += 1
    }
    guard groups > 0 else { return false }
    if index < text.count, text[index] == UInt8(ascii: ".") {
      index += 1
      while index < text.count, isDigit(text[index]) || text[index] == UInt8(ascii: "_") {
        index += 1
      }
    }
    return index == text.count
  }

  private static func isDigit(_ byte: UInt8) -> Bool {
    byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
  }

  private static func isBlank(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
  }

  /// A plain scalar may not start with an indicator, nor with `---` or `...`, which
  /// mark document boundaries at the start of a line. `-` is fine before a non-blank
  /// (`-Xmx512m`), as kubectl prints it.
  private static func startsPlain(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    switch text[0] {
    case UInt8(ascii: "-"):
      guard text.count > 1, !isBlank(text[1]) else { return false }
      return !(text.count >= 3 && text[1] == UInt8(ascii: "-") && text[2] == UInt8(ascii: "-"))
    case UInt8(ascii: "."):
      return !(text.count >= 3 && text[1] == UInt8(ascii: ".") && text[2] == UInt8(ascii: "."))
    case UInt8(ascii: "?"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "["),
      UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "#"),
      UInt8(ascii: "&"), UInt8(ascii: "*"), UInt8(ascii: "!"), UInt8(ascii: "|"),
      UInt8(ascii: ">"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "%"),
      UInt8(ascii: "@"), UInt8(ascii: "`"):
      return false
    default:
      return true
    }
  }

  /// A literal block keeps every character except where indentation is ambiguous or
  /// invisible: the first non-empty line may not start with a blank (the block's
  /// indentation is taken from it), and trailing blanks are kept out because editors
  /// and linters strip them. It also needs at least one non-empty line.
  private static func literalAllowed(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var atLineStart = true
    var sawContent = false
    var previous: UInt8 = 0
    for byte in text {
      if byte == UInt8(ascii: "\n") {
        if isBlank(previous) { return false }
        atLineStart = true
      } else {
        if atLineStart && !sawContent && isBlank(byte) { return false }
        atLineStart = false
        sawContent = true
      }
      previous = byte
    }
    return sawContent && !isBlank(previous)
  }
}
