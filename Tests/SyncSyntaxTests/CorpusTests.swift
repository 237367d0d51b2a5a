import Foundation
import SyncSyntax
import TestSupport
import Testing

/// Runs `Corpus/valid` (parse cleanly, match the `.ast` dump beside each file) and
/// `Corpus/invalid` (report exactly the marked diagnostics). See `Corpus/README.md`.
@Suite struct CorpusTests {
  @Test(arguments: CorpusFile.files(in: "valid"))
  func valid(name: String) throws {
    let path = CorpusFile.directory + "/valid/" + name
    let file = SourceFile(id: 0, path: "valid/" + name, text: try CorpusFile.read(path))
    let (ruleFile, diagnostics) = Parser.parse(file)
    #expect(diagnostics.map { describe($0, in: file) } == [])
    let dump = ASTDump.dump(ruleFile, in: file)
    let expectedPath = URL(fileURLWithPath: String(path.dropLast(".sync".count)) + ".ast")
    let expected = try Golden.expected(dump, at: expectedPath)
    #expect(dump == expected, "AST dump differs from \(name.dropLast(5)).ast")
  }

  @Test(arguments: CorpusFile.files(in: "invalid"))
  func invalid(name: String) throws {
    let text = try CorpusFile.read(CorpusFile.directory + "/invalid/" + name)
    let expected = ExpectedDiagnostic.parse(text)
    let file = SourceFile(id: 0, path: "invalid/" + name, text: text)
    let (_, diagnostics) = Parser.parse(file)
    let actual = diagnostics.map { diagnostic in
      let location = file.location(of: diagnostic.range.start)
      return ExpectedDiagnostic(
        line: location.line, column: location.column, code: diagnostic.code.rawValue,
        text: diagnostic.message)
    }.sorted { ($0.line, $0.column, $0.code) < ($1.line, $1.column, $1.code) }
    #expect(
      actual.map(\.key) == expected.map(\.key),
      "diagnostics differ from the markers in \(name):\n\(actual.map(describe).joined(separator: "\n"))"
    )
    for (marker, found) in zip(expected, actual) where marker.key == found.key {
      #expect(marker.accepts(message: found.text), "\(name) \(marker.key): \(found.text)")
    }
  }

  private func describe(_ diagnostic: ExpectedDiagnostic) -> String {
    "\(diagnostic.key) \(diagnostic.text)"
  }

  private func describe(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
    "\(file.location(of: diagnostic.range.start)) \(diagnostic.code.rawValue): \(diagnostic.message)"
  }
}
