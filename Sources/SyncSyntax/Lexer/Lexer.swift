/// Turns the bytes of a rule file into tokens, byte by byte (no regexes: this runs on
/// every file the CLI loads).
///
/// Lexical errors are collected, not thrown; the lexer always produces a token stream
/// ending in `.endOfFile`, so the parser can go on and report syntax errors too.
struct Lexer {
  private let bytes: [UInt8]
  private let fileID: Int
  private let limit: Int
  private var position: Int
  private(set) var tokens: [Token] = []
  private(set) var diagnostics: [Diagnostic] = []

  /// Lexes `file`, or only the bytes in `start..<end` of it (the path inside a `${…}`).
  init(file: SourceFile, start: Int = 0, end: Int? = nil) {
    bytes = file.bytes
    fileID = file.id
    position = start
    limit = min(end ?? file.bytes.count, file.bytes.count)
  }

  /// Lexes the whole range and returns the tokens, the last one `.endOfFile`.
  static func tokenize(
    _ file: SourceFile, start: Int = 0, end: Int? = nil
  ) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(file: file, start: start, end: end)
    lexer.run()
    return (lexer.tokens, lexer.diagnostics)
  }

  private mutating func run() {
    var startsLine = true
    while true {
      var spaceBefore = skipTrivia(&startsLine)
      if tokens.isEmpty { spaceBefore = true }
      guard position < limit else {
        tokens.append(
          Token(
            kind: .endOfFile, start: limit, end: limit, spaceBefore: true, startsLine: true,
            text: ""))
        return
      }
      if var token = lexToken() {
        token.spaceBefore = spaceBefore
        token.startsLine = startsLine
        tokens.append(token)
        startsLine = false
      }
    }
  }

  /// Skips blanks, newlines and comments; returns whether anything was skipped.
  private mutating func skipTrivia(_ startsLine: inout Bool) -> Bool {
    let begin = position
    while position < limit {
      switch bytes[position] {
      case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
        position += 1
      case UInt8(ascii: "\n"):
        position += 1
        startsLine = true
      case UInt8(ascii: "#"):
        while position < limit, bytes[position] != UInt8(ascii: "\n") { position += 1 }
      default:
        return position != begin
      }
    }
    return position != begin
  }

  private func byte(at offset: Int) -> UInt8? {
    offset < limit ? bytes[offset] : nil
  }

  private func range(_ start: Int, _ end: Int) -> SourceRange {
    SourceRange(fileID: fileID, start: start, end: end)
  }

  private func token(_ kind: TokenKind, _ start: Int, _ end: Int, _ text: String = "") -> Token {
    Token(kind: kind, start: start, end: end, spaceBefore: false, startsLine: false, text: text)
  }

  /// Lexes one token at `position`; `nil` after reporting an unexpected character.
  private mutating func lexToken() -> Token? {
    let start = position
    let first = bytes[position]
    if first == UInt8(ascii: "r"), byte(at: start + 1) == UInt8(ascii: "e"),
      byte(at: start + 2) == UInt8(ascii: "\"")
    {
      return lexRegex()
    }
    if first == UInt8(ascii: "-"), byte(at: start + 1) == UInt8(ascii: ">") {
      position += 2
      return token(.arrow, start, position)
    }
    if Lexer.isWordStart(first) { return lexWord() }
    if first == UInt8(ascii: "\"") { return lexString() }
    if first == UInt8(ascii: "'") { return lexSingleQuoted() }
    // `→` is E2 86 92 in UTF-8.
    if first == 0xE2, byte(at: start + 1) == 0x86, byte(at: start + 2) == 0x92 {
      position += 3
      return token(.arrow, start, position)
    }
    let next = byte(at: start + 1)
    let kind: TokenKind
    var length = 1
    switch first {
    case UInt8(ascii: "{"): kind = .leftBrace
    case UInt8(ascii: "}"): kind = .rightBrace
    case UInt8(ascii: "["): kind = .leftBracket
    case UInt8(ascii: "]"): kind = .rightBracket
    case UInt8(ascii: "("): kind = .leftParen
    case UInt8(ascii: ")"): kind = .rightParen
    case UInt8(ascii: ","): kind = .comma
    case UInt8(ascii: ":"): kind = .colon
    case UInt8(ascii: "."): kind = .dot
    case UInt8(ascii: "="):
      if next == UInt8(ascii: "=") {
        kind = .equalEqual
        length = 2
      } else {
        kind = .equal
      }
    case UInt8(ascii: "!"):
      if next == UInt8(ascii: "=") {
        kind = .bangEqual
        length = 2
      } else {
        kind = .bang
      }
    case UInt8(ascii: "<"):
      kind = next == UInt8(ascii: "=") ? .lessEqual : .less
      length = next == UInt8(ascii: "=") ? 2 : 1
    case UInt8(ascii: ">"):
      kind = next == UInt8(ascii: "=") ? .greaterEqual : .greater
      length = next == UInt8(ascii: "=") ? 2 : 1
    default:
      skipUnexpected()
      return nil
    }
    position += length
    return token(kind, start, position)
  }

  /// Reports one E0103 for a run of characters that cannot start a token.
  private mutating func skipUnexpected() {
    let start = position
    repeat {
      position += 1
      // Step over a whole UTF-8 sequence so the message shows a real character.
      while position < limit, bytes[position] & 0xC0 == 0x80 { position += 1 }
    } while position < limit && !startsToken(at: position)
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    diagnostics.append(ParserDiagnostics.unexpectedCharacter(text, at: range(start, position)))
  }

  /// Whether a token (or trivia) can start at `offset`: where a run of unexpected
  /// characters ends.
  private func startsToken(at offset: Int) -> Bool {
    let current = bytes[offset]
    if current <= 0x20 || current == UInt8(ascii: "\"") || current == UInt8(ascii: "#")
      || current == UInt8(ascii: "'") || Lexer.isWordStart(current)
      || Lexer.isPunctuation(current)
    {
      return true
    }
    return current == 0xE2 && byte(at: offset + 1) == 0x86 && byte(at: offset + 2) == 0x92
  }

  static func isWordStart(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "*"),
      UInt8(ascii: "?"), UInt8(ascii: "-"):
      return true
    default:
      return false
    }
  }

  static func isWordContinuation(_ byte: UInt8) -> Bool {
    isWordStart(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
  }

  private static func isPunctuation(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "["), UInt8(ascii: "]"),
      UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ","), UInt8(ascii: ":"),
      UInt8(ascii: "."), UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"),
      UInt8(ascii: ">"):
      return true
    default:
      return false
    }
  }

  private mutating func lexWord() -> Token {
    let start = position
    let numeric =
      bytes[start].isDigit
      || (bytes[start] == UInt8(ascii: "-") && (byte(at: start + 1)?.isDigit ?? false))
    position += 1
    while position < limit {
      let current = bytes[position]
      if Lexer.isWordContinuation(current) {
        // `a->b`: the arrow is not part of the word.
        if current == UInt8(ascii: "-"), byte(at: position + 1) == UInt8(ascii: ">") { break }
        position += 1
      } else if current == UInt8(ascii: "+"), numeric,
        bytes[position - 1] == UInt8(ascii: "e") || bytes[position - 1] == UInt8(ascii: "E")
      {
        position += 1  // the sign of an exponent: 1e+5
      } else {
        break
      }
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    switch NumberShape(bytes[start..<position]) {
    case .valid: return token(.number, start, position, text)
    case .invalid:
      // Still a number to the parser, so one malformed literal is one error, not a
      // cascade of "unknown field `01`" and friends.
      diagnostics.append(ParserDiagnostics.invalidNumber(text, at: range(start, position)))
      return token(.number, start, position, text)
    case .notNumeric: return token(.word, start, position, text)
    }
  }

  private mutating func lexRegex() -> Token {
    let start = position
    position += 3
    let contentStart = position
    while position < limit {
      switch bytes[position] {
      case UInt8(ascii: "\""):
        let text = String(decoding: bytes[contentStart..<position], as: UTF8.self)
        position += 1
        return token(.regex, start, position, text)
      case UInt8(ascii: "\\") where position + 1 < limit && bytes[position + 1] != 0x0A:
        position += 2
      case UInt8(ascii: "\n"):
        return unterminated(.regex, start, contentStart)
      default:
        position += 1
      }
    }
    return unterminated(.regex, start, contentStart)
  }

  private mutating func unterminated(_ kind: TokenKind, _ start: Int, _ contentStart: Int)
    -> Token
  {
    diagnostics.append(ParserDiagnostics.unterminatedString(kind, at: range(start, position)))
    let text = String(decoding: bytes[contentStart..<position], as: UTF8.self)
    return token(kind, start, position, text)
  }

  private mutating func lexString() -> Token {
    if byte(at: position + 1) == UInt8(ascii: "\""), byte(at: position + 2) == UInt8(ascii: "\"") {
      return lexMultilineString()
    }
    let start = position
    position += 1
    var builder = StringBuilder()
    let stop = scanBody(to: limit, stopAtQuote: true, into: &builder)
    var result = token(.string, start, position)
    if stop == .quote {
      position += 1
      result.end = position
    } else {
      diagnostics.append(ParserDiagnostics.unterminatedString(.string, at: range(start, position)))
      result.end = position
    }
    (result.text, result.parts) = builder.finish()
    return result
  }

  /// `'text'`: reported once, then read as a string so the parser sees a value.
  private mutating func lexSingleQuoted() -> Token {
    let start = position
    position += 1
    while position < limit, bytes[position] != UInt8(ascii: "'"), bytes[position] != 0x0A {
      position += 1
    }
    let text = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
    if position < limit, bytes[position] == UInt8(ascii: "'") { position += 1 }
    diagnostics.append(ParserDiagnostics.unexpectedCharacter("'", at: range(start, start + 1)))
    return token(.string, start, position, text)
  }

  private enum BodyStop { case quote, end }

  /// Decodes string content up to `end` (or an unescaped `"`), handling escapes and
  /// `${…}`; a newline ends a one-line string.
  private mutating func scanBody(
    to end: Int, stopAtQuote: Bool, into builder: inout StringBuilder
  ) -> BodyStop {
    while position < end {
      let current = bytes[position]
      switch current {
      case UInt8(ascii: "\"") where stopAtQuote:
        return .quote
      case UInt8(ascii: "\n") where stopAtQuote:
        return .end
      case UInt8(ascii: "\\"):
        scanEscape(to: end, into: &builder)
      case UInt8(ascii: "$") where byte(at: position + 1) == UInt8(ascii: "{"):
        scanInterpolation(to: end, into: &builder)
      default:
        builder.bytes.append(current)
        position += 1
      }
    }
    return .end
  }

  private mutating func scanEscape(to end: Int, into builder: inout StringBuilder) {
    let start = position
    let next = position + 1 < end ? bytes[position + 1] : nil
    position += 2
    switch next {
    case UInt8(ascii: "\""): builder.bytes.append(UInt8(ascii: "\""))
    case UInt8(ascii: "\\"): builder.bytes.append(UInt8(ascii: "\\"))
    case UInt8(ascii: "n"): builder.bytes.append(0x0A)
    case UInt8(ascii: "t"): builder.bytes.append(0x09)
    case UInt8(ascii: "r"): builder.bytes.append(0x0D)
    case UInt8(ascii: "$"): builder.bytes.append(UInt8(ascii: "$"))
    case UInt8(ascii: "u"):
      if let scalar = scanUnicodeEscape(to: end) {
        builder.bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
      } else {
        diagnostics.append(ParserDiagnostics.invalidUnicodeEscape(at: range(start, position)))
      }
    case nil, UInt8(ascii: "\n"):
      position = start + 1
      diagnostics.append(ParserDiagnostics.invalidEscape("\\", at: range(start, position)))
    default:
      // Keep the whole UTF-8 sequence in the message.
      while position < end, bytes[position] & 0xC0 == 0x80 { position += 1 }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      diagnostics.append(ParserDiagnostics.invalidEscape(text, at: range(start, position)))
    }
  }

  /// Reads `{XXXX}` after `\u`; on failure leaves `position` after what was consumed.
  private mutating func scanUnicodeEscape(to end: Int) -> Unicode.Scalar? {
    guard position < end, bytes[position] == UInt8(ascii: "{") else { return nil }
    position += 1
    var value: UInt32 = 0
    var digits = 0
    while position < end, let digit = bytes[position].hexValue, digits < 8 {
      value = value &* 16 &+ UInt32(digit)
      digits += 1
      position += 1
    }
    guard digits > 0, position < end, bytes[position] == UInt8(ascii: "}") else { return nil }
    position += 1
    return Unicode.Scalar(value)
  }

  private mutating func scanInterpolation(to end: Int, into builder: inout StringBuilder) {
    let start = position
    var index = start + 2
    while index < end, bytes[index] != 0x0A {
      switch bytes[index] {
      case UInt8(ascii: "}"):
        builder.flushText()
        builder.parts.append(.interpolation(start: start + 2, end: index))
        position = index + 1
        return
      case UInt8(ascii: "\""):
        // A quoted key inside the path: `${metadata.labels."app.kubernetes.io/name"}`.
        index += 1
        while index < end, bytes[index] != UInt8(ascii: "\""), bytes[index] != 0x0A {
          index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        index += 1
      default:
        index += 1
      }
    }
    // No `}` on this line: keep `${` as text so the string's own end is still found.
    diagnostics.append(ParserDiagnostics.unterminatedInterpolation(at: range(start, start + 2)))
    builder.bytes.append(contentsOf: [UInt8(ascii: "$"), UInt8(ascii: "{")])
    position = start + 2
  }

  private mutating func lexMultilineString() -> Token {
    let start = position
    position += 3
    let openerEnd = position
    while position < limit,
      bytes[position] == 0x20 || bytes[position] == 0x09
        || bytes[position] == 0x0D
    {
      position += 1
    }
    if position < limit, bytes[position] != 0x0A {
      diagnostics.append(
        ParserDiagnostics.multilineContentOnOpeningLine(at: range(openerEnd, position)))
      while position < limit, bytes[position] != 0x0A { position += 1 }
    }
    let contentStart = min(position + 1, limit)
    guard let closeStart = findTripleQuote(from: contentStart) else {
      position = limit
      diagnostics.append(
        ParserDiagnostics.unterminatedString(.multilineString, at: range(start, openerEnd)))
      return token(.multilineString, start, limit)
    }
    var closeLineStart = closeStart
    while closeLineStart > contentStart, bytes[closeLineStart - 1] != 0x0A { closeLineStart -= 1 }
    var indentEnd = closeLineStart
    while indentEnd < closeStart, bytes[indentEnd] == 0x20 || bytes[indentEnd] == 0x09 {
      indentEnd += 1
    }
    if indentEnd != closeStart {
      diagnostics.append(
        ParserDiagnostics.closingDelimiterNotAlone(at: range(closeStart, closeStart + 3)))
      indentEnd = closeLineStart
    }
    let indent = bytes[closeLineStart..<indentEnd]
    var builder = StringBuilder()
    var lineStart = contentStart
    while lineStart < closeLineStart {
      var lineEnd = lineStart
      while lineEnd < closeLineStart, bytes[lineEnd] != 0x0A { lineEnd += 1 }
      var contentEnd = lineEnd
      if contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
      if bytes[lineStart..<contentEnd].starts(with: indent) {
        position = lineStart + indent.count
        _ = scanBody(to: contentEnd, stopAtQuote: false, into: &builder)
      } else {
        var firstText = lineStart
        while firstText < contentEnd, bytes[firstText] == 0x20 || bytes[firstText] == 0x09 {
          firstText += 1
        }
        if firstText < contentEnd {
          diagnostics.append(
            ParserDiagnostics.underIndentedLine(at: range(firstText, contentEnd)))
          position = firstText
          _ = scanBody(to: contentEnd, stopAtQuote: false, into: &builder)
        }
      }
      builder.bytes.append(0x0A)
      lineStart = lineEnd + 1
    }
    position = closeStart + 3
    var result = token(.multilineString, start, position)
    (result.text, result.parts) = builder.finish()
    return result
  }

  /// The offset of the next unescaped `"""`.
  private func findTripleQuote(from offset: Int) -> Int? {
    var index = offset
    while index + 2 < limit {
      if bytes[index] == UInt8(ascii: "\\") {
        index += 2
      } else if bytes[index] == UInt8(ascii: "\""), bytes[index + 1] == UInt8(ascii: "\""),
        bytes[index + 2] == UInt8(ascii: "\"")
      {
        return index
      } else {
        index += 1
      }
    }
    return nil
  }
}

/// Accumulates a string literal's value and its interpolation parts.
private struct StringBuilder {
  var bytes: [UInt8] = []
  var parts: [StringPart] = []
  var whole: [UInt8] = []

  mutating func flushText() {
    if !bytes.isEmpty {
      parts.append(.text(String(decoding: bytes, as: UTF8.self)))
      whole.append(contentsOf: bytes)
      bytes.removeAll(keepingCapacity: true)
    }
  }

  /// The plain value (text parts only) and the parts when there was interpolation.
  mutating func finish() -> (String, [StringPart]) {
    if parts.isEmpty { return (String(decoding: bytes, as: UTF8.self), []) }
    flushText()
    return (String(decoding: whole, as: UTF8.self), parts)
  }
}

/// Whether a word is a NUMBER, looks like one but is malformed, or is just a word.
enum NumberShape {
  case valid
  case invalid
  case notNumeric

  /// Classifies against `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`; words of the
  /// looser shape `-?D+(.D*)?([eE][+-]?D*)?` that miss it are malformed numbers.
  init(_ text: ArraySlice<UInt8>) {
    var index = text.startIndex
    let end = text.endIndex
    func digits() -> Int {
      let begin = index
      while index < end, text[index].isDigit { index += 1 }
      return index - begin
    }
    if index < end, text[index] == UInt8(ascii: "-") { index += 1 }
    let integerStart = index
    let integerDigits = digits()
    guard integerDigits > 0 else {
      self = .notNumeric
      return
    }
    var valid = integerDigits == 1 || text[integerStart] != UInt8(ascii: "0")
    if index < end, text[index] == UInt8(ascii: ".") {
      index += 1
      if digits() == 0 { valid = false }
    }
    if index < end, text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E") {
      index += 1
      if index < end, text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
        index += 1
      }
      if digits() == 0 { valid = false }
    }
    guard index == end else {
      self = .notNumeric
      return
    }
    self = valid ? .valid : .invalid
  }
}

extension UInt8 {
  fileprivate var isDigit: Bool { self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9") }

  fileprivate var hexValue: UInt8? {
    switch self {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return self - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return self - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return self - UInt8(ascii: "A") + 10
    default: return nil
    }
  }
}
