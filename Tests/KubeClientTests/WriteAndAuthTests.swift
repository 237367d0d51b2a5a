import Foundation
import NIOConcurrencyHelpers
import SyncValue
import TestSupport
import Testing

@testable import KubeClient

@Suite struct WriteTests {
  static let web: Value = [
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": ["name": "web", "namespace": "shop"], "spec": ["replicas": 2],
  ]

  @Test func serverSideApplySendsApplyPatch() async throws {
    try await withStub(
      respond: Responder { request in .json(String(decoding: request.body, as: UTF8.self)) }
    ) {
      client, server in
      let applied = try await client.apply(Self.web, to: deployments)
      #expect(applied == Self.web)
      _ = try await client.apply(Self.web, to: deployments, force: false, dryRun: true)
      let first = server.requests[0]
      #expect(first.method == "PATCH")
      #expect(first.path == "/apis/apps/v1/namespaces/shop/deployments/web")
      #expect(first.query == ["fieldManager": "syncrules", "force": "true"])
      #expect(first.headers["Content-Type"] == ["application/apply-patch+yaml"])
      #expect(first.headers["User-Agent"] == ["syncrules/\(KubeClientVersion.current)"])
      #expect(try JSON.parse(first.body) == Self.web)
      #expect(
        server.requests[1].query == [
          "fieldManager": "syncrules", "force": "false", "dryRun": "All",
        ])
    }
  }

  @Test func conflictNamesTheFields() async throws {
    try await withStub(
      respond: Responder { _ in
        .json(
          #"{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409,"#
            + #""message":"Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas","#
            + #""details":{"causes":[{"reason":"FieldManagerConflict","message":"conflict with \"kubectl\"","#
            + #""field":".spec.replicas"}]}}"#, status: 409)
      }
    ) { client, _ in
      do {
        _ = try await client.apply(Self.web, to: deployments, force: false)
        Issue.record("expected a conflict")
      } catch let error as KubeError {
        #expect(error.isConflict)
        #expect(error.status?.causeFields == [".spec.replicas"])
        #expect("\(error)".contains(".spec.replicas"))
      }
    }
  }

  @Test func deleteSendsPreconditionsAndCreateNamespacePosts() async throws {
    try await withStub(
      respond: Responder { request in
        request.method == "POST"
          ? .json(String(decoding: request.body, as: UTF8.self), status: 201)
          : .json(#"{"kind":"Status","status":"Success"}"#)
      }
    ) { client, server in
      try await client.delete(
        deployments, namespace: "shop", name: "web",
        preconditions: DeletePreconditions(uid: "u-1", resourceVersion: "42"), dryRun: true)
      let namespace = try await client.createNamespace(
        "shop", annotations: ["syncrules.io/source": "prod"])
      #expect(namespace["metadata"]?["annotations"] == ["syncrules.io/source": "prod"])
      let delete = server.requests[0]
      #expect(delete.method == "DELETE")
      #expect(delete.path == "/apis/apps/v1/namespaces/shop/deployments/web")
      #expect(delete.query["dryRun"] == "All")
      let options = try JSON.parse(delete.body)
      #expect(options["preconditions"] == ["uid": "u-1", "resourceVersion": "42"])
      #expect(options["propagationPolicy"] == "Background")
      #expect(server.requests[1].method == "POST")
      #expect(server.requests[1].path == "/api/v1/namespaces")
    }
  }

  @Test func readOnlyClientRefusesWritesWithoutSendingThem() async throws {
    try await withStub(
      readOnly: true,
      respond: Responder { _ in .json(#"{"metadata":{"resourceVersion":"1"},"items":[]}"#) }
    ) { client, server in
      #expect(client.isReadOnly)
      let attempts: [@Sendable () async throws -> Void] = [
        { _ = try await client.apply(Self.web, to: deployments) },
        { _ = try await client.apply(Self.web, to: deployments, dryRun: true) },
        { _ = try await client.create(Self.web, in: deployments) },
        { _ = try await client.createNamespace("x") },
        { try await client.delete(deployments, namespace: "shop", name: "web") },
      ]
      for attempt in attempts {
        await #expect {
          try await attempt()
        } throws: { error in
          if case .readOnly = error as? KubeError { return true }
          return false
        }
      }
      #expect(server.requests.isEmpty)
      _ = try await client.list(deployments)
      #expect(server.requests.map(\.method) == ["GET"])
    }
  }
}

@Suite struct AuthTests {
  @Test func staticCredentialsBecomeHeaders() async throws {
    var bearer = Credentials()
    bearer.bearerToken = "t0k3n"
    var basic = Credentials()
    basic.basic = ("alice", "pw")
    for (credentials, expected) in [(bearer, "Bearer t0k3n"), (basic, "Basic YWxpY2U6cHc=")] {
      let header = try await withStub(
        credentials: credentials, respond: Responder { _ in .json("{}") }
      ) {
        client, server in
        _ = try await client.get(configMaps, namespace: "a", name: "b")
        return server.requests[0].headers["Authorization"].first
      }
      #expect(header == expected)
    }
  }

  @Test func tokenFileIsReReadOn401() async throws {
    let dir = try TemporaryDirectory()
    var credentials = Credentials()
    credentials.tokenFile = try dir.write("token", "one\n")
    credentials.tokenFileRefresh = .seconds(3600)
    let rejectOne = NIOLockedValueBox(false)
    try await withStub(
      credentials: credentials,
      respond: Responder { request in
        rejectOne.withLockedValue { $0 } && request.headers["Authorization"].first == "Bearer one"
          ? .status(401, reason: "Unauthorized") : .json("{}")
      }
    ) { client, server in
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      // Rotated within the refresh interval: the cached token is used, the server
      // rejects it, and the client re-reads the file and retries once.
      try dir.write("token", "two")
      rejectOne.withLockedValue { $0 = true }
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      #expect(
        server.requests.map { $0.headers["Authorization"].first ?? "" }
          == ["Bearer one", "Bearer one", "Bearer two"])
    }
  }

  @Test func tokenFileIsReReadAfterRefreshInterval() async throws {
    let dir = try TemporaryDirectory()
    var credentials = Credentials()
    credentials.tokenFile = try dir.write("token", "one\n")
    credentials.tokenFileRefresh = .milliseconds(100)
    try await withStub(credentials: credentials, respond: Responder { _ in .json("{}") }) {
      client, server in
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      try dir.write("token", "two")
      try await Task.sleep(for: .milliseconds(300))
      _ = try await client.get(configMaps, namespace: "a", name: "b")
      #expect(
        server.requests.map { $0.headers["Authorization"].first ?? "" }
          == ["Bearer one", "Bearer two"])
    }
  }
}
