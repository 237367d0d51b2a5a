import Foundation
import KubeClient
import KubeModel
import Logging
import SyncValue
import Synchronization

/// Where the recorder's Events go: the target cluster, or a stand-in in tests.
public protocol EventWriter: Sendable {
  /// The live object's uid; nil when it does not exist or cannot be read.
  func uid(of object: InvolvedObject, resource: ResourceType) async -> String?
  /// POSTs a new Event.
  func create(_ event: Value, namespace: String) async throws
  /// Merge-patches an Event; false when it is gone (expired by the server's event TTL).
  func patch(_ patch: Value, namespace: String, name: String) async throws -> Bool
}

/// Core v1 Events on the target cluster, through the target's client.
public struct KubeEventWriter: EventWriter {
  public let client: KubeClient

  public init(client: KubeClient) {
    self.client = client
  }

  public func uid(of object: InvolvedObject, resource: ResourceType) async -> String? {
    let live = try? await client.get(
      resource, namespace: object.namespace.isEmpty ? nil : object.namespace, name: object.name)
    return live?["metadata"]?["uid"]?.stringValue
  }

  public func create(_ event: Value, namespace: String) async throws {
    _ = try await client.create(event, in: .events)
  }

  public func patch(_ patch: Value, namespace: String, name: String) async throws -> Bool {
    do {
      _ = try await client.mergePatch(.events, namespace: namespace, name: name, patch: patch)
      return true
    } catch  where error.isNotFound {
      return false
    }
  }
}

/// Records `Warning` Events for objects that failed to sync, the way client-go's
/// `EventRecorder` does, and never in the way of the sync:
///
/// - ``record(_:resource:)`` returns at once. Events wait in a bounded queue for one
///   writer task; when it is full they are dropped and counted
///   (`syncrules_events_dropped_total{cause="queue_full"}`).
/// - A spam filter, before the queue: a token bucket per object (client-go's
///   `EventSourceObjectSpamFilter`: burst 25, one more per 5 minutes) and one for all
///   Events together (burst 100, one more per 2 seconds), so a storm of failing objects
///   writes at most a few hundred Events per resync, not one per object.
/// - Aggregation: the same object, reason and message again PATCHes the Event it made
///   (`count` + 1, `lastTimestamp`) instead of creating one; if that Event is gone (the
///   server's event TTL, 1 hour by default), a new one is created.
/// - Write failures are logged (warning, at most one a minute) and counted, never thrown.
public final class EventRecorder: Sendable {
  /// The rate limits and sizes; the defaults are documented in docs/operating.md.
  public struct Limits: Sendable {
    /// Events one object may produce at once, and how fast that allowance comes back.
    public var objectBurst = 25
    public var objectRefill: Duration = .seconds(300)
    /// Events all objects together may produce at once, and how fast that comes back.
    public var totalBurst = 100
    public var totalRefill: Duration = .seconds(2)
    /// Events waiting to be written.
    public var queueCapacity = 1000
    /// Objects whose spam-filter buckets, and Events whose names, are remembered.
    public var cacheSize = 4096

    public init() {}
  }

  struct Pending: Sendable {
    var failure: FailureEvent
    var resource: ResourceType?
    var date: Date
  }

  private let continuation: AsyncStream<Pending>.Continuation
  private let writing: Task<Void, Never>
  private let filter: Mutex<SpamFilter>
  private let metrics: SyncMetrics
  private let logger: Logger

  public init(
    writer: any EventWriter, reporter: EventReporter, limits: Limits = Limits(),
    metrics: SyncMetrics, logger: Logger
  ) {
    let (stream, continuation) = AsyncStream.makeStream(
      of: Pending.self, bufferingPolicy: .bufferingOldest(max(1, limits.queueCapacity)))
    self.continuation = continuation
    self.filter = Mutex(SpamFilter(limits: limits))
    self.metrics = metrics
    self.logger = logger
    writing = Task {
      var correlator = EventCorrelator(
        writer: writer, reporter: reporter, cacheSize: limits.cacheSize, metrics: metrics,
        logger: logger)
      for await pending in stream { await correlator.write(pending) }
    }
  }

  /// Queues an Event about `failure.object` unless the spam filter or a full queue drops
  /// it. `resource`: the object's resource on the target, when known, to look up its uid.
  public func record(_ failure: FailureEvent, resource: ResourceType? = nil) {
    guard filter.withLock({ $0.allows(failure.object, now: .now) }) else {
      metrics.eventDropped(cause: "rate_limited")
      return
    }
    if case .dropped = continuation.yield(
      Pending(failure: failure, resource: resource, date: Date()))
    {
      metrics.eventDropped(cause: "queue_full")
      logger.debug(
        "event queue full; event dropped",
        metadata: ["object": "\(failure.object)", "reason": "\(failure.reason.rawValue)"])
    }
  }

  /// Stops taking Events and returns once the queued ones are written (or failed), or
  /// after `deadline`, when the rest are abandoned: a target that stopped answering must
  /// not hold up a shutdown. Safe to call from a cancelled task: the writes go on.
  public func finish(deadline: Duration = .seconds(5)) async {
    continuation.finish()
    let writing = self.writing
    let timer = Task {
      try await Task.sleep(for: deadline)
      writing.cancel()
    }
    await writing.value
    timer.cancel()
  }
}

/// client-go's token buckets: one per object, one for everything.
struct SpamFilter {
  struct Bucket {
    var tokens: Double
    var updated: ContinuousClock.Instant

    mutating func refill(burst: Int, every interval: Duration, now: ContinuousClock.Instant) {
      let earned = interval > .zero ? (now - updated) / interval : Double(burst)
      tokens = min(Double(burst), tokens + earned)
      updated = now
    }
  }

  let limits: EventRecorder.Limits
  var total: Bucket
  var objects: [InvolvedObject: Bucket] = [:]

  init(limits: EventRecorder.Limits) {
    self.limits = limits
    total = Bucket(tokens: Double(limits.totalBurst), updated: .now)
  }

  /// Takes a token from the object's bucket and the shared one, when both have one.
  mutating func allows(_ object: InvolvedObject, now: ContinuousClock.Instant) -> Bool {
    total.refill(burst: limits.totalBurst, every: limits.totalRefill, now: now)
    var bucket = objects[object] ?? Bucket(tokens: Double(limits.objectBurst), updated: now)
    bucket.refill(burst: limits.objectBurst, every: limits.objectRefill, now: now)
    let allowed = total.tokens >= 1 && bucket.tokens >= 1
    if allowed {
      total.tokens -= 1
      bucket.tokens -= 1
    }
    objects[object] = bucket
    if objects.count > limits.cacheSize { forgetFullBuckets(now: now) }
    return allowed
  }

  /// Keeps the table bounded: a full bucket is what a forgotten object starts with, so
  /// forgetting one changes nothing. If every bucket is in use, all are forgotten; the
  /// shared bucket still bounds the total.
  private mutating func forgetFullBuckets(now: ContinuousClock.Instant) {
    let (burst, interval) = (limits.objectBurst, limits.objectRefill)
    objects = objects.filter { _, bucket in
      var bucket = bucket
      bucket.refill(burst: burst, every: interval, now: now)
      return bucket.tokens < Double(burst)
    }
    if objects.count > limits.cacheSize { objects = [:] }
  }
}

/// The writer task's state: which Event each (object, reason, message) made, to PATCH
/// it again rather than create another.
struct EventCorrelator {
  struct Key: Hashable {
    var object: InvolvedObject
    var reason: FailureReason
    var message: String
  }

  struct Made {
    var name: String
    var count: Int64
  }

  let writer: any EventWriter
  let reporter: EventReporter
  let cacheSize: Int
  let metrics: SyncMetrics
  let logger: Logger
  var made: [Key: Made] = [:]
  /// Insertion order of `made`, oldest first, to forget the oldest beyond `cacheSize`.
  var order: [Key] = []
  var lastNanoseconds: UInt64 = 0
  var lastFailureLogged: ContinuousClock.Instant?

  init(
    writer: any EventWriter, reporter: EventReporter, cacheSize: Int, metrics: SyncMetrics,
    logger: Logger
  ) {
    self.writer = writer
    self.reporter = reporter
    self.cacheSize = max(1, cacheSize)
    self.metrics = metrics
    self.logger = logger
  }

  mutating func write(_ pending: EventRecorder.Pending) async {
    let failure = pending.failure
    let key = Key(object: failure.object, reason: failure.reason, message: failure.message)
    let timestamp = EventReporter.timestamp(pending.date)
    let namespace = failure.object.eventNamespace
    do {
      if var previous = made[key] {
        previous.count += 1
        let patch: Value = ["count": .int(previous.count), "lastTimestamp": .string(timestamp)]
        if try await writer.patch(patch, namespace: namespace, name: previous.name) {
          made[key] = previous
          return
        }
        // Gone from the server (expired): a new one is created below, under this key.
      }
      var uid: String?
      if let resource = pending.resource {
        uid = await writer.uid(of: failure.object, resource: resource)
      }
      let name = eventName(for: failure.object.name, at: pending.date)
      try await writer.create(
        reporter.event(failure, name: name, uid: uid, timestamp: timestamp),
        namespace: namespace)
      remember(key, Made(name: name, count: 1))
    } catch {
      metrics.eventDropped(cause: "write_failed")
      if (error as? KubeError)?.isNotFound == true {
        // The object's namespace is not on the target (its copy failed before the
        // namespace was made): expected, and said by the object's own failure already.
        logger.debug(
          "event not written: no such namespace on the target",
          metadata: ["object": "\(failure.object)"])
        return
      }
      let now = ContinuousClock.now
      if lastFailureLogged.map({ now - $0 >= .seconds(60) }) ?? true {
        lastFailureLogged = now
        logger.warning(
          "cannot write an event to the target (further failures within a minute not logged)",
          metadata: ["object": "\(failure.object)", "error": "\(error)"])
      }
    }
  }

  private mutating func remember(_ key: Key, _ event: Made) {
    if made.updateValue(event, forKey: key) == nil { order.append(key) }
    if order.count > cacheSize {
      let forgotten = order.prefix(order.count - cacheSize)
      for old in forgotten { made[old] = nil }
      order.removeFirst(forgotten.count)
    }
  }

  /// client-go's `name.<hex nanoseconds>`, the name cut so the whole stays a valid name
  /// (253 characters), the time kept increasing so two Events never share a name.
  private mutating func eventName(for objectName: String, at date: Date) -> String {
    let nanoseconds = max(UInt64(date.timeIntervalSince1970 * 1e9), lastNanoseconds + 1)
    lastNanoseconds = nanoseconds
    let suffix = "." + String(nanoseconds, radix: 16)
    return String(objectName.prefix(253 - suffix.count)) + suffix
  }
}
