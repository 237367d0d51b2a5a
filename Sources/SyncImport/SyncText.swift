import SyncValue

/// Spelling values, paths and patterns in `.sync` syntax, so that what the importers
/// write parses back to exactly the value it was given.
public enum SyncText {
  /// A string literal: `"…"`, or a multi-line string indented by `indent` when the text
  /// is several lines that end in a newline (as YAML's `|` gives them).
  public static func string(_ text: String, indent: String = "") -> String {
    if let multiline = multilineString(text, indent: indent) { return multiline }
    return "\"" + escaped(text, quote: true) + "\""
  }

  /// Escapes for the inside of a string: a `$` before `{` gets a backslash, so nothing
  /// is read as `${…}` interpolation.
  static func escaped(_ text: String, quote: Bool) -> String {
    var result = ""
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() {
      switch scalar {
      case "\"" where quote: result += "\\\""
      case "\\": result += "\\\\"
      case "$" where index + 1 < scalars.count && scalars[index + 1] == "{": result += "\\$"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      case _ where scalar.value < 0x20 || scalar.value == 0x7F:
        result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result
  }

  private static func multilineString(_ text: String, indent: String) -> String? {
    guard text.hasSuffix("\n"), text.dropLast().contains("\n"), !text.contains("\"\"\""),
      !text.contains("\r")
    else { return nil }
    let lines = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
    // A line of only blanks would lose them to the closing delimiter's indentation.
    guard !lines.contains(where: { !$0.isEmpty && $0.allSatisfy { $0 == " " || $0 == "\t" } })
    else { return nil }
    let body = lines.map { line in
      line.isEmpty ? "" : indent + "  " + escaped(String(line), quote: false)
    }
    return "\"\"\"\n" + body.joined(separator: "\n") + "\n" + indent + "  \"\"\""
  }

  /// A value as a literal: scalars, `[…]` and `{ key: … }`, on one line.
  public static func literal(_ value: Value, indent: String = "") -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return flag ? "true" : "false"
    case .int(let number): return String(number)
    case .double(let number):
      return number.rounded() == number && abs(number) < 1e15
        ? String(Int64(number)) : String(number)
    case .string(let text): return string(text, indent: indent)
    case .array(let items):
      return "[" + items.map { literal($0, indent: indent) }.joined(separator: ", ") + "]"
    case .object(let object):
      if object.isEmpty { return "{}" }
      let members = object.members.map { member in
        mapKey(member.key) + ": " + literal(member.value, indent: indent)
      }
      return "{ " + members.joined(separator: ", ") + " }"
    }
  }

  /// A map literal's key: bare when it is a plain name.
  static func mapKey(_ key: String) -> String {
    isPlainName(key) ? key : "\"" + escaped(key, quote: true) + "\""
  }

  /// Letters, digits, `_` and `-`, not starting with `-` or a digit-only spelling that
  /// would lex as a number.
  static func isPlainName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, first != "-" else { return false }
    if name.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) }) { return false }
    return name.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || $0 == "_" || $0 == "-"
    }
  }

  /// A path of map keys: `spec.template.metadata.annotations."example.com/key"`.
  public static func path(_ keys: [String]) -> String {
    keys.map { isPlainName($0) ? $0 : "\"" + escaped($0, quote: true) + "\"" }
      .joined(separator: ".")
  }

  /// A name, namespace or label value matched exactly: a bare word when it lexes as one
  /// and has no glob characters, a string otherwise.
  public static func exact(_ text: String) -> String {
    let wordCharacters = text.unicodeScalars.allSatisfy {
      ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
        || $0 == "_" || $0 == "-" || $0 == "." || $0 == "/"
    }
    let startsWell = text.unicodeScalars.first.map { $0 != "." && $0 != "/" } ?? false
    let isNumber = Double(text) != nil
    return wordCharacters && startsWell && !isNumber
      ? text : "\"" + escaped(text, quote: true) + "\""
  }

  /// A regex literal `re"…"`: only `"` needs a backslash (regex escapes pass through).
  public static func regex(_ pattern: String) -> String {
    var result = "re\""
    for character in pattern {
      if character == "\"" { result += "\\\"" } else { result.append(character) }
    }
    return result + "\""
  }
}
