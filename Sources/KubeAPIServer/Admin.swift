import SyncValue

extension KubeAPIServer {
  /// `/_admin/…`: fault injection and the request log over HTTP, for the executable.
  ///
  /// Not authenticated, not logged and never faulted, so a test harness can always reach
  /// it; the server only listens on 127.0.0.1.
  /// - `POST /_admin/fail?count=N&status=429&method=GET&path=/apis/apps&retryAfter=1`
  /// - `POST /_admin/latency?ms=200`
  /// - `POST /_admin/drop-watches[?abrupt=true]`
  /// - `POST /_admin/trim-history`
  /// - `POST /_admin/clear-faults`
  /// - `POST /_admin/restart?mode=keep|history|objects` (answers, then restarts)
  /// - `GET /_admin/requests`, `DELETE /_admin/requests`
  func admin(_ request: Request) -> Result<Response, APIError> {
    let action = String(request.path.dropFirst("/_admin/".count))
    let done = Response.ok(successStatus())
    switch (request.method, action) {
    case ("POST", "fail"):
      failNextRequests(
        request.query["count"].flatMap(Int.init) ?? 1,
        status: request.query["status"].flatMap(Int.init) ?? 429,
        method: request.query["method"], pathPrefix: request.query["path"],
        retryAfterSeconds: request.query["retryAfter"].flatMap(Int.init) ?? 1)
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
      let mode: RestartMode =
        switch request.query["mode"] {
        case "history": .losingHistory
        case "objects": .losingObjects
        default: .keepingState
        }
      Task { [self] in
        try? await Task.sleep(for: .milliseconds(50))
        try? await restart(mode)
      }
      return .success(.json(status: 202, body: successStatus()))
    case ("GET", "requests"):
      let entries = requests.map { entry -> Value in
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
}
