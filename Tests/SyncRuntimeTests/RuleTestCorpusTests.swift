import Foundation
import SyncCheck
import SyncDriver
import SyncRuntime
import TestSupport
import Testing

/// Runs every shipped `*.test.yaml` (stdlib rules, documentation examples, the runner's
/// own corpus) as part of `swift test`, so a rule change that breaks a documented
/// result fails the build.
struct RuleTestCorpusTests {
  /// The repository root, found from this file's path.
  static let root = Repository.root.path

  static let directories = ["stdlib-rules", "docs/examples", "Tests/RuleTestCorpus"]

  /// Every test file under the directories that exist, relative to the root.
  static let testFiles: [String] = {
    let existing = directories.filter {
      FileManager.default.fileExists(atPath: root + "/" + $0)
    }
    let found = (try? RuleTestSuite.discover(paths: existing.map { root + "/" + $0 })) ?? []
    return found.map { String($0.dropFirst(root.count + 1)) }
  }()

  @Test func testFilesExist() {
    #expect(!Self.testFiles.isEmpty, "no *.test.yaml under \(Self.directories)")
    #expect(Self.testFiles.contains("Tests/RuleTestCorpus/rfc6902.test.yaml"))
  }

  @Test(arguments: testFiles)
  func everyCasePasses(_ file: String) throws {
    let suite = try RuleTestSuite.load(path: Self.root + "/" + file)
    // The stdlib under test is the checkout's, not the copy embedded at build time.
    let runner = RuleTestRunner(stdlib: DirectoryStdlib(directory: Self.root + "/stdlib-rules"))
    var report = RuleTestReport()
    for result in runner.run(suite) {
      let text = report.add(result)
      #expect(result.passed, "\(text)")
    }
    #expect(report.passed > 0)
  }
}
