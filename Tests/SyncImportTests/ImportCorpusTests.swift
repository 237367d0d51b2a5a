import Foundation
import SyncDriver
import SyncImport
import TestSupport
import Testing

/// Every case under Corpus/karmada and Corpus/velero: a policy file (its first line may
/// be `# import: FLAGS`), the `.sync` it must translate to (absent when the translation
/// must fail) and the findings it must report (`.findings`, one per line, absent when
/// none). Each translation must also check without errors.
struct ImportCorpusTests {
  static let corpus = Repository.url("Tests/SyncImportTests/Corpus")

  static func cases(_ tool: String) -> [String] {
    let directory = corpus.appendingPathComponent(tool)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { $0.hasSuffix(".yaml") }.map { "\(tool)/\($0.dropLast(5))" }.sorted()
  }

  static let allCases = cases("karmada") + cases("velero")

  /// The flags on the case's first line.
  static func flags(_ input: URL) -> [String: String] {
    guard let text = try? String(contentsOf: input, encoding: .utf8),
      let first = text.split(separator: "\n").first, first.hasPrefix("# import:")
    else { return [:] }
    var result: [String: String] = [:]
    let words = first.dropFirst("# import:".count).split(separator: " ").map(String.init)
    var index = 0
    while index + 1 < words.count {
      result[words[index]] = words[index + 1]
      index += 2
    }
    return result
  }

  static func translate(_ name: String) -> (text: String, findings: [ImportFinding]) {
    let input = corpus.appendingPathComponent("\(name).yaml")
    // Paths in the output and findings are relative to the corpus.
    let path = "Corpus/\(name).yaml"
    let flags = flags(input)
    do {
      let previous = FileManager.default.currentDirectoryPath
      FileManager.default.changeCurrentDirectoryPath(corpus.deletingLastPathComponent().path)
      defer { FileManager.default.changeCurrentDirectoryPath(previous) }
      let result =
        name.hasPrefix("karmada/")
        ? try KarmadaImporter(
          cluster: flags["--cluster"],
          skippedNamespaces: flags["--skipped-namespaces"].map {
            $0.split(separator: ",").map(String.init)
          }
        ).translate(paths: [path])
        : try VeleroImporter().translate(paths: [path])
      return (result.text, result.findings)
    } catch {
      return ("", error.findings)
    }
  }

  @Test func thereAreCases() {
    #expect(Self.cases("karmada").count >= 10)
    #expect(Self.cases("velero").count >= 5)
  }

  @Test(arguments: allCases)
  func translation(_ name: String) throws {
    let (text, findings) = Self.translate(name)
    let base = Self.corpus.appendingPathComponent(name)
    let expectedText = try Golden.expectedOrEmpty(text, at: base.appendingPathExtension("sync"))
    #expect(text == expectedText, "\(name).sync differs:\n\(text)")
    let findingText = findings.map { "\($0)\n" }.joined()
    let expectedFindings = try Golden.expectedOrEmpty(
      findingText, at: base.appendingPathExtension("findings"))
    #expect(findingText == expectedFindings, "\(name).findings differs:\n\(findingText)")
    if name.contains("/error-") {
      #expect(text.isEmpty)
      #expect(findings.contains { $0.code.isError })
    } else {
      #expect(!text.isEmpty)
      #expect(!findings.contains { $0.code.isError })
      let ruleSet = RuleSet.load(text: text, path: "\(name).sync")
      let hasErrors = ruleSet.hasErrors
      #expect(!hasErrors, "\(name).sync does not check:\n\(ruleSet.renderedDiagnostics())")
    }
  }
}
