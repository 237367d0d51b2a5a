import Foundation
import SyncValue
import TestSupport
import Testing

enum ServerBinary {
  /// Built next to the test bundle by `swift build` / `swift test`.
  static var path: String? {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("kube-api-server").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory.deleteLastPathComponent()
    }
    return nil
  }
}

/// The `kube-api-server` executable, as docs/test-apiserver.md tells users to run it.
@Suite(.enabled(if: Kubectl.available && ServerBinary.path != nil), .timeLimit(.minutes(1)))
struct ExecutableTests {
  @Test func tlsServerWithPreloadedListAndGeneratedKubeconfig() async throws {
    let base = NSTemporaryDirectory() + "kas-\(UUID().uuidString)"
    let list: Value = ["apiVersion": "v1", "kind": "List", "items": .array(Fixtures.production)]
    try JSON.serialize(list).write(toFile: base + ".json", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(ServerBinary.path))
    process.arguments = [
      "--port", "0", "--tls", "--kubeconfig-out", base + ".kubeconfig", "--load", base + ".json",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
      process.terminate()
      process.waitUntilExit()
      for suffix in [".json", ".kubeconfig"] {
        try? FileManager.default.removeItem(atPath: base + suffix)
      }
    }
    let deadline = ContinuousClock.now + .seconds(20)
    while !FileManager.default.fileExists(atPath: base + ".kubeconfig"),
      ContinuousClock.now < deadline
    {
      try await Task.sleep(for: .milliseconds(50))
    }
    let result = try await Kubectl(kubeconfig: base + ".kubeconfig").run(
      "get", "deploy", "-n", "shop", "-o", "json")
    #expect(result.status == 0, "\(result.stderr)")
    let names = try JSON.parse(result.stdout)["items"]?.arrayValue?.compactMap {
      $0["metadata"]?["name"]?.stringValue
    }
    #expect(names == ["web", "worker"])
  }
}
