import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// The fidelity proof: the real kubectl (1.32) against the in-process server.
@Suite(.enabled(if: Kubectl.available), .timeLimit(.minutes(2)))
struct KubectlTests {
  private func withServer(
    _ configuration: KubeAPIServer.Configuration = .init(initialObjects: Fixtures.production),
    user: KubeAPIServer.KubeconfigUser? = nil,
    _ body: (KubeAPIServer, Kubectl) async throws -> Void
  ) async throws {
    let server = try await KubeAPIServer.start(configuration)
    let path = try Kubectl.writeKubeconfig(try server.kubeconfig(user: user))
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      try await body(server, Kubectl(kubeconfig: path))
    } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  @Test func getDeploymentsAsJSON() async throws {
    try await withServer { _, kubectl in
      let result = try await kubectl.run("get", "deploy", "-A", "-o", "json")
      #expect(result.status == 0, "\(result.stderr)")
      let list = try JSON.parse(result.stdout)
      let names = list["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue }
      #expect(names == ["web", "worker"])
    }
  }

  @Test func getNamespaces() async throws {
    try await withServer { _, kubectl in
      let result = try await kubectl.run("get", "ns")
      #expect(result.status == 0, "\(result.stderr)")
      for name in ["default", "kube-system", "shop"] { #expect(result.stdout.contains(name)) }
    }
  }

  @Test func serverSideApplyTwiceIsUnchanged() async throws {
    try await withServer { server, kubectl in
      let file = NSTemporaryDirectory() + "deploy-\(UUID().uuidString).yaml"
      try """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: api
        namespace: shop
      spec:
        replicas: 3
        selector:
          matchLabels: {app: api}
        template:
          metadata:
            labels: {app: api}
          spec:
            containers:
            - name: api
              image: busybox:1.36
      """.write(toFile: file, atomically: true, encoding: .utf8)
      defer { try? FileManager.default.removeItem(atPath: file) }
      let first = try await kubectl.run("apply", "--server-side", "-f", file)
      #expect(first.status == 0, "\(first.stderr)")
      #expect(first.stdout.contains("serverside-applied"))
      let version = server.resourceVersion
      let got = try await kubectl.run("get", "deploy", "api", "-n", "shop", "-o", "json")
      #expect(try JSON.parse(got.stdout)["spec"]?["replicas"] == .int(3))
      let second = try await kubectl.run("apply", "--server-side", "-f", file)
      #expect(second.status == 0, "\(second.stderr)")
      #expect(server.resourceVersion == version, "re-applying the same body must not write")
      let patches = server.requests.filter { $0.method == "PATCH" }
      #expect(patches.count == 2)
      #expect(patches.allSatisfy { $0.contentType == "application/apply-patch+yaml" })
      #expect(patches.allSatisfy { $0.query.contains("fieldManager=kubectl") })
    }
  }

  @Test func deleteDeployment() async throws {
    try await withServer { server, kubectl in
      let result = try await kubectl.run("delete", "deploy/web", "-n", "shop")
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("deleted"))
      let names = server.objects(group: "apps", version: "v1", plural: "deployments").compactMap {
        $0["metadata"]?["name"]?.stringValue
      }
      #expect(names == ["worker"])
    }
  }

  @Test func watchSeesCreatedObject() async throws {
    try await withServer { server, kubectl in
      let watch = try kubectl.start("get", "deploy", "-n", "shop", "-w", "-o", "json")
      defer { watch.stop() }
      // kubectl prints the listed objects first; once it has, its watch is open.
      #expect(await watch.waitFor { $0.contains("\"worker\"") })
      let deadline = ContinuousClock.now + .seconds(10)
      while server.openWatchCount == 0, ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(20))
      }
      _ = try KubeAPIServerTestCase.request(
        server.port, "POST", "/apis/apps/v1/namespaces/shop/deployments",
        body: JSON.serialize(Fixtures.deployment("fresh")))
      #expect(await watch.waitFor { $0.contains("\"fresh\"") })
      #expect(server.requests.contains { $0.isWatch && $0.path.hasSuffix("/deployments") })
    }
  }

  @Test func apiResources() async throws {
    try await withServer { _, kubectl in
      let result = try await kubectl.run("api-resources")
      #expect(result.status == 0, "\(result.stderr)")
      for name in ["deployments", "customresourcedefinitions", "leases", "ingresses", "cronjobs"] {
        #expect(result.stdout.contains(name))
      }
    }
  }

  @Test func customResourceDefinitionMakesResourceUsable() async throws {
    try await withServer { _, kubectl in
      let crd = NSTemporaryDirectory() + "crd-\(UUID().uuidString).json"
      try JSON.serialize(Fixtures.widgetCRD).write(toFile: crd, atomically: true, encoding: .utf8)
      let widget = NSTemporaryDirectory() + "widget-\(UUID().uuidString).yaml"
      try """
      apiVersion: example.com/v1
      kind: Widget
      metadata: {name: gear, namespace: shop}
      spec: {size: 3}
      """.write(toFile: widget, atomically: true, encoding: .utf8)
      defer {
        try? FileManager.default.removeItem(atPath: crd)
        try? FileManager.default.removeItem(atPath: widget)
      }
      let created = try await kubectl.run("apply", "--server-side", "-f", crd)
      #expect(created.status == 0, "\(created.stderr)")
      let empty = try await kubectl.run("get", "widgets", "-A")
      #expect(empty.status == 0, "\(empty.stderr)")
      let applied = try await kubectl.run("apply", "--server-side", "-f", widget)
      #expect(applied.status == 0, "\(applied.stderr)")
      let listed = try await kubectl.run("get", "wd", "-n", "shop", "-o", "json")
      #expect(listed.status == 0, "\(listed.stderr)")
      #expect(
        try JSON.parse(listed.stdout)["items"]?.arrayValue?.first?["spec"]?["size"] == .int(3))
      let removed = try await kubectl.run("delete", "crd", "widgets.example.com")
      #expect(removed.status == 0, "\(removed.stderr)")
      let gone = try await kubectl.run("get", "widgets", "-A")
      #expect(gone.status != 0)
    }
  }

  @Test func httpsWithBearerToken() async throws {
    let configuration = KubeAPIServer.Configuration(
      tls: true, tokens: ["s3cret": "alice"], initialObjects: Fixtures.production)
    try await withServer(configuration, user: .token("s3cret")) { server, kubectl in
      #expect(server.url.hasPrefix("https://"))
      let result = try await kubectl.run("get", "cm", "-n", "shop")
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("settings"))
      #expect(server.requests.last?.user == "alice")
    }
  }

  @Test func httpsRefusesWrongToken() async throws {
    let configuration = KubeAPIServer.Configuration(tls: true, tokens: ["s3cret": "alice"])
    try await withServer(configuration, user: .token("wrong")) { _, kubectl in
      let result = try await kubectl.run("get", "ns")
      #expect(result.status != 0)
      #expect(
        result.stderr.contains("Unauthorized") || result.stderr.contains("provide credentials"))
    }
  }

  @Test func httpsWithClientCertificate() async throws {
    let configuration = KubeAPIServer.Configuration(tls: true, initialObjects: Fixtures.production)
    try await withServer(configuration, user: .clientCertificate(name: "bob", groups: ["ops"])) {
      server, kubectl in
      let result = try await kubectl.run("get", "deploy", "-n", "shop")
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("worker"))
      #expect(server.requests.last?.user == "bob")
    }
  }
}

@Suite(.enabled(if: Kubectl.available), .timeLimit(.minutes(1)))
struct ForeignCertificateTests {
  /// A client certificate from another server's CA must not authenticate.
  @Test func clientCertificateFromAnotherCAIsRefused() async throws {
    let server = try await KubeAPIServer.start(.init(tls: true))
    let other = try await KubeAPIServer.start(.init(tls: true))
    defer {
      Task {
        await server.shutdown()
        await other.shutdown()
      }
    }
    let foreign = try other.issueClientCertificate(user: "mallory")
    guard case .object(var config) = try JSON.parse(try server.kubeconfig(user: .anonymous))
    else { throw HTTPTestError(description: "kubeconfig is not an object") }
    config["users"] = [
      [
        "name": "test",
        "user": [
          "client-certificate-data": .string(
            Data(foreign.certificatePEM.utf8).base64EncodedString()),
          "client-key-data": .string(Data(foreign.privateKeyPEM.utf8).base64EncodedString()),
        ],
      ]
    ]
    let path = try Kubectl.writeKubeconfig(JSON.serialize(.object(config)))
    defer { try? FileManager.default.removeItem(atPath: path) }
    let result = try await Kubectl(kubeconfig: path).run("get", "ns")
    #expect(result.status != 0)
    #expect(!server.requests.contains { $0.user == "mallory" })
  }
}
