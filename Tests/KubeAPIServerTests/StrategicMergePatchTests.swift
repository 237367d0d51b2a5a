import Foundation
import SyncSchema
import SyncValue
import TestSupport
import Testing

@testable import KubeAPIServer

/// One case of `StrategicMergePatchCases/cases.yaml`.
struct StrategicMergePatchCase: CustomTestStringConvertible, Sendable {
  var name: String
  var kind: GroupVersionKind
  var live: Value
  var patch: Value
  var result: Value?
  var error: String?

  var testDescription: String { name }

  static let all: [StrategicMergePatchCase] = {
    let url = Repository.url("Tests/KubeAPIServerTests/StrategicMergePatchCases/cases.yaml")
    guard let text = try? String(contentsOf: url, encoding: .utf8),
      let cases = try? YAML.parse(text).arrayValue
    else { return [] }
    return cases.map { entry in
      let kind = (entry["kind"]?.stringValue ?? "").split(separator: " ").map(String.init)
      return StrategicMergePatchCase(
        name: entry["name"]?.stringValue ?? "?",
        kind: GroupVersionKind(apiVersion: kind.first ?? "", kind: kind.last ?? ""),
        live: entry["live"] ?? .null, patch: entry["patch"] ?? .null, result: entry["result"],
        error: entry["error"]?.stringValue)
    }
  }()
}

@Suite struct StrategicMergePatchTests {
  @Test func casesAreRead() {
    #expect(StrategicMergePatchCase.all.count >= 20)
  }

  @Test(arguments: StrategicMergePatchCase.all)
  func strategicMergePatch(_ testCase: StrategicMergePatchCase) throws {
    let schema = try #require(SchemaRegistry.builtIn.kind(testCase.kind)?.schema)
    do {
      let merged = try StrategicMergePatch.apply(testCase.patch, to: testCase.live, schema: schema)
      #expect(testCase.error == nil, "expected an error, got \(JSON.serialize(merged))")
      #expect(merged == testCase.result, "\(JSON.serialize(merged))")
    } catch {
      let expected = try #require(testCase.error, "unexpected error: \(error.message)")
      #expect(error.code == 400)
      #expect(error.message.hasPrefix(expected), "\(error.message)")
    }
  }

  @Test func patchOverHTTPChangesTheStoredObject() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let patch = #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"e:1"}]}}}}"#
    let response = try KubeAPIServerTestCase.request(
      server.port, "PATCH", "/apis/apps/v1/namespaces/shop/deployments/web",
      headers: ["Content-Type": "application/strategic-merge-patch+json"], body: patch)
    #expect(response.status == 200, "\(response.text)")
    let names = response.json["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?
      .compactMap { $0["name"]?.stringValue }
    #expect(names?.count == 2)
    #expect(names?.last == "sidecar")
  }

  @Test func customResourcesRefuseStrategicMergePatch() async throws {
    let server = try await KubeAPIServer.start(
      .init(initialObjects: [Fixtures.widgetCRD]))
    defer { Task { await server.shutdown() } }
    let created = try KubeAPIServerTestCase.request(
      server.port, "POST", "/apis/example.com/v1/namespaces/default/widgets",
      body: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#)
    #expect(created.status == 201, "\(created.text)")
    let response = try KubeAPIServerTestCase.request(
      server.port, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w",
      headers: ["Content-Type": "application/strategic-merge-patch+json"],
      body: #"{"spec":{"size":1}}"#)
    #expect(response.status == 415)
    #expect(response.json["reason"] == "UnsupportedMediaType")
  }
}
