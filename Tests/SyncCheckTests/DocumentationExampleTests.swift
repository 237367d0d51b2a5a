import Foundation
import SyncCheck
import SyncSchema
import SyncSyntax
import TestSupport
import Testing

/// Docs are tests: every ```sync block in docs/ and README.md must check clean, and
/// every ```sync-error block must report exactly the diagnostics its markers name.
struct DocumentationExampleTests {
  struct Example: CustomTestStringConvertible, Sendable {
    var file: String
    var line: Int
    var text: String
    var expectsErrors: Bool
    var testDescription: String { "\(file):\(line)" }
  }

  static var examples: [Example] {
    var documents = ["README.md"]
    let docs = Repository.path("docs")
    let names = (try? FileManager.default.contentsOfDirectory(atPath: docs)) ?? []
    documents += names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    var examples: [Example] = []
    for document in documents {
      guard
        let text = try? String(
          contentsOf: Repository.url(document), encoding: .utf8)
      else { continue }
      let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      for (index, line) in lines.enumerated() where line == "```sync" || line == "```sync-error" {
        let body = lines[(index + 1)...].prefix { $0 != "```" }.joined(separator: "\n")
        examples.append(
          Example(
            file: document, line: index + 2, text: body + "\n",
            expectsErrors: line == "```sync-error"))
      }
    }
    return examples
  }

  @Test func documentationHasExamples() {
    #expect(Self.examples.filter { !$0.expectsErrors }.count >= 20)
    #expect(Self.examples.filter(\.expectsErrors).count >= 30)
  }

  /// The CRDs the docs use ship with them, so the examples run from the repository alone.
  static let registry: SchemaRegistry = {
    let crds = Repository.path("docs/examples/crds")
    return (try? SchemaRegistry.builtIn.adding(crdPaths: [crds])) ?? .builtIn
  }()

  @Test(arguments: examples)
  func exampleReportsWhatItSays(_ example: Example) {
    let files = SourceManager()
    let stdlib = DirectoryStdlib(
      directory: Repository.path("stdlib-rules"))
    let loaded = RuleLoader(stdlib: stdlib).load(
      path: example.testDescription, text: example.text, into: files)
    let strict = example.text.contains("\n# strict\n") || example.text.hasPrefix("# strict\n")
    let checker = Checker(registry: Self.registry, options: CheckOptions(strict: strict))
    let (_, diagnostics) = checker.check(loaded)
    let rendered = DiagnosticRenderer(files: files, format: .text).render(diagnostics)
    let expected = ExpectedDiagnostic.parse(example.text)
    let file = files.file(0)
    let actual = diagnostics.filter { $0.range.fileID == 0 && $0.severity == .error }.map {
      let location = file.location(of: $0.range.start)
      return ExpectedDiagnostic(
        line: location.line, column: location.column, code: $0.code.rawValue, text: $0.message)
    }
    let actualWithWarnings =
      expected.contains { $0.code.hasPrefix("W") }
      ? diagnostics.filter { $0.range.fileID == 0 }.map {
        let location = file.location(of: $0.range.start)
        return ExpectedDiagnostic(
          line: location.line, column: location.column, code: $0.code.rawValue, text: $0.message)
      } : actual
    #expect(
      actualWithWarnings.map(\.key) == expected.map(\.key),
      "\(example.testDescription):\n\(rendered)")
    for (marker, found) in zip(expected, actualWithWarnings) {
      #expect(marker.accepts(message: found.text), "\(example.testDescription): \(found.text)")
    }
    if !example.expectsErrors { #expect(expected.isEmpty) }
  }
}
