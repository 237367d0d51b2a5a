import NIOCore
import NIOHTTP1
import NIOPosix

/// Serves `/metrics` (Prometheus text format), `/healthz` and `/readyz` for the loop.
///
/// `/healthz` answers 200 while the process runs; `/readyz` answers 200 once the first
/// full sync has completed and 503 before, so a rollout waits for a warm standby loop.
public final class HealthServer: Sendable {
  private let channel: any Channel
  private let group: MultiThreadedEventLoopGroup
  /// The port bound (useful with port 0).
  public let port: Int

  private init(channel: any Channel, group: MultiThreadedEventLoopGroup) {
    self.channel = channel
    self.group = group
    self.port = channel.localAddress?.port ?? 0
  }

  /// Binds `host:port` and starts serving.
  public static func start(
    host: String, port: Int, metrics: SyncMetrics, isReady: @escaping @Sendable () async -> Bool
  ) async throws -> HealthServer {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let bootstrap = ServerBootstrap(group: group)
      .serverChannelOption(.backlog, value: 64)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .childChannelInitializer { channel in
        channel.pipeline.configureHTTPServerPipeline().flatMap {
          channel.pipeline.addHandler(Handler(metrics: metrics, isReady: isReady))
        }
      }
    do {
      let channel = try await bootstrap.bind(host: host, port: port).get()
      return HealthServer(channel: channel, group: group)
    } catch {
      try? await group.shutdownGracefully()
      throw error
    }
  }

  public func shutdown() async {
    try? await channel.close()
    try? await group.shutdownGracefully()
  }

  private final class Handler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let metrics: SyncMetrics
    let isReady: @Sendable () async -> Bool

    init(metrics: SyncMetrics, isReady: @escaping @Sendable () async -> Bool) {
      self.metrics = metrics
      self.isReady = isReady
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      guard case .head(let head) = unwrapInboundIn(data) else { return }
      let path = head.uri.split(separator: "?").first.map(String.init) ?? head.uri
      let keepAlive = head.isKeepAlive
      let version = head.version
      let metrics = self.metrics
      let isReady = self.isReady
      let loop = context.eventLoop
      let bound = NIOLoopBound(context, eventLoop: loop)
      loop.makeFutureWithTask { () async -> (HTTPResponseStatus, String, String) in
        switch path {
        case "/metrics":
          return (.ok, "text/plain; version=0.0.4; charset=utf-8", metrics.exposition())
        case "/healthz":
          return (.ok, "text/plain", "ok\n")
        case "/readyz":
          return await isReady()
            ? (.ok, "text/plain", "ok\n")
            : (.serviceUnavailable, "text/plain", "initial sync in progress\n")
        default:
          return (.notFound, "text/plain", "not found: try /metrics, /healthz or /readyz\n")
        }
      }.whenSuccess { status, contentType, body in
        let context = bound.value
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.utf8.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: version, status: status, headers: headers)
        context.write(NIOAny(HTTPServerResponsePart.head(response)), promise: nil)
        let buffer = context.channel.allocator.buffer(string: body)
        context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
        if !keepAlive { done.whenComplete { _ in bound.value.close(promise: nil) } }
      }
    }
  }
}
