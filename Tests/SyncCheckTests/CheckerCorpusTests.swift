import Foundation
import SyncCheck
import SyncSchema
import SyncSyntax
import TestSupport
import Testing

/// Runs every file in Corpus/: each expected diagnostic is marked in the file itself, in
/// the one marker syntax of ``ExpectedDiagnostic`` (`#   ^ E0401 text` under the line it
/// points at). A file with no markers must check clean. `# crd: NAME` loads `CRDs/NAME`
/// beside this file when it exists, else `../shared/testdata/crds/NAME`; `# strict` checks
/// with `--strict`.
struct CheckerCorpusTests {
  static let corpus = Repository.url("Tests/SyncCheckTests/Corpus")
  /// CRDs written for the corpus, next to the shared ones.
  static let crds = Repository.url("Tests/SyncCheckTests/CRDs")

  static var cases: [String] {
    Repository.files(in: corpus)
  }

  @Test func corpusIsNotEmpty() {
    #expect(Self.cases.count >= 10)
  }

  @Test(arguments: cases)
  func diagnosticsMatchMarkers(_ name: String) throws {
    let path = Self.corpus.appendingPathComponent(name).path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let expected = ExpectedDiagnostic.parse(text)
    var registry = SchemaRegistry.builtIn
    var strict = false
    for line in text.split(separator: "\n") {
      if line.hasPrefix("# crd: ") {
        let name = String(line.dropFirst(7))
        let local = Self.crds.appendingPathComponent(name).path
        let crd =
          FileManager.default.fileExists(atPath: local)
          ? local
          : Repository.sharedTestData("crds/" + name)
        registry = try registry.adding(crdPaths: [crd])
      }
      if line == "# strict" { strict = true }
    }
    let stdlib = DirectoryStdlib(
      directory: Repository.path("stdlib-rules"))
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: stdlib).load(path: path, text: text, into: files)
    let checker = Checker(registry: registry, options: CheckOptions(strict: strict))
    let (_, diagnostics) = checker.check(loaded)
    let file = files.file(0)
    let actual = diagnostics.filter { $0.range.fileID == 0 }.map { diagnostic in
      let location = file.location(of: diagnostic.range.start)
      return ExpectedDiagnostic(
        line: location.line, column: location.column, code: diagnostic.code.rawValue,
        text: diagnostic.message)
    }
    let rendered = DiagnosticRenderer(files: files, format: .text).render(diagnostics)
    #expect(
      actual.map(\.key) == expected.map(\.key),
      "diagnostics differ from the markers in \(name):\n\(rendered)")
    for (marker, found) in zip(expected, actual) where marker.key == found.key {
      #expect(marker.accepts(message: found.text), "\(name) \(marker.key): \(found.text)")
    }
  }
}
