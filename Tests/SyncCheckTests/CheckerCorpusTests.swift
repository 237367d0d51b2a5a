import Foundation
import SyncCheck
import SyncSchema
import SyncSyntax
import Testing

/// Runs every file in Corpus/: each expected diagnostic is marked in the file itself.
///
/// A marker is a comment line `#   ^ E0401 text` under the line it refers to: the
/// diagnostic must start at the caret's column on the nearest line above that is not a
/// marker, have that code, and (when given) contain the text. A file with no markers
/// must check clean. `# crd: NAME` loads `CRDs/NAME` beside this file when it exists,
/// else `../shared/testdata/crds/NAME`; `# strict` checks with `--strict`.
struct CheckerCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Corpus")
  /// CRDs written for the corpus, next to the shared ones.
  static let crds = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("CRDs")
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  static var cases: [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
    return names.filter { $0.hasSuffix(".sync") }.sorted()
  }

  @Test func corpusIsNotEmpty() {
    #expect(Self.cases.count >= 10)
  }

  @Test(arguments: cases)
  func diagnosticsMatchMarkers(_ name: String) throws {
    let path = Self.corpus.appendingPathComponent(name).path
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let expected = Marker.parse(text)
    var registry = SchemaRegistry.builtIn
    var strict = false
    for line in text.split(separator: "\n") {
      if line.hasPrefix("# crd: ") {
        let name = String(line.dropFirst(7))
        let local = Self.crds.appendingPathComponent(name).path
        let crd =
          FileManager.default.fileExists(atPath: local)
          ? local
          : Self.repository.deletingLastPathComponent()
            .appendingPathComponent("shared/testdata/crds/" + name).path
        registry = try registry.adding(crdPaths: [crd])
      }
      if line == "# strict" { strict = true }
    }
    let stdlib = DirectoryStdlib(
      directory: Self.repository.appendingPathComponent("stdlib-rules").path)
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: stdlib).load(path: path, text: text, into: files)
    let checker = Checker(registry: registry, options: CheckOptions(strict: strict))
    let (_, diagnostics) = checker.check(loaded)
    let file = files.file(0)
    let actual = diagnostics.filter { $0.range.fileID == 0 }.map { diagnostic in
      let location = file.location(of: diagnostic.range.start)
      return Marker(
        line: location.line, column: location.column, code: diagnostic.code.rawValue,
        text: diagnostic.message)
    }
    let rendered = DiagnosticRenderer(files: files, format: .text).render(diagnostics)
    #expect(
      actual.map(\.key) == expected.map(\.key),
      "diagnostics differ from the markers in \(name):\n\(rendered)")
    for (marker, found) in zip(expected, actual) where marker.key == found.key {
      if !marker.text.isEmpty {
        #expect(found.text.contains(marker.text), "\(name) \(marker.key): \(found.text)")
      }
    }
  }
}

/// One expected diagnostic, written in the corpus file under the line it points at.
struct Marker {
  var line: Int
  var column: Int
  var code: String
  var text: String

  var key: String { "\(line):\(column) \(code)" }

  static func parse(_ text: String) -> [Marker] {
    var markers: [Marker] = []
    var lastSourceLine = 0
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let scalars = Array(line.unicodeScalars)
      let isMarker =
        scalars.first == "#" && scalars.dropFirst().allSatisfy { $0 != "^" } == false
        && scalars.dropFirst().prefix { $0 != "^" }.allSatisfy { $0 == " " }
      guard isMarker else {
        lastSourceLine = index + 1
        continue
      }
      let caret = scalars.firstIndex(of: "^")!
      let rest = String(String.UnicodeScalarView(scalars[(caret + 1)...]))
        .trimmingCharacters(in: .whitespaces)
      let parts = rest.split(separator: " ", maxSplits: 1)
      markers.append(
        Marker(
          line: lastSourceLine, column: caret + 1, code: String(parts.first ?? ""),
          text: parts.count > 1 ? String(parts[1]) : ""))
    }
    return markers.sorted { ($0.line, $0.column, $0.code) < ($1.line, $1.column, $1.code) }
  }
}
