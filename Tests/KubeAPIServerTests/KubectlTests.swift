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

  /// A whole kubectl session; every step's effect is checked on the server.
  @Test func kubectlSession() async throws {
    try await withServer { server, kubectl in
      func deployment(_ name: String) -> Value? {
        server.objects(group: "apps", version: "v1", plural: "deployments")
          .first { $0["metadata"]?["name"]?.stringValue == name }
      }
      func ok(_ arguments: String..., expecting text: String) async throws {
        let result = try await kubectl.run(arguments)
        #expect(result.status == 0, "kubectl \(arguments): \(result.stderr)")
        #expect(result.stdout.contains(text), "kubectl \(arguments): \(result.stdout)")
      }
      let file = NSTemporaryDirectory() + "session-\(UUID().uuidString).yaml"
      defer { try? FileManager.default.removeItem(atPath: file) }
      func write(image: String, replicas: Int = 1) throws {
        try """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: demo, namespace: shop}
        spec:
          replicas: \(replicas)
          selector: {matchLabels: {app: demo}}
          template:
            metadata: {labels: {app: demo}}
            spec:
              containers: [{name: app, image: "\(image)"}]
        """.write(toFile: file, atomically: true, encoding: .utf8)
      }
      let image = {
        deployment("demo")?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?[
          "image"]
      }
      try await ok("get", "deploy", "-n", "shop", expecting: "web")
      try write(image: "busybox:1")
      try await ok("apply", "-f", file, expecting: "deployment.apps/demo created")
      try write(image: "busybox:2")
      let version = server.resourceVersion
      let diff = try await kubectl.run("diff", "-f", file)
      #expect(diff.status == 1, "\(diff.stderr)")
      #expect(
        diff.stdout.contains("+      - image: busybox:2") || diff.stdout.contains("busybox:2"))
      #expect(server.resourceVersion == version, "diff must not write")
      try await ok("apply", "-f", file, expecting: "deployment.apps/demo configured")
      #expect(image() == "busybox:2")
      try write(image: "busybox:3", replicas: 2)
      try await ok("apply", "--server-side", "-f", file, expecting: "serverside-applied")
      #expect(image() == "busybox:3")
      try await ok(
        "patch", "deploy", "demo", "-n", "shop", "--type=json",
        "-p", #"[{"op":"replace","path":"/spec/replicas","value":3}]"#, expecting: "patched")
      #expect(deployment("demo")?["spec"]?["replicas"] == .int(3))
      try await ok(
        "patch", "deploy", "demo", "-n", "shop", "--type=merge",
        "-p", #"{"spec":{"minReadySeconds":5}}"#, expecting: "patched")
      #expect(deployment("demo")?["spec"]?["minReadySeconds"] == .int(5))
      try await ok(
        "patch", "deploy", "demo", "-n", "shop",
        "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"e:1"}]}}}}"#,
        expecting: "patched")
      let containers = deployment("demo")?["spec"]?["template"]?["spec"]?["containers"]?
        .arrayValue?.compactMap { $0["name"]?.stringValue }
      #expect(containers == ["app", "side"], "a strategic merge patch merges containers by name")
      try await ok("scale", "deploy/demo", "-n", "shop", "--replicas=6", expecting: "scaled")
      #expect(deployment("demo")?["spec"]?["replicas"] == .int(6))
      try await ok("label", "deploy", "demo", "-n", "shop", "tier=web", expecting: "labeled")
      #expect(deployment("demo")?["metadata"]?["labels"]?["tier"] == "web")
      try await ok("annotate", "deploy", "demo", "-n", "shop", "note=hi", expecting: "annotated")
      #expect(deployment("demo")?["metadata"]?["annotations"]?["note"] == "hi")
      try await ok(
        "create", "configmap", "cfg", "-n", "shop", "--from-literal=k=v",
        expecting: "configmap/cfg created")
      let maps = server.objects(group: "", version: "v1", plural: "configmaps", namespace: "shop")
      #expect(maps.first { $0["metadata"]?["name"] == "cfg" }?["data"] == ["k": "v"])
      try await ok("explain", "deployment.spec.replicas", expecting: "FIELD: replicas <integer>")
      try await ok("auth", "can-i", "create", "deployments", expecting: "yes")
      let watch = try kubectl.start("get", "deploy", "demo", "-n", "shop", "-w", "-o", "json")
      defer { watch.stop() }
      #expect(await watch.waitFor { $0.contains("\"tier\": \"web\"") })
      try await ok("label", "deploy", "demo", "-n", "shop", "watched=yes", expecting: "labeled")
      #expect(await watch.waitFor { $0.contains("\"watched\": \"yes\"") })
      try await ok("delete", "deploy", "demo", "-n", "shop", expecting: "deleted")
      #expect(deployment("demo") == nil)
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
