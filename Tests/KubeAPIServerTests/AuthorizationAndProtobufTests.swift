import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// `SelfSubjectAccessReview` over the read-only-users model, the RBAC group, and request
/// bodies in Kubernetes protobuf.
@Suite struct AuthorizationAndProtobufTests {
  private typealias T = KubeAPIServerTestCase

  private func withServer(_ body: (KubeAPIServer) async throws -> Void) async throws {
    let server = try await KubeAPIServer.start(
      .init(
        tokens: ["admin-token": "admin", "reader-token": "reader"], readOnlyUsers: ["reader"],
        initialObjects: Fixtures.production))
    do { try await body(server) } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  @Test(arguments: [
    ("admin-token", "create", true), ("reader-token", "list", true),
    ("reader-token", "delete", false),
  ])
  func selfSubjectAccessReview(_ token: String, _ verb: String, _ allowed: Bool) async throws {
    try await withServer { server in
      let review = try T.request(
        server.port, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        headers: ["Authorization": "Bearer \(token)"],
        body: #"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","#
          + #""spec":{"resourceAttributes":{"verb":"\#(verb)","resource":"deployments"}}}"#)
      #expect(review.status == 201, "\(review.text)")
      #expect(review.json["status"]?["allowed"] == .bool(allowed))
      #expect(review.json["status"]?["reason"]?.stringValue?.contains("kube-api-server") == true)
    }
  }

  @Test func rbacObjectsAreStored() async throws {
    try await withServer { server in
      let created = try T.request(
        server.port, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/shop/roles?dryRun=All",
        headers: ["Authorization": "Bearer admin-token"],
        body: #"{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","#
          + #""metadata":{"name":"r"},"rules":[{"apiGroups":[""],"verbs":["get"],"#
          + #""resources":["pods"]}]}"#)
      #expect(created.status == 201, "\(created.text)")
      let list = try T.request(
        server.port, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        headers: ["Authorization": "Bearer admin-token"])
      #expect(list.status == 200)
    }
  }

  /// A ConfigMap as kubectl writes it: the `k8s\0` envelope, type meta, raw message.
  @Test func protobufConfigMapIsDecoded() async throws {
    func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] {
      [number << 3 | 2, UInt8(bytes.count)] + bytes
    }
    func text(_ number: UInt8, _ string: String) -> [UInt8] { field(number, Array(string.utf8)) }
    let metadata = field(1, text(1, "proto") + text(3, "shop") + text(5, "") + field(8, []))
    let entry = field(2, text(1, "key") + text(2, "value"))
    let typeMeta = field(1, text(1, "v1") + text(2, "ConfigMap"))
    let body = Array("k8s".utf8) + [0] + typeMeta + field(2, metadata + entry)
    try await withServer { server in
      let response = try T.request(
        server.port, "POST", "/api/v1/namespaces/shop/configmaps",
        headers: [
          "Authorization": "Bearer admin-token",
          "Content-Type": "application/vnd.kubernetes.protobuf",
        ], body: String(decoding: body, as: UTF8.self))
      #expect(response.status == 201, "\(response.text)")
      #expect(response.json["data"] == ["key": "value"])
      #expect(response.json["metadata"]?["name"] == "proto")
      #expect(response.json["metadata"]?["uid"] != "")
    }
  }
}
