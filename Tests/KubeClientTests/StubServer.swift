import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A request as the stub saw it.
struct StubRequest: Sendable {
  var method: String
  var uri: String
  var headers: HTTPHeaders
  var body: [UInt8]

  var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

  /// Query parameters, percent-decoded.
  var query: [String: String] {
    guard let part = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
    var result: [String: String] = [:]
    for pair in part.split(separator: "&") {
      let kv = pair.split(separator: "=", maxSplits: 1).map {
        String($0).removingPercentEncoding ?? String($0)
      }
      result[kv[0]] = kv.count > 1 ? kv[1] : ""
    }
    return result
  }
}

/// What the stub answers.
enum StubResponse: Sendable {
  case full(status: Int, headers: [(String, String)], body: String)
  /// A chunked body written piece by piece, each after its delay (ms); then the response
  /// ends properly, or the connection is cut when `drop` is true.
  case stream(status: Int, chunks: [(delayMs: Int, text: String)], drop: Bool)

  static func json(_ body: String, status: Int = 200) -> StubResponse {
    .full(status: status, headers: [("Content-Type", "application/json")], body: body)
  }

  static func status(_ code: Int, reason: String, message: String = "") -> StubResponse {
    .json(
      #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"\#(message)","#
        + #""reason":"\#(reason)","code":\#(code)}"#, status: code)
  }
}

/// A tiny HTTP/1.1 server on 127.0.0.1 whose answers a test scripts.
final class StubServer: Sendable {
  let port: Int
  private let channel: any Channel
  private let log = NIOLockedValueBox<[StubRequest]>([])

  var requests: [StubRequest] { log.withLockedValue { $0 } }

  init(
    tls: NIOSSLContext? = nil,
    _ respond: @escaping @Sendable (StubRequest) -> StubResponse
  ) async throws {
    let log = self.log
    channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          if let tls {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
          }
          try channel.pipeline.syncOperations.configureHTTPServerPipeline()
          try channel.pipeline.syncOperations.addHandler(StubHandler(log: log, respond: respond))
        }
      }
      .bind(host: "127.0.0.1", port: 0).get()
    port = channel.localAddress?.port ?? 0
  }

  var url: String { "http://127.0.0.1:\(port)" }

  func stop() async throws {
    try await channel.close()
  }
}

private final class StubHandler: ChannelInboundHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPServerRequestPart
  typealias OutboundOut = HTTPServerResponsePart

  private let log: NIOLockedValueBox<[StubRequest]>
  private let respond: @Sendable (StubRequest) -> StubResponse
  private var head: HTTPRequestHead?
  private var body: [UInt8] = []

  init(
    log: NIOLockedValueBox<[StubRequest]>,
    respond: @escaping @Sendable (StubRequest) -> StubResponse
  ) {
    self.log = log
    self.respond = respond
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    switch unwrapInboundIn(data) {
    case .head(let requestHead):
      head = requestHead
      body = []
    case .body(let buffer):
      body.append(contentsOf: buffer.readableBytesView)
    case .end:
      guard let head else { return }
      let request = StubRequest(
        method: head.method.rawValue, uri: head.uri, headers: head.headers, body: body)
      log.withLockedValue { $0.append(request) }
      answer(respond(request), context: context)
    }
  }

  private func answer(_ response: StubResponse, context: ChannelHandlerContext) {
    switch response {
    case .full(let status, let headers, let text):
      var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status))
      for (name, value) in headers { head.headers.add(name: name, value: value) }
      head.headers.add(name: "Content-Length", value: String(text.utf8.count))
      context.write(wrapOutboundOut(.head(head)), promise: nil)
      context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
      context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    case .stream(let status, let chunks, let drop):
      var head = HTTPResponseHead(version: .http1_1, status: .init(statusCode: status))
      head.headers.add(name: "Content-Type", value: "application/json")
      head.headers.add(name: "Transfer-Encoding", value: "chunked")
      context.writeAndFlush(wrapOutboundOut(.head(head)), promise: nil)
      let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
      var delay = 0
      for chunk in chunks {
        delay += chunk.delayMs
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay))) {
          let (handler, context) = bound.value
          let part = HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: chunk.text)))
          context.writeAndFlush(handler.wrapOutboundOut(part), promise: nil)
        }
      }
      // Give the client time to read the last chunk: AHC fails a body stream as soon as
      // the connection breaks, dropping parts it received but had not handed out yet.
      // A whole second, because with the test suite's other work on two cores 100 ms was
      // once not enough (the reflector then resumed before the bookmark, again and again).
      context.eventLoop.scheduleTask(in: .milliseconds(Int64(delay + (drop ? 1000 : 5)))) {
        let (handler, context) = bound.value
        if drop {
          context.close(promise: nil)
        } else {
          context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
        }
      }
    }
  }
}
