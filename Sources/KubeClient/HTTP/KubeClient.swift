import AsyncHTTPClient
import Foundation
import KubeModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOSSL
import SyncValue

/// A client of one Kubernetes API server.
///
/// Create one per cluster and call ``shutdown()`` when done. A client made with
/// `readOnly: true` refuses every request but GET before it reaches the network, so the
/// source cluster of a sync can be handed a client that cannot write to it.
public final class KubeClient: Sendable {
  public let configuration: ClientConfiguration
  /// True when only GET requests (get, list, watch, discovery) are allowed.
  public let isReadOnly: Bool

  let http: HTTPClient
  let authenticator: Authenticator
  private let endpoint: Endpoint
  private let tls: TLSFactory?
  private let hooks = NIOLockedValueBox(Hooks())

  /// The caller's closures, kept inside a struct on purpose: a bare function type held
  /// in the generic lock box is re-abstracted through its `inout` on every access, each
  /// read wrapping the stored closure in two more thunks. After about 56,000 requests the
  /// next call overflowed the stack (the 100-changes/s soak, docs/operating.md).
  private struct Hooks {
    var observer: RequestObserver?
    var writeGate: WriteGate?
  }

  /// Told of every HTTP request once its answer's head arrived (or it failed): the
  /// method, the server as `host:port`, the status code (`<error>` when no answer came)
  /// and how long it took. client-go's `rest_client_*` metrics count the same.
  public typealias RequestObserver =
    @Sendable (_ method: String, _ host: String, _ code: String, _ duration: Duration) -> Void

  /// Asked just before a write (anything but GET) goes out whether it may: false refuses
  /// it with ``KubeError/fenced(method:path:)``, nothing sent. A replica whose leader
  /// lease may have passed to another one uses it so that two replicas never write.
  public typealias WriteGate = @Sendable (_ method: String, _ path: String) -> Bool

  /// Checks every write from now on with `gate` (replacing an earlier one).
  public func gateWrites(_ gate: @escaping WriteGate) {
    hooks.withLockedValue { $0.writeGate = gate }
  }

  /// Reports every request from now on to `observer` (replacing an earlier one).
  public func observeRequests(_ observer: @escaping RequestObserver) {
    hooks.withLockedValue { $0.observer = observer }
  }

  private func report(_ request: Request, code: String, since started: ContinuousClock.Instant) {
    guard let observer = hooks.withLockedValue({ $0.observer }) else { return }
    observer(
      request.method.rawValue, "\(endpoint.host):\(endpoint.port)", code,
      ContinuousClock.now - started)
  }

  /// Connects nothing yet: the first request opens a connection.
  ///
  /// - Parameters:
  ///   - readOnly: refuse POST, PUT, PATCH and DELETE with ``KubeError/readOnly(method:path:)``.
  ///   - environment: the environment exec plugins inherit.
  public init(
    _ configuration: ClientConfiguration, readOnly: Bool = false,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeError) {
    self.configuration = configuration
    self.isReadOnly = readOnly
    endpoint = try Endpoint(configuration)
    tls = endpoint.isTLS ? try TLSFactory(configuration) : nil
    var httpConfig = HTTPClient.Configuration(
      redirectConfiguration: .disallow,
      timeout: .init(connect: .nanoseconds(Int64(configuration.connectTimeout.nanoseconds))),
      proxy: try Self.proxy(configuration.proxyURL))
    httpConfig.httpVersion = .http1Only
    // Every watch holds a connection for minutes; do not queue them behind each other.
    httpConfig.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 256
    // Fail fast on a refused connection: the reflector and callers own the retry policy.
    httpConfig.connectionPool.retryConnectionEstablishment = false
    if let override = endpoint.dnsOverride { httpConfig.dnsOverride = override }
    // No tracing: by default the client takes the process-wide (no-op) tracer and still
    // parses every request's URL for span attributes, 2.4% of the loop's CPU.
    httpConfig.tracing.tracer = nil
    http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfig)
    authenticator = Authenticator(configuration.credentials, environment: environment)
  }

  /// Closes connections and cancels requests in flight.
  public func shutdown() async throws {
    try await http.shutdown()
  }

  // MARK: - Requests

  /// One HTTP request relative to the server.
  struct Request: Sendable {
    var method: HTTPMethod
    var path: String
    var query: [(String, String)] = []
    var accept = "application/json"
    var contentType: String?
    var body: [UInt8]?
    /// Overrides the configured request timeout (watches run for minutes).
    var timeout: Duration?
  }

  /// A response with its whole body.
  struct Response: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    func json() throws(KubeError) -> Value {
      do {
        return try JSON.parse(body)
      } catch {
        throw .invalidResponse("body is not JSON: \(error)")
      }
    }
  }

  /// Sends `request` and reads the whole body; non-2xx answers throw.
  func send(_ request: Request, maximumBodySize: Int = 512 << 20) async throws(KubeError)
    -> Response
  {
    let deadline = NIODeadline.now() + timeAmount(request.timeout ?? configuration.requestTimeout)
    do {
      let response = try await open(request, deadline: deadline)
      let body = try await response.body.collect(upTo: maximumBodySize)
      return Response(
        status: Int(response.status.code), headers: response.headers,
        body: Array(buffer: body))
    } catch let error as KubeError {
      throw error
    } catch {
      // The head arrived: the connection broke while the body was read.
      throw Self.transportError(error, request)
    }
  }

  /// Sends `request` and returns once the head of a 2xx answer arrived; the caller reads
  /// the body. A 401 is retried once with fresh credentials when they can change.
  func open(_ request: Request, deadline: NIODeadline) async throws -> HTTPClientResponse {
    if isReadOnly, request.method != .GET {
      throw KubeError.readOnly(method: request.method.rawValue, path: request.path)
    }
    var attempt = 0
    while true {
      attempt += 1
      let credentials = try await authenticator.current()
      let prepared = try prepare(request, credentials: credentials)
      // Checked last, after every await before sending: the gate's answer must hold when
      // the request leaves, not when it was built.
      if request.method != .GET, let gate = hooks.withLockedValue({ $0.writeGate }),
        !gate(request.method.rawValue, request.path)
      {
        throw KubeError.fenced(method: request.method.rawValue, path: request.path)
      }
      let response: HTTPClientResponse
      let started = ContinuousClock.now
      do {
        response = try await http.execute(prepared, deadline: deadline)
      } catch {
        report(request, code: "<error>", since: started)
        throw await connectionError(error, request, deadline: deadline)
      }
      let code = Int(response.status.code)
      report(request, code: String(code), since: started)
      if (200..<300).contains(code) { return response }
      let body = (try? await response.body.collect(upTo: 1 << 20)).map { Array(buffer: $0) } ?? []
      if code == 401, attempt == 1, authenticator.refreshesOnUnauthorized {
        await authenticator.unauthorized(credentials)
        continue
      }
      throw KubeError.from(
        APIStatus(
          httpCode: code, body: body, retryAfter: response.headers.first(name: "Retry-After"),
          concernsSecrets: Redaction.concernsSecrets(request.path)))
    }
  }

  /// ``KubeError/unreachable(_:)`` for a request that got no answer, naming the cause in
  /// words. When the server's certificate was refused, it is fetched once more (without
  /// trusting it) so that the message can say which names it carries.
  func connectionError(_ error: any Error, _ request: Request, deadline: NIODeadline) async
    -> KubeError
  {
    let context = TransportErrors.Context(
      expectedName: endpoint.expectedName,
      customAuthority: configuration.certificateAuthority != nil,
      connectTimeout: configuration.connectTimeout,
      requestTimeout: request.timeout ?? configuration.requestTimeout)
    guard var cause = TransportErrors.cause(of: error, context) else {
      return Self.transportError(error, request)
    }
    let usesProxy = !(configuration.proxyURL ?? "").isEmpty
    switch cause {
    case .untrustedCertificate(nil, let customAuthority) where !usesProxy:
      if let certificate = await probeCertificate() {
        cause =
          certificate.isOutdated()
          ? .outdatedCertificate(certificate)
          : .untrustedCertificate(certificate, customAuthority: customAuthority)
      }
    case .certificateNameMismatch(let expected, nil) where !usesProxy:
      if let certificate = await probeCertificate() {
        cause = .certificateNameMismatch(expected: expected, certificate: certificate)
      }
    default:
      break
    }
    return .unreachable(
      ConnectionFailure(
        cluster: configuration.clusterLabel, cause: cause,
        proxy: usesProxy ? configuration.proxyURL.map(Redaction.url) : nil))
  }

  private func probeCertificate() async -> ServerCertificate? {
    await CertificateProbe.certificate(
      host: endpoint.host, port: endpoint.port, serverName: endpoint.expectedName,
      timeout: configuration.connectTimeout)
  }

  private func prepare(
    _ request: Request, credentials: RequestCredentials
  ) throws(KubeError) -> HTTPClientRequest {
    var prepared = HTTPClientRequest(url: endpoint.url(request.path, query: request.query))
    prepared.method = request.method
    prepared.headers.add(name: "Accept", value: request.accept)
    prepared.headers.add(name: "User-Agent", value: configuration.userAgent)
    if let authorization = credentials.authorization {
      prepared.headers.add(name: "Authorization", value: authorization)
    }
    if let body = request.body {
      prepared.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
      prepared.body = .bytes(ByteBuffer(bytes: body))
    }
    if let tls {
      prepared.tlsConfiguration = try tls.configuration(for: credentials.identity)
    }
    return prepared
  }

  /// A failure after the server answered, or one that is not about the connection; the
  /// library's text without source paths.
  static func transportError(_ error: any Error, _ request: Request) -> KubeError {
    if let error = error as? KubeError { return error }
    var text = TransportErrors.cleaned("\(error)")
    if let error = error as? HTTPClientError {
      if error == .remoteConnectionClosed || error == .uncleanShutdown {
        text = "the server closed the connection"
      } else if error == .deadlineExceeded || error == .readTimeout {
        text = "the answer did not arrive in time"
      }
    } else if case NIOSSLError.uncleanShutdown? = error as? NIOSSLError {
      text = "the server closed the connection"
    }
    return .transport("\(request.method.rawValue) \(request.path): \(text)")
  }

  private static func proxy(_ url: String?) throws(KubeError) -> HTTPClient.Configuration.Proxy? {
    guard let url, !url.isEmpty else { return nil }
    guard let parts = URLComponents(string: url), let host = parts.host, let scheme = parts.scheme
    else { throw .configuration("proxy-url \(Redaction.url(url)) is not a URL") }
    switch scheme {
    case "http":
      var authorization: HTTPClient.Authorization?
      if let user = parts.user {
        authorization = .basic(username: user, password: parts.password ?? "")
      }
      return .server(host: host, port: parts.port ?? 80, authorization: authorization)
    case "socks5":
      return .socksServer(host: host, port: parts.port ?? 1080)
    default:
      throw .configuration(
        "proxy-url \(Redaction.url(url)): only http:// and socks5:// proxies are supported")
    }
  }
}

func timeAmount(_ duration: Duration) -> TimeAmount {
  .nanoseconds(Int64(duration.nanoseconds))
}

extension Duration {
  var nanoseconds: Double {
    Double(components.seconds) * 1e9 + Double(components.attoseconds) / 1e9
  }

  var seconds: Double { nanoseconds / 1e9 }
}

/// The server URL taken apart, with `tls-server-name` turned into a DNS override: the
/// request goes to the override name (which AHC uses for SNI and certificate checks) while
/// the connection goes to the real host.
struct Endpoint: Sendable {
  var isTLS: Bool
  var urlPrefix: String
  var dnsOverride: [String: String]?
  /// The host and port connected to (brackets removed from IPv6 addresses).
  var host: String
  var port: Int
  /// The name the server's certificate must carry: `tls-server-name`, else the host.
  var expectedName: String

  init(_ configuration: ClientConfiguration) throws(KubeError) {
    let server = Redaction.url(configuration.server)
    guard let parts = URLComponents(string: configuration.server), let scheme = parts.scheme,
      var host = parts.host, !host.isEmpty
    else { throw .configuration("server \(server) is not a URL") }
    guard scheme == "https" || scheme == "http" else {
      throw .configuration("server \(server): scheme must be https or http")
    }
    isTLS = scheme == "https"
    let port = parts.port ?? (isTLS ? 443 : 80)
    self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
    self.port = port
    expectedName = self.host
    if let name = configuration.tlsServerName, !name.isEmpty, isTLS, name != host {
      dnsOverride = [name: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))]
      host = name
      expectedName = name
    }
    if host.contains(":"), !host.hasPrefix("[") { host = "[\(host)]" }
    var path = parts.percentEncodedPath
    while path.hasSuffix("/") { path.removeLast() }
    urlPrefix = "\(scheme)://\(host):\(port)\(path)"
  }

  func url(_ path: String, query: [(String, String)]) -> String {
    var url = urlPrefix + path
    if !query.isEmpty {
      url += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }
    return url
  }

  /// Percent-encodes every UTF-8 byte of `text` except RFC 3986's unreserved characters
  /// (letters, digits, `-._~`), for a path segment or a query name or value.
  ///
  /// A byte loop rather than Foundation's `addingPercentEncoding`, which went through
  /// `CFString` and took 2.5% of the loop's CPU at 500 changes/s (every request's path).
  static func escape(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(where: { !isUnreserved($0) }) else { return text }
    let hex = Array("0123456789ABCDEF".utf8)
    var bytes: [UInt8] = []
    bytes.reserveCapacity(utf8.count * 3)
    for byte in utf8 {
      if isUnreserved(byte) {
        bytes.append(byte)
      } else {
        bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  private static func isUnreserved(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
      UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
      UInt8(ascii: "_"), UInt8(ascii: "~"):
      return true
    default:
      return false
    }
  }
}

/// Builds TLS configurations: the cluster's trust settings plus whichever client identity
/// the credentials currently hold. The last one is reused so that connection pooling
/// (keyed by TLS configuration) keeps working while the identity does not change.
final class TLSFactory: Sendable {
  private let base: TLSConfiguration
  private let cache = NIOLockedValueBox<(ClientIdentity?, TLSConfiguration)?>(nil)

  init(_ configuration: ClientConfiguration) throws(KubeError) {
    var tls = TLSConfiguration.makeClientConfiguration()
    if configuration.insecureSkipTLSVerify {
      tls.certificateVerification = .none
    } else if let authority = configuration.certificateAuthority {
      do {
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(authority))
      } catch {
        throw .configuration("\(configuration.origin): certificate authority is not PEM: \(error)")
      }
    }
    base = tls
  }

  func configuration(for identity: ClientIdentity?) throws(KubeError) -> TLSConfiguration {
    if let cached = cache.withLockedValue({ $0 }), cached.0 == identity { return cached.1 }
    var tls = base
    if let identity {
      do {
        tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(identity.certificateChain)
          .map { .certificate($0) }
        tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: identity.privateKey, format: .pem))
      } catch {
        throw .configuration("client certificate or key is not usable PEM: \(error)")
      }
    }
    cache.withLockedValue { $0 = (identity, tls) }
    return tls
  }
}
