import Foundation
import KubeAPIServer
import TestSupport
import Testing

/// `diff` and `sync --once` against a target that cannot be used: one error line naming
/// the cluster, the cause and what to check; `diff` exits 2 (an outage is not drift).
@Suite(.serialized)
struct ClusterErrorCommandTests {
  enum Breakage: String, CaseIterable, Sendable {
    case closedPort
    case otherAuthority
    case wrongToken
  }

  /// Runs `body` with cluster flags for a working production and a target broken as told,
  /// and the standby's URL.
  static func withClusters(
    _ breakage: Breakage, _ body: ([String], String) async throws -> Void
  ) async throws {
    let production = try await KubeAPIServer.start(
      .init(
        tls: true, tokens: ["sync": "syncrules"], readOnlyUsers: ["syncrules"],
        initialObjects: try loadObjects(
          fromFile: Repository.root.appendingPathComponent(
            "docs/examples/production.json"
          ).path)))
    let standby = try await KubeAPIServer.start(.init(tls: true, tokens: ["sync": "syncrules"]))
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    let directory = try TemporaryDirectory(prefix: "cluster-errors")
    let from = directory.file("production")
    let to = directory.file("standby")
    try production.kubeconfig(user: .token("sync")).write(
      toFile: from, atomically: true, encoding: .utf8)
    var target = try standby.kubeconfig(user: .token("sync"))
    switch breakage {
    case .closedPort:
      target = target.replacingOccurrences(of: standby.url, with: "https://127.0.0.1:1")
    case .otherAuthority:
      // The standby's URL, trusting production's authority instead of its own.
      let own = Data(try #require(standby.caCertificatePEM).utf8).base64EncodedString()
      let other = Data(try #require(production.caCertificatePEM).utf8).base64EncodedString()
      target = target.replacingOccurrences(of: own, with: other)
    case .wrongToken:
      target = try standby.kubeconfig(user: .token("wrong"))
    }
    try target.write(toFile: to, atomically: true, encoding: .utf8)
    try await body(["--from-kubeconfig", from, "--to-kubeconfig", to], standby.url)
  }

  static func expectedError(_ breakage: Breakage, standby: String) -> String {
    switch breakage {
    case .closedPort:
      return "syncrules: error: cannot reach the target cluster (context `test`, "
        + "https://127.0.0.1:1): connection refused — is the API server running and the "
        + "address right?\n"
    case .otherAuthority:
      return "syncrules: error: cannot reach the target cluster (context `test`, \(standby)): "
        + "TLS verification failed: the server's certificate (for localhost, 127.0.0.1; "
        + "issued by CN=kube-api-server test CA,O=syncrules) is not signed by the "
        + "certificate authority the kubeconfig names — is this the right server, and is "
        + "that authority current?\n"
    case .wrongToken:
      return "syncrules: error: the target cluster (context `test`, \(standby)) refused the "
        + "credentials (401 Unauthorized) — check the user of the kubeconfig context: its "
        + "token, client certificate or exec plugin may be wrong or expired\n"
    }
  }

  @Test(arguments: Breakage.allCases)
  func diffExitsTwoWithOneErrorNamingTheTarget(_ breakage: Breakage) async throws {
    try await Self.withClusters(breakage) { clusters, standby in
      let result = try await CLI.runAsync(
        ["diff", "-f", "docs/examples/dr-standby.sync"] + clusters)
      #expect(result.status == 2, "\(result.stderr)")
      #expect(result.stderr == Self.expectedError(breakage, standby: standby))
      #expect(result.stdout.isEmpty)
    }
  }

  @Test(arguments: Breakage.allCases)
  func onceFailsWithOneErrorNamingTheTarget(_ breakage: Breakage) async throws {
    try await Self.withClusters(breakage) { clusters, standby in
      let result = try await CLI.runAsync(
        ["sync", "--once", "-f", "docs/examples/dr-standby.sync"] + clusters)
      #expect(result.status == 1, "\(result.stderr)")
      #expect(result.stderr == Self.expectedError(breakage, standby: standby))
    }
  }

  /// A cluster that answers but forbids the list (403) is an error on either side: `diff`
  /// exits 2, as for an unreachable cluster, never 1 (drift) or 0 (in sync).
  @Test(arguments: ["source", "target"])
  func diffExitsTwoWhenAClusterForbidsTheList(_ side: String) async throws {
    let clusters = try await ClusterPair.start(
      production: .init(initialObjects: try ClusterPair.exampleObjects()))
    let (production, standby) = (clusters.production, clusters.standby)
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    (side == "source" ? production : standby).failNextRequests(
      1000, status: 403, method: "GET", pathPrefix: "/apis/apps/v1/deployments")
    let (from, to) = (clusters.productionKubeconfig, clusters.standbyKubeconfig)
    let result = try await CLI.runAsync(
      [
        "diff", "-f", "docs/examples/dr-standby.sync", "--from-kubeconfig", from,
        "--to-kubeconfig", to,
      ])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.hasPrefix("syncrules: error: "), "\(result.stderr)")
    #expect(result.stderr.contains("403"), "\(result.stderr)")
  }
}
