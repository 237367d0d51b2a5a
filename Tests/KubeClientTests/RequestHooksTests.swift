import Foundation
import KubeModel
import NIOConcurrencyHelpers
import Testing

@testable import KubeClient

/// glibc's `backtrace(3)` (execinfo.h is not part of the Glibc module).
@_silgen_name("backtrace")
private func backtrace(_ buffer: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ size: Int32)
  -> Int32

/// The request observer and the write gate are called for every request, for as long as
/// the client lives: neither may cost more the thousandth time than the first.
@Suite struct RequestHooksTests {
  /// How deep the stack is where a hook runs, one entry per call.
  final class Depths: Sendable {
    private let seen = NIOLockedValueBox<[Int]>([])

    /// Return addresses only (`backtrace`): symbolicating every call, as
    /// `Thread.callStackSymbols` does, held a pool thread long enough to starve other tests.
    func record() {
      var frames = [UnsafeMutableRawPointer?](repeating: nil, count: 4096)
      let depth = Int(frames.withUnsafeMutableBufferPointer { backtrace($0.baseAddress, 4096) })
      seen.withLockedValue { $0.append(depth) }
    }

    var all: [Int] { seen.withLockedValue { $0 } }
  }

  /// Reading a bare closure out of the lock box once re-wrapped it in two thunks per
  /// request, until a long-running loop overflowed its stack: the hooks' stacks must stay
  /// as deep as they were at the first request.
  @Test func hooksRunAtTheSameDepthEveryTime() async throws {
    let observed = Depths()
    let gated = Depths()
    let requests = 50
    // Fifty round trips: in the full suite, where tests that wait for child processes
    // hold the two pool threads for seconds at a time, more than the usual 20 s.
    try await withStub(
      timeout: 120, respond: Responder { _ in .json(#"{"metadata":{"name":"web"}}"#) }
    ) { client, _ in
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
      // A little slack for the executor's own frames; the fault added 100 by the end.
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
