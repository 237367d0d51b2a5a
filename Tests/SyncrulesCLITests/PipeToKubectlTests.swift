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

    let rewritten = try await CLI.runAsync(
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

  /// README's pipe, as written, from a production server into a fresh standby (only the
  /// namespaces every server has): the Namespace objects must travel with the workloads.
  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: kubectl)))
  func documentedPipeFillsAFreshStandby() async throws {
    let production = try await KubeAPIServer.start(
      .init(
        initialObjects: try loadObjects(
          fromFile: Repository.path("docs/examples/production.json"))))
    let standby = try await KubeAPIServer.start(.init())
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = try TemporaryDirectory(prefix: "pipe")
    let productionConfig = directory.file("production")
    let standbyConfig = directory.file("standby")
    try production.kubeconfig(user: nil).write(
      toFile: productionConfig, atomically: true, encoding: .utf8)
    try standby.kubeconfig(user: nil).write(
      toFile: standbyConfig, atomically: true, encoding: .utf8)
    let readme = try String(contentsOf: Repository.url("README.md"), encoding: .utf8)
    let line = try #require(
      readme.split(separator: "\n").first {
        $0.hasPrefix("kubectl get ") && $0.contains("| $B apply")
      })
    // The first kubectl reads production (KUBECONFIG), the last one writes to the standby.
    let command = line.replacingOccurrences(of: "$B", with: CLI.executable.path)
      .replacingOccurrences(of: "dr.sync", with: "docs/examples/dr-standby.sync")
      .replacingOccurrences(
        of: "| kubectl apply", with: "| kubectl --kubeconfig \(standbyConfig) apply")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["-o", "pipefail", "-c", command]
    process.currentDirectoryURL = Repository.root
    // HOME a scratch folder: kubectl keeps its discovery cache under it (without HOME, in
    // the working directory, which is the repository).
    process.environment = [
      "KUBECONFIG": productionConfig, "PATH": "/usr/bin:/bin", "HOME": directory.path,
    ]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(output)")
    #expect(output.contains("namespace/shop serverside-applied"))
    #expect(output.contains("deployment.apps/web serverside-applied"))
    let names = standby.objects(group: "apps", version: "v1", plural: "deployments")
      .compactMap { $0["metadata"]?["name"]?.stringValue }
    #expect(names == ["api", "web", "worker"])
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
