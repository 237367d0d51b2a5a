import SyncValue

// Expressions (values) and conditions.
//
// List and map literals stay `.list` / `.map` even when every element is constant:
// the checker needs each element's range to point at a wrong value, and folding into
// a `Value` is the compiler's job.
extension SyntaxParser {
  // MARK: Expressions

  mutating func parseExpression() -> Expression? {
    let token = current
    switch token.kind {
    case .string, .multilineString:
      advance()
      return stringExpression(token)
    case .number:
      advance()
      return Expression(.literal(Self.numberValue(token.text)), range: range(token))
    case .leftBracket:
      return parseListLiteral()
    case .leftBrace:
      return parseMapLiteral()
    case .word where !isItemStart:
      switch token.text {
      case "true", "false":
        advance()
        return Expression(.literal(.bool(token.text == "true")), range: range(token))
      case "null":
        advance()
        return Expression(.literal(.null), range: range(token))
      case "yaml" where peek().isStringLike:
        return parseYAMLLiteral()
      default:
        if wordsAreStrings {
          advance()
          return Expression(.literal(.string(token.text)), range: range(token))
        }
        return parsePath().map { Expression(.path($0), range: $0.range) }
      }
    default:
      return expected("a value")
    }
  }

  /// `yaml "…"` or `yaml """…"""`: the text is kept for the checker to parse.
  mutating func parseYAMLLiteral() -> Expression? {
    let keyword = advance()
    let text = advance()
    guard text.parts.isEmpty else {
      report(
        ParserDiagnostics.expected(
          "YAML text without `${…}`", found: text, in: file,
          help: "write `\\$` for a literal `$` inside YAML"))
      return nil
    }
    return Expression(.yaml(text.text), range: range(from: keyword.start))
  }

  /// A string literal, or `.interpolated` when it contains `${path}`.
  private mutating func stringExpression(_ token: Token) -> Expression {
    let whole = range(token)
    guard !token.parts.isEmpty else {
      return Expression(.literal(.string(token.text)), range: whole)
    }
    var parts: [InterpolationPart] = []
    for part in token.parts {
      switch part {
      case .text(let text):
        parts.append(.text(text))
      case .interpolation(let start, let end):
        if let path = parseInterpolatedPath(start: start, end: end) { parts.append(.path(path)) }
      }
    }
    return Expression(.interpolated(parts), range: whole)
  }

  /// Lexes and parses the path inside `${…}` where it stands in the file, so its ranges
  /// point into the string.
  private mutating func parseInterpolatedPath(start: Int, end: Int) -> Path? {
    let (tokens, lexical) = Lexer.tokenize(file, start: start, end: end)
    diagnostics.append(contentsOf: lexical)
    var inner = SyntaxParser(file: file, tokens: tokens)
    defer {
      // The inner parser's "end of file" is the `}` that closes the interpolation.
      for var diagnostic in inner.diagnostics {
        if diagnostic.message.hasSuffix("found end of file") {
          diagnostic.message = diagnostic.message.dropLast("end of file".count) + "`}`"
        }
        diagnostics.append(diagnostic)
      }
    }
    guard inner.startsPath else {
      inner.report(
        ParserDiagnostics.invalidPath(
          "expected a path inside `${…}`", at: range(from: start - 2, to: end + 1)))
      return nil
    }
    let path = inner.parsePath()
    if path != nil, !inner.atEnd {
      inner.report(
        ParserDiagnostics.invalidPath(
          "only a path may appear inside `${…}`", at: inner.range(inner.current)))
    }
    return path
  }

  mutating func parseListLiteral() -> Expression? {
    let opener = advance()
    guard enterNested(at: opener) else { return nil }
    defer { leaveNested() }
    var elements: [Expression] = []
    while current.kind != .rightBracket {
      guard let element = parseExpression() else { return nil }
      elements.append(element)
      if consume(.comma) == nil { break }
    }
    guard expectCloser(of: opener, orSeparator: ",") else { return nil }
    return Expression(.list(elements), range: range(from: opener.start))
  }

  mutating func parseMapLiteral() -> Expression? {
    let opener = advance()
    guard enterNested(at: opener) else { return nil }
    defer { leaveNested() }
    var entries: [MapEntry] = []
    var firstRanges: [String: SourceRange] = [:]
    while current.kind != .rightBrace {
      guard current.kind == .word || (current.kind == .string && current.parts.isEmpty) else {
        if atEnd || current.kind == .rightBracket || current.kind == .rightParen { break }
        return expected("a key (a word or a string)")
      }
      let key = advance()
      let keyRange = range(key)
      guard expect(.colon, "`:` after the key") != nil else { return nil }
      // Inside `patch [ … ]` only an operation's name may be a bare word (`op: add`);
      // every other value is read as everywhere else: a bare path reads the object.
      let outerWordsAreStrings = wordsAreStrings
      wordsAreStrings = outerWordsAreStrings && key.text == "op"
      let parsed = parseExpression()
      wordsAreStrings = outerWordsAreStrings
      guard let value = parsed else { return nil }
      if let first = firstRanges[key.text] {
        report(ParserDiagnostics.duplicateMapKey(key.text, at: keyRange, first: first))
      } else {
        firstRanges[key.text] = keyRange
      }
      entries.append(MapEntry(key: key.text, keyRange: keyRange, value: value))
      if consume(.comma) == nil { break }
    }
    guard expectCloser(of: opener, orSeparator: ",") else { return nil }
    return Expression(.map(entries), range: range(from: opener.start))
  }

  // MARK: Conditions

  /// `or` binds loosest, then `and`, then `not`.
  mutating func parseCondition() -> Condition? {
    guard var left = parseAndCondition() else { return nil }
    // Each link of a chain nests the tree one level deeper: `a or b or c` is
    // `(a or b) or c`.
    var links = 0
    defer { leaveNested(levels: links) }
    while let keyword = consumeWord("or") {
      guard enterNested(at: keyword) else { return nil }
      links += 1
      guard let right = parseAndCondition() else { return nil }
      left = Condition(.or(left, right), range: left.range.union(right.range))
    }
    return left
  }

  private mutating func parseAndCondition() -> Condition? {
    guard var left = parseNotCondition() else { return nil }
    var links = 0
    defer { leaveNested(levels: links) }
    while let keyword = consumeWord("and") {
      guard enterNested(at: keyword) else { return nil }
      links += 1
      guard let right = parseNotCondition() else { return nil }
      left = Condition(.and(left, right), range: left.range.union(right.range))
    }
    return left
  }

  private mutating func parseNotCondition() -> Condition? {
    if let keyword = consumeWord("not") {
      guard enterNested(at: keyword) else { return nil }
      defer { leaveNested() }
      guard let operand = parseNotCondition() else { return nil }
      return Condition(.not(operand), range: range(from: keyword.start))
    }
    return parsePrimaryCondition()
  }

  private mutating func parsePrimaryCondition() -> Condition? {
    let start = current.start
    if let opener = consume(.leftParen) {
      guard enterNested(at: opener) else { return nil }
      defer { leaveNested() }
      guard let inner = parseCondition(), expectCloser(of: opener, orSeparator: nil) else {
        return nil
      }
      return Condition(inner.form, range: range(from: opener.start))
    }
    // A quoted key starts a path here (`"a.b" exists`); elsewhere a string is a value.
    let left: Expression?
    if current.kind == .string, current.parts.isEmpty,
      Self.continuesPath(peek()) || peek().isWord("exists") || peek().isWord("missing")
    {
      left = parsePath().map { Expression(.path($0), range: $0.range) }
    } else {
      left = parseExpression()
    }
    guard let left else { return nil }
    let form: Condition.Form
    switch current.kind {
    case .equalEqual, .bangEqual, .less, .lessEqual, .greater, .greaterEqual:
      let op = ComparisonOperator(rawValue: file.text(in: range(advance())))!
      guard let right = parseExpression() else { return nil }
      form = .compare(left, op, right)
    case .equal:
      return expected("a comparison", help: "compare with `==`; `=` is only for `set`")
    case .word:
      switch current.text {
      case "exists", "missing":
        let keyword = advance()
        guard case .path(let path) = left.form else {
          report(
            ParserDiagnostics.expected(
              "a path before `\(keyword.text)`", found: tokens[index - 2], in: file))
          return nil
        }
        form = keyword.text == "exists" ? .exists(path) : .missing(path)
      case "in":
        advance()
        guard let list = parseInList() else { return nil }
        form = .inList(left, list, negated: false)
      case "not" where peek().isWord("in"):
        advance()
        advance()
        guard let list = parseInList() else { return nil }
        form = .inList(left, list, negated: true)
      case "matches":
        advance()
        guard let match = parseMatchPattern() else { return nil }
        form = .matches(left, match)
      default:
        return expectedCondition()
      }
    default:
      return expectedCondition()
    }
    return Condition(form, range: range(from: start))
  }

  private mutating func expectedCondition() -> Condition? {
    expectedKeyword(
      "`exists`, `missing`, a comparison, `in` or `matches`",
      among: ["exists", "missing", "in", "matches"])
  }

  private static func continuesPath(_ token: Token) -> Bool {
    !token.spaceBefore && (token.kind == .dot || token.kind == .leftBracket)
  }

  private mutating func parseInList() -> [Expression]? {
    guard current.kind == .leftBracket else { return expected("a list `[…]` after `in`") }
    guard let list = parseListLiteral(), case .list(let elements) = list.form else { return nil }
    return elements
  }

  /// After `matches`: a regex, or a string holding one.
  private mutating func parseMatchPattern() -> TextMatch? {
    switch current.kind {
    case .regex:
      let token = advance()
      return TextMatch(.regex(token.text), range: range(token))
    case .string where current.parts.isEmpty:
      let token = advance()
      return TextMatch(.regex(token.text), range: range(token))
    default:
      return expected("a regex (re\"…\") after `matches`")
    }
  }
}
