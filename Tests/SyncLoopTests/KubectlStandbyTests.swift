import Foundation
import SyncLoop
import SyncValue
import Testing

/// What an operator sees on the standby after a sync, through the real kubectl: the
/// proof does not rest on our own client reading back what it wrote.
struct KubectlStandbyTests {
  static let kubectl = "/usr/bin/kubectl"

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: kubectl)))
  func kubectlShowsTheRewrittenDeploymentsWithOwnershipMarks() async throws {
    let rig = try await LiveSyncTests.Rig(tls: true)
    defer { Task { await rig.stop() } }
    let path = NSTemporaryDirectory() + "standby-\(UUID().uuidString).kubeconfig"
    try rig.standby.kubeconfig(user: .token("op")).write(
      toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }

    let output = try await Self.run([
      "--kubeconfig", path, "get", "deploy", "-n", "shop", "-o", "json",
    ])
    let list = try JSON.parse(output)
    #expect(list["kind"] == "List" || list["kind"] == "DeploymentList")
    let items = try #require(list["items"]?.arrayValue)
    #expect(items.count == 1)
    let web = try #require(items.first)
    #expect(web["metadata"]?["name"] == "web")
    #expect(web["spec"]?["replicas"] == .int(0))
    #expect(
      web["spec"]?["template"]?["metadata"]?["annotations"]?["dr.example.com/standby"] == "true")
    let annotations = web["metadata"]?["annotations"]
    #expect(annotations?["syncrules.io/source"] == "production:apps/Deployment:shop/web")
    #expect(annotations?["syncrules.io/self"] == "apps/Deployment:shop/web")
    // Ownership is an annotation only: no label derived from the object's name.
    #expect(web["metadata"]?["labels"]?["syncrules.io/source"] == nil)
    #expect(rig.sourceWrites.isEmpty)
  }

  /// Runs kubectl to completion (killed after 30 s) and returns its standard output.
  static func run(_ arguments: [String]) async throws -> String {
    let base = NSTemporaryDirectory() + "kubectl-\(UUID().uuidString)"
    let out = URL(fileURLWithPath: base + ".out")
    let err = URL(fileURLWithPath: base + ".err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    defer {
      try? FileManager.default.removeItem(at: out)
      try? FileManager.default.removeItem(at: err)
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: kubectl)
    process.arguments = ["--request-timeout=20s"] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["KUBECONFIG"] = nil
    environment["HOME"] = NSTemporaryDirectory()  // no cache or config of the user's
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = ContinuousClock.now + .seconds(30)
    while process.isRunning, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
    guard process.terminationStatus == 0 else { throw KubectlError.failed(stderr) }
    return try String(contentsOf: out, encoding: .utf8)
  }

  enum KubectlError: Error {
    case failed(String)
  }
}
