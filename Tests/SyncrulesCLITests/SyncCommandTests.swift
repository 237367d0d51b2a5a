import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// `syncrules sync --once`, `--dry-run` and `diff` as commands, between two API servers.
@Suite(.serialized)
struct SyncCommandTests {
  @Test func onceDiffAndDryRun() async throws {
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["sync": "syncrules"], readOnlyUsers: ["syncrules"],
        initialObjects: try loadObjects(
          fromFile: CheckCommandTests.repository.appendingPathComponent(
            "docs/examples/production.json"
          ).path)))
    let standby = try await KubeAPIServer.start(.init(tokens: ["sync": "syncrules"]))
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("sync-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let from = directory.appendingPathComponent("production").path
    let to = directory.appendingPathComponent("standby").path
    try production.kubeconfig().write(toFile: from, atomically: true, encoding: .utf8)
    try standby.kubeconfig().write(toFile: to, atomically: true, encoding: .utf8)
    let clusters = ["--from-kubeconfig", from, "--to-kubeconfig", to, "--source-name", "prod"]
    let rules = ["-f", "docs/examples/dr-standby.sync"]

    let before = try CLI.run(["diff"] + rules + clusters)
    #expect(before.status == 1, "\(before.stderr)")
    #expect(before.stdout.contains("--- /dev/null"))
    #expect(before.stdout.contains("+++ desired/apps/Deployment:shop/api"))

    let dryRun = try CLI.run(["sync", "--once", "--dry-run"] + rules + clusters)
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("would apply apps/Deployment:shop/api"))
    #expect(standby.objects(group: "apps", version: "v1", plural: "deployments").isEmpty)

    let once = try CLI.run(["sync", "--once"] + rules + clusters)
    #expect(once.status == 0, "\(once.stderr)")
    let copies = standby.objects(group: "apps", version: "v1", plural: "deployments")
    #expect(copies.count == 3)
    #expect(copies.allSatisfy { $0["spec"]?["replicas"] == .int(0) })

    let after = try CLI.run(["diff"] + rules + clusters)
    #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
    #expect(after.stderr.contains("0 objects drifted"))

    #expect(production.nonReadRequests.isEmpty)
  }

  /// A ConfigMap that only `dependencies` pulls in is synced by `sync --once`, so `diff`
  /// must neither miss it before nor call it an orphan after.
  @Test func diffAgreesWithSyncAboutDependencies() async throws {
    let production = try await KubeAPIServer.start(
      .init(initialObjects: [
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
        [
          "apiVersion": "apps/v1", "kind": "Deployment",
          "metadata": ["name": "web", "namespace": "shop"],
          "spec": [
            "replicas": 3, "selector": ["matchLabels": ["app": "web"]],
            "template": [
              "metadata": ["labels": ["app": "web"]],
              "spec": [
                "containers": [
                  [
                    "name": "app", "image": "web:1",
                    "envFrom": [["configMapRef": ["name": "web-config"]]],
                  ]
                ]
              ],
            ],
          ],
        ],
        [
          "apiVersion": "v1", "kind": "ConfigMap",
          "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
        ],
      ]))
    let standby = try await KubeAPIServer.start()
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("sync-deps-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let from = directory.appendingPathComponent("production").path
    let to = directory.appendingPathComponent("standby").path
    let rules = directory.appendingPathComponent("deps.sync").path
    try production.kubeconfig().write(toFile: from, atomically: true, encoding: .utf8)
    try standby.kubeconfig().write(toFile: to, atomically: true, encoding: .utf8)
    try """
    rule workload match apps/v1 Deployment {
      set spec.replicas = 0
      dependencies configmaps
    }
    """.write(toFile: rules, atomically: true, encoding: .utf8)
    let arguments = ["-f", rules, "--from-kubeconfig", from, "--to-kubeconfig", to]

    let before = try CLI.run(["diff"] + arguments)
    #expect(before.status == 1, "\(before.stderr)")
    #expect(before.stdout.contains("+++ desired/apps/Deployment:shop/web"))
    #expect(before.stdout.contains("+++ desired//ConfigMap:shop/web-config"))

    let once = try CLI.run(["sync", "--once"] + arguments)
    #expect(once.status == 0, "\(once.stderr)")
    #expect(standby.objects(group: "", version: "v1", plural: "configmaps").count == 1)

    let after = try CLI.run(["diff"] + arguments)
    #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
    #expect(after.stderr.contains("0 objects drifted"))
  }

  @Test func theDemoSyncsFollowsAChangeAndWritesNothingToProduction() throws {
    let demo = try CLI.run(["sync", "--demo"])
    #expect(demo.status == 0, "\(demo.stderr)")
    #expect(demo.stdout.contains("Deployment: shop/api, shop/web, shop/worker"))
    #expect(demo.stdout.contains("apply apps/Deployment:shop/canary"))
    #expect(demo.stdout.contains("prune apps/Deployment:shop/canary"))
    #expect(demo.stdout.contains("production received 0 write requests from syncrules"))
  }

  @Test func sameClusterOnBothSidesIsRefused() async throws {
    let server = try await KubeAPIServer.start()
    defer { Task { await server.shutdown() } }
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("same-\(UUID().uuidString)").path
    try server.kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try CLI.run(
      [
        "sync", "--once", "-f", "docs/examples/dr-standby.sync", "--from-kubeconfig", path,
        "--to-kubeconfig", path,
      ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("never writes to the source cluster"))
    #expect(server.nonReadRequests.isEmpty)
  }
}
