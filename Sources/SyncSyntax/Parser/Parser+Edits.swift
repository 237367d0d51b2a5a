// Edits: the statements inside a rule's or group's block.
extension SyntaxParser {
  /// One edit, or `nil` after reporting an error (the block then recovers).
  mutating func parseEdit() -> Edit? {
    guard current.kind == .word else {
      report(ParserDiagnostics.unknownEdit(current, in: file))
      advance()
      return nil
    }
    let keyword = current
    let form: Edit.Form?
    switch keyword.text {
    case "set", "default":
      advance()
      form = parseAssignment(isDefault: keyword.text == "default")
    case "remove":
      advance()
      form = parsePathList().map(Edit.Form.remove)
    case "append", "prepend":
      advance()
      form = parseAppend(atStart: keyword.text == "prepend")
    case "merge":
      advance()
      form = parseMerge()
    case "replace":
      advance()
      form = parseReplace()
    case "image":
      advance()
      form = parseImageEdit()
    case "drop":
      advance()
      form = .drop
    case "patch":
      advance()
      form = parsePatch()
    case "use":
      advance()
      form = parseName("the name of a group").map(Edit.Form.use)
    case "when":
      return parseWhenEdit()
    case "edit":
      return parseDocumentEdit()
    case "dependencies":
      advance()
      form = parseDependencies()
    default:
      report(ParserDiagnostics.unknownEdit(keyword, in: file))
      advance()
      return nil
    }
    return form.map { Edit($0, keywordRange: range(keyword), range: range(from: keyword.start)) }
  }

  private mutating func parseAssignment(isDefault: Bool) -> Edit.Form? {
    guard let path = parsePath() else { return nil }
    guard current.kind == .equal else {
      let help = current.kind == .equalEqual ? "assign with a single `=`" : nil
      return expected("`=` after the path", help: help)
    }
    advance()
    guard let value = parseExpression() else { return nil }
    return isDefault ? .defaultValue(path, value) : .set(path, value)
  }

  /// `dependencies` alone, or followed by a comma-separated list of the kinds to follow.
  private mutating func parseDependencies() -> Edit.Form? {
    var kinds: [Identifier] = []
    guard current.kind == .word, Edit.dependencyKinds.contains(current.text) else {
      return .dependencies([])
    }
    repeat {
      guard current.kind == .word, Edit.dependencyKinds.contains(current.text) else {
        return expectedKeyword("a dependency kind", among: Edit.dependencyKinds)
      }
      kinds.append(Identifier(current.text, range: range(current)))
      advance()
    } while consume(.comma) != nil
    return .dependencies(kinds)
  }

  private mutating func parsePathList() -> [Path]? {
    var paths: [Path] = []
    repeat {
      guard let path = parsePath() else { return nil }
      paths.append(path)
    } while consume(.comma) != nil
    return paths
  }

  private mutating func parseAppend(atStart: Bool) -> Edit.Form? {
    guard let path = parsePath(), let value = parseExpression() else { return nil }
    var ifAbsent = false
    if consumeWord("if") != nil {
      guard consumeWord("absent") != nil else {
        return expectedKeyword("`absent` after `if`", among: ["absent"])
      }
      ifAbsent = true
    }
    return .append(path, value, ifAbsent: ifAbsent, atStart: atStart)
  }

  private mutating func parseMerge() -> Edit.Form? {
    // `merge { … }` and `merge yaml …` merge into the whole object: the path is empty.
    if current.kind == .leftBrace || (current.isWord("yaml") && peek().isStringLike) {
      let root = Path(components: [], range: range(from: current.start, to: current.start))
      let value = current.kind == .leftBrace ? parseMapLiteral() : parseYAMLLiteral()
      return value.map { .merge(root, $0) }
    }
    guard let path = parsePath() else { return nil }
    let value: Expression?
    if current.kind == .leftBrace {
      value = parseMapLiteral()
    } else if current.isWord("yaml"), peek().isStringLike {
      value = parseYAMLLiteral()
    } else if startsPath, current.kind == .word {
      value = parsePath().map { Expression(.path($0), range: $0.range) }
    } else {
      value = expected("a map `{…}`, a yaml literal or a path to merge in")
    }
    return value.map { .merge(path, $0) }
  }

  private mutating func parseReplace() -> Edit.Form? {
    guard let paths = parsePathList(), let match = parseTextMatch() else { return nil }
    guard consume(.arrow) != nil else {
      return expected("`->` before the replacement")
    }
    guard let replacement = parseExpression() else { return nil }
    return .replace(paths, match, replacement)
  }

  /// `image PATH, … (set PART = VALUE | append PART VALUE | remove PART)`.
  private mutating func parseImageEdit() -> Edit.Form? {
    guard let paths = parsePathList() else { return nil }
    guard current.kind == .word, ["set", "append", "remove"].contains(current.text) else {
      return expected("`set`, `append` or `remove` and the part of the image")
    }
    let verb = advance().text
    guard current.kind == .word, let part = ImagePart(rawValue: current.text) else {
      return expected("the part of the image: `registry`, `repository`, `tag` or `digest`")
    }
    advance()
    switch verb {
    case "remove":
      return .image(paths, .remove(part))
    case "set":
      guard consume(.equal) != nil else { return expected("`=` after `set \(part.rawValue)`") }
      return parseExpression().map { .image(paths, .set(part, $0)) }
    default:
      return parseExpression().map { .image(paths, .append(part, $0)) }
    }
  }

  /// `[prefix | suffix] STRING` or `REGEX`.
  private mutating func parseTextMatch() -> TextMatch? {
    let start = current.start
    var side: String?
    if current.isWord("prefix") || current.isWord("suffix") { side = advance().text }
    if side == nil, current.kind == .regex {
      let token = advance()
      return TextMatch(.regex(token.text), range: range(token))
    }
    guard current.kind == .string, current.parts.isEmpty else {
      let what = side == nil ? "the text to replace (a string, or re\"…\")" : "a string"
      return expected(what)
    }
    let text = advance().text
    let form: TextMatch.Form
    switch side {
    case "prefix": form = .prefix(text)
    case "suffix": form = .suffix(text)
    default: form = .substring(text)
    }
    return TextMatch(form, range: range(from: start))
  }

  /// `patch [ … ]` or `patch yaml …`, then optionally `if tests pass`: JSON Patch
  /// operations, where an operation's name may be a bare word (`op: add`).
  private mutating func parsePatch() -> Edit.Form? {
    if current.isWord("strategic") {
      advance()
      if current.kind == .leftBrace { return parseMapLiteral().map(Edit.Form.strategicPatch) }
      if current.isWord("yaml"), peek().isStringLike {
        return parseYAMLLiteral().map(Edit.Form.strategicPatch)
      }
      return expected("a map `{…}` or a yaml literal: the strategic merge patch")
    }
    let operations: Expression?
    if current.isWord("yaml"), peek().isStringLike {
      operations = parseYAMLLiteral()
    } else {
      guard current.kind == .leftBracket else {
        return expected("a list of operations `[…]` or a yaml literal")
      }
      let saved = wordsAreStrings
      wordsAreStrings = true
      defer { wordsAreStrings = saved }
      operations = parseListLiteral()
    }
    guard let operations else { return nil }
    guard current.isWord("if") else { return .patch(operations, ifTestsPass: false) }
    advance()
    for word in ["tests", "pass"] {
      guard current.isWord(word) else {
        return expected("`if tests pass` after the patch (a failing `test` then skips it)")
      }
      advance()
    }
    return .patch(operations, ifTestsPass: true)
  }

  /// `when condition { … } [else { … } | else when …]`; `else when` becomes an else
  /// block holding the one nested `when` edit.
  /// `edit PATH as json { … }` or `edit PATH as yaml { … }`.
  private mutating func parseDocumentEdit() -> Edit? {
    let keyword = advance()
    guard enterNested(at: keyword) else { return nil }
    defer { leaveNested() }
    guard let path = parsePath() else { return nil }
    guard consumeWord("as") != nil else {
      return expected("`as json` or `as yaml` after the path")
    }
    guard current.kind == .word, let format = DocumentFormat(rawValue: current.text) else {
      return expected("`json` or `yaml` after `as`")
    }
    advance()
    guard current.kind == .leftBrace else { return expected("`{` after `as \(format.rawValue)`") }
    let body = parseBlock()
    return Edit(
      .document(path, format, body), keywordRange: range(keyword),
      range: range(from: keyword.start))
  }

  private mutating func parseWhenEdit() -> Edit? {
    let keyword = advance()
    // An `else when` nests too: it is the else block's only edit.
    guard enterNested(at: keyword) else { return nil }
    defer { leaveNested() }
    guard let condition = parseCondition() else { return nil }
    guard current.kind == .leftBrace else { return expected("`{` after the condition") }
    let body = parseBlock()
    var otherwise: Block?
    if consumeWord("else") != nil {
      if current.kind == .leftBrace {
        otherwise = parseBlock()
      } else if current.isWord("when") {
        guard let nested = parseWhenEdit() else { return nil }
        otherwise = Block(edits: [nested], range: nested.range)
      } else {
        return expected("`{` or `when` after `else`")
      }
    }
    return Edit(
      .when(condition, body, otherwise: otherwise), keywordRange: range(keyword),
      range: range(from: keyword.start))
  }
}
