import AsyncHTTPClient
import Foundation
import KubeAPIServer
import NIOCore
import NIOSSL
import Testing

@testable import KubeClient

#if canImport(Glibc)
  import Glibc
#endif

/// The error of a request that could not reach the server.
private func failure(
  _ config: ClientConfiguration,
  _ request: @Sendable (KubeClient) async throws -> Void = {
    _ = try await $0.list(configMaps)
  }
) async throws -> ConnectionFailure? {
  let client = try KubeClient(config)
  var result: ConnectionFailure?
  do {
    try await request(client)
    Issue.record("the request succeeded")
  } catch KubeError.unreachable(let failure) {
    result = failure
  } catch {
    Issue.record("expected KubeError.unreachable, got \(error)")
  }
  try await client.shutdown()
  return result
}

/// Nothing in a message a user reads may come from the libraries' insides.
private func expectNoLibraryText(_ text: String, sourceLocation: SourceLocation = #_sourceLocation)
{
  for fragment in ["errno", "BoringSSL", "OPENSSL_internal", ".build", "checkouts", ".cc:", "NIO"] {
    #expect(!text.contains(fragment), "\(fragment) in: \(text)", sourceLocation: sourceLocation)
  }
}

@Suite struct ConnectionFailureTests {
  @Test func aRefusedConnectionSaysSoAndNamesTheCluster() async throws {
    var config = ClientConfiguration(server: "http://127.0.0.1:1", origin: "context standby")
    config.connectTimeout = .seconds(5)
    let failure = try #require(try await failure(config))
    #expect(failure.cause == .refused)
    #expect(
      failure.description
        == "cannot reach the cluster (context `standby`, http://127.0.0.1:1): connection refused "
        + "— is the API server running and the address right?")
  }

  @Test func anUnknownHostIsADNSFailure() async throws {
    let failure = try #require(
      try await failure(ClientConfiguration(server: "https://no-such-host.invalid:6443")))
    #expect(failure.cause == .unknownHost("no-such-host.invalid"))
    #expect(failure.description.contains("`no-such-host.invalid` does not resolve (DNS)"))
    expectNoLibraryText(failure.description)
  }

  @Test func noAnswerInTimeIsATimeout() async throws {
    let server = try await KubeAPIServer.start()
    defer { Task { await server.shutdown() } }
    // Far beyond the deadline: with the test threads busy, the deadline may be acted on
    // late, and it must still come first.
    server.latency = .seconds(60)
    var config = ClientConfiguration(server: server.url)
    config.requestTimeout = .milliseconds(300)
    let failure = try #require(try await failure(config))
    #expect(failure.cause == .timedOut("no answer within 0.3 s"))
  }

  @Test func aCertificateFromAnotherAuthorityIsNamedWithoutBoringSSLText() async throws {
    let other = try await KubeAPIServer.start(.init(tls: true))
    defer { Task { await other.shutdown() } }
    let otherAuthority = try #require(other.caCertificatePEM)
    try await withAPIServer(
      edit: ConfigEdit { $0.certificateAuthority = Array(otherAuthority.utf8) }
    ) { client, server in
      do {
        _ = try await client.list(configMaps)
        Issue.record("the certificate was accepted")
      } catch KubeError.unreachable(let failure) {
        guard case .untrustedCertificate(let certificate?, customAuthority: true) = failure.cause
        else {
          Issue.record("unexpected cause \(failure.cause)")
          return
        }
        #expect(certificate.names == ["localhost", "127.0.0.1"])
        #expect(certificate.issuer.contains("CN=kube-api-server test CA"))
        #expect(failure.description.contains("TLS verification failed"))
        #expect(failure.description.contains("not signed by the certificate authority"))
        expectNoLibraryText(failure.description)
      }
    }
  }

  @Test func aCertificateForAnotherHostNamesBothAndSuggestsTLSServerName() async throws {
    try await withAPIServer(.init(tls: true, servingNames: ["api.prod.internal"])) { client, _ in
      do {
        _ = try await client.list(configMaps)
        Issue.record("the certificate was accepted")
      } catch KubeError.unreachable(let failure) {
        guard case .certificateNameMismatch("127.0.0.1", let certificate?) = failure.cause else {
          Issue.record("unexpected cause \(failure.cause)")
          return
        }
        #expect(certificate.names == ["api.prod.internal"])
        #expect(
          failure.reason.hasPrefix(
            "TLS verification failed: the server's certificate is for api.prod.internal, not "
              + "`127.0.0.1`"))
        #expect(failure.reason.contains("`tls-server-name: api.prod.internal`"))
        expectNoLibraryText(failure.description)
      }
    }
  }

  @Test(arguments: [
    (IOError(errnoCode: ECONNREFUSED, reason: "connect") as any Error, "refused"),
    (IOError(errnoCode: ETIMEDOUT, reason: "connect"), "timed out connecting"),
    (IOError(errnoCode: EHOSTUNREACH, reason: "connect"), "no route"),
    (IOError(errnoCode: ECONNRESET, reason: "read"), "closed"),
    (ChannelError.connectTimeout(.seconds(10)), "timed out connecting after 10 s"),
    (HTTPClientError.connectTimeout, "timed out connecting after 10 s"),
    (HTTPClientError.deadlineExceeded, "no answer within 60 s"),
    (HTTPClientError.remoteConnectionClosed, "closed"),
    (HTTPClientError.proxyAuthenticationRequired, "the proxy refused the credentials"),
    (NIOSSLError.uncleanShutdown, "closed"),
    (NIOSSLExtraError.failedToValidateHostname, "name mismatch api.example"),
  ])
  func libraryErrorsAreClassified(error: any Error, expected: String) {
    let context = TransportErrors.Context(
      expectedName: "api.example", customAuthority: true, connectTimeout: .seconds(10),
      requestTimeout: .seconds(60))
    let cause = TransportErrors.cause(of: error, context)
    let summary: String
    switch cause {
    case .refused?: summary = "refused"
    case .timedOut(let what)?: summary = what
    case .noRoute?: summary = "no route"
    case .closed?: summary = "closed"
    case .proxy(let what)?: summary = what
    case .certificateNameMismatch(let name, nil)?: summary = "name mismatch \(name)"
    default: summary = "\(String(describing: cause))"
    }
    #expect(summary.hasPrefix(expected), "\(error) → \(summary)")
  }

  @Test func libraryTextLosesSourcePaths() {
    let boring =
      "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL "
      + "routines:OPENSSL_internal:SOMETHING_ELSE at /work/x/.build/checkouts/swift-nio-ssl/"
      + "Sources/CNIOBoringSSL/ssl/handshake.cc:320]))"
    #expect(
      TransportErrors.cleaned(boring)
        == "handshakeFailed(NIOSSL.BoringSSLError.sslError([Error: 268435581 error:1000007d:SSL "
        + "routines:OPENSSL_internal:SOMETHING_ELSE]))")
    #expect(
      TransportErrors.cleaned("connection reset (error set): Connection refused (errno: 111)")
        == "connection reset (error set): Connection refused")
  }
}
