import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// `syncrules sync --once`, `--dry-run` and `diff` as commands, between two API servers.
@Suite(.serialized)
struct SyncCommandTests {
  @Test func onceDiffAndDryRun() async throws {
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["sync": "syncrules"], readOnlyUsers: ["syncrules"],
        initialObjects: try loadObjects(
          fromFile: Repository.root.appendingPathComponent(
            "docs/examples/production.json"
          ).path)))
    let standby = try await KubeAPIServer.start(.init(tokens: ["sync": "syncrules"]))
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = try TemporaryDirectory(prefix: "sync-cli")
    let from = directory.file("production")
    let to = directory.file("standby")
    try production.kubeconfig().write(toFile: from, atomically: true, encoding: .utf8)
    try standby.kubeconfig().write(toFile: to, atomically: true, encoding: .utf8)
    let clusters = ["--from-kubeconfig", from, "--to-kubeconfig", to, "--source-name", "prod"]
    let rules = ["-f", "docs/examples/dr-standby.sync"]

    let before = try await CLI.runAsync(["diff"] + rules + clusters)
    #expect(before.status == 1, "\(before.stderr)")
    #expect(before.stdout.contains("--- /dev/null"))
    #expect(before.stdout.contains("+++ desired/apps/Deployment:shop/api"))

    let dryRun = try await CLI.runAsync(["sync", "--once", "--dry-run"] + rules + clusters)
    #expect(dryRun.status == 0, "\(dryRun.stderr)")
    #expect(dryRun.stdout.contains("would apply apps/Deployment:shop/api"))
    #expect(standby.objects(group: "apps", version: "v1", plural: "deployments").isEmpty)

    let once = try await CLI.runAsync(["sync", "--once"] + rules + clusters)
    #expect(once.status == 0, "\(once.stderr)")
    let copies = standby.objects(group: "apps", version: "v1", plural: "deployments")
    #expect(copies.count == 3)
    #expect(copies.allSatisfy { $0["spec"]?["replicas"] == .int(0) })

    let after = try await CLI.runAsync(["diff"] + rules + clusters)
    #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
    #expect(after.stderr.contains("0 objects drifted"))

    #expect(production.nonReadRequests.isEmpty)
  }

  /// `--page-size` pages every list of the source (`limit`, then `continue`), and the
  /// standby gets the same objects as with one response per resource.
  @Test func listsOfTheSourceArePaged() async throws {
    try await ClusterPair.with(
      production: .init(initialObjects: try ClusterPair.exampleObjects())
    ) { clusters in
      let once = try await CLI.runAsync(
        ["sync", "--once", "--page-size", "2", "-f", "docs/examples/dr-standby.sync"]
          + clusters.arguments)
      #expect(once.status == 0, "\(once.stderr)")
      let lists = clusters.production.requests.filter {
        $0.method == "GET" && $0.path.hasSuffix("/deployments")
      }
      #expect(lists.count == 3, "5 Deployments: pages of 2, 2 and 1")
      #expect(lists.allSatisfy { $0.query.contains("limit=2") })
      #expect(lists.dropFirst().allSatisfy { $0.query.contains("continue=") })
      #expect(
        clusters.standby.objects(group: "apps", version: "v1", plural: "deployments").count == 3)
      #expect(clusters.production.nonReadRequests.isEmpty)
    }
  }

  /// Runs `body` with the arguments naming `rules` and two API servers, production
  /// holding `objects`, and the standby.
  static func withClusters(
    _ objects: [Value], rules: String, _ body: ([String], KubeAPIServer) async throws -> Void
  ) async throws {
    try await ClusterPair.with(production: .init(initialObjects: objects)) { clusters in
      let rulesPath = try clusters.directory.write("rules.sync", rules)
      try await body(["-f", rulesPath] + clusters.arguments, clusters.standby)
      #expect(clusters.production.nonReadRequests.isEmpty)
    }
  }

  static func workload(templateMetadata: Value) -> Value {
    [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": "web", "namespace": "shop"],
      "spec": [
        "replicas": 3, "selector": ["matchLabels": ["app": "web"]],
        "template": [
          "metadata": templateMetadata,
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
    ]
  }

  static let shopObjects: [Value] = [
    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]],
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
    ],
  ]

  static let annotatingRules = """
    rule workload match apps/v1 Deployment {
      set spec.template.metadata.annotations.dr = "standby"
      dependencies configmaps
    }
    """

  /// A ConfigMap that only `dependencies` pulls in is synced by `sync --once`, so `diff`
  /// must neither miss it before nor call it an orphan after.
  @Test func diffAgreesWithSyncAboutDependencies() async throws {
    let objects = Self.shopObjects + [Self.workload(templateMetadata: ["labels": ["app": "web"]])]
    try await Self.withClusters(objects, rules: Self.annotatingRules) { arguments, standby in
      let before = try await CLI.runAsync(["diff"] + arguments)
      #expect(before.status == 1, "\(before.stderr)")
      #expect(before.stdout.contains("+++ desired/apps/Deployment:shop/web"))
      #expect(before.stdout.contains("+++ desired//ConfigMap:shop/web-config"))

      let once = try await CLI.runAsync(["sync", "--once"] + arguments)
      #expect(once.status == 0, "\(once.stderr)")
      #expect(standby.objects(group: "", version: "v1", plural: "configmaps").count == 1)

      let after = try await CLI.runAsync(["diff"] + arguments)
      #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
      #expect(after.stderr.contains("0 objects drifted"))
    }
  }

  /// An object the rules fail on: its drift is not known, so `diff` says which and why
  /// and exits 2, like any error — not 0 as if it were in sync.
  @Test func diffExitsTwoWhenTheRulesFailForAnObject() async throws {
    let objects = Self.shopObjects + [Self.workload(templateMetadata: "broken")]
    try await Self.withClusters(objects, rules: Self.annotatingRules) { arguments, _ in
      let result = try await CLI.runAsync(["diff"] + arguments)
      #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
      #expect(
        result.stderr.contains(
          "failed apps/Deployment:shop/web: error[E0601]: `spec.template.metadata` is a string"))
      #expect(
        result.stderr.hasSuffix(
          "syncrules: error: the rules failed for 1 object; their copies were not compared\n"))
      // The ConfigMap it references is still compared (and missing).
      #expect(result.stdout.contains("+++ desired//ConfigMap:shop/web-config"))
    }
  }

  /// `--events`: an object the rules fail on leaves a Warning Event on the standby
  /// (whose namespace exists), unless `--events=false`.
  @Test(arguments: [
    (flags: [String](), events: 1), (flags: ["--events=false"], events: 0),
    (flags: ["--events", "false"], events: 0),
  ])
  func eventsFlag(_ flags: [String], events: Int) async throws {
    let objects = Self.shopObjects + [Self.workload(templateMetadata: "broken")]
    try await Self.withClusters(objects, rules: Self.annotatingRules) { arguments, standby in
      try standby.load([["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]])
      let result = try await CLI.runAsync(["sync", "--once"] + flags + arguments)
      #expect(result.status == 1, "\(result.stderr)")
      let written = standby.objects(group: "", version: "v1", plural: "events")
      #expect(written.count == events, "\(written)")
      #expect(written.allSatisfy { $0["reason"] == "RuleFailed" })
    }
  }

  /// The demo runs from the test server's binary, not from the shipped one.
  @Test func theDemoSyncsFollowsAChangeAndWritesNothingToProduction() throws {
    let demo = try CLI.run(["demo"], program: "kube-api-server")
    #expect(demo.status == 0, "\(demo.stderr)")
    #expect(demo.stdout.contains("Deployment: shop/api, shop/web, shop/worker"))
    #expect(demo.stdout.contains("apply apps/Deployment:shop/canary"))
    #expect(demo.stdout.contains("prune apps/Deployment:shop/canary"))
    #expect(demo.stdout.contains("production received 0 write requests from syncrules"))
  }

  @Test func theDemoRefusesRulesWithErrors() throws {
    let demo = try CLI.run(
      ["demo", "-f", "Tests/SyncCheckTests/Corpus/unknown-field.sync"],
      program: "kube-api-server")
    #expect(demo.status == 1, "\(demo.stdout)")
    #expect(demo.stderr.contains("error["), "\(demo.stderr)")
    #expect(demo.stderr.contains(" errors, "), "\(demo.stderr)")
    #expect(demo.stdout.isEmpty)
  }

  /// `syncrules sync --demo` says where the demo went instead of failing on an unknown flag.
  @Test func syncDemoPointsToTheTestServer() throws {
    let result = try CLI.run(["sync", "--demo"])
    #expect(result.status == 2)
    #expect(result.stderr.contains("the demo moved: run `swift run kube-api-server demo"))
  }

  /// One kubeconfig with a context per cluster, as kubectl users keep them: named with
  /// `--kubeconfig`, or found through `KUBECONFIG`.
  @Test(arguments: [true, false])
  func oneKubeconfigWithTwoContexts(passedAsFlag: Bool) async throws {
    let production = try await KubeAPIServer.start(
      .init(
        tokens: ["p": "syncrules"], readOnlyUsers: ["syncrules"],
        initialObjects: try loadObjects(fromFile: Repository.path("docs/examples/production.json")))
    )
    let standby = try await KubeAPIServer.start(.init(tokens: ["s": "syncrules"]))
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = try TemporaryDirectory(prefix: "one-kubeconfig")
    let kubeconfig = try directory.write(
      "config",
      """
      apiVersion: v1
      kind: Config
      clusters:
        - {name: prod, cluster: {server: "http://127.0.0.1:\(production.port)"}}
        - {name: standby, cluster: {server: "http://127.0.0.1:\(standby.port)"}}
      users:
        - {name: prod, user: {token: p}}
        - {name: standby, user: {token: s}}
      contexts:
        - {name: prod, context: {cluster: prod, user: prod}}
        - {name: standby, context: {cluster: standby, user: standby}}
      current-context: standby

      """)
    let arguments = [
      "sync", "--once", "-f", "docs/examples/dr-standby.sync", "--from-context", "prod",
      "--to-context", "standby",
    ]
    let result =
      passedAsFlag
      ? try await CLI.runAsync(arguments + ["--kubeconfig", kubeconfig])
      : try await CLI.runAsync(arguments, environment: ["KUBECONFIG": kubeconfig])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(standby.objects(group: "apps", version: "v1", plural: "deployments").count == 3)
    #expect(production.nonReadRequests.isEmpty)
  }

  @Test func sameClusterOnBothSidesIsRefused() async throws {
    let server = try await KubeAPIServer.start()
    defer { Task { await server.shutdown() } }
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("same-\(UUID().uuidString)").path
    try server.kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try await CLI.runAsync(
      [
        "sync", "--once", "-f", "docs/examples/dr-standby.sync", "--from-kubeconfig", path,
        "--to-kubeconfig", path,
      ])
    #expect(result.status != 0)
    #expect(result.stderr.contains("never writes to the source cluster"))
    #expect(server.nonReadRequests.isEmpty)
  }
}
