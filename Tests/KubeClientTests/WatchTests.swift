import Foundation
import KubeModel
import NIOConcurrencyHelpers
import SyncValue
import Testing

@testable import KubeClient

/// A watch body cut into pieces at awkward places: inside strings, keys and numbers.
func chunked(_ text: String, every size: Int) -> [(delayMs: Int, text: String)] {
  let bytes = Array(text.utf8)
  return stride(from: 0, to: bytes.count, by: size).map {
    (1, String(decoding: bytes[$0..<min($0 + size, bytes.count)], as: UTF8.self))
  }
}

func event(_ type: String, _ name: String, rv: String, extra: String = "") -> String {
  #"{"type":"\#(type)","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"\#(name)","#
    + #""namespace":"shop","resourceVersion":"\#(rv)"},"data":{"k":"{\"quoted\": [1]}\#(extra)"}}}"#
}

func bookmark(_ rv: String) -> String {
  #"{"type":"BOOKMARK","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"}}}"#
}

@Suite struct WatchTests {
  @Test func eventsAreParsedAcrossChunkBoundaries() async throws {
    let body =
      event("ADDED", "a", rv: "5") + event("MODIFIED", "a", rv: "6", extra: "\\n")
      + "\n" + bookmark("7") + "\n" + event("DELETED", "a", rv: "8")
    let events = try await withStub(
      respond: Responder { _ in
        .stream(status: 200, chunks: chunked(body, every: 7), drop: false)
      }
    ) { client, server in
      var options = WatchOptions(resourceVersion: "4")
      options.timeoutRange = 300...600
      var events: [WatchEvent] = []
      for try await event in client.watch(configMaps, namespace: "shop", options: options) {
        events.append(event)
      }
      let query = server.requests[0].query
      #expect(query["watch"] == "1")
      #expect(query["resourceVersion"] == "4")
      #expect(query["allowWatchBookmarks"] == "true")
      let timeout = Int(query["timeoutSeconds"] ?? "") ?? 0
      #expect((300...600).contains(timeout))
      return events
    }
    #expect(events.count == 4)
    #expect(events.map(\.resourceVersion) == ["5", "6", "7", "8"])
    if case .modified(let object) = events[1] {
      #expect(object["data"]?["k"] == "{\"quoted\": [1]}\n")
    } else {
      Issue.record("expected MODIFIED, got \(events[1])")
    }
    if case .deleted = events[3] {} else { Issue.record("expected DELETED") }
  }

  @Test func errorFrameWith410ThrowsExpired() async throws {
    let body =
      event("ADDED", "a", rv: "5")
      + #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","#
      + #""message":"too old resource version: 1 (5)","reason":"Expired","code":410}}"#
    try await withStub(
      respond: Responder { _ in
        .stream(status: 200, chunks: chunked(body, every: 50), drop: false)
      }
    ) { client, _ in
      var seen = 0
      do {
        for try await _ in client.watch(configMaps, options: WatchOptions(resourceVersion: "1")) {
          seen += 1
        }
        Issue.record("expected the watch to throw")
      } catch KubeError.expired(let status) {
        #expect(status.code == 410)
        #expect(status.message.contains("too old"))
      }
      #expect(seen == 1)
    }
  }

  @Test func httpGoneBeforeTheStreamAlsoThrowsExpired() async throws {
    try await withStub(respond: Responder { _ in .status(410, reason: "Gone") }) { client, _ in
      await #expect {
        for try await _ in client.watch(configMaps) {}
      } throws: { error in
        if case .expired = error as? KubeError { return true }
        return false
      }
    }
  }

  @Test func droppedConnectionThrowsTransportError() async throws {
    try await withStub(
      respond: Responder { _ in
        .stream(
          status: 200, chunks: [(1, event("ADDED", "a", rv: "5")), (1, "{\"type\":\"MOD")],
          drop: true
        )
      }
    ) { client, _ in
      var seen = 0
      await #expect(throws: KubeError.self) {
        for try await _ in client.watch(configMaps) { seen += 1 }
      }
      #expect(seen == 1)
    }
  }

  @Test func stoppingIterationClosesTheWatch() async throws {
    try await withStub(
      respond: Responder { _ in
        .stream(
          status: 200, chunks: [(1, event("ADDED", "a", rv: "5")), (30_000, bookmark("9"))],
          drop: false)
      }
    ) { client, _ in
      for try await event in client.watch(configMaps) {
        #expect(event.resourceVersion == "5")
        break
      }
    }
  }
}

@Suite struct ReflectorTests {
  static func fastOptions() -> Reflector.Options {
    var options = Reflector.Options()
    options.backoff = Backoff(
      initial: .milliseconds(10), maximum: .milliseconds(40), jitter: 0.5, resetAfter: .seconds(120)
    )
    options.minimumWatchDuration = .zero
    return options
  }

  @Test func listsWatchesResumesAfterDropAndRelistsAfter410() async throws {
    let step = NIOLockedValueBox(0)
    let collected = try await withStub(
      respond: Responder { request in
        if request.query["watch"] == nil {
          let listNumber = step.withLockedValue {
            $0 += 1
            return $0
          }
          let rv = listNumber == 1 ? "10" : "30"
          return .json(
            #"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"},"#
              + #""items":[{"metadata":{"name":"a","resourceVersion":"\#(rv)"}}]}"#)
        }
        switch request.query["resourceVersion"] {
        case "10":
          // One event and a bookmark, then the connection drops.
          return .stream(
            status: 200, chunks: [(1, event("MODIFIED", "a", rv: "11")), (1, bookmark("15"))],
            drop: true)
        case "15":
          return .stream(
            status: 200,
            chunks: [
              (
                1,
                #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","#
                  + #""message":"too old"}}"#
              )
            ], drop: false)
        case "30":
          return .stream(
            status: 200, chunks: [(1, event("ADDED", "b", rv: "31")), (60_000, "")], drop: false)
        default:
          return .status(400, reason: "BadRequest", message: "unexpected rv")
        }
      }
    ) { client, server in
      let reflector = Reflector(
        client: client, resource: configMaps, options: Self.fastOptions())
      var log: [String] = []
      for try await item in reflector.events() {
        switch item {
        case .snapshot(let list): log.append("snapshot \(list.resourceVersion) \(list.items.count)")
        case .event(let event): log.append("event \(event.resourceVersion ?? "-")")
        case .retrying(let error, _):
          log.append("retry \(error.code.map(String.init) ?? "transport")")
        case .listStarted, .page, .listed: log.append("page")  // only with `deliversPages`
        }
        if log.last == "event 31" { break }
      }
      let watchVersions = server.requests.filter { $0.query["watch"] != nil }.map {
        $0.query["resourceVersion"] ?? ""
      }
      #expect(watchVersions == ["10", "15", "30"])
      return log
    }
    #expect(
      collected == [
        "snapshot 10 1", "event 11", "event 15", "retry transport", "snapshot 30 1", "event 31",
      ])
  }

  /// With `deliversPages`, `run` hands a list over page by page and asks for the next
  /// page only once the consumer is done with the last: a slow consumer holds one page.
  /// Meanwhile a watch from the first page's version delivers the changes made since (they
  /// do not wait for the last page), and after the list the watch goes on from the last
  /// event it delivered.
  @Test func pagesWaitForTheConsumerWhileChangesDoNot() async throws {
    let log = NIOLockedValueBox<[String]>([])
    try await withStub(
      respond: Responder { request in
        if request.query["watch"] != nil {
          let from = request.query["resourceVersion"] ?? "-"
          log.withLockedValue { $0.append("watch from \(from)") }
          let next = from == "20" ? event("ADDED", "d", rv: "21") : event("ADDED", "e", rv: "22")
          return .stream(status: 200, chunks: [(1, next), (60_000, "")], drop: false)
        }
        let token = request.query["continue"]
        let limit = request.query["limit"] ?? "-"
        log.withLockedValue { $0.append("list limit \(limit) from \(token ?? "start")") }
        let (names, next) = token == nil ? (["a", "b"], "t1") : (["c"], "")
        let items = names.map { #"{"metadata":{"name":"\#($0)","resourceVersion":"20"}}"# }
        return .json(
          #"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"20","#
            + #""continue":"\#(next)"},"items":[\#(items.joined(separator: ","))]}"#)
      }
    ) { client, _ in
      var options = Self.fastOptions()
      options.deliversPages = true
      options.listOptions.pageSize = 2
      let reflector = Reflector(client: client, resource: configMaps, options: options)
      let running = Task {
        await reflector.run { item in
          switch item {
          case .listStarted: log.withLockedValue { $0.append("list started") }
          case .page(let items, let index):
            log.withLockedValue { $0.append("page \(index): \(items.count) objects") }
            // The first page is handed over until the change made since has arrived.
            let deadline = ContinuousClock.now + .seconds(30)
            while index == 0, !log.withLockedValue({ $0.contains("event 21") }),
              ContinuousClock.now < deadline
            {
              try? await Task.sleep(for: .milliseconds(5))
            }
            log.withLockedValue { $0.append("page \(index) handled") }
          case .listed(let version): log.withLockedValue { $0.append("listed at \(version)") }
          case .event(let event):
            log.withLockedValue { $0.append("event \(event.resourceVersion ?? "-")") }
          case .snapshot: log.withLockedValue { $0.append("snapshot") }
          case .retrying(let error, _): log.withLockedValue { $0.append("retry \(error)") }
          }
        }
      }
      let deadline = ContinuousClock.now + .seconds(60)
      while !log.withLockedValue({ $0.contains("event 22") }), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      running.cancel()
      await running.value
    }
    let entries = log.withLockedValue { $0 }
    let listSide = entries.filter { !$0.hasPrefix("watch") && !$0.hasPrefix("event") }
    #expect(
      listSide == [
        "list limit 2 from start", "list started", "page 0: 2 objects", "page 0 handled",
        "list limit 2 from t1", "page 1: 1 objects", "page 1 handled", "listed at 20",
      ])
    #expect(entries.filter { $0.hasPrefix("watch") } == ["watch from 20", "watch from 21"])
    #expect(entries.filter { $0.hasPrefix("event") } == ["event 21", "event 22"])
    func position(_ entry: String) -> Int { entries.firstIndex(of: entry) ?? .max }
    #expect(position("list started") < position("watch from 20"))
    #expect(position("event 21") < position("page 0 handled"))
    #expect(position("listed at 20") < position("watch from 21"))
  }

  /// A list without a resourceVersion gives the side watch nothing to start from (a
  /// watch without one would replay every object as ADDED): the pages are delivered and
  /// the watch starts after the list, as it did before lists were watched while read.
  @Test func aListWithoutAVersionIsWatchedAfterItEnds() async throws {
    let log = NIOLockedValueBox<[String]>([])
    try await withStub(
      respond: Responder { request in
        if request.query["watch"] != nil {
          log.withLockedValue { $0.append("watch") }
          return .stream(
            status: 200, chunks: [(1, event("ADDED", "b", rv: "5")), (60_000, "")], drop: false)
        }
        log.withLockedValue { $0.append("list") }
        return .json(
          #"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{},"#
            + #""items":[{"metadata":{"name":"a"}}]}"#)
      }
    ) { client, _ in
      var options = Self.fastOptions()
      options.deliversPages = true
      let reflector = Reflector(client: client, resource: configMaps, options: options)
      let running = Task {
        await reflector.run { item in
          switch item {
          case .listStarted: log.withLockedValue { $0.append("list started") }
          case .page(let items, _): log.withLockedValue { $0.append("page \(items.count)") }
          case .listed: log.withLockedValue { $0.append("listed") }
          case .event: log.withLockedValue { $0.append("event") }
          case .snapshot, .retrying: break
          }
        }
      }
      let deadline = ContinuousClock.now + .seconds(30)
      while !log.withLockedValue({ $0.contains("event") }), ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(10))
      }
      running.cancel()
      await running.value
    }
    #expect(
      log.withLockedValue { Array($0.prefix(6)) } == [
        "list", "list started", "page 1", "listed", "watch", "event",
      ])
  }

  @Test func tooManyRequestsHonoursRetryAfter() async throws {
    let calls = NIOLockedValueBox(0)
    try await withStub(
      respond: Responder { request in
        let call = calls.withLockedValue {
          $0 += 1
          return $0
        }
        if call == 1 {
          return .full(status: 429, headers: [("Retry-After", "1")], body: "")
        }
        if request.query["watch"] == nil {
          return .json(#"{"metadata":{"resourceVersion":"3"},"items":[]}"#)
        }
        return .stream(status: 200, chunks: [(60_000, "")], drop: false)
      }
    ) { client, _ in
      let started = ContinuousClock.now
      for try await item in Reflector(
        client: client, resource: configMaps, options: Self.fastOptions()
      )
      .events() {
        if case .retrying(let error, let delay) = item {
          #expect(error.isTooManyRequests)
          #expect(delay >= .seconds(1))
        }
        if case .snapshot = item { break }
      }
      #expect(ContinuousClock.now - started >= .seconds(1))
    }
  }

  @Test func backoffDoublesCapsAndResets() {
    var backoff = Backoff(
      initial: .milliseconds(800), maximum: .seconds(30), jitter: 0, resetAfter: .seconds(120))
    let start = ContinuousClock.now
    let delays = (0..<8).map { backoff.nextDelay(now: start + .seconds($0)) }
    #expect(delays.map { $0.components.seconds } == [0, 1, 3, 6, 12, 25, 30, 30])
    #expect(backoff.nextDelay(now: start + .seconds(200)) == .milliseconds(800))
    var jittered = Backoff()
    let delay = jittered.nextDelay()
    #expect(delay >= .milliseconds(800) && delay <= .milliseconds(1600))
  }
}
