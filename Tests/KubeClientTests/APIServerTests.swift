import Foundation
import KubeAPIServer
import KubeModel
import SyncValue
import TestSupport
import Testing

@testable import KubeClient

/// A change to the client configuration made from the server's kubeconfig.
struct ConfigEdit: Sendable {
  let apply: @Sendable (inout ClientConfiguration) -> Void

  init(_ apply: @escaping @Sendable (inout ClientConfiguration) -> Void) {
    self.apply = apply
  }
}

/// Runs `body` against a fresh in-memory API server and a client made from the kubeconfig
/// the server writes, so the whole kubeconfig → TLS → auth path is exercised.
@discardableResult
func withAPIServer<T: Sendable>(
  _ configuration: KubeAPIServer.Configuration = .init(tls: true, tokens: ["s3cret": "admin"]),
  user: KubeAPIServer.KubeconfigUser? = nil, readOnly: Bool = false,
  edit: ConfigEdit = ConfigEdit { _ in },
  _ body: @escaping @Sendable (KubeClient, KubeAPIServer) async throws -> T
) async throws -> T {
  try await withTimeout(60) {
    let server = try await KubeAPIServer.start(configuration)
    do {
      var config = try Kubeconfig.parse(try server.kubeconfig(user: user)).configuration()
      edit.apply(&config)
      let client = try KubeClient(config, readOnly: readOnly)
      do {
        let result = try await body(client, server)
        try await client.shutdown()
        await server.shutdown()
        return result
      } catch {
        try? await client.shutdown()
        throw error
      }
    } catch {
      await server.shutdown()
      throw error
    }
  }
}

func configMap(_ name: String, namespace: String = "shop", data: Value = ["k": "v"]) -> Value {
  [
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": ["name": .string(name), "namespace": .string(namespace)],
    "data": data,
  ]
}

@Suite struct APIServerTests {
  @Test func discoveryApplyGetListDeleteOverTLSWithToken() async throws {
    try await withAPIServer { client, server in
      let discovery = try await client.discover()
      #expect(discovery.aggregated)
      let classic = try await client.discover(aggregated: false)
      #expect(!classic.aggregated)
      #expect(Set(classic.resources) == Set(discovery.resources))
      #expect(discovery.failures.isEmpty && classic.failures.isEmpty)
      let syncable = discovery.resources(allowing: ResourceType.syncVerbs)
      let cm = try #require(discovery.resource(apiVersion: "v1", kind: "ConfigMap"))
      #expect(syncable.contains(cm))
      #expect(discovery.resource(apiVersion: "apps/v1", kind: "Deployment")?.namespaced == true)
      #expect(!discovery.resources.contains { $0.plural.contains("/") })

      _ = try await client.createNamespace("shop")
      for index in 0..<5 {
        _ = try await client.apply(configMap("cm-\(index)"), to: cm)
      }
      let list = try await client.list(cm, namespace: "shop", options: ListOptions(pageSize: 2))
      #expect(list.items.count == 5)
      #expect(list.items.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" })
      #expect(!list.resourceVersion.isEmpty)

      let live = try #require(try await client.get(cm, namespace: "shop", name: "cm-0"))
      #expect(live["data"] == ["k": "v"])
      let dryRun = try await client.apply(
        configMap("cm-0", data: ["k": "dry"]), to: cm, dryRun: true)
      #expect(dryRun["data"] == ["k": "dry"])
      #expect(try await client.get(cm, namespace: "shop", name: "cm-0")?["data"] == ["k": "v"])

      // A stale precondition is refused; the right one deletes.
      await #expect {
        try await client.delete(
          cm, namespace: "shop", name: "cm-0",
          preconditions: DeletePreconditions(resourceVersion: "1"))
      } throws: { ($0 as? KubeError)?.isConflict == true }
      let version = live["metadata"]?["resourceVersion"]?.stringValue
      try await client.delete(
        cm, namespace: "shop", name: "cm-0",
        preconditions: DeletePreconditions(resourceVersion: version))
      #expect(try await client.get(cm, namespace: "shop", name: "cm-0") == nil)
      #expect(server.requests.allSatisfy { $0.user == "admin" })
    }
  }

  @Test func applyConflictWithoutForceNamesTheField() async throws {
    try await withAPIServer { client, _ in
      _ = try await client.createNamespace("shop")
      _ = try await client.apply(
        configMap("a", data: ["k": "mine"]), to: configMaps, fieldManager: "kubectl")
      do {
        _ = try await client.apply(
          configMap("a", data: ["k": "ours"]), to: configMaps, force: false)
        Issue.record("expected 409")
      } catch let error as KubeError {
        #expect(error.isConflict)
        #expect("\(error)".contains("data"))
      }
      let forced = try await client.apply(configMap("a", data: ["k": "ours"]), to: configMaps)
      #expect(forced["data"] == ["k": "ours"])
    }
  }

  @Test func clientCertificateAuthentication() async throws {
    try await withAPIServer(
      .init(tls: true), user: .clientCertificate(name: "alice", groups: ["system:masters"])
    ) { client, server in
      _ = try await client.list(configMaps)
      #expect(server.requests.last?.user == "alice")
    }
  }

  @Test func wrongTokenIs401AndWrongCAFailsTLS() async throws {
    try await withAPIServer(user: .token("wrong")) { client, _ in
      await #expect { try await client.list(configMaps) } throws: {
        ($0 as? KubeError)?.code == 401
      }
    }
    try await withAPIServer(edit: ConfigEdit { $0.certificateAuthority = nil }) { client, _ in
      await #expect { try await client.list(configMaps) } throws: { error in
        guard case .unreachable(let failure) = error as? KubeError,
          case .untrustedCertificate(_, customAuthority: false) = failure.cause
        else { return false }
        return true
      }
    }
    try await withAPIServer(
      edit: ConfigEdit {
        $0.certificateAuthority = nil
        $0.insecureSkipTLSVerify = true
      }
    ) { client, _ in
      _ = try await client.list(configMaps)
    }
  }

  @Test func tlsServerNameIsUsedForSNIAndVerification() async throws {
    // The request goes to 127.0.0.1 while TLS names "localhost", as with a cluster reached
    // through an address its certificate does not list. (NIOSSL also accepts a
    // certificate whose IP SAN matches the connected address, so a wrong name cannot be
    // shown to fail against 127.0.0.1 here.)
    try await withAPIServer(edit: ConfigEdit { $0.tlsServerName = "localhost" }) { client, server in
      _ = try await client.list(configMaps)
      #expect(server.requests.count == 1)
    }
  }

  @Test func readOnlyClientNeverWritesToTheServer() async throws {
    try await withAPIServer(readOnly: true) { client, server in
      _ = try await client.discover()
      _ = try await client.list(configMaps)
      await #expect(throws: KubeError.self) { try await client.createNamespace("shop") }
      await #expect(throws: KubeError.self) {
        try await client.delete(configMaps, namespace: "shop", name: "x")
      }
      #expect(server.nonReadRequests.isEmpty)
      #expect(!server.requests.isEmpty)
    }
  }

  @Test func reflectorRetriesServerErrorsAndThrottling() async throws {
    try await withAPIServer { client, server in
      server.failNextRequests(1, status: 500, pathPrefix: "/api/v1/configmaps")
      server.failNextRequests(
        1, status: 429, pathPrefix: "/api/v1/configmaps", retryAfterSeconds: 1)
      var options = Reflector.Options()
      options.backoff = Backoff(
        initial: .milliseconds(10), maximum: .milliseconds(50), resetAfter: .seconds(120))
      var retries: [Int] = []
      let started = ContinuousClock.now
      for try await item in Reflector(client: client, resource: configMaps, options: options)
        .events()
      {
        if case .retrying(let error, _) = item { retries.append(error.code ?? 0) }
        if case .snapshot = item { break }
      }
      #expect(retries == [500, 429])
      #expect(ContinuousClock.now - started >= .seconds(1))
    }
  }

  @Test func reflectorFollowsChangesDropsAnd410() async throws {
    try await withAPIServer { client, server in
      _ = try await client.createNamespace("shop")
      _ = try await client.apply(configMap("before"), to: configMaps)
      var options = Reflector.Options()
      options.backoff = Backoff(
        initial: .milliseconds(300), maximum: .seconds(1), jitter: 0.2, resetAfter: .seconds(120))
      let reflector = Reflector(
        client: client, resource: configMaps, namespace: "shop", options: options)
      var snapshots: [[String]] = []
      var seen: [String] = []
      var stage = 0
      for try await item in reflector.events() {
        switch item {
        case .snapshot(let list):
          snapshots.append(list.items.compactMap { $0["metadata"]?["name"]?.stringValue }.sorted())
        case .event(let event):
          if let name = event.object?["metadata"]?["name"]?.stringValue { seen.append(name) }
        case .retrying, .listStarted, .page, .listed: break
        }
        // Drive the server from the consumer so each step happens at a known point.
        if stage == 0, snapshots.count == 1 {
          stage = 1
          _ = try await client.apply(configMap("one"), to: configMaps)
        } else if stage == 1, seen.contains("one") {
          stage = 2
          server.dropWatches(abruptly: true)
          _ = try await client.apply(configMap("two"), to: configMaps)
        } else if stage == 2, seen.contains("two") {
          // Changes the reflector cannot see, then history trimmed: resuming gets 410 and
          // the reflector must list again. (The backoff after the abrupt drop gives us time.)
          stage = 3
          server.dropWatches(abruptly: true)
          _ = try await client.apply(configMap("three"), to: configMaps)
          server.trimWatchHistory()
        } else if stage == 3, snapshots.count == 2 {
          break
        }
      }
      // Leaving the loop cancelled the reflector, which closed its watch.
      let deadline = ContinuousClock.now + .seconds(30)
      while server.openWatchCount > 0, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
      }
      #expect(server.openWatchCount == 0)
      #expect(snapshots.first == ["before"])
      #expect(snapshots.last?.contains("three") == true)
      #expect(seen.filter { $0 == "one" }.count == 1)
      #expect(seen.contains("two"))
      let watches = server.requests.filter(\.isWatch)
      #expect(watches.count >= 3)
      #expect(
        server.requests.filter { !$0.isWatch && $0.path == "/api/v1/namespaces/shop/configmaps" }
          .count == 2)
    }
  }
}

@Suite struct APIServerCredentialTests {
  @Test func execPluginClientCertificateIsUsedForTLS() async throws {
    let server = try await KubeAPIServer.start(.init(tls: true))
    defer { Task { await server.shutdown() } }
    let issued = try server.issueClientCertificate(user: "eks-user", groups: ["system:masters"])
    let plugin = try FakePlugin()
    let credential: Value = [
      "apiVersion": "client.authentication.k8s.io/v1", "kind": "ExecCredential",
      "status": [
        "clientCertificateData": .string(issued.certificatePEM),
        "clientKeyData": .string(issued.privateKeyPEM),
      ],
    ]
    try plugin.dir.write("credential.json", JSON.serialize(credential))
    var config = ClientConfiguration(server: server.url)
    config.certificateAuthority = server.caCertificatePEM.map { Array($0.utf8) }
    config.credentials.exec = plugin.spec()
    let client = try KubeClient(config)
    try await withTimeout {
      _ = try await client.list(configMaps)
      _ = try await client.list(configMaps)
    }
    try await client.shutdown()
    #expect(server.requests.map(\.user) == ["eks-user", "eks-user"])
    #expect(plugin.runs == 1)
    await server.shutdown()
  }

  @Test func inClusterServiceAccountReachesTheServer() async throws {
    let server = try await KubeAPIServer.start(
      .init(tls: true, tokens: ["sa-token": "system:serviceaccount:sync:syncrules"]))
    defer { Task { await server.shutdown() } }
    let dir = try TemporaryDirectory()
    try dir.write("sa/token", "sa-token")
    try dir.write("sa/ca.crt", server.caCertificatePEM ?? "")
    try dir.write("sa/namespace", "sync")
    let env = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(server.port)"]
    let config = try ClientConfiguration.inCluster(environment: env, directory: dir.file("sa"))
    let client = try KubeClient(config)
    try await withTimeout { _ = try await client.list(configMaps) }
    try await client.shutdown()
    #expect(server.requests.last?.user == "system:serviceaccount:sync:syncrules")
    await server.shutdown()
  }

  @Test func resolvePrefersExplicitFileThenKubeconfigThenInCluster() throws {
    let dir = try TemporaryDirectory()
    let file = try dir.write(
      "config",
      """
      clusters: [{name: c, cluster: {server: "https://from-file"}}]
      contexts: [{name: x, context: {cluster: c}}]
      current-context: x
      """)
    try dir.write("sa/token", "t")
    try dir.write("sa/ca.crt", "CA")
    let inCluster = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
    #expect(try ClientConfiguration.resolve(kubeconfig: file).server == "https://from-file")
    #expect(
      try ClientConfiguration.resolve(environment: ["KUBECONFIG": file]).server
        == "https://from-file")
    // Without a kubeconfig, in a pod: the default service account directory is not there
    // on this machine, so the in-cluster path is chosen and fails naming it.
    #expect {
      try ClientConfiguration.resolve(
        environment: inCluster.merging(["HOME": dir.file("nohome")]) { $1 })
    } throws: { "\($0)".contains("in-cluster") }
    #expect {
      try ClientConfiguration.resolve(environment: ["HOME": dir.file("nohome")])
    } throws: { "\($0)".contains("no kubeconfig found") }
  }
}
