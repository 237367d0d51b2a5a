import Foundation
import KubeModel
import NIOConcurrencyHelpers
import SyncValue
import Testing

@testable import KubeClient

/// A scripted answer to each request (a type rather than a closure parameter, so that
/// tests can pass it and still end with a trailing closure).
struct Responder: Sendable {
  let answer: @Sendable (StubRequest) -> StubResponse

  init(_ answer: @escaping @Sendable (StubRequest) -> StubResponse) {
    self.answer = answer
  }
}

/// Runs `body` with a client of a fresh stub server, shutting both down afterwards.
@discardableResult
func withStub<T: Sendable>(
  credentials: Credentials = Credentials(), readOnly: Bool = false, timeout: Double = 20,
  respond: Responder,
  _ body: @escaping @Sendable (KubeClient, StubServer) async throws -> T
) async throws -> T {
  try await withTimeout(timeout) {
    let server = try await StubServer(respond.answer)
    let client = try KubeClient(
      ClientConfiguration(server: server.url, credentials: credentials), readOnly: readOnly)
    do {
      let result = try await body(client, server)
      try await client.shutdown()
      try await server.stop()
      return result
    } catch {
      try? await client.shutdown()
      try? await server.stop()
      throw error
    }
  }
}

let deployments = ResourceType(
  group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
let allVerbs = #"["create","delete","deletecollection","get","list","patch","update","watch"]"#
let configMaps = ResourceType(
  group: "", version: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true)

@Suite struct DiscoveryTests {
  @Test func classicDiscoveryToleratesOneBrokenGroup() async throws {
    let discovery = try await withStub(
      respond: Responder { request in
        switch request.path {
        case "/api": return .json(#"{"kind":"APIVersions","versions":["v1"]}"#)
        case "/apis":
          return .json(
            #"{"kind":"APIGroupList","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","#
              + #""version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},"#
              + #"{"name":"metrics.k8s.io","versions":[{"version":"v1beta1"}],"#
              + #""preferredVersion":{"version":"v1beta1"}},{"name":"batch","versions":["#
              + #"{"version":"v2"},{"version":"v1"}],"preferredVersion":{"version":"v1"}}]}"#)
        case "/api/v1":
          return .json(
            #"{"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","#
              + #""namespaced":true,"kind":"Pod","verbs":\#(allVerbs)},{"name":"pods/status","#
              + #""namespaced":true,"kind":"Pod","verbs":["get","patch"]},{"name":"bindings","#
              + #""namespaced":true,"kind":"Binding","verbs":["create"]},{"name":"namespaces","#
              + #""namespaced":false,"kind":"Namespace","verbs":\#(allVerbs)}]}"#)
        case "/apis/apps/v1":
          return .json(
            #"{"kind":"APIResourceList","resources":[{"name":"deployments","namespaced":true,"#
              + #""kind":"Deployment","verbs":\#(allVerbs)}]}"#)
        case "/apis/batch/v1":
          return .json(
            #"{"kind":"APIResourceList","resources":[{"name":"jobs","namespaced":true,"#
              + #""kind":"Job","verbs":\#(allVerbs)}]}"#)
        case "/apis/metrics.k8s.io/v1beta1":
          return .status(503, reason: "ServiceUnavailable", message: "metrics-server is down")
        default: return .status(404, reason: "NotFound")
        }
      }
    ) { client, server in
      let discovery = try await client.discover()
      #expect(server.requests.first?.headers["Accept"].first == KubeClient.aggregatedAccept)
      return discovery
    }
    #expect(!discovery.aggregated)
    let names = discovery.resources(allowing: ResourceType.syncVerbs).map { $0.versionedName }
    #expect(names == ["pods.v1", "namespaces.v1", "deployments.v1.apps", "jobs.v1.batch"])
    #expect(discovery.resources.contains { $0.plural == "bindings" })
    #expect(discovery.failures.map { $0.groupVersion } == ["metrics.k8s.io/v1beta1"])
    #expect(discovery.failures.first?.error.code == 503)
    #expect(discovery.resource(apiVersion: "apps/v1", kind: "Deployment")?.namespaced == true)
  }

  @Test func aggregatedDiscoveryUsesTwoRequests() async throws {
    let aggregated: @Sendable (String) -> String = { items in
      #"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","items":[\#(items)]}"#
    }
    let resource: @Sendable (String, String, String, String) -> String = {
      plural, group, kind, scope in
      #"{"resource":"\#(plural)","responseKind":{"group":"\#(group)","version":"v1","kind":"\#(kind)"},"#
        + #""scope":"\#(scope)","verbs":\#(allVerbs),"subresources":[{"subresource":"status"}]}"#
    }
    let discovery = try await withStub(
      respond: Responder { request in
        switch request.path {
        case "/api":
          return .full(
            status: 200,
            headers: [
              (
                "Content-Type",
                "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
              )
            ],
            body: aggregated(
              #"{"metadata":{"name":""},"versions":[{"version":"v1","resources":["#
                + resource("configmaps", "", "ConfigMap", "Namespaced") + "]}]}"))
        case "/apis":
          return .json(
            aggregated(
              #"{"metadata":{"name":"apps"},"versions":[{"version":"v1","resources":["#
                + resource("deployments", "apps", "Deployment", "Namespaced") + "]},"
                + #"{"version":"v1beta1","resources":[]}]},"#
                + #"{"metadata":{"name":"metrics.k8s.io"},"versions":[{"version":"v1beta1","#
                + #""freshness":"Stale","resources":[]}]},"#
                + #"{"metadata":{"name":"rbac.authorization.k8s.io"},"versions":[{"version":"v1","#
                + #""resources":["#
                + resource("clusterroles", "rbac.authorization.k8s.io", "ClusterRole", "Cluster")
                + "]}]}"))
        default: return .status(404, reason: "NotFound")
        }
      }
    ) { client, server in
      let discovery = try await client.discover()
      #expect(server.requests.count == 2)
      return discovery
    }
    #expect(discovery.aggregated)
    #expect(
      discovery.resources.map { $0.versionedName }
        == ["configmaps.v1", "deployments.v1.apps", "clusterroles.v1.rbac.authorization.k8s.io"])
    #expect(discovery.resources.last?.namespaced == false)
    #expect(discovery.failures.map { $0.groupVersion } == ["metrics.k8s.io/v1beta1"])
  }
}

@Suite struct ListTests {
  @Test func pagesAndFillsTypeMeta() async throws {
    let list = try await withStub(
      respond: Responder { request in
        let query = request.query
        #expect(query["limit"] == "2")
        #expect(query["labelSelector"] == "app in (web,api)")
        switch query["continue"] {
        case nil:
          return .json(
            #"{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"10","#
              + #""continue":"page 2/3"},"items":[{"metadata":{"name":"a"}},{"metadata":{"name":"b"}}]}"#
          )
        case "page 2/3":
          return .json(
            #"{"kind":"DeploymentList","apiVersion":"apps/v1","metadata":{"resourceVersion":"10"},"#
              + #""items":[{"metadata":{"name":"c"},"spec":{}}]}"#)
        default: return .status(400, reason: "BadRequest")
        }
      }
    ) { client, _ in
      try await client.list(
        deployments, options: ListOptions(labelSelector: "app in (web,api)", pageSize: 2))
    }
    #expect(list.resourceVersion == "10")
    #expect(list.items.count == 3)
    #expect(
      list.items[2] == [
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "c"], "spec": [:],
      ])
  }

  /// Two pages, `x` then `y`, whose first continue token has expired by the time it is
  /// used: the list must start over.
  static func expiringContinueToken() -> Responder {
    let calls = NIOLockedValueBox(0)
    return Responder { request in
      let call = calls.withLockedValue {
        $0 += 1
        return $0
      }
      if request.query["continue"] != nil && call == 2 {
        return .status(410, reason: "Expired", message: "continue token too old")
      }
      if request.query["continue"] != nil {
        return .json(
          #"{"metadata":{"resourceVersion":"21"},"items":[{"metadata":{"name":"y"}}]}"#)
      }
      return .json(
        #"{"metadata":{"resourceVersion":"\#(call == 1 ? "20" : "21")","continue":"t"},"#
          + #""items":[{"metadata":{"name":"x"}}]}"#)
    }
  }

  @Test func expiredContinueTokenRestartsTheList() async throws {
    let list = try await withStub(respond: Self.expiringContinueToken()) { client, server in
      let list = try await client.list(configMaps, namespace: "shop")
      #expect(server.requests.map(\.path).allSatisfy { $0 == "/api/v1/namespaces/shop/configmaps" })
      #expect(server.requests.count == 4)
      return list
    }
    #expect(list.resourceVersion == "21")
    #expect(list.items.map { $0["metadata"]?["name"] } == ["x", "y"])
  }

  /// Page by page, the restart after an expired continue token shows as page 0 again,
  /// so a caller keeping pages knows to forget the first attempt's.
  @Test func listPagesHandsOverEachPageAndSaysWhenTheListStartsOver() async throws {
    let pages = NIOLockedValueBox<[(Int, [String])]>([])
    let version = try await withStub(respond: Self.expiringContinueToken()) { client, _ in
      try await client.listPages(configMaps, namespace: "shop") { items, index in
        let names = items.compactMap { $0["metadata"]?["name"]?.stringValue }
        pages.withLockedValue { $0.append((index, names)) }
      }
    }
    #expect(version == "21")
    let seen = pages.withLockedValue { $0 }
    #expect(seen.map(\.0) == [0, 0, 1])
    #expect(seen.map(\.1) == [["x"], ["x"], ["y"]])
  }

  @Test func getReturnsNilForNotFoundAndErrorsAreTyped() async throws {
    try await withStub(
      respond: Responder { request in
        if request.path.hasSuffix("/missing") { return .status(404, reason: "NotFound") }
        if request.path.hasSuffix("/busy") {
          return .full(status: 429, headers: [("Retry-After", "7")], body: "slow down")
        }
        return .json(#"{"metadata":{"name":"web"}}"#)
      }
    ) { client, _ in
      #expect(try await client.get(deployments, namespace: "shop", name: "missing") == nil)
      let web = try await client.get(deployments, namespace: "shop", name: "web")
      #expect(web?["kind"] == "Deployment")
      do {
        _ = try await client.get(deployments, namespace: "shop", name: "busy")
        Issue.record("expected 429")
      } catch let error as KubeError {
        #expect(error.isTooManyRequests)
        #expect(error.status?.retryAfterSeconds == 7)
        #expect(error.status?.message == "slow down")
      }
    }
  }
}
