import KubeModel
import SyncValue

extension KubeAPIServer {
  /// `/_admin/…`: fault injection and the request log over HTTP, for the executable.
  ///
  /// Not authenticated, not logged and never faulted, so a test harness can always reach
  /// it; the server only listens on 127.0.0.1.
  /// - `POST /_admin/fail?count=N&status=429&method=GET,PATCH&path=/apis/apps&retryAfter=1`
  ///   `[&fraction=0.1][&watch=true][&user=U]` (`user`: only that user's requests)
  /// - `POST /_admin/latency?ms=200`
  /// - `POST /_admin/drop-watches[?abrupt=true]`
  /// - `POST /_admin/trim-history`
  /// - `POST /_admin/clear-faults`
  /// - `POST /_admin/restart?mode=keep|history|objects[&downtimeMs=N]` (answers, then
  ///   restarts)
  /// - `GET /_admin/faults`: what the faults did so far, and what is pending
  /// - `GET /_admin/requests[?user=U][&writes=true]`, `DELETE /_admin/requests`
  func admin(_ request: Request) -> Result<Response, APIStatus> {
    let action = String(request.path.dropFirst("/_admin/".count))
    let done = Response.ok(successStatus())
    switch (request.method, action) {
    case ("POST", "fail"):
      failNextRequests(
        request.query["count"].flatMap(Int.init) ?? 1,
        status: request.query["status"].flatMap(Int.init) ?? 429,
        method: request.query["method"], pathPrefix: request.query["path"],
        user: request.query["user"],
        retryAfterSeconds: request.query["retryAfter"].flatMap(Int.init) ?? 1,
        watchesOnly: request.flag("watch"),
        fraction: request.query["fraction"].flatMap(Double.init) ?? 1)
      return .success(done)
    case ("POST", "latency"):
      latency = .milliseconds(request.query["ms"].flatMap(Int.init) ?? 0)
      return .success(done)
    case ("POST", "drop-watches"):
      dropWatches(abruptly: request.flag("abrupt"))
      return .success(done)
    case ("POST", "trim-history"):
      trimWatchHistory()
      return .success(done)
    case ("POST", "clear-faults"):
      clearFaults()
      return .success(done)
    case ("POST", "restart"):
      let mode = RestartMode(adminName: request.query["mode"] ?? "keep") ?? .keepingState
      let downtime = Duration.milliseconds(request.query["downtimeMs"].flatMap(Int.init) ?? 0)
      Task { [self] in
        try? await Task.sleep(for: .milliseconds(50))
        try? await restart(mode, downtime: downtime)
      }
      return .success(.json(status: 202, body: successStatus()))
    case ("GET", "faults"):
      return .success(.ok(faultReport))
    case ("GET", "requests"):
      let user = request.query["user"]
      let writesOnly = request.flag("writes")
      let entries = requests.filter { entry in
        (user.map { entry.user == $0 } ?? true) && (!writesOnly || entry.isWrite)
      }.map { entry -> Value in
        [
          "method": .string(entry.method), "path": .string(entry.path),
          "query": .string(entry.query),
          "contentType": entry.contentType.map(Value.string) ?? .null,
          "user": .string(entry.user), "status": .int(Int64(entry.status)),
        ]
      }
      return .success(.ok(.array(entries)))
    case ("DELETE", "requests"):
      clearRequests()
      return .success(done)
    default:
      return .failure(.notFound(path: request.path))
    }
  }

  /// `GET /_admin/faults`: the tally as JSON (status codes as strings, since they are
  /// object keys), the latency and the rules still pending.
  private var faultReport: Value {
    let tally = faultTally
    func byStatus(_ counts: [Int: Int]) -> Value {
      .object(
        ObjectValue(
          members: counts.sorted { $0.key < $1.key }.map {
            Member(key: String($0.key), value: .int(Int64($0.value)))
          }))
    }
    let restarts = RestartMode.allCases.compactMap { mode -> Member? in
      tally.restarts[mode].map { Member(key: mode.adminName, value: .int(Int64($0))) }
    }
    let pending = faults.rules.map { rule -> Value in
      [
        "status": .int(Int64(rule.status)), "remaining": .int(Int64(rule.remaining)),
        "method": rule.method.map(Value.string) ?? .null,
        "path": rule.pathPrefix.map(Value.string) ?? .null,
        "user": rule.user.map(Value.string) ?? .null,
        "watch": .bool(rule.watchesOnly), "fraction": .double(rule.fraction),
      ]
    }
    return [
      "answered": byStatus(tally.answered), "answeredWatches": byStatus(tally.answeredWatches),
      "watchesDropped": .int(Int64(tally.watchesDropped)),
      "historyTrims": .int(Int64(tally.historyTrims)),
      "restarts": .object(ObjectValue(members: restarts)),
      "latencyMs": .int(latency.nanoseconds / 1_000_000), "pending": .array(pending),
    ]
  }
}

extension RestartMode: CaseIterable {
  public static let allCases: [RestartMode] = [.keepingState, .losingHistory, .losingObjects]

  /// The `mode` of `POST /_admin/restart`.
  var adminName: String {
    switch self {
    case .keepingState: "keep"
    case .losingHistory: "history"
    case .losingObjects: "objects"
    }
  }

  init?(adminName: String) {
    guard let mode = Self.allCases.first(where: { $0.adminName == adminName }) else {
      return nil
    }
    self = mode
  }
}
