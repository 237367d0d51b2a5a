import SyncValue

extension KubeAPIServer {
  /// How to start a server.
  public struct Configuration: Sendable {
    /// The port on 127.0.0.1; 0 picks a free one (see ``KubeAPIServer/port``).
    public var port: Int
    /// Serve HTTPS with a CA and serving certificate generated at start-up.
    public var tls: Bool
    /// The DNS names and IPv4 addresses the serving certificate is for. Clients connect to
    /// 127.0.0.1, so leaving it out makes a certificate for the wrong host (tests of TLS
    /// verification failures).
    public var servingNames: [String]
    /// Bearer tokens and the user each authenticates as.
    public var tokens: [String: String]
    /// Whether a request without credentials is served (as `system:anonymous`). A wrong
    /// token is refused with 401 either way.
    public var allowAnonymous: Bool
    /// Users who may only read (GET): any other method answers 403 Forbidden, as RBAC with
    /// get/list/watch only would.
    public var readOnlyUsers: Set<String>
    /// Objects present at start (and after a restart that loses objects).
    public var initialObjects: [Value]
    /// How many events the watch history keeps; watches resuming from before it get 410.
    public var watchHistoryLimit: Int
    /// How often a watch with `allowWatchBookmarks=true` gets a BOOKMARK.
    public var bookmarkInterval: Duration
    /// Event-loop threads.
    public var threads: Int
    /// How a watch resuming from trimmed history is refused: false (the default) answers
    /// 200 and an `ERROR` event with a 410 Expired Status, as kube-apiserver's watch cache
    /// does; true answers HTTP 410 with the Status as the body. Clients must handle both.
    public var expiredWatchesGetHTTPStatus: Bool

    /// A plain-HTTP, anonymous server on a free port with no objects.
    public init(
      port: Int = 0, tls: Bool = false, servingNames: [String] = ["localhost", "127.0.0.1"],
      tokens: [String: String] = [:],
      allowAnonymous: Bool? = nil, readOnlyUsers: Set<String> = [], initialObjects: [Value] = [],
      watchHistoryLimit: Int = 10_000, bookmarkInterval: Duration = .seconds(1), threads: Int = 2,
      expiredWatchesGetHTTPStatus: Bool = false
    ) {
      self.expiredWatchesGetHTTPStatus = expiredWatchesGetHTTPStatus
      self.port = port
      self.tls = tls
      self.servingNames = servingNames
      self.tokens = tokens
      self.allowAnonymous = allowAnonymous ?? (tokens.isEmpty && !tls)
      self.readOnlyUsers = readOnlyUsers
      self.initialObjects = initialObjects
      self.watchHistoryLimit = watchHistoryLimit
      self.bookmarkInterval = bookmarkInterval
      self.threads = threads
    }
  }

  /// Who a generated kubeconfig authenticates as.
  public enum KubeconfigUser: Sendable {
    /// No credentials.
    case anonymous
    /// A bearer token (one of ``Configuration/tokens`` to be accepted).
    case token(String)
    /// A client certificate issued by the server's CA, with this common name and these
    /// organizations (Kubernetes groups). Needs ``Configuration/tls``.
    case clientCertificate(name: String, groups: [String] = [])
  }
}

/// One request as the server saw it, for tests to inspect.
public struct RecordedRequest: Sendable, Equatable {
  /// The HTTP method, such as `GET` or `PATCH`.
  public var method: String
  /// The path without the query.
  public var path: String
  /// The raw query string, without `?`.
  public var query: String
  /// The request's `Content-Type`, if any.
  public var contentType: String?
  /// The authenticated user, `system:anonymous` without credentials.
  public var user: String
  /// The HTTP status answered (200 for a watch that started).
  public var status: Int
  /// When the answer was decided, on this process's clock: tests order writes by
  /// different clients and measure gaps (a failover) with it.
  public var time: ContinuousClock.Instant = .now

  /// Whether the request may change state: anything but GET, HEAD and OPTIONS.
  public var isWrite: Bool { !["GET", "HEAD", "OPTIONS"].contains(method) }

  /// Whether this is a watch.
  public var isWatch: Bool {
    query.split(separator: "&").contains { $0 == "watch=1" || $0 == "watch=true" }
  }
}
