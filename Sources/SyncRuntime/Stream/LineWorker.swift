import Dispatch
import SyncValue

/// A failure kept by a parallel worker until its batch is merged, when the object's
/// number in the whole input is known.
struct HeldFailure {
  /// For an object, its number within the batch; for malformed text, the objects of the
  /// batch before it.
  var objectNumber: Int
  /// Bytes of the batch's output written before the failure, so that on a pipe the
  /// message comes after the objects before it, as on one thread.
  var outputOffset: Int
  var problem: Problem

  enum Problem {
    /// One object failed; `identity` is ` (apps/v1 Deployment prod/web)` or nothing.
    case object(ObjectFailure, identity: String)
    /// A line was not JSON; the worker went on at the next line that starts a value, as
    /// the sequential reader does.
    case malformedJSON(JSONError)
  }
}

/// Whole lines of one input handed to a ``LineWorker``, and what the worker made of them.
///
/// The coordinator fills in the input and starts the work; the worker fills in the
/// results and signals `done`; only then does the coordinator read them. The semaphore
/// orders the two, hence `@unchecked Sendable`.
final class LineBatch: @unchecked Sendable {
  let bytes: [UInt8]
  /// Where `bytes` start in the input.
  let position: JSONPosition

  /// The rewritten objects (or diffs), written as the input's objects would be.
  var output: [UInt8] = []
  var report = ApplyReport()
  /// Objects read (watch bookmarks and errors are not objects).
  var objectCount = 0
  var failures: [HeldFailure] = []
  /// Where the worker stopped short: from there on the input is not one value per line
  /// (a value spanning lines, two on one line, a List, an array) or not valid JSON, and
  /// is left to the sequential reader, which streams Lists and reports errors with their
  /// position. Nil when the worker did the whole batch.
  var stop: JSONPosition?
  let done = DispatchSemaphore(value: 0)

  init(bytes: [UInt8], position: JSONPosition) {
    self.bytes = bytes
    self.position = position
  }
}

/// A thread that parses, evaluates and writes batches of lines, one batch at a time and
/// in the order they were started.
///
/// It owns an applier of its own whose output stays in memory and whose failures are
/// held, so that nothing it does is visible until the coordinator merges the batch.
/// Everything it owns is touched only on its serial queue, hence `@unchecked Sendable`.
final class LineWorker: @unchecked Sendable {
  private let queue = DispatchQueue(label: "syncrules.apply.lines")
  private let applier: StreamApplier
  private let output = OutputSink.inMemory()
  /// Kept from batch to batch, with the keys and short strings it has interned.
  private let reader: JSONStreamReader

  init(
    options: StreamApplier.Options, layout: OutputLayout,
    evaluate: @escaping @Sendable (Value) -> Outcome
  ) {
    applier = StreamApplier(
      options: options, output: output, evaluate: evaluate, concurrentEvaluate: nil,
      problem: { _ in })
    applier.emitter = ObjectEmitter(layout: layout, sink: output)
    reader = JSONStreamReader(reusable: applier.jsonLimits)
    applier.heldFailures = []
  }

  /// Queues `batch`; its `done` is signalled when the results are in.
  func start(_ batch: LineBatch) {
    queue.async {
      self.run(batch)
      batch.done.signal()
    }
  }

  private func run(_ batch: LineBatch) {
    applier.objectNumber = 0
    applier.report = ApplyReport()
    applier.failureCount = 0
    applier.heldFailures = []
    batch.bytes.withUnsafeBufferPointer { reader.load($0, at: batch.position) }
    // Where the sequential reader would take over: after the last value done here.
    var resume = batch.position
    var previousLine = 0
    var finished = false
    let batchEnd = batch.position.offset + batch.bytes.count
    while true {
      do {
        let token = try reader.peekToken()
        if token == .endOfInput {
          finished = true
          break
        }
        let start = reader.position
        if token == .beginArray || start.line == previousLine { break }
        let value = try reader.readValue()
        if reader.position.line != start.line || Self.isList(value) { break }
        try applier.processTopLevel(value, duplicate: reader.takeDuplicateKey())
        previousLine = start.line
        resume = reader.position
      } catch let error as JSONError {
        // Cut off at the end of the batch, or no value starts a line in the rest of it:
        // the sequential reader takes over and reads on (or reports the error at its line
        // and column, and recovers). Otherwise recover here exactly as it would.
        guard error.offset < batchEnd, (try? reader.skipToNextValueLine()) == true else { break }
        applier.heldFailures?.append(
          HeldFailure(
            objectNumber: applier.objectNumber, outputOffset: output.bufferedByteCount,
            problem: .malformedJSON(error)))
        previousLine = 0
        resume = reader.position
      } catch {
        break  // the in-memory output cannot fail
      }
    }
    if !finished { batch.stop = resume }
    batch.output = output.takeBytes()
    batch.report = applier.report
    batch.objectCount = applier.objectNumber
    batch.failures = applier.heldFailures ?? []
  }

  /// Whether the sequential reader would stream `value` as a List, item by item: an
  /// object with an `items` array that no kind not ending in `List` precedes.
  static func isList(_ value: Value) -> Bool {
    guard case .object(let object) = value else { return false }
    for (index, member) in object.members.enumerated() where member.key == "items" {
      if case .array = member.value,
        StreamApplier.mayBeListHead(Array(object.members[..<index]))
      {
        return true
      }
    }
    return false
  }
}
