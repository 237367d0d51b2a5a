// Top-level items: `import`, `skip`, `rule`, `group`, and blocks.
extension SyntaxParser {
  mutating func parseFile() -> [Item] {
    var items: [Item] = []
    while !atEnd {
      if let item = parseItem(), !tooDeep { items.append(item) }
      if tooDeep {
        // The item that nested too deeply is dropped whole: a partial tree would only
        // yield errors that are consequences of the cut.
        tooDeep = false
        depth = 0
        recover(stoppingAt: .item)
      }
    }
    return items
  }

  private mutating func parseItem() -> Item? {
    if current.kind == .word {
      switch current.text {
      case "import": return parseImport().map(Item.importDecl)
      case "skip": return parseSkip().map(Item.skip)
      case "rule": return parseRule().map(Item.rule)
      case "group": return parseGroup().map(Item.group)
      default: break
      }
    }
    report(ParserDiagnostics.unknownItem(current, in: file))
    advance()
    recover(stoppingAt: .item)
    return nil
  }

  private mutating func parseImport() -> ImportDecl? {
    let keyword = advance()
    guard current.kind == .string, current.parts.isEmpty else {
      let result: ImportDecl? = expected("the path to import, as a string")
      recover(stoppingAt: .item)
      return result
    }
    let path = advance()
    return ImportDecl(path: path.text, pathRange: range(path), range: range(from: keyword.start))
  }

  private mutating func parseSkip() -> SkipDecl? {
    let keyword = advance()
    let target: SkipDecl.Target?
    switch current.kind == .word ? current.text : "" {
    case "namespaces":
      advance()
      target = parsePatternList().map(SkipDecl.Target.namespaces)
    case "names":
      advance()
      target = parsePatternList().map(SkipDecl.Target.names)
    case "kinds":
      advance()
      target = parseKindList().map(SkipDecl.Target.kinds)
    case "groups":
      advance()
      target = parsePatternList().map(SkipDecl.Target.groups)
    case "owned":
      advance()
      if consumeWord("by") != nil {
        target = parseKindList().map { SkipDecl.Target.owned(by: $0) }
      } else {
        target = .owned(by: nil)
      }
    case "match":
      advance()
      target = parseSelection().map(SkipDecl.Target.match)
    default:
      target = expectedKeyword(
        "what to skip (`namespaces`, `names`, `kinds`, `groups`, `owned` or `match`)",
        among: ParserDiagnostics.skipTargets)
    }
    guard let target, endsItemHeader(clauses: isSkipMatch(target)) else {
      recover(stoppingAt: .item)
      return nil
    }
    return SkipDecl(target: target, range: range(from: keyword.start))
  }

  private func isSkipMatch(_ target: SkipDecl.Target) -> Bool {
    if case .match = target { return true }
    return false
  }

  /// Checks that an item without a block ends here (a new item or the end of the file
  /// follows), reporting what else was expected.
  private mutating func endsItemHeader(clauses: Bool, block: Bool = false) -> Bool {
    if atEnd || isItemStart || (block && current.kind == .leftBrace) { return true }
    // A line starting with something that is no clause (nor a near miss of one) is the
    // next item, however misspelt: the top level reports it.
    let clauseKeywords = ParserDiagnostics.clauseKeywords
    if current.startsLine,
      current.kind != .word
        || (!clauseKeywords.contains(current.text)
          && ParserDiagnostics.closest(to: current.text, among: clauseKeywords) == nil)
    {
      return true
    }
    if clauses {
      let what = block ? "a selector clause, `{` or a new item" : "a selector clause or a new item"
      let _: Bool? = expectedKeyword(what, among: ParserDiagnostics.clauseKeywords)
    } else {
      let _: Bool? = expected("`,` or a new item")
    }
    return false
  }

  private mutating func parseRule() -> RuleDecl? {
    let keyword = advance()
    guard let name = parseName("a rule name") else {
      recover(stoppingAt: .item)
      return nil
    }
    guard consumeWord("match") != nil else {
      let result: RuleDecl? = expectedKeyword("`match` after the rule name", among: ["match"])
      recoverRuleHeader()
      return result
    }
    guard let selection = parseSelection() else {
      recoverRuleHeader()
      return nil
    }
    if !endsItemHeader(clauses: true, block: true) {
      // Keep the rule: its kinds and block are still worth checking.
      recover(stoppingAt: .itemOrBlock)
    }
    let body = current.kind == .leftBrace ? parseBlock() : nil
    return RuleDecl(name: name, selection: selection, body: body, range: range(from: keyword.start))
  }

  /// After an error in a rule's header, skips to its block (still worth checking) or to
  /// the next item.
  private mutating func recoverRuleHeader() {
    recover(stoppingAt: .itemOrBlock)
    if current.kind == .leftBrace {
      // Parse the block for its own errors; the rule itself is lost.
      _ = parseBlock()
    }
  }

  private mutating func parseGroup() -> GroupDecl? {
    let keyword = advance()
    guard let name = parseName("a group name") else {
      recover(stoppingAt: .item)
      return nil
    }
    guard current.kind == .leftBrace else {
      let result: GroupDecl? = expected("`{` after the group name")
      recover(stoppingAt: .item)
      return result
    }
    let body = parseBlock()
    return GroupDecl(name: name, body: body, range: range(from: keyword.start))
  }

  /// A NAME: any word (keywords included: `rule match match …` names a rule `match`).
  mutating func parseName(_ what: String) -> Identifier? {
    guard current.kind == .word else { return expected(what) }
    let token = advance()
    return Identifier(token.text, range: range(token))
  }

  /// `{ edit … }`; the current token is `{`.
  mutating func parseBlock() -> Block {
    let opener = advance()
    var edits: [Edit] = []
    while current.kind != .rightBrace {
      if atEnd || isItemStart || tooDeep { break }
      if let edit = parseEdit() {
        edits.append(edit)
      } else {
        recover(stoppingAt: .edit)
      }
    }
    _ = expectCloser(of: opener, orSeparator: nil)
    return Block(edits: edits, range: range(from: opener.start))
  }
}
