/// Plain-scalar typing the way `kubectl apply -f` does it.
///
/// kubectl reads YAML with sigs.k8s.io/yaml, which decodes with go-yaml v2 into
/// `interface{}` and then converts to JSON. go-yaml v2 follows YAML 1.1 for plain
/// (unquoted, untagged) scalars, so `yes`, `on` and `y` are booleans and `017` is octal.
/// Matching it exactly matters: a value that we read as a string but kubectl reads as a
/// boolean would change meaning when the object is applied.
enum YAMLScalar {
  /// The value plain scalar `text` stands for, or `nil` when it is a string.
  ///
  /// `.inf` and `.nan` come back as non-finite doubles; the reader rejects them because
  /// JSON (and so kubectl) cannot carry them.
  static func resolvePlain(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    guard let first = text.first else { return .null }
    switch first {
    case UInt8(ascii: "0")...UInt8(ascii: "9"):
      return resolveNumber(text)
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
      return resolveWord(text) ?? resolveNumber(text)
    case UInt8(ascii: "."):
      return resolveWord(text) ?? resolveLeadingDotFloat(text)
    case UInt8(ascii: "y"), UInt8(ascii: "Y"), UInt8(ascii: "n"), UInt8(ascii: "N"),
      UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"),
      UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "~"):
      return resolveWord(text)
    default:
      return nil
    }
  }

  static func resolvePlain(_ text: String) -> Value? {
    var text = text
    return text.withUTF8 { resolvePlain($0) }
  }

  /// go-yaml v2's table of reserved words (YAML 1.1 booleans included), keyed by the
  /// word's bytes packed into an integer: every map key starting with `n`, `t`, `f` or
  /// `o` is looked up here, so this must not build a String.
  private static let reservedWords: [UInt64: Value] = {
    let table: [([String], Value)] = [
      (["y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"], .bool(true)),
      (["n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"], .bool(false)),
      (["~", "null", "Null", "NULL"], .null),
      ([".nan", ".NaN", ".NAN"], .double(.nan)),
      ([".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"], .double(.infinity)),
      (["-.inf", "-.Inf", "-.INF"], .double(-.infinity)),
    ]
    var words: [UInt64: Value] = [:]
    for (spellings, value) in table {
      for spelling in spellings { words[pack(spelling.utf8)] = value }
    }
    return words
  }()

  /// Up to five bytes as one integer; the caller checks the length.
  private static func pack(_ bytes: some Sequence<UInt8>) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
  }

  private static func resolveWord(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    guard text.count <= 5 else { return nil }
    return reservedWords[pack(text)]
  }

  /// Text starting with a digit or sign: go-yaml drops `_`, then tries Go's
  /// `ParseInt(s, 0, 64)`, `ParseUint(s, 0, 64)` and a YAML-style float pattern, in
  /// that order.
  private static func resolveNumber(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    if text.contains(UInt8(ascii: "_")) {
      let plain = text.filter { $0 != UInt8(ascii: "_") }
      return plain.withUnsafeBufferPointer(resolveNumberWithoutUnderscores)
    }
    return resolveNumberWithoutUnderscores(text)
  }

  private static func resolveNumberWithoutUnderscores(_ text: UnsafeBufferPointer<UInt8>)
    -> Value?
  {
    if let integer = parseGoInteger(text) { return integer }
    guard matchesYAMLFloat(text) else { return nil }
    return parseFiniteDouble(text)
  }

  /// Go's base-0 integer syntax: optional sign, then `0x`, `0o`, `0b`, a leading `0`
  /// (octal) or decimal digits. Integers above `Int64.max` are what go-yaml returns as
  /// `uint64`; JSON turns those into floats, so they become `.double` here.
  private static func parseGoInteger(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    var index = 0
    var sign: UInt8 = 0
    if text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") {
      sign = text[0]
      index = 1
    }
    guard index < text.count else { return nil }
    var base: UInt64 = 10
    if text[index] == UInt8(ascii: "0"), index + 1 < text.count {
      switch text[index + 1] {
      case UInt8(ascii: "x"), UInt8(ascii: "X"):
        base = 16
        index += 2
      case UInt8(ascii: "o"), UInt8(ascii: "O"):
        base = 8
        index += 2
      case UInt8(ascii: "b"), UInt8(ascii: "B"):
        base = 2
        index += 2
      default:
        base = 8
        index += 1
      }
      guard index < text.count else { return nil }
    }
    var magnitude: UInt64 = 0
    while index < text.count {
      guard let digit = digitValue(text[index]), digit < base else { return nil }
      let (shifted, overflowA) = magnitude.multipliedReportingOverflow(by: base)
      let (sum, overflowB) = shifted.addingReportingOverflow(digit)
      if overflowA || overflowB { return nil }
      magnitude = sum
      index += 1
    }
    if sign == UInt8(ascii: "-") {
      guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
      return .int(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
    }
    if magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
    // Go's ParseUint takes no sign, so `+9223372036854775808` is not an unsigned int.
    return sign == 0 ? .double(Double(magnitude)) : nil
  }

  private static func digitValue(_ byte: UInt8) -> UInt64? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  /// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, go-yaml's float pattern.
  private static func matchesYAMLFloat(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    if text[0] == UInt8(ascii: "+") || text[0] == UInt8(ascii: "-") { index = 1 }
    let integerDigits = skipDigits(text, from: &index)
    if index < text.count, text[index] == UInt8(ascii: ".") {
      index += 1
      let fractionDigits = skipDigits(text, from: &index)
      if integerDigits == 0 && fractionDigits == 0 { return false }
    } else if integerDigits == 0 {
      return false
    }
    return matchesExponent(text, from: index)
  }

  /// What Go's `ParseFloat` accepts for text starting with `.`: `.5`, `.5e3`.
  private static func resolveLeadingDotFloat(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    var index = 1
    guard skipDigits(text, from: &index) > 0, matchesExponent(text, from: index) else {
      return nil
    }
    return parseFiniteDouble(text)
  }

  private static func matchesExponent(_ text: UnsafeBufferPointer<UInt8>, from start: Int)
    -> Bool
  {
    var index = start
    if index == text.count { return true }
    guard text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") else {
      return false
    }
    index += 1
    if index < text.count, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
      index += 1
    }
    return skipDigits(text, from: &index) > 0 && index == text.count
  }

  private static func skipDigits(_ text: UnsafeBufferPointer<UInt8>, from index: inout Int)
    -> Int
  {
    let start = index
    while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") {
      index += 1
    }
    return index - start
  }

  /// Go's `ParseFloat` fails on overflow (`1e400`), and go-yaml then keeps the text as
  /// a string; underflow quietly becomes zero in both.
  private static func parseFiniteDouble(_ text: UnsafeBufferPointer<UInt8>) -> Value? {
    guard let number = Double(String(decoding: text, as: UTF8.self)), number.isFinite else {
      return nil
    }
    return .double(number)
  }
}
