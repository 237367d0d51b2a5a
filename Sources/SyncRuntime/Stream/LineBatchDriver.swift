import SyncValue

/// Reads an input that comes one JSON value per line (NDJSON, watch frames) on several
/// threads: a ``LinePipeline`` cuts it into batches of whole lines, each batch goes to one
/// ``LineWorker``, and the results are merged in input order, so that the output, the
/// report and the messages are those of the sequential reader.
///
/// From the first value a worker cannot do alone on its line (spread over lines, two on
/// one line, a List, an array, cut by the end of a batch), the rest of the input goes to
/// the sequential reader, which picks up at that byte. That is correct because of one
/// rule, which ``handOver(from:)`` relies on: **the batches handed out cover the input in
/// order, without gaps, up to the pipeline's carried line.** So the input after the
/// stopping point is the rest of that batch, the batches started after it, then the
/// carried line and what is still unread — exactly what the new reader is given.
struct LineBatchDriver {
  private let applier: StreamApplier
  private var pipeline: LinePipeline
  private var workers: [LineWorker]
  /// Batches handed to workers and not yet merged, oldest first.
  private var started: [LineBatch] = []
  private var nextWorker = 0

  /// - Parameter interactive: input that may pause (a pipe): what is done is written
  ///   before waiting for more, and JSON without line feeds goes to the sequential reader
  ///   as soon as a whole value has arrived.
  init(applier: StreamApplier, raw: RawInput, interactive: Bool) {
    self.applier = applier
    if applier.workers.isEmpty, let evaluate = applier.concurrentEvaluate,
      let layout = applier.processor?.emitter.layout
    {
      applier.workers = (0..<applier.options.jobs).map { _ in
        LineWorker(
          options: applier.processorOptions, layout: layout, limits: applier.jsonLimits,
          evaluate: evaluate, projectingEvaluator: applier.projectingEvaluator)
      }
    }
    workers = applier.workers
    pipeline = LinePipeline(
      source: ChunkSource(raw), batchBytes: applier.options.batchBytes,
      interactive: interactive, limits: applier.jsonLimits)
  }

  /// Reads the input to its end; false when it held malformed text.
  mutating func run() throws(OutputSinkError) -> Bool {
    while true {
      // Make room first: a batch that stops short hands everything cut after it to the
      // sequential reader, so no batch may be cut and not yet started.
      while started.count >= 2 * workers.count {
        if let result = try finishOldest() { return result }
      }
      switch pipeline.nextBatch(mayWait: started.isEmpty) {
      case .waitsForInput:
        // Nothing more to read yet: write out what the workers have done first.
        if let result = try finishStarted() { return result }
      case .batch(let batch):
        workers[nextWorker].start(batch)
        nextWorker = (nextWorker + 1) % workers.count
        started.append(batch)
      case .handOver(let position):
        // A very long line or a failed read: finish what was started, then read on
        // sequentially (which meets the failure again and reports it).
        if let result = try finishStarted() { return result }
        return try applier.applyJSON(pipeline.resumingReader(at: position, after: []))
      case .end:
        return try finishStarted() ?? true
      }
    }
  }

  /// Merges the oldest batch; returns the sequential reader's result when the batch
  /// stopped short and the rest of the input was handed over.
  private mutating func finishOldest() throws(OutputSinkError) -> Bool? {
    let batch = started.removeFirst()
    batch.done.wait()
    try merge(batch)
    guard let stop = batch.stop else { return nil }
    return try handOver(from: batch, at: stop)
  }

  /// Merges every batch started, oldest first, as ``finishOldest()``.
  private mutating func finishStarted() throws(OutputSinkError) -> Bool? {
    while !started.isEmpty {
      if let result = try finishOldest() { return result }
    }
    return nil
  }

  /// The sequential reader reads on from `stop` in `batch`: the rest of it, then every
  /// batch started after it (unmerged: their work is dropped), then the carried line and
  /// the unread input (the rule in the type's documentation).
  private mutating func handOver(from batch: LineBatch, at stop: JSONPosition)
    throws(OutputSinkError)
    -> Bool
  {
    var rest = Array(batch.bytes[(stop.offset - batch.position.offset)...])
    var end = batch.position.offset + batch.bytes.count
    for later in started {
      later.done.wait()
      precondition(later.position.offset == end, "the batches cover the input without gaps")
      end += later.bytes.count
      rest += later.bytes
    }
    precondition(pipeline.carryPosition.offset == end, "the carried line follows the batches")
    started.removeAll()
    return try applier.applyJSON(pipeline.resumingReader(at: stop, after: rest))
  }

  /// Adds a finished batch to the output, the report and the messages. Each message goes
  /// out after the objects before it (flushed first when writing object by object).
  private func merge(_ batch: LineBatch) throws(OutputSinkError) {
    guard let processor = applier.processor else { return }
    processor.report.merge(batch.report)
    let base = processor.objectCount
    var written = 0
    try batch.output.withUnsafeBufferPointer { (output) throws(OutputSinkError) in
      for held in batch.failures {
        if held.outputOffset > written {
          applier.sink.append(UnsafeBufferPointer(rebasing: output[written..<held.outputOffset]))
          written = held.outputOffset
        }
        switch held.problem {
        case .object(let failure):
          if applier.flushesEachObject { try applier.sink.flush() }
          applier.reportFailure(failure, objectNumber: base + failure.objectNumber)
        case .malformedJSON(let error):
          try applier.reportMalformed(
            .malformedJSON, line: error.line, column: error.column, error.message)
        }
      }
      applier.sink.append(UnsafeBufferPointer(rebasing: output[written...]))
    }
    processor.objectCount += batch.objectCount
    applier.objectsDoneInParallel += batch.objectCount
    try applier.objectDone()
  }
}

extension StreamApplier {
  /// Whether to read an input with a ``LineBatchDriver``: more than one job, rules that
  /// may run on other threads, JSON output, and JSON that starts compact (NDJSON,
  /// `jq -c`) rather than indented like kubectl's, which the sequential reader handles at
  /// once instead of after a batch has failed. Anything else the workers find not to be
  /// one value per line they hand back.
  func runsInParallel(_ detected: DetectedFormat) -> Bool {
    guard options.jobs > 1, concurrentEvaluate != nil, let processor,
      processor.emitter.layout != .yaml
    else { return false }
    return detected.format == .json && !detected.isPretty
  }
}
