import Foundation
import SyncSyntax
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
    let expectedPath = String(path.dropLast(".sync".count)) + ".ast"
    if ProcessInfo.processInfo.environment["SYNC_UPDATE_GOLDEN"] != nil {
      try dump.write(toFile: expectedPath, atomically: true, encoding: .utf8)
    }
    let expected = try CorpusFile.read(expectedPath)
    #expect(dump == expected, "AST dump differs from \(name.dropLast(5)).ast")
  }

  @Test(arguments: CorpusFile.files(in: "invalid"))
  func invalid(name: String) throws {
    let text = try CorpusFile.read(CorpusFile.directory + "/invalid/" + name)
    let marked = try MarkedSource(text)
    let file = SourceFile(id: 0, path: "invalid/" + name, text: marked.source)
    let (_, diagnostics) = Parser.parse(file)
    let actual = diagnostics.map { describe($0, in: file) }
    let expected = marked.expectations.map { expectation in
      "\(file.location(of: expectation.offset)) \(expectation.code): \(expectation.message)"
    }
    #expect(actual == expected)
  }

  private func describe(_ diagnostic: Diagnostic, in file: SourceFile) -> String {
    "\(file.location(of: diagnostic.range.start)) \(diagnostic.code.rawValue): \(diagnostic.message)"
  }
}

/// An invalid-corpus file: `⟨N⟩` markers in the source (removed before parsing) and
/// comment lines `# ⟨N⟩ E0112: message` saying what must be reported at each marker.
struct MarkedSource {
  struct Expectation {
    var offset: Int
    var code: String
    var message: String
  }

  var source: String
  var expectations: [Expectation]

  struct FormatError: Error, CustomStringConvertible {
    var description: String
  }

  init(_ text: String) throws {
    var markers: [String: Int] = [:]
    var claims: [(marker: String, code: String, message: String)] = []
    var output: [UInt8] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.drop { $0 == " " }
      if trimmed.hasPrefix("# ⟨") {
        // `# ⟨1⟩ E0112: unknown edit `sett``: kept as a comment, not a marker.
        let rest = trimmed.dropFirst(2)
        guard let close = rest.firstIndex(of: "⟩"),
          let colon = rest[close...].firstIndex(of: ":")
        else { throw FormatError(description: "malformed expectation: \(line)") }
        let marker = String(rest[...close])
        let code = rest[rest.index(after: close)..<colon].trimmingCharacters(in: .whitespaces)
        let message = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        claims.append((marker, code, message))
        output += Array(line.utf8)
      } else {
        var rest = Substring(line)
        while let open = rest.firstIndex(of: "⟨"), let close = rest[open...].firstIndex(of: "⟩") {
          output += Array(rest[..<open].utf8)
          markers[String(rest[open...close])] = output.count
          rest = rest[rest.index(after: close)...]
        }
        output += Array(rest.utf8)
      }
      output.append(UInt8(ascii: "\n"))
    }
    output.removeLast()
    source = String(decoding: output, as: UTF8.self)
    expectations = try claims.map { claim in
      guard let offset = markers[claim.marker] else {
        throw FormatError(description: "no marker \(claim.marker) in the source")
      }
      return Expectation(offset: offset, code: claim.code, message: claim.message)
    }.sorted { $0.offset < $1.offset }
    guard Set(claims.map(\.marker)) == Set(markers.keys) else {
      throw FormatError(description: "markers without an expectation: \(markers.keys.sorted())")
    }
  }
}
