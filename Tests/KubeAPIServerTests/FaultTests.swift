import Foundation
import KubeAPIServer
import SyncValue
import Testing

@Suite(.timeLimit(.minutes(1)))
struct FaultTests {
  typealias T = KubeAPIServerTestCase

  @Test func failNextRequestsWithStatusAndRetryAfter() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    server.failNextRequests(
      2, status: 429, method: "GET", pathPrefix: "/apis/apps", retryAfterSeconds: 3)
    let other = try T.request(server.port, "GET", "/api/v1/namespaces")
    #expect(other.status == 200, "paths outside the prefix are served")
    let first = try T.request(server.port, "GET", "/apis/apps/v1/deployments")
    #expect(first.status == 429)
    #expect(first.headers["retry-after"] == "3")
    #expect(first.json["reason"] == "TooManyRequests")
    #expect(try T.request(server.port, "GET", "/apis/apps/v1/deployments").status == 429)
    #expect(try T.request(server.port, "GET", "/apis/apps/v1/deployments").status == 200)
    server.failNextRequests(1, status: 500)
    let failed = try T.request(server.port, "GET", "/api/v1/namespaces")
    #expect(failed.status == 500)
    #expect(failed.json["reason"] == "InternalError")
    #expect(failed.json["kind"] == "Status")
  }

  /// Each injected status carries kube-apiserver's reason for it, and only the answers
  /// that waiting can cure say when to retry.
  @Test(arguments: [
    (401, "Unauthorized", false), (403, "Forbidden", false), (404, "NotFound", false),
    (409, "Conflict", false), (410, "Expired", false), (429, "TooManyRequests", true),
    (500, "InternalError", true), (503, "ServiceUnavailable", true), (504, "Timeout", true),
  ])
  func injectedStatusHasItsReason(status: Int, reason: String, retries: Bool) async throws {
    let server = try await KubeAPIServer.start(.init())
    defer { Task { await server.shutdown() } }
    server.failNextRequests(1, status: status)
    let answer = try T.request(server.port, "GET", "/api/v1/namespaces")
    #expect(answer.status == status)
    #expect(answer.json["reason"] == .string(reason))
    #expect((answer.headers["retry-after"] != nil) == retries)
  }

  @Test func latency() async throws {
    let server = try await KubeAPIServer.start()
    defer { Task { await server.shutdown() } }
    server.latency = .milliseconds(300)
    let start = ContinuousClock.now
    #expect(try T.request(server.port, "GET", "/api/v1/namespaces").status == 200)
    #expect(ContinuousClock.now - start >= .milliseconds(300))
  }

  @Test func dropWatchesEndsStreams() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let watch = try Connection(port: server.port)
    try watch.send("GET", "/api/v1/configmaps?watch=1&resourceVersion=\(server.resourceVersion)")
    _ = try watch.readHead()
    let deadline = ContinuousClock.now + .seconds(30)
    while server.openWatchCount == 0, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    server.dropWatches()
    #expect(try watch.nextFrame() == nil)
    #expect(server.openWatchCount == 0)
  }

  @Test func restartKeepsOrLosesState() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let port = server.port
    _ = try T.request(
      port, "POST", "/api/v1/namespaces/shop/configmaps",
      body: JSON.serialize(Fixtures.configMap("added")))
    let version = server.resourceVersion
    try await server.restart(.keepingState)
    #expect(server.port == port)
    #expect(try T.request(port, "GET", "/api/v1/namespaces/shop/configmaps/added").status == 200)

    try await server.restart(.losingHistory)
    let watch = try Connection(port: port)
    try watch.send("GET", "/api/v1/configmaps?watch=1&resourceVersion=\(Int(version)! - 1)")
    _ = try watch.readHead()
    #expect(try watch.nextFrame()?["object"]?["code"] == 410)

    try await server.restart(.losingObjects)
    #expect(try T.request(port, "GET", "/api/v1/namespaces/shop/configmaps/added").status == 404)
    #expect(try T.request(port, "GET", "/api/v1/namespaces/shop/configmaps/settings").status == 200)
  }

  @Test func requestLogAndReadOnlyUsers() async throws {
    let server = try await KubeAPIServer.start(
      .init(
        tokens: ["ro": "reader", "rw": "writer"], readOnlyUsers: ["reader"],
        initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let anonymous = try T.request(server.port, "GET", "/api/v1/namespaces")
    #expect(anonymous.status == 401)
    #expect(anonymous.json["reason"] == "Unauthorized")
    let read = try T.request(
      server.port, "GET", "/api/v1/namespaces?limit=5", headers: ["Authorization": "Bearer ro"])
    #expect(read.status == 200)
    let write = try T.request(
      server.port, "DELETE", "/api/v1/namespaces/shop", headers: ["Authorization": "Bearer ro"])
    #expect(write.status == 403)
    #expect(write.json["reason"] == "Forbidden")
    let allowed = try T.request(
      server.port, "DELETE", "/api/v1/namespaces/shop/configmaps/settings",
      headers: ["Authorization": "Bearer rw"])
    #expect(allowed.status == 200)
    let log = server.requests
    #expect(log.count == 4)
    #expect(log[1].query == "limit=5")
    #expect(log[1].user == "reader")
    #expect(server.nonReadRequests.map(\.user) == ["reader", "writer"])
    #expect(server.nonReadRequests.map(\.status) == [403, 200])
  }

  @Test func adminEndpoint() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    #expect(try T.request(server.port, "POST", "/_admin/fail?count=1&status=500").status == 200)
    #expect(try T.request(server.port, "GET", "/api/v1/namespaces").status == 500)
    #expect(try T.request(server.port, "GET", "/api/v1/namespaces").status == 200)
    let log = try T.request(server.port, "GET", "/_admin/requests")
    #expect(log.json.arrayValue?.count == 2)
  }
}
