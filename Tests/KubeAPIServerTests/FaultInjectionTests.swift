import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// The faults a soak test schedules through `/_admin/`: a share of writes refused, watches
/// expired, restarts with downtime, and the tally and request log it reports from.
@Suite(.timeLimit(.minutes(1)))
struct FaultInjectionTests {
  typealias T = KubeAPIServerTestCase

  static let configMaps = "/api/v1/namespaces/shop/configmaps"

  /// Writes one ConfigMap change (create, then merge patches, then delete) per call.
  static func write(_ port: Int, _ step: Int) throws -> Int {
    switch step {
    case 0:
      return try T.request(
        port, "POST", configMaps, body: JSON.serialize(Fixtures.configMap("written"))
      ).status
    case 5:
      return try T.request(port, "DELETE", configMaps + "/written").status
    default:
      return try T.request(
        port, "PATCH", configMaps + "/written",
        headers: ["Content-Type": "application/merge-patch+json"],
        body: #"{"data":{"step":"\#(step)"}}"#
      ).status
    }
  }

  @Test(arguments: [
    // status, methods, fraction, the statuses of create, 4 patches, delete
    (409, "PATCH,DELETE", 0.5, [201, 200, 409, 200, 409, 200]),
    (429, "POST,PATCH,DELETE", 1.0 / 3, [201, 200, 429, 200, 200, 429]),
    (500, "PATCH", 1.0, [201, 500, 500, 200, 200, 200]),
  ])
  func aShareOfWritesIsRefused(status: Int, methods: String, fraction: Double, expected: [Int])
    async throws
  {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    server.failNextRequests(2, status: status, method: methods, fraction: fraction)
    var answered: [Int] = []
    for step in 0..<6 {
      answered.append(try Self.write(server.port, step))
      // Reads are not among the methods: they neither fail nor count.
      #expect(try T.request(server.port, "GET", Self.configMaps).status == 200)
    }
    #expect(answered == expected)
    #expect(server.faultTally.answered == [status: 2])
  }

  @Test func conflictsAndExpiriesCarryTheirReasonsAndNoRetryAfter() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    server.failNextRequests(1, status: 409, method: "PATCH")
    let conflict = try T.request(
      server.port, "PATCH", Self.configMaps + "/settings",
      headers: ["Content-Type": "application/merge-patch+json"], body: #"{"data":{"a":"b"}}"#)
    #expect(conflict.status == 409)
    #expect(conflict.json["reason"] == "Conflict")
    #expect(conflict.headers["retry-after"] == nil)
    #expect(conflict.json["details"] == nil)
  }

  @Test func aWatchIsAnsweredExpiredLikeTheWatchCacheDoes() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    server.failNextRequests(1, status: 410, watchesOnly: true)
    // A list is not a watch: served.
    #expect(try T.request(server.port, "GET", "/api/v1/configmaps").status == 200)
    let watch = try Connection(port: server.port)
    try watch.send("GET", "/api/v1/configmaps?watch=1&resourceVersion=\(server.resourceVersion)")
    #expect(try watch.readHead().status == 200)
    let frame = try #require(try watch.nextFrame())
    #expect(frame["type"] == "ERROR")
    #expect(frame["object"]?["code"] == 410)
    #expect(frame["object"]?["reason"] == "Expired")
    #expect(try watch.nextFrame() == nil, "the stream ends after the error")
    #expect(server.faultTally.answeredWatches == [410: 1])
    // The rule is used up: the next watch starts.
    let next = try Connection(port: server.port)
    try next.send("GET", "/api/v1/configmaps?watch=1&resourceVersion=\(server.resourceVersion)")
    #expect(try next.readHead().status == 200)
  }

  @Test func aWatchIsAnswered410WhenTheServerAnswersExpiredWatchesSo() async throws {
    let server = try await KubeAPIServer.start(
      .init(initialObjects: Fixtures.production, expiredWatchesGetHTTPStatus: true))
    defer { Task { await server.shutdown() } }
    #expect(
      try T.request(server.port, "POST", "/_admin/fail?status=410&watch=true").status == 200)
    let refused = try T.request(server.port, "GET", "/api/v1/configmaps?watch=true")
    #expect(refused.status == 410)
    #expect(refused.json["reason"] == "Expired")
  }

  @Test func aRestartWithDowntimeRefusesConnectionsThenServesTheSameObjects() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let port = server.port
    _ = try T.request(
      port, "POST", Self.configMaps, body: JSON.serialize(Fixtures.configMap("added")))
    let answer = try T.request(port, "POST", "/_admin/restart?mode=keep&downtimeMs=1000")
    #expect(answer.status == 202)
    // The restart runs in a task: wait for the first refused connection, then for the
    // first one served again.
    func firstTime(_ refused: Bool) async throws -> ContinuousClock.Instant {
      let deadline = ContinuousClock.now + .seconds(10)
      while ContinuousClock.now < deadline {
        let served = (try? T.request(port, "GET", "/api/v1/namespaces")) != nil
        if served != refused { return .now }
        try await Task.sleep(for: .milliseconds(10))
      }
      throw HTTPTestError(description: "the server was never \(refused ? "down" : "up again")")
    }
    let down = try await firstTime(true)
    let up = try await firstTime(false)
    #expect(up - down >= .milliseconds(500), "refused for about the downtime")
    let status = try T.request(port, "GET", Self.configMaps + "/added").status
    #expect(status == 200, "the store survives a restart in mode keep")
    #expect(server.faultTally.restarts == [.keepingState: 1])
  }

  @Test func theFaultReportCountsWhatClientsMet() async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let port = server.port
    _ = try T.request(port, "POST", "/_admin/fail?count=2&status=429&method=GET")
    _ = try T.request(port, "POST", "/_admin/fail?count=5&status=500&method=PATCH")
    _ = try T.request(port, "POST", "/_admin/latency?ms=5")
    for _ in 0..<3 { _ = try T.request(port, "GET", "/api/v1/namespaces") }
    let watch = try Connection(port: port)
    try watch.send("GET", "/api/v1/configmaps?watch=1&resourceVersion=\(server.resourceVersion)")
    _ = try watch.readHead()
    let deadline = ContinuousClock.now + .seconds(10)
    while server.openWatchCount == 0, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
    _ = try T.request(port, "POST", "/_admin/drop-watches")
    _ = try T.request(port, "POST", "/_admin/trim-history")
    let report = try T.request(port, "GET", "/_admin/faults").json
    #expect(report["answered"] == ["429": 2])
    #expect(report["answeredWatches"] == [:])
    #expect(report["watchesDropped"] == 1)
    #expect(report["historyTrims"] == 1)
    #expect(report["restarts"] == [:])
    #expect(report["latencyMs"] == 5)
    #expect(report["pending"]?.arrayValue?.count == 1)
    #expect(report["pending"]?.arrayValue?.first?["remaining"] == 5)
  }

  @Test func theRequestLogIsFilteredByUserAndWrites() async throws {
    let server = try await KubeAPIServer.start(
      .init(tokens: ["a": "alice", "b": "bob"], initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let port = server.port
    for token in ["a", "b"] {
      _ = try T.request(
        port, "GET", "/api/v1/namespaces", headers: ["Authorization": "Bearer \(token)"])
      _ = try T.request(
        port, "DELETE", Self.configMaps + "/settings",
        headers: ["Authorization": "Bearer \(token)"])
    }
    let alice = try T.request(port, "GET", "/_admin/requests?user=alice").json.arrayValue ?? []
    #expect(alice.map { $0["method"] } == ["GET", "DELETE"])
    let writes = try T.request(port, "GET", "/_admin/requests?writes=true").json.arrayValue ?? []
    #expect(writes.map { $0["user"] } == ["alice", "bob"])
    #expect(writes.map { $0["status"] } == [200, 404])
    let none = try T.request(port, "GET", "/_admin/requests?user=carol&writes=1").json
    #expect(none == [])
  }

  /// `user=U` cuts one client off (a partition) while the others are served.
  @Test func aFaultForOneUserLeavesTheOthersServed() async throws {
    let server = try await KubeAPIServer.start(
      .init(tokens: ["a": "alice", "b": "bob"], initialObjects: Fixtures.production))
    defer { Task { await server.shutdown() } }
    let port = server.port
    _ = try T.request(port, "POST", "/_admin/fail?count=100&status=503&user=alice")
    func status(_ token: String) throws -> Int {
      try T.request(
        port, "GET", "/api/v1/namespaces", headers: ["Authorization": "Bearer \(token)"]
      ).status
    }
    #expect(try [status("a"), status("b"), status("a")] == [503, 200, 503])
    let pending = try T.request(port, "GET", "/_admin/faults").json["pending"]?.arrayValue
    #expect(pending?.first?["user"] == "alice")
    #expect(pending?.first?["remaining"] == 98)
  }
}
