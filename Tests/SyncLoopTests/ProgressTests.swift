import Foundation
import Logging
import SyncLoop
import SyncValue
import Testing

/// Log events a test can read back.
final class RecordedLog: @unchecked Sendable {
  struct Event {
    var level: Logger.Level
    var message: String
    var metadata: Logger.Metadata
  }

  private let lock = NSLock()
  private var events: [Event] = []

  func append(_ event: Event) { lock.withLock { events.append(event) } }
  var all: [Event] { lock.withLock { events } }

  /// A logger whose events land here.
  func logger() -> Logger {
    Logger(label: "test") { _ in Handler(log: self) }
  }

  struct Handler: LogHandler {
    let log: RecordedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      log.append(
        Event(
          level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
    }
  }
}

/// A long initial sync says how far it got, every `progressInterval`.
struct ProgressTests {
  @Test func aSlowOnceRunLogsItsProgress() async throws {
    let source = FakeCluster()
    for index in 0..<8 { source.put(SyncEngineTests.deployment("web-\(index)")) }
    let target = FakeCluster()
    // Each apply takes 100 ms, one worker: the run lasts at least 0.8 s, forty intervals.
    target.applyDelay = .milliseconds(100)
    let log = RecordedLog()
    let engine = SyncEngine(
      source: source, target: target, program: try SyncEngineTests.program(),
      ownership: SyncEngineTests.ownership,
      options: SyncOptions(workers: 1, progressInterval: .milliseconds(20)), logger: log.logger())
    let report = try await engine.runOnce()
    #expect(report.applied == 8)
    let progress = log.all.filter { $0.message == "initial sync progress" }
    #expect(progress.count >= 2, "\(log.all.map(\.message))")
    guard let last = progress.last else { return }
    func number(_ key: String) -> Int? {
      if case .stringConvertible(let value) = last.metadata[key] { return value as? Int }
      return nil
    }
    #expect(number("objects") == 8)
    #expect(number("resources") == number("resourcesListed"))
    #expect((number("applied") ?? -1) <= 8)
    if case .dictionary(let listed) = last.metadata["listed"] {
      #expect(listed.keys.contains { $0.hasPrefix("deployments") }, "\(listed)")
    } else {
      Issue.record("no per-resource counts in \(last.metadata)")
    }
    // Applies go on while progress is reported: the counts grow.
    let applied = progress.compactMap { event -> Int? in
      if case .stringConvertible(let value) = event.metadata["applied"] { return value as? Int }
      return nil
    }
    #expect(applied == applied.sorted())
  }
}
