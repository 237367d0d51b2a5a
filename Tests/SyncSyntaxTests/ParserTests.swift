import SyncSyntax
import TestSupport
import Testing

/// What the corpus cannot show in one line per diagnostic: help, notes, ranges.
@Suite struct ParserTests {
  private func parse(_ text: String) -> (SourceFile, RuleFile, [Diagnostic]) {
    let file = SourceFile(id: 0, path: "t.sync", text: text)
    let (ruleFile, diagnostics) = Parser.parse(file)
    return (file, ruleFile, diagnostics)
  }

  @Test(arguments: [
    ("rul a match v1 Pod", "did you mean `rule`?"),
    ("rule a match v1 Pod {\n  sett x = 1\n}", "did you mean `set`?"),
    ("rule a match v1 Pod {\n  apend x 1\n}", "did you mean `append`?"),
    ("rule a match v1 Pod {\n  remov x\n}", "did you mean `remove`?"),
    ("rule a match v1 Pod nmed x", "did you mean `named`?"),
  ])
  func didYouMean(source: String, help: String) {
    let (_, _, diagnostics) = parse(source)
    #expect(diagnostics.count == 1)
    #expect(diagnostics.first?.help == help)
  }

  @Test func unclosedBraceNotesTheEndOfFile() {
    let (file, _, diagnostics) = parse("rule a match v1 Pod {\n  set x = 1\n")
    #expect(diagnostics.count == 1)
    let diagnostic = diagnostics[0]
    #expect(diagnostic.code == .unclosedDelimiter)
    #expect(file.location(of: diagnostic.range.start) == SourceLocation(line: 1, column: 21))
    #expect(diagnostic.notes.map(\.message) == ["the file ends here, expected `}`"])
  }

  /// A path inside `${…}` has ranges pointing into the string, component by component.
  @Test func interpolatedPathRanges() throws {
    let source = #"rule a match v1 Pod { set x = "p-${metadata.labels."a.b"}-${spec[0]}" }"#
    let (file, ruleFile, diagnostics) = parse(source)
    #expect(diagnostics.isEmpty)
    guard case .rule(let rule) = try #require(ruleFile.items.first),
      case .set(_, let value) = try #require(rule.body?.edits.first?.form),
      case .interpolated(let parts) = value.form
    else {
      Issue.record("unexpected tree")
      return
    }
    var texts: [String] = []
    for part in parts {
      if case .path(let path) = part {
        texts += path.components.map { file.text(in: $0.range) }
      }
    }
    #expect(texts == ["metadata", "labels", #""a.b""#, "spec", "[0]"])
  }

  @Test func multilineStringKeepsEveryNewlineAndRemovesTheClosingIndent() throws {
    let source = "rule a match v1 Pod {\n  set x = \"\"\"\n      a\n\n        b\n      \"\"\"\n}\n"
    let (_, ruleFile, diagnostics) = parse(source)
    #expect(diagnostics.isEmpty)
    guard case .rule(let rule) = try #require(ruleFile.items.first),
      case .set(_, let value) = try #require(rule.body?.edits.first?.form)
    else {
      Issue.record("unexpected tree")
      return
    }
    #expect(value.form == .literal(.string("a\n\n  b\n")))
  }

  /// Mistakes inside a multi-line string, where a marker comment line would be part of the
  /// string: the position and message of the one diagnostic each must give.
  @Test(arguments: [
    (
      "rule ml match v1 ConfigMap {\n  set data.a = \"\"\"\n      indented\n    less\n      \"\"\"\n}\n",
      SyncSyntax.SourceLocation(line: 4, column: 5),
      "this line is indented less than the closing `\"\"\"`"
    ),
    (
      "rule ml match v1 ConfigMap {\n  set data.b = \"\"\" text\n    x\n    \"\"\"\n}\n",
      SyncSyntax.SourceLocation(line: 2, column: 19),
      "a multi-line string starts on the line after its `\"\"\"`"
    ),
  ])
  func mistakeInsideAMultilineString(
    source: String, at location: SyncSyntax.SourceLocation, message: String
  ) {
    let (file, _, diagnostics) = parse(source)
    #expect(diagnostics.map(\.code) == [.invalidMultilineString])
    #expect(diagnostics.first.map { file.location(of: $0.range.start) } == location)
    #expect(diagnostics.first?.message == message)
  }

  /// Every lexer and parser code has an invalid-corpus case (E0116 is the checker's).
  @Test func everySyntaxCodeHasACorpusCase() throws {
    var seen: Set<String> = []
    for name in CorpusFile.files(in: "invalid") {
      let text = try CorpusFile.read(CorpusFile.directory + "/invalid/" + name)
      seen.formUnion(ExpectedDiagnostic.parse(text).map(\.code))
    }
    let codes: [DiagnosticCode] = [
      .unterminatedString, .invalidEscape, .unexpectedCharacter, .invalidNumber,
      .invalidMultilineString, .expectedToken, .unknownItem, .unknownEdit, .unclosedDelimiter,
      .invalidPath, .invalidKindReference, .duplicateMapKey,
    ]
    #expect(codes.map(\.rawValue).filter { !seen.contains($0) } == [])
  }

  /// The same text always gives the same tree and diagnostics.
  @Test func parsingIsDeterministic() throws {
    var files: [SourceFile] = []
    for name in CorpusFile.files(in: "valid") {
      let text = try CorpusFile.read(CorpusFile.directory + "/valid/" + name)
      files.append(SourceFile(id: 0, path: name, text: text))
    }
    // Speed is measured by the benchmarks, not asserted here (timed tests flake on shared
    // machines); what a test can pin is that parsing is deterministic.
    for file in files {
      let first = Parser.parse(file)
      let second = Parser.parse(file)
      #expect(first.0 == second.0 && first.1 == second.1, "\(file.path) parses differently twice")
    }
  }
}
