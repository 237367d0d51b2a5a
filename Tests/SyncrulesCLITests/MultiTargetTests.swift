import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// `sync` into two standbys (two regions) from one watch of production, each with its
/// own rules if wanted: a standby that fails does not hold up the other, and metrics
/// say which standby they are about.
@Suite(.serialized, .enabled(if: Kubectl.available, "needs kubectl to change production"))
struct MultiTargetTests {
  static let westRules = """
    rule config match v1 ConfigMap in shop {
      set metadata.labels.region = "west"
    }
    rule namespaces match v1 Namespace named shop {
      set metadata.labels.region = "west"
    }
    """

  @Test func twoStandbysShareOneWatchAndAFailingOneHoldsUpNeither() async throws {
    let clusters = try await ClusterPair.start(
      production: .init(
        tls: true, tokens: ["sync": "syncrules", "op": "operator"], readOnlyUsers: ["syncrules"],
        initialObjects: try ClusterPair.exampleObjects()),
      user: .token("sync"))
    let west = try await KubeAPIServer.start()
    let (production, east) = (clusters.production, clusters.standby)
    defer {
      Task {
        await production.shutdown()
        await east.shutdown()
        await west.shutdown()
      }
    }
    let eastConfig = try clusters.directory.write("east.kubeconfig", try east.kubeconfig())
    let westConfig = try clusters.directory.write("west.kubeconfig", try west.kubeconfig())
    let westRules = try clusters.directory.write("west.sync", Self.westRules)
    let kubectl = Kubectl(
      kubeconfig: try clusters.directory.write(
        "operator", try production.kubeconfig(user: .token("op"))))
    let replica = try Replica(
      user: "",
      arguments: [
        "sync", "-f", "docs/examples/dr-standby.sync", "--metrics-address", "127.0.0.1:0",
        "--log-format", "json", "--from-kubeconfig", clusters.productionKubeconfig,
        "--to-kubeconfig", eastConfig, "--to-kubeconfig", "\(westConfig)=\(westRules)",
      ])
    defer { replica.stop() }

    // Each standby gets what its rules make.
    // East runs dr-standby.sync (which skips kube-root-ca.crt), west its own rules.
    try? await HighAvailabilityTests.eventually("both standbys synced") {
      Self.names(east) == ["web-config"] && Self.names(west) == ["kube-root-ca.crt", "web-config"]
        && east.objects(group: "apps", version: "v1", plural: "deployments").count == 3
    }
    #expect(Self.names(east) == ["web-config"], "\(replica.log.text)")
    #expect(Self.names(west) == ["kube-root-ca.crt", "web-config"], "\(replica.log.text)")
    #expect(east.objects(group: "apps", version: "v1", plural: "deployments").count == 3)
    #expect(west.objects(group: "apps", version: "v1", plural: "deployments").isEmpty)
    #expect(Self.configMaps(west).allSatisfy { $0["metadata"]?["labels"]?["region"] == "west" })
    #expect(Self.configMaps(east).allSatisfy { $0["metadata"]?["labels"]?["region"] == nil })

    // One watch of production per resource, however many standbys.
    let watches = production.requests.filter { $0.isWatch && $0.user == "syncrules" }
    #expect(!watches.isEmpty)
    let perResource = Dictionary(grouping: watches, by: \.path).mapValues(\.count)
    #expect(perResource["/api/v1/configmaps"] == 1, "\(perResource)")
    #expect(perResource.values.allSatisfy { $0 == 1 }, "\(perResource)")

    // East fails every request: a change still reaches west at once.
    east.failNextRequests(1_000_000, status: 503, retryAfterSeconds: 0)
    let create = try await kubectl.run(
      "create", "configmap", "during-outage", "-n", "shop", "--from-literal=a=b")
    #expect(create.status == 0, "\(create.stderr)")
    try await HighAvailabilityTests.eventually("the change on west", timeout: .seconds(15)) {
      Self.configMaps(west).contains { $0["metadata"]?["name"] == "during-outage" }
    }
    #expect(!Self.configMaps(east).contains { $0["metadata"]?["name"] == "during-outage" })

    // East comes back and catches up.
    east.clearFaults()
    try await HighAvailabilityTests.eventually("the change on east after the outage") {
      Self.configMaps(east).contains { $0["metadata"]?["name"] == "during-outage" }
    }

    // Metrics name the standby.
    let addresses = replica.log.text.split(separator: "\n").compactMap {
      (try? JSON.parse(String($0)))?["address"]?.stringValue
    }
    let address = try #require(addresses.first, "no serving event in \(replica.log.text)")
    let port = try #require(address.split(separator: ":").last.flatMap { Int($0) })
    let metrics = try LoopbackHTTP.get(port: port, path: "/metrics")
    for target in ["east", "west"] {
      #expect(
        metrics.contains(
          #"syncrules_objects_synced_total{group="core",kind="ConfigMap",target="\#(target)"}"#),
        "no ConfigMap series for \(target)")
      #expect(metrics.contains(#"workqueue_depth{name="syncrules",target="\#(target)"}"#))
    }
    #expect(production.nonReadRequests.filter { $0.user == "syncrules" }.isEmpty)
  }

  static let threeContexts = """
    apiVersion: v1
    kind: Config
    clusters:
    - {name: a, cluster: {server: "https://127.0.0.1:1"}}
    - {name: b, cluster: {server: "https://127.0.0.1:2"}}
    - {name: p, cluster: {server: "https://127.0.0.1:3"}}
    users: [{name: u, user: {}}]
    contexts:
    - {name: a, context: {cluster: a, user: u}}
    - {name: b, context: {cluster: b, user: u}}
    - {name: p, context: {cluster: p, user: u}}
    current-context: a
    """

  /// Target flags that cannot mean one thing are usage errors, before any cluster is
  /// contacted.
  @Test(arguments: [
    (
      ["sync", "-f", "R", "--to-context", "a", "--to-context", "b"]
        + ["--to-kubeconfig", "x", "--to-kubeconfig", "y"], "not both"
    ),
    (["sync", "--to-context", "a=r.sync", "--to-context", "b"], "name the rules with -f FILE"),
    (
      ["sync", "-f", "R", "--leader-elect", "--shards", "2", "--to-context", "a"]
        + ["--to-context", "b"], "--shards syncs one target"
    ),
    (
      ["diff", "-f", "R", "--to-context", "a", "--to-context", "b"], "compare one target at a time"
    ),
    (["diff", "-f", "R", "--to-context", "a=r.sync"], "the rules come from -f here"),
    (["sync", "-f", "R", "--to-context", "a="], "write NAME=RULES, or NAME alone"),
  ])
  func ambiguousTargetsAreUsageErrors(_ arguments: [String], _ message: String) throws {
    let directory = try TemporaryDirectory(prefix: "targets")
    let kubeconfig = try directory.write("three.kubeconfig", Self.threeContexts)
    let result = try CLI.run(
      arguments.map { $0 == "R" ? "docs/examples/dr-standby.sync" : $0 }
        + ["--kubeconfig", kubeconfig, "--from-context", "p"])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  static func names(_ server: KubeAPIServer) -> [String] {
    configMaps(server).compactMap { $0["metadata"]?["name"]?.stringValue }.sorted()
  }

  static func configMaps(_ server: KubeAPIServer) -> [Value] {
    server.objects(group: "", version: "v1", plural: "configmaps", namespace: "shop")
  }
}
