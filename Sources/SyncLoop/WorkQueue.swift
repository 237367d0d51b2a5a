/// A work queue with client-go's guarantees: a key queued several times before it is
/// processed runs once; never two workers on one key (a key added while it is being
/// processed runs again after); failed keys come back after a per-key exponential delay.
///
/// Keys are served by priority (lower first), and within a priority urgent keys (changes
/// seen on a watch) before the others (a list's backlog), first in first out within a
/// lane: a change made during a 200,000-object initial sync does not wait for the whole
/// list. A key queued again more urgently moves up; its earlier place is skipped.
actor WorkQueue<Key: Hashable & Sendable> {
  private var lanes = [[Entry]](repeating: [], count: ApplyPriority.allCases.count * 2)
  /// Index of each lane's first unserved entry.
  private var heads = [Int](repeating: 0, count: ApplyPriority.allCases.count * 2)
  /// Each waiting key's place: an entry of the key that is not this one is stale.
  private var queued: [Key: Place] = [:]
  private var nextTicket = 0

  private struct Entry {
    var key: Key
    var ticket: Int
  }

  private struct Place: Equatable {
    var lane: Int
    var ticket: Int
  }
  private var processing: Set<Key> = []
  /// Keys added while being processed, with their lane.
  private var dirty: [Key: Int] = [:]
  private var failures: [Key: Int] = [:]
  private var delayed = 0
  private var waiters: [CheckedContinuation<Key?, Never>] = []
  private var idleWaiters: [CheckedContinuation<Void, Never>] = []
  private var depthWaiters: [(limit: Int, waiter: CheckedContinuation<Void, Never>)] = []
  private var isShutDown = false
  private(set) var adds = 0
  private(set) var retries = 0

  /// First retry delay; doubles per failure up to ``maximumDelay``.
  let baseDelay: Duration
  let maximumDelay: Duration

  init(baseDelay: Duration = .milliseconds(5), maximumDelay: Duration = .seconds(1000)) {
    self.baseDelay = baseDelay
    self.maximumDelay = maximumDelay
  }

  /// Keys waiting (not counting those being processed).
  var depth: Int { queued.count }

  /// Queues `key`; `urgent` puts it ahead of the non-urgent keys of its priority.
  func add(_ key: Key, priority: ApplyPriority = .objects, urgent: Bool = false) {
    guard !isShutDown else { return }
    adds += 1
    enqueue(key, lane: Self.lane(priority, urgent: urgent))
  }

  private static func lane(_ priority: ApplyPriority, urgent: Bool) -> Int {
    priority.rawValue * 2 + (urgent ? 0 : 1)
  }

  private func enqueue(_ key: Key, lane: Int) {
    if processing.contains(key) {
      dirty[key] = min(dirty[key] ?? lane, lane)
      return
    }
    if let current = queued[key], lane >= current.lane { return }
    if queued[key] == nil, let waiter = waiters.first {
      waiters.removeFirst()
      processing.insert(key)
      waiter.resume(returning: key)
      return
    }
    // New, or moving up: an entry in its old lane is skipped when reached.
    nextTicket += 1
    queued[key] = Place(lane: lane, ticket: nextTicket)
    lanes[lane].append(Entry(key: key, ticket: nextTicket))
  }

  /// The next key to process, waiting when there is none; nil once shut down.
  func next() async -> Key? {
    // Once shut down, keys still queued are left: stopping must not wait for a backlog.
    if isShutDown { return nil }
    if let key = takeNext() { return key }
    return await withCheckedContinuation { waiters.append($0) }
  }

  private func takeNext() -> Key? {
    for index in lanes.indices {
      while heads[index] < lanes[index].count {
        let entry = lanes[index][heads[index]]
        heads[index] += 1
        // removeFirst() on an Array shifts the whole lane: advance a head instead, and
        // compact once the served prefix is at least half the lane.
        if heads[index] == lanes[index].count {
          lanes[index].removeAll(keepingCapacity: true)
          heads[index] = 0
        } else if heads[index] >= 1024, heads[index] * 2 >= lanes[index].count {
          lanes[index].removeFirst(heads[index])
          heads[index] = 0
        }
        // The earlier place of a key that moved up (and may have been served since).
        guard queued[entry.key] == Place(lane: index, ticket: entry.ticket) else { continue }
        queued[entry.key] = nil
        processing.insert(entry.key)
        resumeDepthWaiters()
        return entry.key
      }
    }
    return nil
  }

  /// Returns once at most `limit` keys wait (or the queue is shut down): a producer that
  /// can go at its consumers' pace, such as a paged list, holds no more than that.
  func waitUntilDepth(atMost limit: Int) async {
    if queued.count <= limit || isShutDown { return }
    await withCheckedContinuation { depthWaiters.append((limit, $0)) }
  }

  private func resumeDepthWaiters() {
    guard !depthWaiters.isEmpty else { return }
    let count = queued.count
    let ready = depthWaiters.filter { $0.limit >= count || isShutDown }
    guard !ready.isEmpty else { return }
    depthWaiters.removeAll { $0.limit >= count || isShutDown }
    for entry in ready { entry.waiter.resume() }
  }

  /// Whether the key is waiting, being processed, or due to be retried soon.
  func isPending(_ key: Key) -> Bool {
    queued[key] != nil || processing.contains(key) || dirty[key] != nil
  }

  /// Marks a key processed; it runs again if it was added meanwhile.
  func done(_ key: Key) {
    processing.remove(key)
    if let lane = dirty.removeValue(forKey: key), !isShutDown {
      enqueue(key, lane: lane)
    }
    resumeIdleWaiters()
  }

  /// Forgets a key's failures (it succeeded).
  func forget(_ key: Key) {
    failures[key] = nil
  }

  /// How many times the key has failed in a row.
  func failureCount(_ key: Key) -> Int {
    failures[key] ?? 0
  }

  /// Queues the key again after its backoff delay. With `holdingIdle` false the wait does
  /// not count as pending work for ``waitUntilIdle()``.
  func retry(_ key: Key, priority: ApplyPriority = .objects, holdingIdle: Bool = true) {
    let count = failures[key, default: 0]
    failures[key] = count + 1
    retries += 1
    var delay = baseDelay
    for _ in 0..<min(count, 40) where delay < maximumDelay { delay *= 2 }
    delay = min(delay, maximumDelay)
    if holdingIdle { delayed += 1 }
    Task {
      try? await Task.sleep(for: delay)
      self.finishDelay(key, priority: priority, heldIdle: holdingIdle)
    }
  }

  private func finishDelay(_ key: Key, priority: ApplyPriority, heldIdle: Bool) {
    if heldIdle { delayed -= 1 }
    if !isShutDown { enqueue(key, lane: Self.lane(priority, urgent: false)) }
    resumeIdleWaiters()
  }

  /// Returns once nothing is queued, processing or waiting to be retried.
  func waitUntilIdle() async {
    // Once shut down, what is left queued never runs: waiting for it would never end.
    if isIdle || isShutDown { return }
    await withCheckedContinuation { idleWaiters.append($0) }
  }

  private var isIdle: Bool {
    queued.isEmpty && processing.isEmpty && dirty.isEmpty && delayed == 0
  }

  private func resumeIdleWaiters() {
    guard isIdle else { return }
    let waiting = idleWaiters
    idleWaiters = []
    for waiter in waiting { waiter.resume() }
  }

  /// Stops handing out keys: waiting workers get nil.
  func shutDown() {
    isShutDown = true
    let waiting = waiters
    waiters = []
    for waiter in waiting { waiter.resume(returning: nil) }
    let idle = idleWaiters
    idleWaiters = []
    for waiter in idle { waiter.resume() }
    resumeDepthWaiters()
  }
}
