import Testing

@testable import SyncLoop

/// The work queue's order: priority first, then changes before a list's backlog.
struct WorkQueueTests {
  static func drain(_ queue: WorkQueue<String>) async -> [String] {
    var served: [String] = []
    while await queue.depth > 0, let key = await queue.next() {
      served.append(key)
      await queue.done(key)
    }
    return served
  }

  @Test func urgentKeysGoAheadOfTheBacklogOfTheirPriority() async {
    let queue = WorkQueue<String>()
    for key in ["a", "b", "c"] { await queue.add(key) }
    await queue.add("changed", urgent: true)
    await queue.add("namespace", priority: .namespaces)
    #expect(await Self.drain(queue) == ["namespace", "changed", "a", "b", "c"])
  }

  @Test func aKeyQueuedAgainUrgentlyMovesUpAndRunsOnce() async {
    let queue = WorkQueue<String>()
    for key in ["a", "b", "c"] { await queue.add(key) }
    await queue.add("c", urgent: true)
    // Neither a second urgent add nor a plain one moves it again or adds a run.
    await queue.add("c", urgent: true)
    await queue.add("c")
    #expect(await queue.depth == 3)
    #expect(await Self.drain(queue) == ["c", "a", "b"])
    // Queued again later, it is served once, at its new place.
    for key in ["a", "c"] { await queue.add(key) }
    #expect(await Self.drain(queue) == ["a", "c"])
  }

  @Test func aKeyAddedWhileProcessedRunsAgainInItsLane() async {
    let queue = WorkQueue<String>()
    await queue.add("a")
    let taken = await queue.next()
    #expect(taken == "a")
    await queue.add("b")
    await queue.add("a", urgent: true)
    await queue.done("a")
    #expect(await Self.drain(queue) == ["a", "b"])
  }
}
