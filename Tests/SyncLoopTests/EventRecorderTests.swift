import Foundation
import KubeModel
import Logging
import SyncLoop
import SyncValue
import Testing

/// The recorder alone, with a writer that records (and can hold back) what it is given:
/// the spam filter's bounds, aggregation, the full queue, long messages.
struct EventRecorderTests {
  /// Records every write; `create` waits while the gate is closed.
  actor RecordingWriter: EventWriter {
    var creates: [Value] = []
    var patches: [(name: String, patch: Value)] = []
    var arrivals = 0
    private var isOpen: Bool
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(open: Bool = true) { isOpen = open }

    func uid(of object: InvolvedObject, resource: ResourceType) async -> String? { "uid-1" }

    func create(_ event: Value, namespace: String) async throws {
      arrivals += 1
      if !isOpen { await withCheckedContinuation { waiting.append($0) } }
      creates.append(event)
    }

    func patch(_ patch: Value, namespace: String, name: String) async throws -> Bool {
      patches.append((name, patch))
      return true
    }

    func open() {
      isOpen = true
      for continuation in waiting { continuation.resume() }
      waiting = []
    }
  }

  /// The defaults, except that nothing refills during a test: every bound is exact.
  static var frozenLimits: EventRecorder.Limits {
    var limits = EventRecorder.Limits()
    limits.objectRefill = .seconds(3600)
    limits.totalRefill = .seconds(3600)
    return limits
  }

  static func failure(_ name: String, message: String = "apply failed: 500") -> FailureEvent {
    FailureEvent(
      object: InvolvedObject(
        apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: name),
      reason: .applyFailed, message: message)
  }

  static func recorder(
    _ writer: RecordingWriter, limits: EventRecorder.Limits = frozenLimits,
    metrics: SyncMetrics = SyncMetrics()
  ) -> EventRecorder {
    EventRecorder(
      writer: writer, reporter: EventReporter(host: "node-1", instance: "node-1_42"),
      limits: limits, metrics: metrics, logger: Logger(label: "test"))
  }

  struct Storm: Sendable, CustomTestStringConvertible {
    var name: String
    /// Object names, one failure each, in order.
    var objects: [String]
    var creates: Int
    var patches: Int
    var rateLimited: Double
    var testDescription: String { name }
  }

  static let storms: [Storm] = [
    Storm(
      name: "10,000 objects: the shared burst of 100", objects: (0..<10_000).map { "web-\($0)" },
      creates: 100, patches: 0, rateLimited: 9_900),
    Storm(
      name: "one object 30 times: its burst of 25, one Event counted 25 times",
      objects: Array(repeating: "web", count: 30), creates: 1, patches: 24, rateLimited: 5),
  ]

  @Test(arguments: storms)
  func theSpamFilterBoundsWrites(_ storm: Storm) async throws {
    let writer = RecordingWriter()
    let metrics = SyncMetrics()
    let recorder = Self.recorder(writer, metrics: metrics)
    for name in storm.objects { recorder.record(Self.failure(name)) }
    await recorder.finish()
    #expect(await writer.creates.count == storm.creates)
    #expect(await writer.patches.count == storm.patches)
    #expect(FailureEventTests.dropped(metrics, cause: "rate_limited") == storm.rateLimited)
    if storm.patches > 0 {
      #expect(await writer.patches.last?.patch["count"] == .int(Int64(storm.patches + 1)))
    }
  }

  /// The writer is stuck on the first Event; a queue of 2 takes two more and drops the
  /// rest, counted, and `record` never waits.
  @Test func aFullQueueDropsAndCounts() async throws {
    let writer = RecordingWriter(open: false)
    let metrics = SyncMetrics()
    var limits = Self.frozenLimits
    limits.queueCapacity = 2
    let recorder = Self.recorder(writer, limits: limits, metrics: metrics)
    recorder.record(Self.failure("a"))
    try await LiveSyncTests.eventually("the writer holding the first Event") {
      await writer.arrivals == 1
    }
    for name in ["b", "c", "d", "e"] { recorder.record(Self.failure(name)) }
    #expect(FailureEventTests.dropped(metrics, cause: "queue_full") == 2)
    await writer.open()
    await recorder.finish()
    let names = await writer.creates.map { $0["involvedObject"]?["name"] }
    #expect(names == ["a", "b", "c"])
  }

  @Test func theEventIsACoreV1WarningWithTheObjectsUID() async throws {
    let writer = RecordingWriter()
    let recorder = Self.recorder(writer)
    let resource = ResourceType(
      group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
    recorder.record(Self.failure("web"), resource: resource)
    await recorder.finish()
    let event = try #require(await writer.creates.first)
    #expect(event["apiVersion"] == "v1")
    #expect(event["kind"] == "Event")
    #expect(event["involvedObject"]?["uid"] == "uid-1")
    #expect(event["source"] == ["component": "syncrules", "host": "node-1"])
    #expect(event["reportingInstance"] == "node-1_42")
    let name = try #require(event["metadata"]?["name"]?.stringValue)
    #expect(name.hasPrefix("web."))
  }

  struct Placement: Sendable {
    var namespace: String
    var eventNamespace: String
  }

  @Test(arguments: [
    Placement(namespace: "shop", eventNamespace: "shop"),
    Placement(namespace: "", eventNamespace: "default"),
  ])
  func clusterScopedObjectsGetTheirEventsInDefault(_ placement: Placement) {
    let object = InvolvedObject(
      apiVersion: "v1", kind: "X", namespace: placement.namespace, name: "n")
    #expect(object.eventNamespace == placement.eventNamespace)
  }

  @Test(arguments: [10, 1024, 1025, 5000])
  func messagesAreCutAtOneKibibyte(_ length: Int) {
    let text = String(repeating: "é", count: length / 2) + String(repeating: "x", count: length % 2)
    let message = Self.failure("web", message: text).message
    #expect(message.utf8.count <= FailureEvent.maximumMessageBytes)
    if text.utf8.count <= FailureEvent.maximumMessageBytes {
      #expect(message == text)
    } else {
      #expect(message.hasSuffix("…"))
      #expect(text.hasPrefix(message.dropLast()))
    }
  }
}
