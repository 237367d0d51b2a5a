import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// `<workload>/scale`: the autoscaling/v1 Scale view of Deployments, ReplicaSets and
/// StatefulSets.
@Suite struct ScaleTests {
  private let path = "/apis/apps/v1/namespaces/shop/deployments/web/scale"

  private func withServer(_ body: (KubeAPIServer) async throws -> Void) async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    do { try await body(server) } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  @Test func getAnswersTheScaleView() async throws {
    try await withServer { server in
      let response = try KubeAPIServerTestCase.request(server.port, "GET", path)
      #expect(response.status == 200, "\(response.text)")
      #expect(response.json["kind"] == "Scale")
      #expect(response.json["apiVersion"] == "autoscaling/v1")
      #expect(response.json["spec"]?["replicas"] == .int(2))
      #expect(response.json["status"]?["selector"] == "app=web")
    }
  }

  @Test(arguments: [
    ("application/merge-patch+json", #"{"spec":{"replicas":5}}"#),
    ("application/strategic-merge-patch+json", #"{"spec":{"replicas":5}}"#),
    ("application/json-patch+json", #"[{"op":"replace","path":"/spec/replicas","value":5}]"#),
  ])
  func patchSetsReplicas(_ contentType: String, _ patch: String) async throws {
    try await withServer { server in
      let response = try KubeAPIServerTestCase.request(
        server.port, "PATCH", path, headers: ["Content-Type": contentType], body: patch)
      #expect(response.status == 200, "\(response.text)")
      #expect(response.json["spec"]?["replicas"] == .int(5))
      let stored = server.objects(group: "apps", version: "v1", plural: "deployments")
        .first { $0["metadata"]?["name"] == "web" }
      #expect(stored?["spec"]?["replicas"] == .int(5))
    }
  }

  @Test func putChecksTheResourceVersion() async throws {
    try await withServer { server in
      let current = try KubeAPIServerTestCase.request(server.port, "GET", path).json
      guard case .object(var scale) = current else { throw HTTPTestError(description: "no Scale") }
      scale["spec"] = ["replicas": 0]
      let put = try KubeAPIServerTestCase.request(
        server.port, "PUT", path, body: JSON.serialize(.object(scale)))
      #expect(put.status == 200, "\(put.text)")
      #expect(put.json["spec"]?["replicas"] == .int(0))
      // The same resourceVersion again is stale now.
      let stale = try KubeAPIServerTestCase.request(
        server.port, "PUT", path, body: JSON.serialize(.object(scale)))
      #expect(stale.status == 409)
      let negative = try KubeAPIServerTestCase.request(
        server.port, "PATCH", path, headers: ["Content-Type": "application/merge-patch+json"],
        body: #"{"spec":{"replicas":-1}}"#)
      #expect(negative.status == 422)
    }
  }

  @Test func discoveryListsScaleSubresources() async throws {
    try await withServer { server in
      let list = try KubeAPIServerTestCase.request(server.port, "GET", "/apis/apps/v1").json
      let names = list["resources"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
      for name in ["deployments/scale", "replicasets/scale", "statefulsets/scale"] {
        #expect(names.contains(name))
      }
      #expect(!names.contains("daemonsets/scale"))
      let missing = try KubeAPIServerTestCase.request(
        server.port, "GET", "/api/v1/namespaces/shop/configmaps/settings/scale")
      #expect(missing.status == 404)
    }
  }
}
