import Foundation
import TestSupport
import Testing

/// `--version` names the release and the commit the binary was built from.
struct VersionTests {
  /// `git rev-parse --short=12 HEAD` in the repository, or nil without git or a checkout.
  static func headCommit() -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git", "-C", Repository.root.path, "rev-parse", "--short=12", "HEAD"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  @Test func versionNamesTheCommit() throws {
    let result = try CLI.run(["--version"])
    #expect(result.status == 0)
    let line = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    let match = try #require(
      line.wholeMatch(of: /0\.1\.0 \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)/))
    if let commit = Self.headCommit() {
      // Built from this checkout (the build ran the plugin on the same HEAD).
      #expect(match.output.1.hasPrefix(commit), "\(line) vs HEAD \(commit)")
    }
  }
}
