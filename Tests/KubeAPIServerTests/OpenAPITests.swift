import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// `/openapi/v2`, `/openapi/v3` and `fieldValidation=Strict`.
@Suite struct OpenAPITests {
  private typealias T = KubeAPIServerTestCase

  private func withServer(_ body: (KubeAPIServer) async throws -> Void) async throws {
    let server = try await KubeAPIServer.start(
      .init(initialObjects: Fixtures.production + [Fixtures.widgetCRD]))
    do { try await body(server) } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  @Test func groupVersionDocumentCarriesTheKindSchemas() async throws {
    try await withServer { server in
      let index = try T.request(server.port, "GET", "/openapi/v3").json
      #expect(index["paths"]?["apis/apps/v1"]?["serverRelativeURL"] == "/openapi/v3/apis/apps/v1")
      let document = try T.request(server.port, "GET", "/openapi/v3/apis/apps/v1").json
      let schemas = try #require(document["components"]?["schemas"])
      let deployment = try #require(schemas["io.k8s.api.apps.v1.Deployment"])
      #expect(
        deployment["x-kubernetes-group-version-kind"]
          == [["group": "apps", "version": "v1", "kind": "Deployment"]])
      let spec = try #require(deployment["properties"]?["spec"])
      #expect(
        spec["allOf"]?.arrayValue?.first?["$ref"]
          == "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec")
      #expect(
        schemas["io.k8s.api.apps.v1.DeploymentSpec"]?["properties"]?["replicas"]?["type"]
          == "integer")
      // Referenced definitions come along, with one type each.
      #expect(schemas["io.k8s.api.core.v1.PodSpec"] != nil)
      #expect(schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]?["type"] == "string")
    }
  }

  @Test func customResourceSchemaComesFromTheCRD() async throws {
    try await withServer { server in
      let document = try T.request(server.port, "GET", "/openapi/v3/apis/example.com/v1").json
      let widget = try #require(document["components"]?["schemas"]?["com.example.v1.Widget"])
      #expect(
        widget["x-kubernetes-group-version-kind"]
          == [["group": "example.com", "version": "v1", "kind": "Widget"]])
      #expect(widget["x-kubernetes-preserve-unknown-fields"] == true)
      #expect(
        widget["properties"]?["metadata"]?["allOf"]?.arrayValue?.first?["$ref"]
          == "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
      #expect(
        document["components"]?["schemas"]?["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]
          != nil)
    }
  }

  @Test func openAPIV2IsAnEmptyProtobufDocument() async throws {
    try await withServer { server in
      let response = try T.request(
        server.port, "GET", "/openapi/v2",
        headers: ["Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"])
      #expect(response.status == 200)
      #expect(response.body.isEmpty)
      #expect(response.headers["content-type"]?.hasSuffix("+protobuf") == true)
    }
  }

  @Test(arguments: ["Strict", "Ignore", nil])
  func strictFieldValidationRefusesUnknownFields(_ validation: String?) async throws {
    try await withServer { server in
      let query = validation.map { "?fieldValidation=\($0)" } ?? ""
      let created = try T.request(
        server.port, "POST", "/api/v1/namespaces/shop/configmaps\(query)",
        body:
          #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","bogus":1},"data":{"a":"b"}}"#
      )
      if validation == "Strict" {
        #expect(created.status == 400)
        #expect(
          created.json["message"]?.stringValue?.hasSuffix(
            #"strict decoding error: unknown field "metadata.bogus""#) == true,
          "\(created.text)")
      } else {
        #expect(created.status == 201, "\(created.text)")
      }
      let patched = try T.request(
        server.port, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web\(query)",
        headers: ["Content-Type": "application/strategic-merge-patch+json"],
        body:
          #"{"spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"web"}],"containers":[{"name":"web","imagePullPolicy":"Always"}]}}}}"#
      )
      #expect(patched.status == 200, "\(patched.text)")
    }
  }
}
