/// The kinds of token the lexer produces (see the end of `grammar/sync.ebnf`).
enum TokenKind: Sendable, Hashable {
  case word
  case number
  case string
  case multilineString
  case regex
  case arrow
  case leftBrace
  case rightBrace
  case leftBracket
  case rightBracket
  case leftParen
  case rightParen
  case comma
  case colon
  case dot
  case equal
  case equalEqual
  case bangEqual
  case less
  case lessEqual
  case greater
  case greaterEqual
  case bang
  case endOfFile

  /// How the kind reads in "expected …" messages.
  var spelling: String {
    switch self {
    case .word: return "a word"
    case .number: return "a number"
    case .string: return "a string"
    case .multilineString: return "a multi-line string"
    case .regex: return "a regex"
    case .arrow: return "`->`"
    case .leftBrace: return "`{`"
    case .rightBrace: return "`}`"
    case .leftBracket: return "`[`"
    case .rightBracket: return "`]`"
    case .leftParen: return "`(`"
    case .rightParen: return "`)`"
    case .comma: return "`,`"
    case .colon: return "`:`"
    case .dot: return "`.`"
    case .equal: return "`=`"
    case .equalEqual: return "`==`"
    case .bangEqual: return "`!=`"
    case .less: return "`<`"
    case .lessEqual: return "`<=`"
    case .greater: return "`>`"
    case .greaterEqual: return "`>=`"
    case .bang: return "`!`"
    case .endOfFile: return "end of file"
    }
  }
}

/// A piece of a string literal: plain text, or the source range of a `${path}`.
enum StringPart: Sendable, Hashable {
  case text(String)
  /// Byte offsets of the path between `${` and `}`; the parser lexes it again.
  case interpolation(start: Int, end: Int)
}

/// One token with its byte range and the layout facts the parser needs.
struct Token: Sendable, Hashable {
  var kind: TokenKind
  var start: Int
  var end: Int
  /// Whitespace or a comment came before it: the parser joins path pieces only when false.
  var spaceBefore: Bool
  /// It is the first token on its line: error recovery resynchronises on such tokens.
  var startsLine: Bool
  /// A word or number as written; a string's or regex's value without its quotes.
  var text: String
  /// A string's pieces when it contains `${…}`; empty otherwise.
  var parts: [StringPart] = []

  /// Whether this is the word `keyword`.
  func isWord(_ keyword: String) -> Bool {
    kind == .word && text == keyword
  }

  var isStringLike: Bool { kind == .string || kind == .multilineString }
}
