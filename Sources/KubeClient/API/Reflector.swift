import KubeModel
import SyncValue

/// Exponential backoff with jitter and a reset after a healthy stretch, as client-go's
/// reflector does it (800 ms doubling to 30 s, full jitter, reset after 2 minutes).
public struct Backoff: Sendable {
  public var initial: Duration = .milliseconds(800)
  public var maximum: Duration = .seconds(30)
  /// Each delay is stretched by up to this fraction at random, so that many watchers
  /// failing together do not retry together.
  public var jitter = 1.0
  /// After this long without a failure the next delay starts from ``initial`` again.
  public var resetAfter: Duration = .seconds(120)

  private var current: Duration?
  private var lastFailure: ContinuousClock.Instant?

  public init() {}

  public init(initial: Duration, maximum: Duration, jitter: Double = 1.0, resetAfter: Duration) {
    self.initial = initial
    self.maximum = maximum
    self.jitter = jitter
    self.resetAfter = resetAfter
  }

  /// The delay before the next attempt, after a failure now.
  public mutating func nextDelay(now: ContinuousClock.Instant = .now) -> Duration {
    if let last = lastFailure, now - last > resetAfter { current = nil }
    let base = current.map { min($0 * 2, maximum) } ?? initial
    current = base
    lastFailure = now
    return base * (1 + Double.random(in: 0...max(0, jitter)))
  }

  /// Forgets past failures.
  public mutating func reset() {
    current = nil
    lastFailure = nil
  }
}

/// What a ``Reflector`` tells its consumer.
public enum ReflectorEvent: Sendable {
  /// A complete list: the first one, and again after every relist. Anything the consumer
  /// knew that is not in it was deleted while we were not watching.
  case snapshot(ObjectList)
  /// With ``Reflector/Options/deliversPages``, a list comes as its pages instead of one
  /// snapshot: page `index` (0 again: the list started over, after an expired continue
  /// token)…
  case page(items: [Value], index: Int)
  /// …and then this, once the last page was delivered: the list is complete as of
  /// `resourceVersion`, and objects missing from its pages were deleted.
  case listed(resourceVersion: String)
  /// With ``Reflector/Options/deliversPages``: a list begins, and a watch from its first
  /// page's resourceVersion runs while its pages are delivered. Its events are newer than
  /// every page: a page item for an object an event has changed or deleted since
  /// `listStarted` is stale, and an object an event brought is not gone for missing from
  /// the pages.
  case listStarted
  /// A change after the last snapshot (bookmarks included: they only move the version).
  case event(WatchEvent)
  /// A list or watch failed; the reflector waits `delay` and tries again.
  case retrying(error: KubeError, delay: Duration)
}

/// Keeps a consumer up to date with one resource: list, then watch from the list's
/// resourceVersion (with ``Options/deliversPages``, from the first page's, while the pages
/// are read); on a dropped watch resume from the last version seen; on 410 list again;
/// back off on failures and on 429.
public struct Reflector: Sendable {
  public struct Options: Sendable {
    public var listOptions = ListOptions()
    public var backoff = Backoff()
    /// Watch timeouts are drawn from this range (seconds) each time.
    public var watchTimeoutRange: ClosedRange<Double> = 300...600
    /// A watch that ends cleanly sooner than this without any event counts as a failure,
    /// so a server that closes watches at once is not hammered.
    public var minimumWatchDuration: Duration = .seconds(1)
    /// Hand each list over page by page (``ReflectorEvent/page(items:index:)``, then
    /// ``ReflectorEvent/listed(resourceVersion:)``) rather than as one snapshot: with
    /// ``run(_:)``, whose consumer may take its time, a large list is never held whole.
    public var deliversPages = false

    public init() {}
  }

  public let client: KubeClient
  public let resource: ResourceType
  public let namespace: String?
  public var options: Options

  public init(
    client: KubeClient, resource: ResourceType, namespace: String? = nil,
    options: Options = Options()
  ) {
    self.client = client
    self.resource = resource
    self.namespace = namespace
    self.options = options
  }

  /// Starts listing and watching; runs until the consumer stops iterating or its task is
  /// cancelled. The stream never ends on its own and never throws: failures are reported
  /// as ``ReflectorEvent/retrying(error:delay:)`` and retried.
  ///
  /// Events are buffered without bound, so a consumer should keep up (hand work to a
  /// queue rather than apply inline).
  public func events() -> AsyncThrowingStream<ReflectorEvent, any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(
      of: ReflectorEvent.self, throwing: (any Error).self)
    let task = Task {
      await self.run { continuation.yield($0) }
      continuation.finish()
    }
    continuation.onTermination = { _ in task.cancel() }
    return stream
  }

  /// Lists and watches until cancelled, handing every event to `emit` and waiting for it
  /// before reading on: a consumer that takes its time slows the reflector down (with
  /// ``Options/deliversPages``, between the pages of a list) instead of letting events
  /// pile up. Never throws: failures are reported as
  /// ``ReflectorEvent/retrying(error:delay:)`` and retried.
  ///
  /// With ``Options/deliversPages`` a list is watched while its pages are read, and
  /// `emit` is then called from two tasks: an event may arrive while a page is being
  /// handed over (see ``ReflectorEvent/listStarted``).
  public func run(_ emit: @Sendable (ReflectorEvent) async -> Void) async {
    var backoff = options.backoff
    var version: String?
    while !Task.isCancelled {
      if version == nil {
        do {
          if options.deliversPages {
            version = try await listWatching(emit)
          } else {
            let list = try await client.list(
              resource, namespace: namespace, options: options.listOptions)
            version = list.resourceVersion
            await emit(.snapshot(list))
          }
        } catch {
          guard await pause(after: error, &backoff, emit) else { return }
          continue
        }
      }
      switch await watchOnce(from: &version, &backoff, emit) {
      case .resumes: continue
      case .expired: version = nil  // list again, at once (as client-go)
      case .stopped: return
      }
    }
  }

  /// How one watch ended.
  private enum WatchEnd {
    /// Watch again from the last version seen.
    case resumes
    /// 410: the history to resume from is gone; only a new list can go on.
    case expired
    /// Cancelled.
    case stopped
  }

  /// One watch from `version`, moving it along with every event emitted; a failure is
  /// reported and waited out here (``WatchEnd/resumes`` afterwards).
  private func watchOnce(
    from version: inout String?, _ backoff: inout Backoff,
    _ emit: @Sendable (ReflectorEvent) async -> Void
  ) async -> WatchEnd {
    var watchOptions = WatchOptions(resourceVersion: version)
    watchOptions.timeoutRange = options.watchTimeoutRange
    watchOptions.selectors = options.listOptions
    watchOptions.selectors.pageSize = nil
    let started = ContinuousClock.now
    var sawEvent = false
    do {
      for try await event in client.watch(resource, namespace: namespace, options: watchOptions) {
        sawEvent = true
        if let next = event.resourceVersion, !next.isEmpty { version = next }
        await emit(.event(event))
      }
      let lasted = ContinuousClock.now - started
      if lasted >= options.backoff.resetAfter { backoff.reset() }
      if !sawEvent, lasted < options.minimumWatchDuration {
        let error = KubeError.transport(
          "watch of \(resource.versionedName) closed after \(lasted)")
        guard await pause(after: error, &backoff, emit) else { return .stopped }
      }
    } catch KubeError.expired {
      return .expired
    } catch {
      if ContinuousClock.now - started >= options.backoff.resetAfter { backoff.reset() }
      guard await pause(after: error, &backoff, emit) else { return .stopped }
    }
    return Task.isCancelled ? .stopped : .resumes
  }

  /// Lists page by page while a watch from the first page's resourceVersion runs beside
  /// it, so that a change made while a long list is read (at the pace of its consumer)
  /// reaches the consumer at once rather than after the last page. Emits
  /// ``ReflectorEvent/listStarted``, the pages and the events, then
  /// ``ReflectorEvent/listed(resourceVersion:)``; returns the version to watch on from.
  ///
  /// Throws ``KubeError/expired(_:)`` when the watch's history is gone (list again), and
  /// the list's errors.
  private func listWatching(_ emit: @Sendable (ReflectorEvent) async -> Void) async throws
    -> String
  {
    try await withoutActuallyEscaping(emit) { emit in
      let (firstVersion, firstVersionSink) = AsyncStream.makeStream(of: String.self)
      return try await withThrowingTaskGroup(of: ListingPart.self) { group in
        group.addTask {
          var started = false
          let listed = try await client.listPages(
            resource, namespace: namespace, options: options.listOptions,
            began: { version in
              // A list that starts over after an expired continue token keeps the watch:
              // its events are still newer than every page of the new list.
              guard !started else { return }
              started = true
              await emit(.listStarted)
              firstVersionSink.yield(version)
              firstVersionSink.finish()
            }
          ) { items, index in await emit(.page(items: items, index: index)) }
          firstVersionSink.finish()
          return .listed(listed)
        }
        group.addTask {
          var versions = firstVersion.makeAsyncIterator()
          // Without a version a watch would start from now and replay every object as
          // ADDED: then the list's own version is watched from afterwards, as before.
          guard let first = await versions.next(), !first.isEmpty else { return .watched(nil) }
          var version: String? = first
          var backoff = options.backoff
          while true {
            switch await watchOnce(from: &version, &backoff, emit) {
            case .resumes: continue
            case .stopped: return .watched(version)
            case .expired:
              throw KubeError.expired(
                APIStatus(code: 410, reason: "Expired", message: "watch history expired"))
            }
          }
        }
        // A failing watch (thrown) cancels the list; a finished list stops the watch.
        var listed: String?
        var watched: String?
        while let part = try await group.next() {
          switch part {
          case .listed(let version):
            listed = version
            group.cancelAll()
          case .watched(let version):
            watched = version
          }
        }
        guard let listed else { throw CancellationError() }
        await emit(.listed(resourceVersion: listed))
        if let watched, !watched.isEmpty { return watched }
        return listed
      }
    }
  }

  /// What each task of ``listWatching(_:)`` ends with.
  private enum ListingPart: Sendable {
    case listed(String)
    case watched(String?)
  }

  /// Reports `error` and sleeps; false when cancelled meanwhile.
  private func pause(
    after error: any Error, _ backoff: inout Backoff,
    _ emit: @Sendable (ReflectorEvent) async -> Void
  ) async -> Bool {
    if Task.isCancelled || error is CancellationError { return false }
    let kubeError = error as? KubeError ?? .transport("\(error)")
    var delay = backoff.nextDelay()
    if let retryAfter = kubeError.status?.retryAfterSeconds, kubeError.isTooManyRequests {
      delay = max(delay, .seconds(retryAfter))
    }
    await emit(.retrying(error: kubeError, delay: delay))
    do {
      try await Task.sleep(for: delay)
      return true
    } catch {
      return false
    }
  }
}
