import Foundation
import TestSupport
import Testing

/// Every output sample in the docs is a ```console block that runs here (see
/// ``ConsoleSample``), so a sample cannot drift from the tool.
///
/// One block at a time: several start API servers, and all of them at once would load a
/// shared 2-core machine enough to slow the timing-sensitive suites beside them.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DocSampleTests {
  static let samples: [ConsoleSample] = (try? ConsoleSample.all()) ?? []

  @Test func theDocsHaveSamplesAndAllParse() throws {
    let samples = try ConsoleSample.all()
    #expect(samples.count >= 20, "found \(samples.count) ```console blocks")
  }

  @Test(arguments: samples)
  func samplePrintsWhatItShows(_ sample: ConsoleSample) async throws {
    let outputs = try await ConsoleSampleRunner.run(sample)
    #expect(outputs.shell.isEmpty, "\(sample.location): the shell said: \(outputs.shell)")
    for (command, output) in zip(sample.commands, outputs.commands) {
      #expect(
        ConsoleSampleRunner.matches(output, command.expected),
        """
        \(sample.location): `$ \(command.text)`
        --- the docs show
        \(command.expected.joined(separator: "\n"))
        --- it prints
        \(output)
        """)
    }
  }

  /// Output shown outside a ```console block would not be checked: a block that shows a
  /// command with its output, or a diagnostic, must be a console block.
  @Test func noOutputSampleHidesOutsideAConsoleBlock() throws {
    var documents = ["README.md"]
    let names = try FileManager.default.contentsOfDirectory(atPath: Repository.path("docs"))
    documents += names.filter { $0.hasSuffix(".md") }.sorted().map { "docs/\($0)" }
    var hidden: [String] = []
    for document in documents {
      let text = try String(contentsOf: Repository.url(document), encoding: .utf8)
      var fence: String? = nil
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false)
        .enumerated()
      {
        if line.hasPrefix("```") {
          fence = fence == nil ? String(line.dropFirst(3)) : nil
          continue
        }
        guard let language = fence, language != "console", !language.hasPrefix("sync") else {
          continue
        }
        if line.hasPrefix("$ syncrules") || line.contains("error[E") || line.contains("warning[W") {
          hidden.append("\(document):\(number + 1): \(line.prefix(80))")
        }
      }
    }
    #expect(
      hidden.isEmpty, "output samples outside ```console blocks:\n\(hidden.joined(separator: "\n"))"
    )
  }

  /// The matcher itself: `…` for any text in a line, a `…` line for any lines.
  @Test(arguments: [
    ("a\nb\n", ["a", "b"], true),
    ("a\nb\n", ["a"], false),
    ("a\nx\ny\nb\n", ["a", "…", "b"], true),
    ("a\nb\n", ["a", "…", "b"], true),
    ("error[E0701]: <stdin>:1:42: bad", ["error[E0701]: …:1:42: …"], true),
    ("error[E0701]: <stdin>:1:43: bad", ["error[E0701]: …:1:42: …"], false),
    ("ab", ["a…b…"], true),
    ("a  \n\n", ["a"], true),
  ])
  func matcher(_ output: String, _ expected: [String], _ result: Bool) {
    #expect(ConsoleSampleRunner.matches(output, expected) == result)
  }
}
