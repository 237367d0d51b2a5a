import SyncSyntax
import Testing

@Suite struct DiagnosticRendererTests {
  /// Two findings: one with a note pointing elsewhere and a help line, one plain.
  static func example() -> (SourceManager, [Diagnostic]) {
    let files = SourceManager()
    let file = files.add(
      path: "rules/dr.sync",
      text: """
        rule web match apps/v1 Deployment {
        \tset spec.replicaz = 0
          sett spec.paused = true
        }

        """)
    let typo = SourceRange(fileID: file.id, start: 46, end: 54)
    let rule = SourceRange(fileID: file.id, start: 5, end: 8)
    let edit = SourceRange(fileID: file.id, start: 61, end: 65)
    let diagnostics = [
      Diagnostic(
        .unknownField, "unknown field `replicaz` in Deployment.spec", at: typo,
        notes: [.init("in rule `web`", at: rule), .init("checked against Kubernetes 1.31")],
        help: "did you mean `replicas`?"),
      Diagnostic(.unknownEdit, "unknown edit `sett`", at: edit),
    ]
    return (files, diagnostics)
  }

  @Test func text() {
    let (files, diagnostics) = Self.example()
    let output = DiagnosticRenderer(files: files, format: .text).render(diagnostics)
    #expect(
      output == """
        rules/dr.sync:2:11: error[E0401]: unknown field `replicaz` in Deployment.spec
        2 | \tset spec.replicaz = 0
          | \t         ^~~~~~~~
          = note: rules/dr.sync:1:6: in rule `web`
          = note: checked against Kubernetes 1.31
          = help: did you mean `replicas`?

        rules/dr.sync:3:3: error[E0112]: unknown edit `sett`
        3 |   sett spec.paused = true
          |   ^~~~

        """)
  }

  /// A long line is cut around the caret, marked `…` where text was left out; the caret
  /// line is no longer than the excerpt. Before, a 100,000-column line was printed whole,
  /// with a caret line as long, and rendering it took minutes.
  @Test(arguments: [
    (prefix: 10, span: 3, suffix: 100_000, shown: 120, cutBefore: false, cutAfter: true),
    (prefix: 100_000, span: 3, suffix: 10, shown: 120, cutBefore: true, cutAfter: false),
    (prefix: 50_000, span: 100_000, suffix: 50_000, shown: 120, cutBefore: true, cutAfter: true),
    (prefix: 10, span: 3, suffix: 10, shown: 23, cutBefore: false, cutAfter: false),
  ])
  func longLinesAreCutAroundTheCaret(
    prefix: Int, span: Int, suffix: Int, shown: Int, cutBefore: Bool, cutAfter: Bool
  ) throws {
    let files = SourceManager()
    let line =
      String(repeating: "a", count: prefix) + String(repeating: "X", count: span)
      + String(repeating: "b", count: suffix)
    let file = files.add(path: "long.sync", text: line + "\n")
    let range = SourceRange(fileID: file.id, start: prefix, end: prefix + span)
    let output = DiagnosticRenderer(files: files, format: .text)
      .render([Diagnostic(.unexpectedCharacter, "here", at: range)])
    let lines = output.split(separator: "\n").map(String.init)
    #expect(lines[0] == "long.sync:1:\(prefix + 1): error[E0103]: here")
    var excerpt = try #require(lines[1].split(separator: "| ", maxSplits: 1).last)
    #expect(excerpt.hasPrefix("…") == cutBefore)
    #expect(excerpt.hasSuffix("…") == cutAfter)
    if cutBefore { excerpt.removeFirst() }
    if cutAfter { excerpt.removeLast() }
    #expect(excerpt.count == shown)
    // The caret stands under the first `X`, and the marker does not run past the excerpt.
    let caretLine = lines[2].dropFirst("  | ".count)
    let caretColumn = try #require(caretLine.firstIndex(of: "^"))
    let offset = caretLine.distance(from: caretLine.startIndex, to: caretColumn)
    let excerptLine = lines[1].dropFirst("1 | ".count)
    #expect(Array(excerptLine)[offset] == "X")
    #expect(caretLine.count <= excerptLine.count)
  }

  @Test func json() {
    let (files, diagnostics) = Self.example()
    let output = DiagnosticRenderer(files: files, format: .json).render(diagnostics)
    #expect(
      output == """
        {"file":"rules/dr.sync","line":2,"column":11,"endLine":2,"endColumn":19,\
        "severity":"error","code":"E0401","message":"unknown field `replicaz` in Deployment.spec",\
        "notes":[{"message":"in rule `web`","file":"rules/dr.sync","line":1,"column":6},\
        {"message":"checked against Kubernetes 1.31"}],"help":"did you mean `replicas`?"}
        {"file":"rules/dr.sync","line":3,"column":3,"endLine":3,"endColumn":7,\
        "severity":"error","code":"E0112","message":"unknown edit `sett`","notes":[],"help":null}

        """)
  }

  @Test func github() {
    let (files, diagnostics) = Self.example()
    let output = DiagnosticRenderer(files: files, format: .github).render(diagnostics)
    #expect(
      output == """
        ::error file=rules/dr.sync,line=2,col=11,endLine=2,endColumn=19,title=E0401::\
        unknown field `replicaz` in Deployment.spec%0Anote: rules/dr.sync:1:6: in rule `web`\
        %0Anote: checked against Kubernetes 1.31%0Ahelp: did you mean `replicas`?
        ::error file=rules/dr.sync,line=3,col=3,endLine=3,endColumn=7,title=E0112::\
        unknown edit `sett`

        """)
  }

  /// `%`, newlines and, in properties, `:` and `,` are escaped the way GitHub expects.
  @Test func githubEscaping() {
    let files = SourceManager()
    let file = files.add(path: "a,b:c%.sync", text: "x\n")
    let diagnostic = Diagnostic(
      .unknownItem, "100% wrong\r\nreally", at: SourceRange(fileID: file.id, start: 0, end: 1))
    let output = DiagnosticRenderer(files: files, format: .github).render([diagnostic])
    #expect(
      output
        == "::error file=a%2Cb%3Ac%25.sync,line=1,col=1,endLine=1,endColumn=2,title=E0111::"
        + "100%25 wrong%0D%0Areally\n")
  }

  /// A finding in a file without text (a missing file, a CRD that is not valid) is
  /// about the whole file: no line, no column, no excerpt, in every format.
  @Test(arguments: [
    (DiagnosticFormat.text, "crds/missing.yaml: error[E0208]: no such file or directory\n"),
    (
      .json,
      #"{"file":"crds/missing.yaml","line":null,"column":null,"endLine":null,"endColumn":null,"#
        + #""severity":"error","code":"E0208","message":"no such file or directory","#
        + #""notes":[],"help":null}"# + "\n"
    ),
    (.github, "::error file=crds/missing.yaml,title=E0208::no such file or directory\n"),
  ])
  func wholeFileFinding(_ format: DiagnosticFormat, _ expected: String) {
    let files = SourceManager()
    let file = files.add(path: "crds/missing.yaml", text: "")
    let diagnostic = Diagnostic(
      .inputUnreadable, "no such file or directory",
      at: SourceRange(fileID: file.id, start: 0, end: 0))
    #expect(DiagnosticRenderer(files: files, format: format).render([diagnostic]) == expected)
  }

  @Test func colorOnlyWhenAsked() {
    let (files, diagnostics) = Self.example()
    let plain = DiagnosticRenderer(files: files, format: .text).render(diagnostics)
    let colored = DiagnosticRenderer(files: files, format: .text, color: true).render(diagnostics)
    #expect(!plain.contains("\u{1B}["))
    #expect(colored.contains("\u{1B}[1;31merror\u{1B}[0m"))
  }
}
