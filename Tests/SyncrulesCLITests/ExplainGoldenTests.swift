import Foundation
import TestSupport
import Testing

/// `syncrules explain` pinned by golden files, one case per `.sync` file in ExplainCorpus/:
/// `NAME.explain` is the standard output, `NAME.err` the standard error (absent: none, and
/// the exit status must be 0; present: it must not be). `SYNCRULES_UPDATE_GOLDENS=1 swift
/// test --filter ExplainGoldenTests` rewrites them from the actual output.
struct ExplainGoldenTests {
  static let corpus = "Tests/SyncrulesCLITests/ExplainCorpus"

  static var cases: [String] { Repository.files(in: Repository.url(corpus)) }

  @Test func corpusIsNotEmpty() {
    #expect(Self.cases.count >= 4)
  }

  @Test(arguments: cases)
  func explainMatchesItsGoldenFiles(_ name: String) throws {
    let result = try CLI.run(["explain", "\(Self.corpus)/\(name)"])
    let base = Repository.url(Self.corpus).appendingPathComponent(String(name.dropLast(5)))
    let output = base.appendingPathExtension("explain")
    let errors = base.appendingPathExtension("err")
    #expect(result.stdout == (try Golden.expected(result.stdout, at: output)), "\(name) output")
    let expectedErrors = try Golden.expectedOrEmpty(result.stderr, at: errors)
    #expect(result.stderr == expectedErrors, "\(name) standard error")
    #expect((result.status == 0) == expectedErrors.isEmpty, "\(name) exit status \(result.status)")
  }
}
