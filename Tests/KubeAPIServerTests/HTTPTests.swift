import Foundation
import KubeAPIServer
import SyncValue
import Testing

/// The wire protocol, checked byte-level with a raw socket client.
@Suite(.timeLimit(.minutes(1)))
struct HTTPTests {
  typealias T = KubeAPIServerTestCase

  private func withServer(
    _ configuration: KubeAPIServer.Configuration = .init(initialObjects: Fixtures.production),
    _ body: (KubeAPIServer) async throws -> Void
  ) async throws {
    let server = try await KubeAPIServer.start(configuration)
    do {
      try await body(server)
    } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  private let deployments = "/apis/apps/v1/namespaces/shop/deployments"

  @Test func discoveryBothForms() async throws {
    try await withServer { server in
      let classic = try T.request(server.port, "GET", "/apis")
      #expect(classic.json["kind"] == "APIGroupList")
      let aggregated = try T.request(
        server.port, "GET", "/apis",
        headers: [
          "Accept":
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        ])
      #expect(aggregated.headers["content-type"]?.contains("as=APIGroupDiscoveryList") == true)
      #expect(aggregated.json["apiVersion"] == "apidiscovery.k8s.io/v2")
      let apps = aggregated.json["items"]?.arrayValue?.first { $0["metadata"]?["name"] == "apps" }
      let resources = apps?["versions"]?.arrayValue?.first?["resources"]?.arrayValue ?? []
      let deployment = resources.first { $0["resource"] == "deployments" }
      #expect(deployment?["scope"] == "Namespaced")
      #expect(deployment?["responseKind"]?["kind"] == "Deployment")
      let core = try T.request(server.port, "GET", "/api/v1")
      let pods = core.json["resources"]?.arrayValue?.first { $0["name"] == "pods" }
      #expect(pods?["shortNames"] == ["po"])
      #expect(pods?["namespaced"] == true)
      #expect(try T.request(server.port, "GET", "/version").json["major"] == "1")
    }
  }

  @Test func pagingWithContinue() async throws {
    let maps = (0..<7).map { Fixtures.configMap("cm-\($0)") }
    try await withServer(.init(initialObjects: Fixtures.production + maps)) { server in
      var names: [String] = []
      var token = ""
      var pages = 0
      repeat {
        let page = try T.request(
          server.port, "GET", "/api/v1/namespaces/shop/configmaps?limit=3&continue=\(token)")
        #expect(page.status == 200)
        names +=
          page.json["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        token = page.json["metadata"]?["continue"]?.stringValue ?? ""
        pages += 1
      } while !token.isEmpty && pages < 10
      #expect(pages == 3)
      #expect(names == (0..<7).map { "cm-\($0)" } + ["settings"])
    }
  }

  /// `remainingItemCount` counts what is left after the page, selectors applied: without
  /// selectors from the key order alone, with them object by object.
  @Test func remainingItemCountFollowsTheSelectors() async throws {
    let maps =
      (0..<5).map { Fixtures.configMap("web-\($0)", labels: ["tier": "web"]) }
      + (0..<4).map { Fixtures.configMap("db-\($0)", labels: ["tier": "db"]) }
    try await withServer(.init(initialObjects: Fixtures.production + maps)) { server in
      let all = try T.request(server.port, "GET", "/api/v1/configmaps")
      let total = try #require(all.json["items"]?.arrayValue?.count)
      #expect(total >= 9)
      let page = try T.request(server.port, "GET", "/api/v1/configmaps?limit=3")
      #expect(page.json["metadata"]?["remainingItemCount"] == .int(Int64(total - 3)))
      let web = try T.request(
        server.port, "GET", "/api/v1/configmaps?limit=2&labelSelector=tier%3Dweb")
      #expect(web.json["items"]?.arrayValue?.count == 2)
      #expect(web.json["metadata"]?["remainingItemCount"] == 3)
      let shop = try T.request(server.port, "GET", "/api/v1/namespaces/shop/configmaps?limit=4")
      let inShop = try T.request(server.port, "GET", "/api/v1/namespaces/shop/configmaps")
      let shopTotal = try #require(inShop.json["items"]?.arrayValue?.count)
      #expect(shop.json["metadata"]?["remainingItemCount"] == .int(Int64(shopTotal - 4)))
    }
  }

  @Test func continueTokenExpiresWithHistory() async throws {
    let maps = (0..<4).map { Fixtures.configMap("cm-\($0)") }
    try await withServer(.init(initialObjects: maps)) { server in
      let first = try T.request(server.port, "GET", "/api/v1/configmaps?limit=2")
      let token = try #require(first.json["metadata"]?["continue"]?.stringValue)
      _ = try T.request(
        server.port, "POST", "/api/v1/namespaces/shop/configmaps",
        body: JSON.serialize(Fixtures.configMap("later")))
      server.trimWatchHistory()
      let expired = try T.request(
        server.port, "GET", "/api/v1/configmaps?limit=2&continue=\(token)")
      #expect(expired.status == 410)
      #expect(expired.json["reason"] == "Expired")
      #expect(expired.json["kind"] == "Status")
    }
  }

  @Test func selectors() async throws {
    let maps = [
      Fixtures.configMap("a", labels: ["tier": "web"]),
      Fixtures.configMap("b", labels: ["tier": "db"]),
      Fixtures.configMap("c"),
    ]
    try await withServer(.init(initialObjects: maps)) { server in
      func names(_ query: String) throws -> [String] {
        try T.request(server.port, "GET", "/api/v1/configmaps?\(query)").json["items"]?.arrayValue?
          .compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
      }
      #expect(try names("labelSelector=tier%3Dweb") == ["a"])
      #expect(try names("labelSelector=tier!%3Dweb") == ["b", "c"])
      #expect(try names("labelSelector=tier") == ["a", "b"])
      #expect(try names("labelSelector=!tier") == ["c"])
      #expect(try names("labelSelector=tier%20in%20(db,x)") == ["b"])
      #expect(try names("fieldSelector=metadata.name%3Db") == ["b"])
      #expect(try names("fieldSelector=metadata.namespace%3Dother") == [])
      let bad = try T.request(server.port, "GET", "/api/v1/configmaps?fieldSelector=spec.x%3D1")
      #expect(bad.status == 400)
    }
  }

  @Test func createGetUpdateConflictDelete() async throws {
    try await withServer { server in
      let created = try T.request(
        server.port, "POST", deployments, body: JSON.serialize(Fixtures.deployment("api")))
      #expect(created.status == 201)
      let metadata = created.json["metadata"]
      #expect(metadata?["uid"]?.stringValue?.isEmpty == false)
      #expect(metadata?["generation"] == .int(1))
      #expect(metadata?["creationTimestamp"] != nil)
      let again = try T.request(
        server.port, "POST", deployments, body: JSON.serialize(Fixtures.deployment("api")))
      #expect(again.status == 409)
      #expect(again.json["reason"] == "AlreadyExists")
      #expect(again.json["details"]?["name"] == "api")

      var stale = created.json
      if case .object(var root) = stale, case .object(var spec)? = root["spec"] {
        spec["replicas"] = 5
        root["spec"] = .object(spec)
        stale = .object(root)
      }
      let updated = try T.request(
        server.port, "PUT", deployments + "/api", body: JSON.serialize(stale))
      #expect(updated.status == 200)
      #expect(updated.json["metadata"]?["generation"] == .int(2))
      let conflict = try T.request(
        server.port, "PUT", deployments + "/api", body: JSON.serialize(stale))
      #expect(conflict.status == 409)
      #expect(conflict.json["reason"] == "Conflict")

      let deleted = try T.request(server.port, "DELETE", deployments + "/api")
      #expect(deleted.status == 200)
      #expect(deleted.json["metadata"]?["name"] == "api")
      let missing = try T.request(server.port, "GET", deployments + "/api")
      #expect(missing.status == 404)
      #expect(missing.json["reason"] == "NotFound")
      #expect(missing.json["message"] == "deployments.apps \"api\" not found")
      #expect(missing.json["code"] == 404)
    }
  }

  @Test func generateNameAndInvalidName() async throws {
    try await withServer { server in
      let body: Value = ["metadata": ["generateName": "job-"], "data": [:]]
      let created = try T.request(
        server.port, "POST", "/api/v1/namespaces/shop/configmaps", body: JSON.serialize(body))
      #expect(created.status == 201)
      #expect(created.json["metadata"]?["name"]?.stringValue?.hasPrefix("job-") == true)
      let invalid = try T.request(
        server.port, "POST", "/api/v1/namespaces/shop/configmaps",
        body: JSON.serialize(["metadata": ["name": "Not_Valid"]]))
      #expect(invalid.status == 422)
      #expect(invalid.json["reason"] == "Invalid")
      let noNamespace = try T.request(
        server.port, "POST", "/api/v1/namespaces/nowhere/configmaps",
        body: JSON.serialize(Fixtures.configMap("x", namespace: "nowhere")))
      #expect(noNamespace.status == 404)
    }
  }

  @Test func serverSideApplySemantics() async throws {
    try await withServer { server in
      let path = deployments + "/api?fieldManager=syncrules&force=true"
      let headers = ["Content-Type": "application/apply-patch+yaml"]
      let body = JSON.serialize(Fixtures.deployment("api"))
      let created = try T.request(server.port, "PATCH", path, headers: headers, body: body)
      #expect(created.status == 201)
      let version = created.json["metadata"]?["resourceVersion"]
      let same = try T.request(server.port, "PATCH", path, headers: headers, body: body)
      #expect(same.status == 200)
      #expect(same.json["metadata"]?["resourceVersion"] == version)

      // YAML bodies work too, and another manager changing a field we own conflicts…
      let yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: api, namespace: shop}
        spec: {replicas: 9}
        """
      let conflict = try T.request(
        server.port, "PATCH", deployments + "/api?fieldManager=other", headers: headers, body: yaml)
      #expect(conflict.status == 409)
      #expect(conflict.json["reason"] == "Conflict")
      #expect(conflict.json["message"]?.stringValue?.contains("syncrules") == true)
      // …unless forced.
      let forced = try T.request(
        server.port, "PATCH", deployments + "/api?fieldManager=other&force=true", headers: headers,
        body: yaml)
      #expect(forced.status == 200)
      #expect(forced.json["spec"]?["replicas"] == 9)
      #expect(forced.json["spec"]?["template"] != nil, "fields of other managers stay")

      // Dropping a field from our applied config removes it from the object.
      var smaller = Fixtures.deployment("api")
      if case .object(var root) = smaller, case .object(var metadata)? = root["metadata"] {
        metadata.removeValue(forKey: "labels")
        root["metadata"] = .object(metadata)
        smaller = .object(root)
      }
      let pruned = try T.request(
        server.port, "PATCH", path, headers: headers, body: JSON.serialize(smaller))
      #expect(pruned.json["metadata"]?["labels"] == nil)

      let missingManager = try T.request(
        server.port, "PATCH", deployments + "/api", headers: headers, body: body)
      #expect(missingManager.status == 422)
      let dryRun = try T.request(
        server.port, "PATCH", deployments + "/new?fieldManager=x&dryRun=All", headers: headers,
        body: JSON.serialize(Fixtures.deployment("new")))
      #expect(dryRun.status == 201)
      #expect(try T.request(server.port, "GET", deployments + "/new").status == 404)
    }
  }

  @Test func mergeAndJSONPatch() async throws {
    try await withServer { server in
      let merge = try T.request(
        server.port, "PATCH", "/api/v1/namespaces/shop/configmaps/settings",
        headers: ["Content-Type": "application/merge-patch+json"],
        body: #"{"data":{"key":null,"b":"2"}}"#)
      #expect(merge.status == 200)
      #expect(merge.json["data"] == ["b": "2"])
      let json = try T.request(
        server.port, "PATCH", "/api/v1/namespaces/shop/configmaps/settings",
        headers: ["Content-Type": "application/json-patch+json"],
        body: #"[{"op":"add","path":"/data/c","value":"3"}]"#)
      #expect(json.status == 200)
      #expect(json.json["data"]?["c"] == "3")
      let strategic = try T.request(
        server.port, "PATCH", "/api/v1/namespaces/shop/configmaps/settings",
        headers: ["Content-Type": "application/strategic-merge-patch+json"],
        body: #"{"data":{"b":null,"d":"4"}}"#)
      #expect(strategic.status == 200)
      #expect(strategic.json["data"] == ["c": "3", "d": "4"])
    }
  }

  @Test func namespaceDeletionTakesItsObjects() async throws {
    try await withServer { server in
      let deleted = try T.request(server.port, "DELETE", "/api/v1/namespaces/shop")
      #expect(deleted.status == 200)
      #expect(server.objects(group: "apps", version: "v1", plural: "deployments").isEmpty)
      #expect(server.objects(group: "", version: "v1", plural: "configmaps").isEmpty)
    }
  }

  @Test func watchFramesAndResume() async throws {
    try await withServer { server in
      let list = try T.request(server.port, "GET", deployments)
      let version = try #require(list.json["metadata"]?["resourceVersion"]?.stringValue)
      let watch = try Connection(port: server.port)
      try watch.send("GET", deployments + "?watch=1&resourceVersion=\(version)")
      let head = try watch.readHead()
      #expect(head.status == 200)
      #expect(head.headers["transfer-encoding"] == "chunked")
      #expect(head.headers["content-type"] == "application/json")
      try await waitForWatches(server, 1)
      _ = try T.request(
        server.port, "POST", deployments, body: JSON.serialize(Fixtures.deployment("fresh")))
      _ = try T.request(server.port, "DELETE", deployments + "/web")
      let added = try #require(try watch.nextFrame())
      #expect(added["type"] == "ADDED")
      #expect(added["object"]?["metadata"]?["name"] == "fresh")
      let deleted = try #require(try watch.nextFrame())
      #expect(deleted["type"] == "DELETED")
      #expect(deleted["object"]?["metadata"]?["name"] == "web")

      // Resuming from the list's version replays both from history.
      let resumed = try Connection(port: server.port)
      try resumed.send("GET", deployments + "?watch=true&resourceVersion=\(version)")
      _ = try resumed.readHead()
      #expect(try resumed.nextFrame()?["type"] == "ADDED")
      #expect(try resumed.nextFrame()?["type"] == "DELETED")
    }
  }

  @Test func watchFromTrimmedHistoryGetsExpired() async throws {
    try await withServer { server in
      let version = server.resourceVersion
      _ = try T.request(
        server.port, "POST", deployments, body: JSON.serialize(Fixtures.deployment("fresh")))
      server.trimWatchHistory()
      let watch = try Connection(port: server.port)
      try watch.send("GET", deployments + "?watch=1&resourceVersion=\(version)")
      #expect(try watch.readHead().status == 200)
      let error = try #require(try watch.nextFrame())
      #expect(error["type"] == "ERROR")
      #expect(error["object"]?["code"] == 410)
      #expect(error["object"]?["reason"] == "Expired")
      #expect(try watch.nextFrame() == nil, "the stream ends after the error")
    }
  }

  /// History keeps the last `watchHistoryLimit` events, letting go of one per write: a
  /// watch may resume from the oldest kept event's version, not from one before it.
  @Test func historyKeepsTheLastEventsUpToItsLimit() async throws {
    let configuration = KubeAPIServer.Configuration(
      initialObjects: Fixtures.production, watchHistoryLimit: 3)
    try await withServer(configuration) { server in
      var versions: [String] = []
      for index in 0..<7 {
        let created = try T.request(
          server.port, "POST", deployments,
          body: JSON.serialize(Fixtures.deployment("d\(index)")))
        versions.append(try #require(created.json["metadata"]?["resourceVersion"]?.stringValue))
      }
      // Kept: d4, d5, d6. Resuming after d3 (the oldest dropped) replays all three.
      let resumed = try Connection(port: server.port)
      try resumed.send("GET", deployments + "?watch=1&resourceVersion=\(versions[3])")
      #expect(try resumed.readHead().status == 200)
      for name in ["d4", "d5", "d6"] {
        #expect(try resumed.nextFrame()?["object"]?["metadata"]?["name"] == .string(name))
      }
      // Resuming after d2 would miss d3: expired.
      let expired = try Connection(port: server.port)
      try expired.send("GET", deployments + "?watch=1&resourceVersion=\(versions[2])")
      #expect(try expired.readHead().status == 200)
      #expect(try expired.nextFrame()?["object"]?["code"] == 410)
    }
  }

  @Test func watchFromTrimmedHistoryCanGetHTTP410() async throws {
    let configuration = KubeAPIServer.Configuration(
      initialObjects: Fixtures.production, expiredWatchesGetHTTPStatus: true)
    try await withServer(configuration) { server in
      let version = server.resourceVersion
      _ = try T.request(
        server.port, "POST", deployments, body: JSON.serialize(Fixtures.deployment("fresh")))
      server.trimWatchHistory()
      let answer = try T.request(
        server.port, "GET", deployments + "?watch=1&resourceVersion=\(version)")
      #expect(answer.status == 410)
      #expect(answer.json["reason"] == "Expired")
      #expect(server.requests.last?.status == 410)
    }
  }

  @Test func bookmarksAndTimeout() async throws {
    let configuration = KubeAPIServer.Configuration(
      initialObjects: Fixtures.production, bookmarkInterval: .milliseconds(100))
    try await withServer(configuration) { server in
      let watch = try Connection(port: server.port)
      try watch.send(
        "GET",
        deployments + "?watch=1&resourceVersion=\(server.resourceVersion)&allowWatchBookmarks=true"
          + "&timeoutSeconds=1")
      _ = try watch.readHead()
      let bookmark = try #require(try watch.nextFrame())
      #expect(bookmark["type"] == "BOOKMARK")
      #expect(
        bookmark["object"]?["metadata"]?["resourceVersion"] == .string(server.resourceVersion))
      var frames = 1
      while try watch.nextFrame() != nil { frames += 1 }
      #expect(frames >= 2 && frames < 30, "the stream ended by timeoutSeconds")
    }
  }

  @Test func streamingListEndsWithAnnotatedBookmark() async throws {
    try await withServer { server in
      let watch = try Connection(port: server.port)
      try watch.send(
        "GET",
        deployments + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
          + "&allowWatchBookmarks=true")
      _ = try watch.readHead()
      #expect(try watch.nextFrame()?["type"] == "ADDED")
      #expect(try watch.nextFrame()?["type"] == "ADDED")
      let end = try #require(try watch.nextFrame())
      #expect(end["type"] == "BOOKMARK")
      #expect(end["object"]?["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == "true")
    }
  }

  @Test func selectorWatchTurnsLeavingIntoDeleted() async throws {
    try await withServer { server in
      let watch = try Connection(port: server.port)
      try watch.send(
        "GET",
        deployments + "?watch=1&labelSelector=app%3Dweb&resourceVersion=\(server.resourceVersion)")
      _ = try watch.readHead()
      try await waitForWatches(server, 1)
      _ = try T.request(
        server.port, "PATCH", deployments + "/web",
        headers: ["Content-Type": "application/merge-patch+json"],
        body: #"{"metadata":{"labels":{"app":"other"}}}"#)
      let frame = try #require(try watch.nextFrame())
      #expect(frame["type"] == "DELETED")
    }
  }

  @Test func statusSubresource() async throws {
    try await withServer { server in
      let patch = ["Content-Type": "application/merge-patch+json"]
      let main = try T.request(
        server.port, "PATCH", deployments + "/web", headers: patch,
        body: #"{"status":{"replicas":2}}"#)
      #expect(main.status == 200)
      #expect(main.json["status"] == nil, "the main resource keeps the stored status")
      let status = try T.request(
        server.port, "PATCH", deployments + "/web/status", headers: patch,
        body: #"{"status":{"replicas":2},"spec":{"replicas":7}}"#)
      #expect(status.status == 200)
      #expect(status.json["status"]?["replicas"] == 2)
      #expect(status.json["spec"]?["replicas"] == 2, "the status subresource changes only status")
    }
  }

  private func waitForWatches(_ server: KubeAPIServer, _ count: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while server.openWatchCount < count, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(10))
    }
  }
}
