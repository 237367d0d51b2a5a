import Foundation
import SyncCheck
import SyncDriver
import SyncImport
import SyncRuntime
import SyncSchema
import SyncSyntax
import TestSupport
import Testing

/// Everything the project ships must check clean: stdlib rules, examples, and every
/// ```sync block in docs/. Every diagnostic code has a catalogue entry and a test.
struct ShippedFilesTests {
  static let repository = Repository.root

  static func path(_ relative: String) -> String {
    Repository.path(relative)
  }

  /// The built-in kinds plus the shared test CRDs, which the examples may use.
  /// The CRDs the shipped examples use ship with them: the files check from the
  /// repository alone.
  static let registry: SchemaRegistry = {
    let crds = Repository.path("docs/examples/crds")
    return (try? SchemaRegistry.builtIn.adding(crdPaths: [crds])) ?? .builtIn
  }()

  static var shippedRuleFiles: [String] {
    let directories = ["stdlib-rules", "docs/examples"]
    return directories.flatMap { directory -> [String] in
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path(directory))) ?? []
      return names.filter { $0.hasSuffix(".sync") }.sorted().map { "\(directory)/\($0)" }
    }
  }

  static func render(_ ruleSet: RuleSet) -> String {
    DiagnosticRenderer(files: ruleSet.files, format: .text).render(ruleSet.diagnostics)
  }

  @Test func thereAreShippedRuleFiles() {
    #expect(Self.shippedRuleFiles.contains("docs/examples/dr-standby.sync"))
    #expect(Self.shippedRuleFiles.filter { $0.hasPrefix("stdlib-rules/") }.count >= 5)
  }

  @Test(arguments: shippedRuleFiles)
  func shippedRuleFileChecksClean(_ file: String) throws {
    let text = try String(contentsOfFile: Self.path(file), encoding: .utf8)
    let ruleSet = RuleSet.load(
      text: text, path: Self.path(file), registry: Self.registry, strict: true,
      stdlib: DirectoryStdlib(directory: Self.path("stdlib-rules")))
    #expect(ruleSet.diagnostics.isEmpty, "\(file):\n\(Self.render(ruleSet))")
  }

  @Test func embeddedStdlibMatchesTheDirectory() throws {
    let directory = DirectoryStdlib(directory: Self.path("stdlib-rules"))
    let embedded = EmbeddedStdlib()
    #expect(
      embedded.moduleNames == directory.moduleNames,
      "run Sources/SyncCheck/Generated/embed-stdlib.py")
    for name in directory.moduleNames {
      #expect(
        embedded.module(named: name)?.text == directory.module(named: name)?.text,
        "stdlib-rules/\(name).sync differs from the embedded copy: run Sources/SyncCheck/Generated/embed-stdlib.py"
      )
    }
  }

  /// Every code, of `check`, of the run time and of `import`: the enums share one
  /// catalogue and one numbering.
  static let allCodes: [(rawValue: String, caseName: String)] =
    DiagnosticCode.allCases.map { ($0.rawValue, "\($0)") }
    + RuntimeErrorCode.allCases.map { ($0.rawValue, "\($0)") }
    + ImportCode.allCases.map { ($0.rawValue, "\($0)") }

  @Test func codesAreUniqueAcrossCheckAndRunTime() {
    #expect(Set(Self.allCodes.map(\.rawValue)).count == Self.allCodes.count)
  }

  @Test(arguments: allCodes.map(\.rawValue))
  func diagnosticIsCataloguedAndTested(_ code: String) throws {
    let catalogue = try String(contentsOfFile: Self.path("docs/diagnostics.md"), encoding: .utf8)
    #expect(catalogue.contains("\n## \(code): "), "docs/diagnostics.md lacks \(code)")
    #expect(Self.testedCodes.contains(code), "no test triggers \(code)")
  }

  /// Codes that appear in a test's expectations: corpus markers, test data and test code
  /// (this file excluded, since it names every code).
  static let testedCodes: Set<String> = {
    var found: Set<String> = []
    let tests = repository.appendingPathComponent("Tests")
    let enumerator = FileManager.default.enumerator(atPath: tests.path)
    while let entry = enumerator?.nextObject() as? String {
      guard !entry.hasSuffix("ShippedFilesTests.swift"),
        let text = try? String(
          contentsOfFile: tests.appendingPathComponent(entry).path, encoding: .utf8)
      else { continue }
      for code in allCodes where text.contains(code.rawValue) || text.contains(".\(code.caseName)")
      {
        found.insert(code.rawValue)
      }
    }
    return found
  }()
}
