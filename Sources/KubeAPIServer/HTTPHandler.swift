import KubeModel
import NIOCore
import NIOHTTP1
import NIOSSL
import SyncValue

/// A request as the router sees it.
struct Request {
  var method: String
  var path: String
  var rawQuery: String
  var query: [String: String]
  var headers: HTTPHeaders
  var body: [UInt8]
  var user: String

  var contentType: String {
    headers.first(name: "content-type")?.split(separator: ";").first.map {
      String($0).trimmingSpaces().lowercased()
    } ?? ""
  }

  /// A boolean query parameter as Kubernetes reads them: `1` and `true`.
  func flag(_ name: String) -> Bool {
    query[name] == "1" || query[name] == "true"
  }
}

/// What a route answers.
enum Response {
  case json(status: Int, body: Value, contentType: String = "application/json")
  case text(status: Int, body: String)
  /// Bytes in another encoding (the protobuf `/openapi/v2`).
  case bytes(status: Int, body: [UInt8], contentType: String)
  case watch(WatchPlan)

  static func ok(_ body: Value) -> Response { .json(status: 200, body: body) }
}

/// A watch to start on the connection.
struct WatchPlan {
  var filter: WatchFilter
  var fromRevision: Int64?
  var initialEvents: Bool
  var bookmarks: Bool
  var timeout: Duration?
}

/// Serves one connection: authenticates, injects faults, routes, and streams watches.
///
/// Runs on the connection's event loop; the store calls back into it through
/// `NIOLoopBound`, so all of its state stays on that loop.
final class HTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let server: KubeAPIServer
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []
  private var context: ChannelHandlerContext?
  private var watchID: Int?
  private var watchTasks: [Scheduled<Void>] = []
  private var bookmarkTask: RepeatedTask?
  private var keepAlive = true

  init(server: KubeAPIServer) {
    self.server = server
  }

  func handlerAdded(context: ChannelHandlerContext) {
    self.context = context
  }

  func channelInactive(context: ChannelHandlerContext) {
    stopWatch()
    context.fireChannelInactive()
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let head):
      self.head = head
      body = []
    case .body(let buffer):
      body.append(contentsOf: buffer.readableBytesView)
    case .end:
      guard let head else { return }
      self.head = nil
      keepAlive = head.isKeepAlive
      receive(head, body: body, context: context)
    }
  }

  private func receive(_ head: HTTPRequestHead, body: [UInt8], context: ChannelHandlerContext) {
    let (path, rawQuery) = splitURI(head.uri)
    var request = Request(
      method: head.method.rawValue, path: path, rawQuery: rawQuery,
      query: parseQuery(rawQuery), headers: head.headers, body: body, user: "system:anonymous")
    if path.hasPrefix("/_admin/") {
      respond(server.admin(request), request: request, record: false)
      return
    }
    switch authenticate(head.headers, context: context) {
    case .failure(let error):
      respond(.failure(error), request: request)
      return
    case .success(let user):
      request.user = user
    }
    // Every user may ask what it may do (kube-apiserver's system:basic-user role).
    if request.method != "GET", server.configuration.readOnlyUsers.contains(request.user),
      !path.hasSuffix("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    {
      let resource = path.split(separator: "/").last.map(String.init) ?? path
      respond(
        .failure(
          .forbidden(user: request.user, verb: request.method.lowercased(), resource: resource)),
        request: request)
      return
    }
    let isWatch = request.flag("watch")
    if let fault = server.faults.takeFault(
      method: request.method, path: path, user: request.user, isWatch: isWatch)
    {
      if isWatch, fault.code == 410, !server.configuration.expiredWatchesGetHTTPStatus {
        refuseWatch(fault) { self.record(request, status: $0) }
      } else {
        respond(.failure(fault), request: request)
      }
      return
    }
    let latency = server.faults.latency
    if latency > .zero {
      let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
      let sendableRequest = UncheckedBox(request)
      context.eventLoop.scheduleTask(in: .nanoseconds(Int64(latency.nanoseconds))) {
        bound.value.serve(sendableRequest.value)
      }
    } else {
      serve(request)
    }
  }

  private func serve(_ request: Request) {
    let result: Result<Response, APIStatus>
    do {
      result = .success(try server.route(request))
    } catch {
      result = .failure(error)
    }
    respond(result, request: request)
  }

  private func authenticate(
    _ headers: HTTPHeaders, context: ChannelHandlerContext
  ) -> Result<String, APIStatus> {
    if let authorization = headers.first(name: "authorization") {
      let parts = authorization.split(separator: " ", maxSplits: 1)
      guard parts.count == 2, parts[0].lowercased() == "bearer",
        let user = server.configuration.tokens[String(parts[1]).trimmingSpaces()]
      else { return .failure(.unauthorized) }
      return .success(user)
    }
    if server.sslContext != nil,
      let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
      let certificate = handler.peerCertificate, let name = commonName(of: certificate)
    {
      return .success(name)
    }
    return server.configuration.allowAnonymous
      ? .success("system:anonymous") : .failure(.unauthorized)
  }

  private func respond(_ result: Result<Response, APIStatus>, request: Request, record: Bool = true)
  {
    guard let context else { return }
    let response: Response
    var extraHeaders: [(String, String)] = []
    switch result {
    case .success(let success): response = success
    case .failure(let error):
      response = .json(status: error.code, body: error.body)
      if let seconds = error.retryAfterSeconds {
        extraHeaders.append(("Retry-After", String(seconds)))
      }
    }
    // Logged before the answer is written, so a client that has its answer finds its
    // request in the log.
    let log = { (status: Int) in
      if record { self.record(request, status: status) }
    }
    switch response {
    case .json(let code, let body, let contentType):
      var writer = JSONWriter(style: .compact, reservingCapacity: 4096)
      writer.write(body)
      writer.newline()
      let buffer = writer.withBytes { context.channel.allocator.buffer(bytes: $0) }
      log(code)
      writeFull(status: code, contentType: contentType, buffer, extraHeaders: extraHeaders)
    case .text(let code, let text):
      log(code)
      writeFull(
        status: code, contentType: "text/plain; charset=utf-8",
        context.channel.allocator.buffer(string: text), extraHeaders: extraHeaders)
    case .bytes(let code, let bytes, let contentType):
      log(code)
      writeFull(
        status: code, contentType: contentType, context.channel.allocator.buffer(bytes: bytes),
        extraHeaders: extraHeaders)
    case .watch(let plan):
      startWatch(plan, log: log)
    }
  }

  private func record(_ request: Request, status: Int) {
    server.faults.record(
      RecordedRequest(
        method: request.method, path: request.path, query: request.rawQuery,
        contentType: request.headers.first(name: "content-type"), user: request.user,
        status: status))
  }

  private func writeFull(
    status: Int, contentType: String, _ buffer: ByteBuffer, extraHeaders: [(String, String)]
  ) {
    guard let context else { return }
    var headers = HTTPHeaders([
      ("Content-Type", contentType), ("Content-Length", String(buffer.readableBytes)),
      ("Cache-Control", "no-cache, private"),
    ])
    headers.add(contentsOf: extraHeaders)
    if !keepAlive { headers.add(name: "Connection", value: "close") }
    let head = HTTPResponseHead(
      version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
    context.write(wrapOutboundOut(.head(head)), promise: nil)
    context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    let keepAlive = self.keepAlive
    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete {
      [channel = context.channel] _ in
      if !keepAlive { channel.close(promise: nil) }
    }
  }

  // MARK: Watch

  /// A watch's answer: 200, streamed in chunks.
  private static let watchHead = HTTPResponseHead(
    version: .http1_1, status: .ok,
    headers: HTTPHeaders([
      ("Content-Type", "application/json"), ("Transfer-Encoding", "chunked"),
      ("Cache-Control", "no-cache, private"),
    ]))

  /// Starts streaming; `log` records the request with the status answered.
  private func startWatch(_ plan: WatchPlan, log: (Int) -> Void) {
    guard let context else { return }
    let loop = context.eventLoop
    let bound = NIOLoopBound(self, eventLoop: loop)
    let watcher = Watcher(
      filter: plan.filter,
      deliver: { event in loop.execute { bound.value.send(event) } },
      close: { abruptly in loop.execute { bound.value.endWatch(abruptly: abruptly) } })
    let head = Self.watchHead
    // Registering and writing the head happen in one event-loop turn, so events the store
    // hands over meanwhile (queued on this loop) follow the head and the initial events.
    do {
      let started = try server.store.watch(
        watcher, fromRevision: plan.fromRevision, initialEvents: plan.initialEvents)
      log(200)
      context.write(wrapOutboundOut(.head(head)), promise: nil)
      watchID = started.id
      for event in started.events { send(event, flush: false) }
      context.flush()
    } catch {
      // A resume from trimmed history. kube-apiserver's watch cache answers 200 and then
      // an ERROR event carrying a 410 Expired Status; older paths answer 410 outright.
      if server.configuration.expiredWatchesGetHTTPStatus {
        let buffer = context.channel.allocator.buffer(string: JSON.serialize(error.body) + "\n")
        log(error.code)
        writeFull(status: error.code, contentType: "application/json", buffer, extraHeaders: [])
        return
      }
      refuseWatch(error, log: log)
      return
    }
    if plan.bookmarks {
      let interval = TimeAmount.nanoseconds(
        Int64(server.configuration.bookmarkInterval.nanoseconds))
      let resource = plan.filter.resource
      let store = server.store
      bookmarkTask = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in
        bound.value.send(store.currentBookmark(for: resource))
      }
    }
    if let timeout = plan.timeout {
      watchTasks.append(
        loop.scheduleTask(in: .nanoseconds(Int64(timeout.nanoseconds))) {
          bound.value.endWatch(abruptly: false)
        })
    }
  }

  /// Starts a watch stream that carries only an `ERROR` frame with `error`'s Status, as
  /// kube-apiserver's watch cache refuses a resourceVersion it no longer has.
  private func refuseWatch(_ error: APIStatus, log: (Int) -> Void) {
    guard let context else { return }
    log(200)
    context.write(wrapOutboundOut(.head(Self.watchHead)), promise: nil)
    send(
      WatchFrame(type: "ERROR", storageKey: "", namespace: "", revision: 0, object: error.body))
    finishStream()
  }

  private func send(_ event: WatchFrame, flush: Bool = true) {
    guard let context, watchID != nil || event.type == "ERROR" else { return }
    var writer = JSONWriter(style: .compact, reservingCapacity: 1024)
    writer.write(["type": .string(event.type), "object": event.object])
    writer.newline()
    let buffer = writer.withBytes { context.channel.allocator.buffer(bytes: $0) }
    if flush {
      context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    } else {
      context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
    }
  }

  private func endWatch(abruptly: Bool) {
    guard watchID != nil else { return }
    stopWatch()
    if abruptly {
      context?.close(promise: nil)
    } else {
      finishStream()
    }
  }

  private func finishStream() {
    guard let context else { return }
    let keepAlive = self.keepAlive
    context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete {
      [channel = context.channel] _ in
      if !keepAlive { channel.close(promise: nil) }
    }
  }

  private func stopWatch() {
    if let watchID { server.store.unwatch(watchID) }
    watchID = nil
    bookmarkTask?.cancel()
    bookmarkTask = nil
    for task in watchTasks { task.cancel() }
    watchTasks = []
  }
}

/// Moves a value that stays on one event loop across a `@Sendable` boundary.
struct UncheckedBox<Wrapped>: @unchecked Sendable {
  var value: Wrapped
  init(_ value: Wrapped) { self.value = value }
}

func splitURI(_ uri: String) -> (path: String, query: String) {
  guard let mark = uri.firstIndex(of: "?") else { return (percentDecoded(uri), "") }
  return (percentDecoded(String(uri[..<mark])), String(uri[uri.index(after: mark)...]))
}

func parseQuery(_ query: String) -> [String: String] {
  var result: [String: String] = [:]
  for pair in query.split(separator: "&") {
    let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    let key = percentDecoded(String(parts[0]))
    if result[key] == nil {
      result[key] = parts.count > 1 ? percentDecoded(String(parts[1])) : ""
    }
  }
  return result
}

func percentDecoded(_ text: String) -> String {
  guard text.contains("%") || text.contains("+") else { return text }
  var bytes: [UInt8] = []
  var iterator = Array(text.utf8).makeIterator()
  while let byte = iterator.next() {
    if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
    {
      bytes.append(value)
    } else if byte == UInt8(ascii: "+") {
      bytes.append(UInt8(ascii: " "))
    } else {
      bytes.append(byte)
    }
  }
  return String(decoding: bytes, as: UTF8.self)
}

extension Duration {
  var nanoseconds: Int64 {
    let (seconds, attoseconds) = components
    return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
  }
}
