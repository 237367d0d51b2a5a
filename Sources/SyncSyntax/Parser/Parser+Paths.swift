import SyncValue

// Paths: `spec.template.spec.containers[name: app].image`, `annotations."a.b/c"`.
//
// The lexer keeps `spec.template.spec` as one word (so `v1` and `apps/v1` stay words
// too); the parser splits words on `.` and joins the tokens that follow with no space
// between them: quoted keys, `.` and `[…]` selectors.
extension SyntaxParser {
  /// Whether the current token can start a path.
  var startsPath: Bool {
    (current.kind == .word && !isItemStart) || (current.kind == .string && current.parts.isEmpty)
  }

  /// A path, or `nil` after reporting E0110 when none starts here. Malformed segments
  /// are reported (E0114) but the path is still returned, so parsing goes on.
  mutating func parsePath(_ what: String = "a path") -> Path? {
    guard startsPath else { return expected(what) }
    let start = current.start
    var components: [PathComponent] = []
    // The offset of a `.` still waiting for the segment after it.
    var pendingDot: Int?
    appendSegment(advance(), to: &components, pendingDot: &pendingDot)
    while !current.spaceBefore {
      switch current.kind {
      case .leftBracket:
        if let dot = pendingDot {
          report(ParserDiagnostics.emptySegment(at: range(from: dot, to: dot + 1)))
          pendingDot = nil
        }
        guard let selector = parseSelector() else { return nil }
        components.append(selector)
        continue
      case .dot:
        if let dot = pendingDot {
          report(ParserDiagnostics.emptySegment(at: range(from: dot, to: dot + 1)))
        }
        pendingDot = advance().start
        continue
      case .word where pendingDot != nil, .string where pendingDot != nil:
        if current.kind == .string, !current.parts.isEmpty {
          return expected("a quoted key", help: "keys cannot use `${…}`")
        }
        pendingDot = nil
        appendSegment(advance(), to: &components, pendingDot: &pendingDot)
        continue
      default:
        break
      }
      break
    }
    if let dot = pendingDot {
      report(
        ParserDiagnostics.invalidPath(
          "a path cannot end with `.`", at: range(from: dot, to: dot + 1)))
    }
    if components.count > Parser.maximumNestingDepth {
      // Paths are walked recursively too (editing, schema lookups).
      report(ParserDiagnostics.pathTooLong(at: range(from: start)))
      return nil
    }
    return Path(components: components, range: range(from: start))
  }

  /// Adds a quoted key, or the `.`-separated segments of a word.
  private mutating func appendSegment(
    _ token: Token, to components: inout [PathComponent], pendingDot: inout Int?
  ) {
    if token.kind == .string {
      components.append(PathComponent(.field(token.text), range: range(token)))
      return
    }
    var segmentStart = token.start
    var offset = token.start
    for byte in token.text.utf8 {
      if byte == UInt8(ascii: ".") {
        appendWordSegment(from: segmentStart, to: offset, in: token, to: &components)
        segmentStart = offset + 1
      }
      offset += 1
    }
    if segmentStart == token.end, token.text.utf8.last == UInt8(ascii: ".") {
      // `annotations."a.b"`: the word ends with the `.` before a quoted key.
      pendingDot = token.end - 1
    } else {
      appendWordSegment(from: segmentStart, to: token.end, in: token, to: &components)
    }
  }

  private mutating func appendWordSegment(
    from start: Int, to end: Int, in token: Token, to components: inout [PathComponent]
  ) {
    let segmentRange = range(from: start, to: end)
    guard start < end else {
      // An empty segment between two dots: point at the second one.
      report(ParserDiagnostics.emptySegment(at: range(from: end, to: end + 1)))
      return
    }
    let text = file.text(in: segmentRange)
    if text == "*" {
      components.append(PathComponent(.anyField, range: segmentRange))
      return
    }
    if text.contains("/") {
      report(ParserDiagnostics.segmentNeedsQuotes(text, at: segmentRange))
    } else if text.contains(where: { $0 == "*" || $0 == "?" }) {
      report(ParserDiagnostics.wildcardInSegment(text, at: segmentRange))
    }
    components.append(PathComponent(.field(text), range: segmentRange))
  }

  /// `[*]`, `[0]`, `[-1]`, `[name: app]`, `[name: *]`, `[port: 80]`, `[= "--debug"]`.
  private mutating func parseSelector() -> PathComponent? {
    let opener = advance()
    let form: PathComponent.Form
    switch current.kind {
    case .word where current.text == "*":
      advance()
      form = .anyElement
    case .number:
      let token = advance()
      if let index = Int(token.text) {
        form = .index(index)
      } else if Double(token.text) == nil {
        form = .anyElement  // a malformed number: the lexer has reported it already
      } else {
        report(
          ParserDiagnostics.invalidPath(
            "a list index must be an integer, not `\(token.text)`", at: range(token)))
        form = .anyElement
      }
    case .word:
      let key = advance()
      guard expect(.colon, "`:` after the key name (`[\(key.text): value]`)") != nil else {
        return nil
      }
      let value: Value?
      switch current.kind {
      case .word:
        value = current.text == "*" ? nil : .string(current.text)
      case .number:
        value = Self.numberValue(current.text)
      case .string where current.parts.isEmpty:
        value = .string(current.text)
      default:
        return expected("the value to select by (a word, a number, a string or `*`)")
      }
      advance()
      form = .keyed(key: key.text, value: value)
    case .equal:
      advance()
      let value: Value
      switch current.kind {
      case .number:
        value = Self.numberValue(current.text)
      case .string where current.parts.isEmpty:
        value = .string(current.text)
      case .word where current.text == "true" || current.text == "false":
        value = .bool(current.text == "true")
      default:
        return expected("the element to select (a string, a number, `true` or `false`)")
      }
      advance()
      form = .equal(value)
    case .rightBracket:
      report(
        ParserDiagnostics.invalidPath(
          "empty `[]` in a path", at: range(from: opener.start, to: current.end),
          help: "write `[*]` for every element, `[0]` for the first, `[name: app]` by key"))
      form = .anyElement
    default:
      return expected("`*`, an index, `key: value` or `= value` inside `[…]`")
    }
    guard expectCloser(of: opener, orSeparator: nil) else { return nil }
    return PathComponent(form, range: range(from: opener.start))
  }

  /// The value of a NUMBER token: an integer when it has no fraction or exponent and
  /// fits in 64 bits.
  static func numberValue(_ text: String) -> Value {
    if let integer = Int64(text) { return .int(integer) }
    return .double(Double(text) ?? .nan)
  }
}
