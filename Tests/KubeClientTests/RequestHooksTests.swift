import Foundation
import KubeModel
import NIOConcurrencyHelpers
import Testing

@testable import KubeClient

/// The request observer and the write gate are called for every request, for as long as
/// the client lives: neither may cost more the thousandth time than the first.
@Suite struct RequestHooksTests {
  /// How deep the stack is where a hook runs, one entry per call.
  final class Depths: Sendable {
    private let seen = NIOLockedValueBox<[Int]>([])

    func record() { seen.withLockedValue { $0.append(Thread.callStackSymbols.count) } }

    var all: [Int] { seen.withLockedValue { $0 } }
  }

  /// Reading a bare closure out of the lock box once re-wrapped it in two thunks per
  /// request, until a long-running loop overflowed its stack: the hooks' stacks must stay
  /// as deep as they were at the first request.
  @Test func hooksRunAtTheSameDepthEveryTime() async throws {
    let observed = Depths()
    let gated = Depths()
    let requests = 200
    try await withStub(respond: Responder { _ in .json(#"{"metadata":{"name":"web"}}"#) }) {
      client, _ in
      client.observeRequests { _, _, _, _ in observed.record() }
      client.gateWrites { _, _ in
        gated.record()
        return true
      }
      for _ in 0..<requests {
        try await client.delete(configMaps, namespace: "shop", name: "web")
      }
    }
    #expect(observed.all.count == requests)
    #expect(gated.all.count == requests)
    for depths in [observed.all, gated.all] {
      let first = try #require(depths.first)
      // A little slack for the executor's own frames; the fault added 400 by the end.
      #expect(depths.allSatisfy { abs($0 - first) < 20 }, "stack depths \(depths)")
    }
  }

  @Test func aClosedGateSendsNothing() async throws {
    let sent = NIOLockedValueBox(0)
    try await withStub(
      respond: Responder { _ in
        sent.withLockedValue { $0 += 1 }
        return .json("{}")
      }
    ) { client, _ in
      client.gateWrites { method, path in method == "DELETE" && path.hasSuffix("/allowed") }
      try await client.delete(configMaps, namespace: "shop", name: "allowed")
      do {
        try await client.delete(configMaps, namespace: "shop", name: "refused")
        Issue.record("the gate let a refused DELETE through")
      } catch {
        guard case KubeError.fenced(let method, let path) = error else {
          Issue.record("expected .fenced, got \(error)")
          return
        }
        #expect(method == "DELETE")
        #expect(path.hasSuffix("/configmaps/refused"))
      }
    }
    #expect(sent.withLockedValue { $0 } == 1)
  }
}
