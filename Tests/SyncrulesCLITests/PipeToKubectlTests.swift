import Foundation
import KubeAPIServer
import TestSupport
import Testing

/// The pipe as operators use it: `syncrules apply … | kubectl apply --server-side -f -`,
/// against an API server, with the real kubectl.
struct PipeToKubectlTests {
  static let kubectl = "/usr/bin/kubectl"

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: kubectl)))
  func rewrittenObjectsApplyWithKubectl() async throws {
    // kubectl sends bearer tokens only over TLS.
    let server = try await KubeAPIServer.start(.init(tls: true, tokens: ["t": "admin"]))
    defer { Task { await server.shutdown() } }
    let directory = try TemporaryDirectory(prefix: "pipe")
    let kubeconfig = directory.file("kubeconfig")
    try server.kubeconfig(user: .token("t")).write(
      toFile: kubeconfig, atomically: true, encoding: .utf8)

    let rewritten = try CLI.run(
      ["apply", "-f", "docs/examples/dr-standby.sync", "docs/examples/production.yaml"])
    #expect(rewritten.status == 0, "\(rewritten.stderr)")
    let manifest = directory.url.appendingPathComponent("standby.yaml")
    try rewritten.stdout.write(to: manifest, atomically: true, encoding: .utf8)

    let applied = try Self.run(
      ["--kubeconfig", kubeconfig, "apply", "--server-side", "-f", manifest.path])
    #expect(applied.status == 0, "\(applied.output)")
    #expect(applied.output.contains("deployment.apps/api serverside-applied"))

    let listed = try Self.run(
      ["--kubeconfig", kubeconfig, "get", "deploy", "-n", "shop", "-o", "json"])
    #expect(listed.status == 0, "\(listed.output)")
    let list = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
    let items = list?["items"] as? [[String: Any]] ?? []
    #expect(items.count == 3)
    for item in items {
      let spec = item["spec"] as? [String: Any]
      #expect(spec?["replicas"] as? Int == 0)
    }
  }

  static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: kubectl)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
