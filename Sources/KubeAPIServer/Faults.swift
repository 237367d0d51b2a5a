import KubeModel
import NIOConcurrencyHelpers

/// Requests to answer with an error instead of serving them.
public struct FaultRule: Sendable, Equatable {
  /// The HTTP status to answer: 401 (Unauthorized), 403 (Forbidden), 404 (NotFound),
  /// 409 (Conflict), 410 (Expired), 429 (TooManyRequests), 500 (InternalError), 503,
  /// 504…
  public var status: Int
  /// How many more requests get it.
  public var remaining: Int
  /// Only this method (GET, PATCH, …) or these methods (`PATCH,DELETE`) match; nil
  /// matches any.
  public var method: String?
  /// Only paths starting with this match; nil matches any.
  public var pathPrefix: String?
  /// Only requests authenticated as this user match; nil matches any. With a large
  /// count and 503, this cuts one client off while others are served (a partition).
  public var user: String?
  /// Sent as `Retry-After` and in the Status' `details.retryAfterSeconds` (not with 409
  /// or 410, which a server never asks to retry later).
  public var retryAfterSeconds: Int
  /// Only watch requests (`watch=1`) match. A 410 for a watch is answered as
  /// kube-apiserver's watch cache does: 200, then an `ERROR` frame carrying the Status
  /// (unless the server answers expired watches with the HTTP status).
  public var watchesOnly: Bool
  /// The share of matching requests answered with the fault, spread evenly: 0.1 fails
  /// the 10th, 20th, 30th… matching request, so a run is reproducible.
  public var fraction: Double
  /// Matching requests seen so far, failed or not: what `fraction` counts.
  private var matched = 0

  /// Creates a rule for the next `count` matching requests (with `fraction` below 1: the
  /// next `count` failures among them).
  public init(
    status: Int, count: Int, method: String? = nil, pathPrefix: String? = nil,
    user: String? = nil, retryAfterSeconds: Int = 1, watchesOnly: Bool = false,
    fraction: Double = 1
  ) {
    self.status = status
    self.remaining = count
    self.method = method
    self.pathPrefix = pathPrefix
    self.user = user
    self.retryAfterSeconds = retryAfterSeconds
    self.watchesOnly = watchesOnly
    self.fraction = min(1, max(0, fraction))
  }

  func matches(method: String, path: String, user: String, isWatch: Bool) -> Bool {
    guard remaining > 0, isWatch || !watchesOnly, self.user.map({ $0 == user }) ?? true else {
      return false
    }
    if let methods = self.method,
      !methods.split(separator: ",").contains(where: { $0.uppercased() == method })
    {
      return false
    }
    return pathPrefix.map { path.hasPrefix($0) } ?? true
  }

  /// Counts a matching request; true when it is one of the `fraction` to fail.
  mutating func fires() -> Bool {
    matched += 1
    let due = Int((Double(matched) * fraction).rounded(.down))
    let before = Int((Double(matched - 1) * fraction).rounded(.down))
    return due > before
  }

  var error: APIStatus {
    let (reason, message): (String, String) =
      switch status {
      case 409:
        (
          "Conflict",
          "Operation cannot be fulfilled: the object has been modified; "
            + "please apply your changes to the latest version and try again"
        )
      case 401: ("Unauthorized", "Unauthorized")
      case 403: ("Forbidden", "forbidden: the request is not allowed (injected fault)")
      case 404: ("NotFound", "the server could not find the requested resource (injected fault)")
      case 410: ("Expired", "too old resource version (injected fault)")
      case 429: ("TooManyRequests", "Too many requests, please try again later.")
      case 503: ("ServiceUnavailable", "The server is currently unable to handle the request")
      case 504: ("Timeout", "The server was unable to return a response in the time allotted")
      default: ("InternalError", "Internal error occurred: injected fault")
      }
    // kube-apiserver asks a client to come back later only when waiting can help.
    guard status == 429 || status >= 500 else {
      return APIStatus(code: status, reason: reason, message: message)
    }
    return APIStatus(
      code: status, reason: reason, message: message,
      details: ["retryAfterSeconds": .int(Int64(retryAfterSeconds))],
      retryAfterSeconds: retryAfterSeconds)
  }
}

/// What fault injection has done so far: the faults clients actually met, for a test
/// harness's report.
public struct FaultTally: Sendable, Equatable {
  /// Requests answered with an injected error, by HTTP status.
  public var answered: [Int: Int] = [:]
  /// Of those, watches (a 410 here is an expired watch).
  public var answeredWatches: [Int: Int] = [:]
  /// Watches ended by ``KubeAPIServer/dropWatches(abruptly:)`` or a restart.
  public var watchesDropped = 0
  /// Times the watch history was trimmed.
  public var historyTrims = 0
  /// Restarts, by mode.
  public var restarts: [RestartMode: Int] = [:]

  public init() {}
}

/// Fault rules, latency, what they did, and the request log, shared by all connections.
final class FaultState: Sendable {
  private struct State {
    var rules: [FaultRule] = []
    var latency: Duration = .zero
    var requests: [RecordedRequest] = []
    var tally = FaultTally()
  }

  private let state = NIOLockedValueBox(State())

  func add(_ rule: FaultRule) {
    state.withLockedValue { $0.rules.append(rule) }
  }

  func clear() {
    state.withLockedValue {
      $0.rules = []
      $0.latency = .zero
    }
  }

  var latency: Duration {
    get { state.withLockedValue { $0.latency } }
    set { state.withLockedValue { $0.latency = newValue } }
  }

  var rules: [FaultRule] { state.withLockedValue { $0.rules.filter { $0.remaining > 0 } } }

  /// The error to answer instead of serving: the first matching rule whose fraction says
  /// this request fails uses up one of its count.
  func takeFault(method: String, path: String, user: String, isWatch: Bool) -> APIStatus? {
    state.withLockedValue { state in
      for index in state.rules.indices
      where state.rules[index].matches(method: method, path: path, user: user, isWatch: isWatch) {
        guard state.rules[index].fires() else { continue }
        state.rules[index].remaining -= 1
        let error = state.rules[index].error
        if state.rules[index].remaining == 0 { state.rules.remove(at: index) }
        state.tally.answered[error.code, default: 0] += 1
        if isWatch { state.tally.answeredWatches[error.code, default: 0] += 1 }
        return error
      }
      return nil
    }
  }

  var tally: FaultTally { state.withLockedValue { $0.tally } }

  func count(_ change: (inout FaultTally) -> Void) {
    state.withLockedValue { change(&$0.tally) }
  }

  func record(_ request: RecordedRequest) {
    state.withLockedValue { $0.requests.append(request) }
  }

  var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

  func clearRequests() {
    state.withLockedValue { $0.requests = [] }
  }
}
