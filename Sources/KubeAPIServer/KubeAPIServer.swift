import KubeModel
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import SyncValue

/// An in-memory Kubernetes API server that speaks the real wire protocol, for tests and
/// the demo.
///
/// It serves discovery (classic and aggregated), list/get/create/update/server-side
/// apply/patch/delete and chunked watches for built-in resources and CRDs, over HTTP or
/// HTTPS with bearer-token and client-certificate authentication, bound to 127.0.0.1.
/// Faults (429/500 answers, latency, dropped watches, trimmed history, restarts) can be
/// injected while it runs. See docs/test-apiserver.md for what it does not implement.
///
/// ```swift
/// let server = try await KubeAPIServer.start(.init(initialObjects: objects))
/// defer { Task { await server.shutdown() } }
/// try server.kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
/// ```
public final class KubeAPIServer: Sendable {
  /// The configuration the server was started with.
  public let configuration: Configuration
  /// The bound port (the chosen one when ``Configuration/port`` was 0).
  public var port: Int { boundPort.withLockedValue { $0 } }
  private let boundPort: NIOLockedValueBox<Int>
  let store: Store
  let faults = FaultState()
  let authority: CertificateAuthority?
  let sslContext: NIOSSLContext?
  private let group: MultiThreadedEventLoopGroup
  private let listener: NIOLockedValueBox<Channel?>
  private let connections = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])

  private init(
    configuration: Configuration, store: Store, authority: CertificateAuthority?,
    sslContext: NIOSSLContext?, group: MultiThreadedEventLoopGroup
  ) {
    self.configuration = configuration
    self.boundPort = NIOLockedValueBox(configuration.port)
    self.store = store
    self.authority = authority
    self.sslContext = sslContext
    self.group = group
    self.listener = NIOLockedValueBox(nil)
  }

  /// Starts a server and returns once it accepts connections.
  ///
  /// - Throws: when the port is taken, the TLS material cannot be made, or an initial
  ///   object names a resource the server does not serve.
  public static func start(_ configuration: Configuration = Configuration()) async throws
    -> KubeAPIServer
  {
    let store = Store(historyLimit: configuration.watchHistoryLimit)
    try store.load(configuration.initialObjects, remember: true)
    let authority = configuration.tls ? try CertificateAuthority() : nil
    let sslContext = try authority?.serverContext(names: configuration.servingNames)
    let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
    let server = KubeAPIServer(
      configuration: configuration, store: store, authority: authority,
      sslContext: sslContext, group: group)
    do {
      let channel = try await bind(
        port: configuration.port, group: group, sslContext: sslContext, server: server)
      server.boundPort.withLockedValue { $0 = channel.localAddress?.port ?? configuration.port }
      server.listener.withLockedValue { $0 = channel }
      return server
    } catch {
      try? await group.shutdownGracefully()
      throw error
    }
  }

  private static func bind(
    port: Int, group: MultiThreadedEventLoopGroup, sslContext: NIOSSLContext?,
    server: KubeAPIServer
  ) async throws -> Channel {
    try await ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 256)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          if let sslContext {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
          }
          try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
          try channel.pipeline.syncOperations.addHandler(HTTPHandler(server: server))
          server.track(channel)
        }
      }
      .bind(host: "127.0.0.1", port: port).get()
  }

  private func track(_ channel: Channel) {
    let id = ObjectIdentifier(channel)
    connections.withLockedValue { $0[id] = channel }
    channel.closeFuture.whenComplete { [connections] _ in
      connections.withLockedValue { _ = $0.removeValue(forKey: id) }
    }
  }

  /// Stops accepting, closes every connection and frees the threads.
  public func shutdown() async {
    await stopListening()
    try? await group.shutdownGracefully()
  }

  private func stopListening() async {
    let channel = listener.withLockedValue { channel in
      defer { channel = nil }
      return channel
    }
    try? await channel?.close()
    let dropped = store.dropWatches(abruptly: true)
    faults.count { $0.watchesDropped += dropped }
    // All at once, as a dying process cuts them: one after the other, each waiting for
    // its TLS peer to answer close_notify, made a restart last seconds per idle client.
    let open = connections.withLockedValue { Array($0.values) }
    await withTaskGroup(of: Void.self) { group in
      for connection in open { group.addTask { try? await connection.close() } }
    }
  }

  /// Stops and starts again on the same port, as an API server restart looks to clients:
  /// every connection and watch is cut, and `mode` says what state survives.
  public func restart(_ mode: RestartMode, downtime: Duration = .zero) async throws {
    faults.count { $0.restarts[mode, default: 0] += 1 }
    await stopListening()
    store.reset(mode)
    if downtime > .zero { try await Task.sleep(for: downtime) }
    let channel = try await Self.bind(
      port: port, group: group, sslContext: sslContext, server: self)
    listener.withLockedValue { $0 = channel }
  }

  /// `http://127.0.0.1:PORT` or `https://…`.
  public var url: String { "\(configuration.tls ? "https" : "http")://127.0.0.1:\(port)" }

  /// The CA certificate that signed the serving certificate, in PEM; nil without TLS.
  public var caCertificatePEM: String? { authority?.certificatePEM }

  /// A client certificate and key (PEM) signed by the server's CA, authenticating as
  /// `user` in `groups`.
  public func issueClientCertificate(user: String, groups: [String] = []) throws -> (
    certificatePEM: String, privateKeyPEM: String
  ) {
    guard let authority else { throw APIStatus.badRequest("the server was started without TLS") }
    return try authority.issue(commonName: user, organizations: groups, server: false)
  }

  /// A kubeconfig (JSON, which kubectl reads as YAML) with one cluster, user and context
  /// named `test`, the CA and credentials inline. Without `user`: the first configured
  /// token, else a client certificate for `admin` when serving TLS, else no credentials.
  public func kubeconfig(user: KubeconfigUser? = nil) throws -> String {
    // By default: a configured token, else (with TLS) an admin client certificate.
    let fallback: KubeconfigUser =
      configuration.tls ? .clientCertificate(name: "admin", groups: ["system:masters"]) : .anonymous
    let user = user ?? configuration.tokens.keys.sorted().first.map { .token($0) } ?? fallback
    var cluster = ObjectValue(["server": .string(url)])
    if let pem = caCertificatePEM {
      cluster["certificate-authority-data"] = .string(Base64.encode(Array(pem.utf8)))
    }
    var credentials = ObjectValue()
    switch user {
    case .anonymous: break
    case .token(let token): credentials["token"] = .string(token)
    case .clientCertificate(let name, let groups):
      let issued = try issueClientCertificate(user: name, groups: groups)
      credentials["client-certificate-data"] = .string(
        Base64.encode(Array(issued.certificatePEM.utf8)))
      credentials["client-key-data"] = .string(Base64.encode(Array(issued.privateKeyPEM.utf8)))
    }
    let config: Value = [
      "apiVersion": "v1", "kind": "Config",
      "clusters": [["name": "test", "cluster": .object(cluster)]],
      "users": [["name": "test", "user": .object(credentials)]],
      "contexts": [["name": "test", "context": ["cluster": "test", "user": "test"]]],
      "current-context": "test", "preferences": .object(ObjectValue()),
    ]
    return JSON.serialize(config, indent: 2) + "\n"
  }

  // MARK: Faults

  /// Answers the next `count` requests matching `method` (one, or several separated by
  /// commas) and `pathPrefix` with `status` (409 → Conflict, 410 → Expired,
  /// 429 → TooManyRequests with `Retry-After`, 500 → InternalError, …).
  ///
  /// - Parameters:
  ///   - watchesOnly: only watch requests match; a 410 then ends the watch the way
  ///     kube-apiserver does for an expired resourceVersion.
  ///   - fraction: fail only this share of the matching requests, evenly spread (0.1:
  ///     every tenth), until `count` have failed.
  ///   - user: only requests authenticated as this user match (one replica's
  ///     partition from the cluster, while the others are served).
  public func failNextRequests(
    _ count: Int, status: Int = 429, method: String? = nil, pathPrefix: String? = nil,
    user: String? = nil, retryAfterSeconds: Int = 1, watchesOnly: Bool = false,
    fraction: Double = 1
  ) {
    faults.add(
      FaultRule(
        status: status, count: count, method: method, pathPrefix: pathPrefix, user: user,
        retryAfterSeconds: retryAfterSeconds, watchesOnly: watchesOnly, fraction: fraction))
  }

  /// What fault injection has done so far: errors answered by status, watches dropped,
  /// history trims, restarts.
  public var faultTally: FaultTally { faults.tally }

  /// Delay added before every request (watch frames are not delayed).
  public var latency: Duration {
    get { faults.latency }
    set { faults.latency = newValue }
  }

  /// Removes pending fault rules and latency.
  public func clearFaults() { faults.clear() }

  /// Ends every open watch: cleanly (the chunked stream ends) or `abruptly` (the
  /// connection is closed).
  /// - Returns: how many watches were open.
  @discardableResult
  public func dropWatches(abruptly: Bool = false) -> Int {
    let dropped = store.dropWatches(abruptly: abruptly)
    faults.count { $0.watchesDropped += dropped }
    return dropped
  }

  /// The number of watches open now.
  public var openWatchCount: Int { store.openWatchCount }

  /// Forgets the watch history: watches resuming from an earlier resourceVersion, and
  /// continue tokens issued before, get 410 Expired.
  public func trimWatchHistory() {
    store.trimHistory()
    faults.count { $0.historyTrims += 1 }
  }

  /// The latest resourceVersion.
  public var resourceVersion: String { String(store.currentRevision) }

  // MARK: Request log

  /// Every request served so far, in arrival order (admin requests excluded).
  public var requests: [RecordedRequest] { faults.requests }

  /// The requests that could change state: anything but GET, HEAD and OPTIONS.
  public var nonReadRequests: [RecordedRequest] { faults.requests.filter(\.isWrite) }

  /// Empties the request log.
  public func clearRequests() { faults.clearRequests() }

  // MARK: Direct access

  /// The stored objects of a resource, for tests that check state without HTTP.
  public func objects(group: String, version: String, plural: String, namespace: String? = nil)
    -> [Value]
  {
    guard
      let resource = store.currentCatalog.resource(group: group, version: version, plural: plural),
      let result = try? store.list(
        resource, namespace: namespace, labels: LabelSelector(parsing: ""),
        fields: FieldSelector(parsing: ""), limit: nil, continueToken: nil)
    else { return [] }
    return result.items
  }

  /// Stores objects as if preloaded (keeping their uid, timestamps and status).
  public func load(_ objects: [Value]) throws {
    try store.load(objects, remember: false)
  }
}
