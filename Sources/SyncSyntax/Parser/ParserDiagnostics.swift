/// Every lexer and parser message, one helper per kind of error, so wording stays
/// consistent and each code's messages can be reviewed in one place.
enum ParserDiagnostics {
  static let itemKeywords = ["rule", "skip", "group", "import"]
  static let editKeywords = [
    "set", "default", "remove", "append", "prepend", "merge", "replace", "drop", "patch", "use",
    "when", "dependencies", "edit", "image",
  ]
  static let clauseKeywords = ["in", "named", "labels", "annotations", "when", "scope"]
  static let skipTargets = ["namespaces", "names", "kinds", "groups", "owned", "match"]

  // MARK: Lexical errors (E0101–E0105)

  static func unterminatedString(_ kind: TokenKind, at range: SourceRange) -> Diagnostic {
    switch kind {
    case .regex:
      return Diagnostic(.unterminatedString, "unterminated regex: missing `\"`", at: range)
    case .multilineString:
      return Diagnostic(
        .unterminatedString, "unterminated multi-line string: no closing `\"\"\"`", at: range)
    default:
      return Diagnostic(
        .unterminatedString, "unterminated string: missing `\"` before the end of the line",
        at: range, help: "a string ends on its own line; write `\"\"\"` for multi-line text")
    }
  }

  static func unterminatedInterpolation(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .unterminatedString, "unterminated interpolation: `${` has no closing `}`", at: range,
      help: "write `\\$` for a literal dollar sign")
  }

  static func invalidEscape(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidEscape, "invalid escape `\(text)` in a string", at: range,
      help: "the escapes are \\\" \\\\ \\n \\t \\r \\$ and \\u{XXXX}; regexes are written re\"…\"")
  }

  static func invalidUnicodeEscape(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidEscape, "invalid Unicode escape", at: range,
      help: "write `\\u{XXXX}` with 1 to 8 hex digits naming a Unicode scalar")
  }

  static func unexpectedCharacter(_ text: String, at range: SourceRange) -> Diagnostic {
    let help: String?
    switch text.first {
    case "'": help = "strings are written in double quotes: \"…\""
    case ";": help = "edits need no separator: put each on its own line"
    case "/": help = "quote text that starts with `/`: \"/a/b\""
    default: help = nil
    }
    return Diagnostic(.unexpectedCharacter, "unexpected character `\(text)`", at: range, help: help)
  }

  static func invalidNumber(_ text: String, at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidNumber, "invalid number `\(text)`", at: range,
      help: "numbers have no leading zeros and need digits after `.` and `e`; "
        + "write \"\(text)\" for a string")
  }

  static func multilineContentOnOpeningLine(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidMultilineString, "a multi-line string starts on the line after its `\"\"\"`",
      at: range)
  }

  static func closingDelimiterNotAlone(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidMultilineString,
      "the closing `\"\"\"` of a multi-line string must be on a line of its own", at: range)
  }

  static func underIndentedLine(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .invalidMultilineString, "this line is indented less than the closing `\"\"\"`",
      at: range,
      help: "the closing delimiter's indentation is removed from every line, so each line "
        + "must start with it")
  }

  // MARK: Syntax errors (E0110–E0117)

  /// How a token reads in "found …".
  static func describe(_ token: Token, in file: SourceFile) -> String {
    switch token.kind {
    case .word, .number:
      return "`\(token.text)`"
    case .string, .multilineString, .regex:
      var text = file.text(in: SourceRange(fileID: file.id, start: token.start, end: token.end))
      if let newline = text.firstIndex(of: "\n") { text = String(text[..<newline]) + "…" }
      if text.count > 30 { text = String(text.prefix(29)) + "…" }
      return "\(token.kind == .regex ? "regex" : "string") `\(text)`"
    default:
      return token.kind.spelling
    }
  }

  static func expected(
    _ what: String, found token: Token, in file: SourceFile, help: String? = nil
  ) -> Diagnostic {
    Diagnostic(
      .expectedToken, "expected \(what), found \(describe(token, in: file))",
      at: range(of: token, in: file), help: help)
  }

  /// An "expected" error for a misspelt keyword, with a suggestion among `keywords`.
  static func expectedKeyword(
    _ what: String, among keywords: [String], found token: Token, in file: SourceFile
  ) -> Diagnostic {
    let help = token.kind == .word ? didYouMean(token.text, among: keywords) : nil
    return expected(what, found: token, in: file, help: help)
  }

  static func unknownItem(_ token: Token, in file: SourceFile) -> Diagnostic {
    guard token.kind == .word else {
      return Diagnostic(
        .unknownItem,
        "expected `rule`, `skip`, `group` or `import`, found \(describe(token, in: file))",
        at: range(of: token, in: file))
    }
    return Diagnostic(
      .unknownItem, "unknown item `\(token.text)`", at: range(of: token, in: file),
      help: didYouMean(token.text, among: itemKeywords)
        ?? "a file holds `rule`, `skip`, `group` and `import` items")
  }

  static func unknownEdit(_ token: Token, in file: SourceFile) -> Diagnostic {
    guard token.kind == .word else {
      return expected("an edit or `}`", found: token, in: file)
    }
    return Diagnostic(
      .unknownEdit, "unknown edit `\(token.text)`", at: range(of: token, in: file),
      help: didYouMean(token.text, among: editKeywords)
        ?? "the edits are " + editKeywords.map { "`\($0)`" }.joined(separator: ", "))
  }

  /// Why the parser gave up looking for an opener's closer.
  enum UnclosedReason {
    case endOfFile(Token)
    case mismatched(Token)
    case nextItem(Token)
  }

  static func unclosed(
    _ opener: Token, reason: UnclosedReason, in file: SourceFile
  ) -> Diagnostic {
    let closer: String
    switch opener.kind {
    case .leftBrace: closer = "}"
    case .leftBracket: closer = "]"
    default: closer = ")"
    }
    let note: Diagnostic.Note
    switch reason {
    case .endOfFile(let token):
      note = .init("the file ends here, expected `\(closer)`", at: range(of: token, in: file))
    case .mismatched(let token):
      note = .init(
        "\(token.kind.spelling) found here, expected `\(closer)`", at: range(of: token, in: file))
    case .nextItem(let token):
      note = .init(
        "the next item starts here, expected `\(closer)` before it",
        at: range(of: token, in: file))
    }
    return Diagnostic(
      .unclosedDelimiter, "unclosed \(opener.kind.spelling)", at: range(of: opener, in: file),
      notes: [note])
  }

  static func invalidPath(_ message: String, at range: SourceRange, help: String? = nil)
    -> Diagnostic
  {
    Diagnostic(.invalidPath, message, at: range, help: help)
  }

  static func emptySegment(at range: SourceRange) -> Diagnostic {
    invalidPath("empty path segment", at: range, help: "remove the extra `.`")
  }

  static func segmentNeedsQuotes(_ segment: String, at range: SourceRange) -> Diagnostic {
    invalidPath(
      "path segment `\(segment)` contains `/`", at: range,
      help: "quote keys that contain `.` or `/`: `annotations.\"example.com/key\"`")
  }

  static func wildcardInSegment(_ segment: String, at range: SourceRange) -> Diagnostic {
    invalidPath(
      "`*` and `?` may not appear inside the path segment `\(segment)`", at: range,
      help: "`*` alone matches every key; quote the key if `*` is part of its name")
  }

  static func invalidKindReference(
    _ message: String, at range: SourceRange, help: String? = nil
  ) -> Diagnostic {
    Diagnostic(.invalidKindReference, message, at: range, help: help)
  }

  static func duplicateMapKey(
    _ key: String, at range: SourceRange, first: SourceRange
  ) -> Diagnostic {
    Diagnostic(
      .duplicateMapKey, "duplicate key `\(key)` in a map literal", at: range,
      notes: [.init("`\(key)` first appears here", at: first)])
  }

  static func nestingTooDeep(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .nestingTooDeep,
      "nesting deeper than \(Parser.maximumNestingDepth) levels (lists, maps, parentheses, "
        + "`not`, `and`/`or` chains and `when` blocks count together)",
      at: range,
      help: "split the rule: use a group, `in […]` instead of long `or` chains, or a `yaml` literal"
    )
  }

  static func pathTooLong(at range: SourceRange) -> Diagnostic {
    Diagnostic(
      .nestingTooDeep,
      "a path of more than \(Parser.maximumNestingDepth) segments", at: range)
  }

  // MARK: Helpers

  static func range(of token: Token, in file: SourceFile) -> SourceRange {
    SourceRange(fileID: file.id, start: token.start, end: token.end)
  }

  /// "did you mean `rule`?" when one candidate is within a small edit distance.
  static func didYouMean(_ word: String, among candidates: [String]) -> String? {
    closest(to: word, among: candidates).map { "did you mean `\($0)`?" }
  }

  static func closest(to word: String, among candidates: [String]) -> String? {
    var best: (String, Int)?
    let lowered = Array(word.lowercased().utf8)
    for candidate in candidates {
      let distance = editDistance(lowered, Array(candidate.utf8))
      let allowed = max(1, min(2, candidate.utf8.count / 3))
      if distance <= allowed, distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
    }
    return best?.0
  }

  /// Levenshtein distance, with one row of memory.
  private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    var row = Array(0...b.count)
    for i in 1...a.count {
      var diagonal = row[0]
      row[0] = i
      for j in stride(from: 1, through: b.count, by: 1) {
        let above = row[j]
        row[j] = min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
        diagonal = above
      }
    }
    return row[b.count]
  }
}
