import KubeAPIServer
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// The test server's restart as a client sees it: like a dying API server, it cuts every
/// connection at once, so it is over once its downtime is.
@Suite struct ServerRestartTests {
  /// Passes bytes from the socket on to TLS until shut, then drops them: the client stops
  /// reading, as an idle kept-alive connection does (Python's http.client, a pooled
  /// connection nobody uses), so it never answers the server's TLS close_notify.
  final class ReadGate: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let isShut = NIOLockedValueBox(false)

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      if !isShut.withLockedValue({ $0 }) { context.fireChannelRead(data) }
    }
  }

  /// Completes a promise with the first bytes the server answers.
  final class FirstAnswer: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let answered: EventLoopPromise<Void>

    init(_ answered: EventLoopPromise<Void>) { self.answered = answered }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
      answered.succeed()
    }
  }

  /// An idle kept-alive TLS connection whose client has stopped reading.
  static func idleConnection(to port: Int, group: EventLoopGroup, context: NIOSSLContext)
    async throws -> Channel
  {
    let gate = ReadGate()
    let answered = group.next().makePromise(of: Void.self)
    let channel = try await ClientBootstrap(group: group)
      .channelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
          try channel.pipeline.syncOperations.addHandlers([
            gate, try NIOSSLClientHandler(context: context, serverHostname: nil),
            FirstAnswer(answered),
          ])
        }
      }
      .connect(host: "127.0.0.1", port: port).get()
    // One request answered: the handshake is done and the connection is kept alive.
    try await channel.writeAndFlush(
      ByteBuffer(string: "GET /version HTTP/1.1\r\nHost: test\r\n\r\n"))
    try await answered.futureResult.get()
    gate.isShut.withLockedValue { $0 = true }
    return channel
  }

  @Test func aRestartDoesNotWaitForIdleTLSClientsToAnswerItsShutdown() async throws {
    let server = try await KubeAPIServer.start(.init(tls: true))
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    var configuration = TLSConfiguration.makeClientConfiguration()
    configuration.certificateVerification = .none
    let context = try NIOSSLContext(configuration: configuration)
    var channels: [Channel] = []
    for _ in 0..<25 {
      channels.append(
        try await Self.idleConnection(to: server.port, group: group, context: context))
    }

    let started = ContinuousClock.now
    try await server.restart(.keepingState, downtime: .milliseconds(300))
    let took = ContinuousClock.now - started
    #expect(took < .seconds(2), "a restart with 300 ms of downtime took \(took)")

    for channel in channels { try? await channel.close() }
    await server.shutdown()
    try await group.shutdownGracefully()
  }
}
