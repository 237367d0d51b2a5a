import Dispatch
import SyncValue

/// A failure kept by a worker until its batch is merged, when the object's number in the
/// whole input is known.
struct HeldFailure {
  /// Bytes of the batch's output written before the failure, so that on a pipe the
  /// message comes after the objects before it, as on one thread.
  var outputOffset: Int
  var problem: Problem

  enum Problem {
    /// One object failed; its number counts within the batch.
    case object(ObjectProcessor.Failure)
    /// A line was not JSON; the worker went on at the next line that starts a value, as
    /// the sequential reader does.
    case malformedJSON(JSONError)
  }
}

/// Whole lines of one input handed to a ``LineWorker``, and what the worker made of them.
///
/// The driver fills in the input and starts the work; the worker fills in the results and
/// signals `done`; only then does the driver read them. The semaphore orders the two,
/// hence `@unchecked Sendable`.
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
  /// (a value spanning lines, two on one line, a List, an array), or is cut by the end
  /// of the batch, and is left to the sequential reader. Nil when the worker did the
  /// whole batch.
  var stop: JSONPosition?
  let done = DispatchSemaphore(value: 0)

  init(bytes: [UInt8], position: JSONPosition) {
    self.bytes = bytes
    self.position = position
  }
}

/// A thread that parses, evaluates and renders batches of lines, one batch at a time and
/// in the order they were started, with an ``ObjectProcessor`` of its own whose output
/// stays in memory until the driver merges the batch.
///
/// Everything it owns is touched only on its serial queue, hence `@unchecked Sendable`.
final class LineWorker: @unchecked Sendable {
  private let queue = DispatchQueue(label: "syncrules.apply.lines")
  private let processor: ObjectProcessor
  private let output = OutputSink.inMemory()
  /// Kept from batch to batch, with the keys and short strings it has interned.
  private let reader: JSONStreamReader

  init(
    options: ObjectProcessor.Options, layout: OutputLayout, limits: JSONReaderLimits,
    evaluate: @escaping @Sendable (Value) -> Outcome,
    projectingEvaluator: Evaluator?
  ) {
    processor = ObjectProcessor(
      options: options, emitter: ObjectEmitter(layout: layout, sink: output), evaluate: evaluate)
    reader = JSONStreamReader(reusable: limits)
    reader.projection = projectingEvaluator.map(KindProjections.init)
  }

  /// Queues `batch`; its `done` is signalled when the results are in.
  func start(_ batch: LineBatch) {
    queue.async {
      self.run(batch)
      batch.done.signal()
    }
  }

  private func run(_ batch: LineBatch) {
    processor.objectCount = 0
    processor.report = ApplyReport()
    var failures: [HeldFailure] = []
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
        let value = try reader.readObjectValue()
        if reader.position.line != start.line || ListShape.split(value) != nil { break }
        let outputOffset = output.bufferedByteCount
        if let failure = processor.processTopLevel(value, duplicate: reader.takeDuplicateKey()) {
          failures.append(HeldFailure(outputOffset: outputOffset, problem: .object(failure)))
        }
        previousLine = start.line
        resume = reader.position
      } catch {
        // Cut off at the end of the batch, or no value starts a line in the rest of it:
        // the sequential reader takes over and reads on (or reports the error at its line
        // and column, and recovers). Otherwise recover here exactly as it would.
        guard error.offset < batchEnd, (try? reader.skipToNextValueLine()) == true else { break }
        failures.append(
          HeldFailure(outputOffset: output.bufferedByteCount, problem: .malformedJSON(error)))
        previousLine = 0
        resume = reader.position
      }
    }
    if !finished { batch.stop = resume }
    batch.output = output.takeBytes()
    batch.report = processor.report
    batch.objectCount = processor.objectCount
    batch.failures = failures
  }
}
