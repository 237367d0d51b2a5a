/// The `.sync` parser: hand-written recursive descent over `grammar/sync.ebnf`.
public enum Parser {
  /// How deeply constructs may nest in a rule file: lists, maps, parentheses, `not`,
  /// `and`/`or` chains and `when` blocks count together, and a path may have at most
  /// this many segments. Every later stage walks these trees recursively (checker,
  /// compiler, `explain`, the evaluator on every object), so the limit is what keeps a
  /// hostile or generated file from exhausting a thread's stack: E0118 instead of a
  /// crash. cel-go stops at 250; real rule files stay under 10.
  public static let maximumNestingDepth = 128

  /// Parses one file; never throws: syntax errors go to the returned diagnostics, and the
  /// tree holds everything that could be recovered.
  ///
  /// The diagnostics are sorted by position, lexical errors included.
  public static func parse(_ file: SourceFile) -> (RuleFile, [Diagnostic]) {
    let (tokens, lexical) = Lexer.tokenize(file)
    var parser = SyntaxParser(file: file, tokens: tokens)
    parser.diagnostics = lexical
    let items = parser.parseFile()
    let diagnostics = parser.diagnostics.enumerated().sorted {
      ($0.element.range.start, $0.offset) < ($1.element.range.start, $1.offset)
    }.map(\.element)
    return (RuleFile(fileID: file.id, items: items), diagnostics)
  }
}

/// The parser's state: the token array, a cursor and the findings so far.
///
/// Errors are reported where they are found, then the caller of the failed production
/// skips to a synchronisation point (see `recover(stoppingAt:)`), so one mistake
/// yields one diagnostic.
struct SyntaxParser {
  let file: SourceFile
  var tokens: [Token]
  var index = 0
  var diagnostics: [Diagnostic] = []
  /// Set once an error has been reported at the end of the file: every enclosing
  /// production would otherwise report the same truncation again.
  var reportedEndOfFile = false
  /// Inside `patch [ … ]` the bare word after `op:` is a string (`op: add`).
  var wordsAreStrings = false
  /// How many nested constructs enclose the current token (see
  /// ``Parser/maximumNestingDepth``).
  var depth = 0
  /// Set once nesting passed the limit: productions return at once, nothing more is
  /// reported, and the enclosing item is skipped (see `parseFile`).
  var tooDeep = false

  /// How many more closers than openers of each kind the file has: a closer of the
  /// wrong kind is taken as a typo for the expected one only while there is a surplus.
  private var surplusClosers: [TokenKind: Int] = [:]

  init(file: SourceFile, tokens: [Token]) {
    self.file = file
    self.tokens = tokens
    for token in tokens {
      switch token.kind {
      case .leftBrace: surplusClosers[.rightBrace, default: 0] -= 1
      case .leftBracket: surplusClosers[.rightBracket, default: 0] -= 1
      case .leftParen: surplusClosers[.rightParen, default: 0] -= 1
      case .rightBrace, .rightBracket, .rightParen: surplusClosers[token.kind, default: 0] += 1
      default: break
      }
    }
  }

  // MARK: Cursor

  var current: Token { tokens[index] }

  func peek(_ offset: Int = 1) -> Token {
    tokens[min(index + offset, tokens.count - 1)]
  }

  var atEnd: Bool { current.kind == .endOfFile }

  /// The end offset of the last consumed token.
  var previousEnd: Int { index > 0 ? tokens[index - 1].end : 0 }

  @discardableResult
  mutating func advance() -> Token {
    let token = tokens[index]
    if index < tokens.count - 1 { index += 1 }
    return token
  }

  /// Consumes the current token if it has `kind`.
  mutating func consume(_ kind: TokenKind) -> Token? {
    current.kind == kind ? advance() : nil
  }

  /// Consumes the current token if it is the word `keyword`.
  mutating func consumeWord(_ keyword: String) -> Token? {
    current.isWord(keyword) ? advance() : nil
  }

  func range(_ token: Token) -> SourceRange {
    SourceRange(fileID: file.id, start: token.start, end: token.end)
  }

  func range(from start: Int, to end: Int? = nil) -> SourceRange {
    SourceRange(fileID: file.id, start: start, end: max(start, end ?? previousEnd))
  }

  // MARK: Reporting

  mutating func report(_ diagnostic: Diagnostic) {
    // Past the nesting limit everything still to come is a consequence of the cut.
    if tooDeep { return }
    // A second error at the same place is a consequence of the first.
    if diagnostics.contains(where: {
      $0.range.start == diagnostic.range.start && $0.code.rawValue.hasPrefix("E01")
        && $0.range.fileID == diagnostic.range.fileID
    }) {
      return
    }
    diagnostics.append(diagnostic)
  }

  /// Reports "expected `what`, found …" at the current token; always returns `nil` so
  /// callers can `return expected(…)`.
  mutating func expected<T>(_ what: String, help: String? = nil) -> T? {
    if atEnd {
      if reportedEndOfFile { return nil }
      reportedEndOfFile = true
    }
    report(ParserDiagnostics.expected(what, found: current, in: file, help: help))
    return nil
  }

  /// Like ``expected(_:help:)``, with "did you mean" among `keywords`.
  mutating func expectedKeyword<T>(_ what: String, among keywords: [String]) -> T? {
    if atEnd {
      if reportedEndOfFile { return nil }
      reportedEndOfFile = true
    }
    report(ParserDiagnostics.expectedKeyword(what, among: keywords, found: current, in: file))
    return nil
  }

  /// Consumes a token of `kind` or reports what was expected.
  mutating func expect(_ kind: TokenKind, _ what: String? = nil) -> Token? {
    if let token = consume(kind) { return token }
    return expected(what ?? kind.spelling)
  }

  /// Consumes the closer of `opener`, or explains why it is missing: E0113 at the
  /// opener when the file ends or another closer comes first, E0110 otherwise.
  mutating func expectCloser(of opener: Token, orSeparator separator: String?) -> Bool {
    let closer: TokenKind
    switch opener.kind {
    case .leftBrace: closer = .rightBrace
    case .leftBracket: closer = .rightBracket
    default: closer = .rightParen
    }
    if consume(closer) != nil { return true }
    switch current.kind {
    case .endOfFile:
      if !reportedEndOfFile {
        reportedEndOfFile = true
        report(ParserDiagnostics.unclosed(opener, reason: .endOfFile(current), in: file))
      }
    case .rightBrace, .rightBracket, .rightParen:
      if surplusClosers[current.kind, default: 0] > 0 {
        // `[1, 2 }` with one `}` too many in the file: a typo for `]`.
        surplusClosers[current.kind, default: 0] -= 1
        let _: Bool? = expected(closer.spelling)
        advance()
      } else {
        // `[1, 2` then the block's `}`: the `[` was never closed.
        report(ParserDiagnostics.unclosed(opener, reason: .mismatched(current), in: file))
      }
    default:
      if opener.kind == .leftBrace, isItemStart {
        report(ParserDiagnostics.unclosed(opener, reason: .nextItem(current), in: file))
      } else {
        let what = separator.map { "`\($0)` or `\(closer.spelling.dropFirst().dropLast())`" }
        let _: Bool? = expected(what ?? closer.spelling)
      }
    }
    return false
  }

  // MARK: Nesting

  /// Enters one more level of nesting at `token`, or reports E0118 once and refuses.
  mutating func enterNested(at token: Token) -> Bool {
    guard !tooDeep else { return false }
    guard depth < Parser.maximumNestingDepth else {
      report(ParserDiagnostics.nestingTooDeep(at: range(token)))
      tooDeep = true
      return false
    }
    depth += 1
    return true
  }

  mutating func leaveNested(levels: Int = 1) {
    depth -= levels
  }

  // MARK: Recovery

  /// The current token starts a top-level item: an item keyword first on its line.
  var isItemStart: Bool {
    current.kind == .word && current.startsLine
      && ParserDiagnostics.itemKeywords.contains(current.text)
  }

  /// The current token starts an edit: an edit keyword first on its line.
  var isEditStart: Bool {
    current.kind == .word && current.startsLine
      && ParserDiagnostics.editKeywords.contains(current.text)
  }

  enum SyncPoint {
    /// The next item.
    case item
    /// The next item or a `{` that opens a rule's block.
    case itemOrBlock
    /// The next edit, the `}` closing the block, or the next item.
    case edit
  }

  /// Skips tokens up to the next synchronisation point, stepping over nested brackets
  /// so that a `{` … `}` inside the skipped text does not end the skip early.
  mutating func recover(stoppingAt point: SyncPoint) {
    var depth = 0
    while !atEnd {
      if depth == 0 {
        if isItemStart { return }
        switch point {
        case .item: break
        case .itemOrBlock: if current.kind == .leftBrace { return }
        case .edit: if current.kind == .rightBrace || isEditStart { return }
        }
      }
      switch current.kind {
      case .leftBrace, .leftBracket, .leftParen: depth += 1
      case .rightBrace, .rightBracket, .rightParen: depth = max(0, depth - 1)
      default: break
      }
      advance()
    }
  }
}
