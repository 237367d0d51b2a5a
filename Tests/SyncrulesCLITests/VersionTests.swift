import Foundation
import TestSupport
import Testing

/// `--version` names the release and the commit the binary was built from.
struct VersionTests {
  /// Whether `commit` names a commit of this repository (nil without git or a checkout).
  static func isCommitOfThisRepository(_ commit: String) -> Bool? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "git", "-C", Repository.root.path, "rev-parse", "--verify", "--quiet", commit + "^{commit}",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    process.waitUntilExit()
    let inCheckout = Repository.url(".git").path
    guard FileManager.default.fileExists(atPath: inCheckout) else { return nil }
    return process.terminationStatus == 0
  }

  @Test func versionNamesTheCommit() throws {
    let result = try CLI.run(["--version"])
    #expect(result.status == 0)
    let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let match = try #require(
      line.wholeMatch(of: /0\.1\.0 \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/))
    // Built from this checkout: a commit of its history (HEAD when the build is fresh;
    // an earlier one when tests run on a build made before the last commit).
    let commit = String(match.output.1.prefix(12))
    if commit != "unknown", let known = Self.isCommitOfThisRepository(commit) {
      #expect(known, "\(line): \(commit) is not a commit of this repository")
    }
  }
}
