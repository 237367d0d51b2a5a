// Selections: kind references, selector clauses, patterns and label selectors.
extension SyntaxParser {
  /// `kind-list { selector-clause }`.
  mutating func parseSelection() -> Selection? {
    let start = current.start
    guard let kinds = parseKindList() else { return nil }
    var clauses: [SelectorClause] = []
    while current.kind == .word, ParserDiagnostics.clauseKeywords.contains(current.text),
      !isItemStart
    {
      guard let clause = parseSelectorClause() else { return nil }
      clauses.append(clause)
    }
    return Selection(kinds: kinds, clauses: clauses, range: range(from: start))
  }

  mutating func parseKindList() -> [KindRef]? {
    var kinds: [KindRef] = []
    repeat {
      guard let kind = parseKindRef() else { return nil }
      kinds.append(kind)
    } while consume(.comma) != nil
    return kinds
  }

  // MARK: Kind references

  /// One of `apps/v1 Deployment`, `apps/Deployment`, `apps/v1`, `v1`, `Deployment`, `*`.
  private mutating func parseKindRef() -> KindRef? {
    guard current.kind == .word, !isItemStart else {
      return expected("a kind such as `apps/v1 Deployment`")
    }
    let first = advance()
    let text = first.text
    let firstRange = range(first)
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    if parts.count > 2 {
      return invalidKind(
        "`\(text)` has more than one `/`", at: firstRange,
        help: "write the API version as `group/version`, then the kind: `apps/v1 Deployment`")
    }
    if parts.contains(where: \.isEmpty) {
      return invalidKind(
        "`\(text)` has an empty group or version", at: firstRange,
        help: "write `group/version` (`apps/v1`), or a version alone for the core group (`v1`)")
    }
    if parts.count == 2 {
      // A capital letter makes the second part a kind: `apps/Deployment`, `*/Deploy*`.
      if Self.isKindShaped(parts[1]), parts[1].contains(where: \.isUppercase) {
        if Self.isVersionShaped(parts[0]) {
          return invalidKind(
            "`\(text)` names the group `\(parts[0])`, which looks like a version", at: firstRange,
            help: "write `\(parts[0]) \(parts[1])` for a kind of the core group")
        }
        // GROUP-KIND: any version.
        return KindRef(
          group: Self.namePattern(parts[0]), version: .any, kind: Self.namePattern(parts[1]),
          range: firstRange)
      }
      return kindAfterVersion(group: Self.namePattern(parts[0]), version: parts[1], first: first)
    }
    if text == "*" {
      if current.kind == .word, current.text != "*", Self.isKindShaped(current.text) {
        return kindAfterVersion(group: .any, version: "*", first: first)
      }
      return KindRef(group: .any, version: .any, kind: .any, range: firstRange)
    }
    if Self.isKindShaped(text) {
      return KindRef(group: .any, version: .any, kind: Self.namePattern(text), range: firstRange)
    }
    if Self.isVersionShaped(text) {
      return kindAfterVersion(group: .exact(""), version: text, first: first)
    }
    return invalidKind(text, at: firstRange)
  }

  /// The optional KIND-PATTERN after an API version.
  private mutating func kindAfterVersion(
    group: NamePattern, version: String, first: Token
  ) -> KindRef? {
    var kind = NamePattern.any
    if current.kind == .word, !isItemStart {
      let text = current.text
      if Self.isKindShaped(text) {
        kind = Self.namePattern(text)
        advance()
      } else if Self.mayBeMisspeltKind(text) {
        let token = advance()
        return invalidKind(text, at: range(token))
      }
    }
    return KindRef(
      group: group, version: Self.namePattern(version), kind: kind, range: range(from: first.start))
  }

  /// Reports E0115 for a word that is neither a version nor a kind; returns `nil`.
  private mutating func invalidKind(
    _ text: String, at range: SourceRange, help: String? = nil
  ) -> KindRef? {
    if let help {
      report(ParserDiagnostics.invalidKindReference(text, at: range, help: help))
      return nil
    }
    if Self.knownGroups.contains(text) || text.contains(".") {
      report(
        ParserDiagnostics.invalidKindReference(
          "`\(text)` is a group, not a version or a kind", at: range,
          help: "write `\(text)/*` for every kind of the group, or `\(text)/v1 Kind`"))
    } else {
      let camel = text.prefix(1).uppercased() + text.dropFirst()
      report(
        ParserDiagnostics.invalidKindReference(
          "kinds are written in CamelCase: did you mean `\(camel)`?", at: range))
    }
    return nil
  }

  private static let knownGroups: Set<String> = [
    "apps", "batch", "policy", "autoscaling", "extensions", "core",
  ]

  /// A kind starts with an uppercase letter or a wildcard, and holds no `.` or `/`.
  static func isKindShaped(_ text: String) -> Bool {
    guard let first = text.utf8.first else { return false }
    if text.utf8.contains(UInt8(ascii: ".")) || text.utf8.contains(UInt8(ascii: "/")) {
      return false
    }
    return (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first)
      || first == UInt8(ascii: "*") || first == UInt8(ascii: "?")
  }

  /// `v1`, `v1beta1`, `v2alpha3`, or a glob starting with `v` (`v1*`).
  static func isVersionShaped(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard bytes.count >= 2, bytes[0] == UInt8(ascii: "v") else { return false }
    if bytes.contains(UInt8(ascii: "*")) || bytes.contains(UInt8(ascii: "?")) { return true }
    var index = 1
    func digits() -> Int {
      let start = index
      while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
        index += 1
      }
      return index - start
    }
    guard digits() > 0 else { return false }
    if index == bytes.count { return true }
    let rest = String(decoding: bytes[index...], as: UTF8.self)
    for stage in ["alpha", "beta"] where rest.hasPrefix(stage) {
      index += stage.utf8.count
      return digits() > 0 && index == bytes.count
    }
    return false
  }

  /// A lowercase word after an API version that is no clause keyword (nor a near miss
  /// of one): most likely a kind written in the wrong case (`apps/v1 deployment`).
  private static func mayBeMisspeltKind(_ text: String) -> Bool {
    guard let first = text.utf8.first, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first)
    else { return false }
    if text.contains(".") || text.contains("/") { return false }
    let keywords = ParserDiagnostics.clauseKeywords + ParserDiagnostics.itemKeywords
    return !keywords.contains(text) && ParserDiagnostics.closest(to: text, among: keywords) == nil
  }

  static func namePattern(_ text: String) -> NamePattern {
    if text == "*" { return .any }
    if text.contains("*") || text.contains("?") { return .glob(text) }
    return .exact(text)
  }

  // MARK: Selector clauses

  private mutating func parseSelectorClause() -> SelectorClause? {
    let keyword = advance()
    let form: SelectorClause.Form?
    switch keyword.text {
    case "in":
      if current.isWord("namespaces"), Self.startsPattern(peek()) { advance() }
      form = parsePatternList().map(SelectorClause.Form.namespaces)
    case "named":
      form = parsePatternList().map(SelectorClause.Form.names)
    case "labels":
      form = parseLabelSelector().map(SelectorClause.Form.labels)
    case "annotations":
      form = parseLabelSelector().map(SelectorClause.Form.annotations)
    case "when":
      form = parseCondition().map(SelectorClause.Form.when)
    default:  // "scope"
      if current.kind == .word, let scope = Scope(rawValue: current.text) {
        advance()
        form = .scope(scope)
      } else {
        form = expectedKeyword("`namespaced` or `cluster`", among: ["namespaced", "cluster"])
      }
    }
    return form.map { SelectorClause($0, range: range(from: keyword.start)) }
  }

  private static func startsPattern(_ token: Token) -> Bool {
    switch token.kind {
    case .word, .string, .regex, .number: return true
    default: return false
    }
  }

  mutating func parsePatternList() -> [Pattern]? {
    var patterns: [Pattern] = []
    repeat {
      guard let pattern = parsePattern() else { return nil }
      patterns.append(pattern)
    } while consume(.comma) != nil
    return patterns
  }

  private mutating func parsePattern() -> Pattern? {
    let token = current
    let form: Pattern.Form
    switch token.kind {
    case .word where !isItemStart, .number:
      form =
        token.text.contains(where: { $0 == "*" || $0 == "?" })
        ? .glob(token.text) : .exact(token.text)
    case .string where token.parts.isEmpty:
      let isGlob = token.text.contains(where: { $0 == "*" || $0 == "?" || $0 == "[" })
      form = isGlob ? .glob(token.text) : .exact(token.text)
    case .regex:
      form = .regex(token.text)
    case .string:
      return expected("a name pattern", help: "patterns cannot use `${…}`; write `\\$` for `$`")
    default:
      return expected("a name pattern (a word, a string or re\"…\")")
    }
    advance()
    return Pattern(form, range: range(token))
  }

  // MARK: Label selectors

  private mutating func parseLabelSelector() -> [LabelRequirement]? {
    var requirements: [LabelRequirement] = []
    repeat {
      guard let requirement = parseLabelRequirement() else { return nil }
      requirements.append(requirement)
    } while consume(.comma) != nil
    return requirements
  }

  private mutating func parseLabelRequirement() -> LabelRequirement? {
    let start = current.start
    if consume(.bang) != nil {
      guard let key = parseLabelKey() else { return nil }
      return LabelRequirement(
        key: key.text, keyRange: key.range, op: .doesNotExist, values: [],
        range: range(from: start))
    }
    guard let key = parseLabelKey() else { return nil }
    let op: LabelRequirement.Operator
    var values: [Identifier] = []
    switch current.kind {
    case .equal, .equalEqual, .bangEqual:
      op = advance().kind == .bangEqual ? .notEquals : .equals
      guard let value = parseLabelValue() else { return nil }
      values = [value]
    case .word
    where (current.text == "in" || current.text == "notin")
      && peek().kind == .leftParen:
      op = advance().text == "in" ? .in : .notIn
      let opener = advance()
      repeat {
        guard let value = parseLabelValue() else { return nil }
        values.append(value)
      } while consume(.comma) != nil
      guard expectCloser(of: opener, orSeparator: ",") else { return nil }
    default:
      op = .exists
    }
    return LabelRequirement(
      key: key.text, keyRange: key.range, op: op, values: values, range: range(from: start))
  }

  private mutating func parseLabelKey() -> Identifier? {
    guard current.kind == .word || (current.kind == .string && current.parts.isEmpty) else {
      return expected("a label key")
    }
    let token = advance()
    return Identifier(token.text, range: range(token))
  }

  private mutating func parseLabelValue() -> Identifier? {
    switch current.kind {
    case .word, .number:
      break
    case .string where current.parts.isEmpty:
      break
    default:
      return expected("a label value")
    }
    let token = advance()
    return Identifier(token.text, range: range(token))
  }
}
