import NIOConcurrencyHelpers

/// Requests to answer with an error instead of serving them.
public struct FaultRule: Sendable, Equatable {
  /// The HTTP status to answer: 429 (TooManyRequests), 500 (InternalError), 503, 504…
  public var status: Int
  /// How many more matching requests get it.
  public var remaining: Int
  /// Only this method (GET, PATCH, …) matches; nil matches any.
  public var method: String?
  /// Only paths starting with this match; nil matches any.
  public var pathPrefix: String?
  /// Sent as `Retry-After` and in the Status' `details.retryAfterSeconds`.
  public var retryAfterSeconds: Int

  /// Creates a rule for the next `count` matching requests.
  public init(
    status: Int, count: Int, method: String? = nil, pathPrefix: String? = nil,
    retryAfterSeconds: Int = 1
  ) {
    self.status = status
    self.remaining = count
    self.method = method
    self.pathPrefix = pathPrefix
    self.retryAfterSeconds = retryAfterSeconds
  }

  func matches(method: String, path: String) -> Bool {
    remaining > 0 && (self.method.map { $0 == method } ?? true)
      && (pathPrefix.map { path.hasPrefix($0) } ?? true)
  }

  var error: APIError {
    let (reason, message): (String, String) =
      switch status {
      case 429: ("TooManyRequests", "Too many requests, please try again later.")
      case 503: ("ServiceUnavailable", "The server is currently unable to handle the request")
      case 504: ("Timeout", "The server was unable to return a response in the time allotted")
      default: ("InternalError", "Internal error occurred: injected fault")
      }
    return APIError(
      code: status, reason: reason, message: message,
      details: ["retryAfterSeconds": .int(Int64(retryAfterSeconds))],
      retryAfterSeconds: retryAfterSeconds)
  }
}

/// Fault rules, latency and the request log, shared by all connections.
final class FaultState: Sendable {
  private struct State {
    var rules: [FaultRule] = []
    var latency: Duration = .zero
    var requests: [RecordedRequest] = []
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

  /// The error to answer instead of serving, using up one of the first matching rule.
  func takeFault(method: String, path: String) -> APIError? {
    state.withLockedValue { state in
      guard let index = state.rules.firstIndex(where: { $0.matches(method: method, path: path) })
      else { return nil }
      state.rules[index].remaining -= 1
      let error = state.rules[index].error
      if state.rules[index].remaining == 0 { state.rules.remove(at: index) }
      return error
    }
  }

  func record(_ request: RecordedRequest) {
    state.withLockedValue { $0.requests.append(request) }
  }

  var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

  func clearRequests() {
    state.withLockedValue { $0.requests = [] }
  }
}
