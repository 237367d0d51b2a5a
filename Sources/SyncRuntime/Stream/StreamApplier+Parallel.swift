import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A line longer than this (a whole List printed on one line, say) ends the parallel
/// reading: the sequential reader streams it instead of holding it whole.
private let maximumLineBytes = 4 << 20

extension StreamApplier {
  // MARK: - Values one per line, on several threads

  /// Whether to read an input with ``applyLinesInParallel(_:interactive:)``: more than
  /// one job, rules that may run on other threads, JSON output, and JSON that starts
  /// compact (NDJSON, `jq -c`) rather than indented like kubectl's, which the sequential
  /// reader handles at once instead of after a batch has failed. Anything else the
  /// workers find not to be one value per line they hand back.
  func runsInParallel(_ detected: DetectedFormat) -> Bool {
    guard options.jobs > 1, concurrentEvaluate != nil, let emitter, emitter.layout != .yaml
    else { return false }
    return detected.format == .json && !detected.isPretty
  }

  /// Reads whole lines in batches and hands each batch to one of `options.jobs` workers,
  /// which parse, evaluate and write it; the results are written in input order, so the
  /// output, the report and the messages are those of the sequential reader. From the
  /// first value that is not alone on its line (or is malformed, or is a List), the rest
  /// of the input goes to the sequential reader, which picks up at that byte.
  ///
  /// - Parameter interactive: input that may pause (a pipe): what is done is written
  ///   before waiting for more, and JSON without line feeds goes to the sequential
  ///   reader as soon as a whole value has arrived.
  func applyLinesInParallel(
    _ raw: RawInput, interactive: Bool
  ) throws(OutputSinkError) -> Bool {
    if workers.isEmpty, let emitter, let concurrentEvaluate {
      workers = (0..<options.jobs).map { _ in
        LineWorker(options: options, layout: emitter.layout, evaluate: concurrentEvaluate)
      }
    }
    var pipeline = LinePipeline(
      source: ChunkSource(raw), batchBytes: options.batchBytes, interactive: interactive,
      limits: jsonLimits)
    var started: [LineBatch] = []
    var nextWorker = 0

    /// Writes the oldest batch's results; returns the sequential reader's result when
    /// the batch stopped short.
    func finishOldest() throws(OutputSinkError) -> Bool? {
      let batch = started.removeFirst()
      batch.done.wait()
      try merge(batch)
      guard let stop = batch.stop else { return nil }
      var rest = Array(batch.bytes[(stop.offset - batch.position.offset)...])
      for later in started {
        later.done.wait()
        rest += later.bytes
      }
      started.removeAll()
      return try applyJSON(pipeline.resumingReader(at: stop, after: rest))
    }

    /// Writes the results of every batch started, oldest first, as ``finishOldest()``.
    func finishStarted() throws(OutputSinkError) -> Bool? {
      while !started.isEmpty {
        if let result = try finishOldest() { return result }
      }
      return nil
    }

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
        return try applyJSON(pipeline.resumingReader(at: position, after: []))
      case .end:
        return try finishStarted() ?? true
      }
    }
  }

  /// Adds a finished batch to the output, the report and the messages. Each message goes
  /// out after the objects before it (flushed first when writing object by object).
  private func merge(_ batch: LineBatch) throws(OutputSinkError) {
    report.merge(batch.report)
    var written = 0
    try batch.output.withUnsafeBufferPointer { (output) throws(OutputSinkError) in
      for held in batch.failures {
        if held.outputOffset > written {
          try sink.write(UnsafeBufferPointer(rebasing: output[written..<held.outputOffset]))
          written = held.outputOffset
        }
        switch held.problem {
        case .object(let failure, let identity):
          failureCount += 1
          if flushesEachObject { try sink.flush() }
          problem(
            message(
              for: failure, objectNumber: objectNumber + held.objectNumber, identity: identity))
        case .malformedJSON(let error):
          // As the sequential reader's `stop`: counted, and after everything before it.
          malformedInputCount += 1
          try sink.flush()
          problem(
            inputError(.malformedJSON, line: error.line, column: error.column, error.message))
        }
      }
      try sink.write(UnsafeBufferPointer(rebasing: output[written...]))
    }
    objectNumber += batch.objectCount
    objectsDoneInParallel += batch.objectCount
    if flushesEachObject { try sink.flush() }
  }
}

/// Cuts an input into batches of whole lines.
private struct LinePipeline {
  enum Next {
    case batch(LineBatch)
    /// Continue sequentially from here.
    case handOver(JSONPosition)
    /// A pipe has nothing more for now, and the caller said not to wait.
    case waitsForInput
    case end
  }

  var source: ChunkSource
  let batchBytes: Int
  let interactive: Bool
  /// For the sequential reader that takes over.
  let limits: JSONReaderLimits
  /// The bytes after the last line feed handed out (a line still being read).
  var carry: [UInt8] = []
  /// Where `carry` starts in the input.
  var carryPosition = JSONPosition.start

  init(source: ChunkSource, batchBytes: Int, interactive: Bool, limits: JSONReaderLimits) {
    self.source = source
    self.batchBytes = batchBytes
    self.interactive = interactive
    self.limits = limits
  }

  /// Why filling a batch stopped on a pipe with nothing more to read for now.
  private enum Pause {
    case none
    case waitsForInput
    case handOver
  }

  /// The next batch: `batchBytes` more (on a pipe, what has arrived) after the carried
  /// partial line, cut after the last line feed.
  ///
  /// On a pipe that has nothing more for now, whole lines are handed out at once; with
  /// only part of a line, it returns `.waitsForInput` unless `mayWait` (so that the
  /// caller first writes out what is done), and hands over to the sequential reader
  /// when that part already holds a whole value: JSON without line feeds, which must
  /// come out value by value rather than when a line feed or 4 MB have arrived.
  mutating func nextBatch(mayWait: Bool) -> Next {
    while true {
      if carry.count > maximumLineBytes { return .handOver(carryPosition) }
      let carried = carry.count
      var pause = Pause.none
      var bytes = [UInt8](unsafeUninitializedCapacity: carried + batchBytes) { buffer, count in
        let base = buffer.baseAddress!
        carry.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: carried) }
        count = carried
        var holdsLine = false
        while count < buffer.count {
          if interactive && !source.hasBytesNow() {
            if holdsLine { break }
            if !mayWait {
              pause = .waitsForInput
              break
            }
            if Self.holdsValue(UnsafeBufferPointer(start: base, count: count)) {
              pause = .handOver
              break
            }
          }
          let read = source.read(into: base + count, maximum: buffer.count - count)
          if read == 0 { break }
          count += read
          holdsLine = holdsLine || memchr(base + count - read, 0x0A, read) != nil
        }
      }
      switch pause {
      case .waitsForInput:
        carry = bytes
        return .waitsForInput
      case .handOver:
        carry = bytes
        return .handOver(carryPosition)
      case .none:
        break
      }
      if bytes.count == carried {
        if source.failed { return .handOver(carryPosition) }
        if carried == 0 { return .end }
        // The last line, without a line feed.
        carry = []
        return .batch(LineBatch(bytes: bytes, position: carryPosition))
      }
      // The last line feed is at most a line from the end: a backward search is short.
      guard let lastLineFeed = bytes.lastIndex(of: 0x0A) else {
        carry = bytes
        continue
      }
      let cut = lastLineFeed + 1
      carry = Array(bytes[cut...])
      bytes.removeLast(bytes.count - cut)
      let batch = LineBatch(bytes: bytes, position: carryPosition)
      carryPosition = JSONPosition(
        offset: carryPosition.offset + cut, line: carryPosition.line + Self.lineFeeds(in: bytes),
        lineStart: carryPosition.offset + cut)
      return .batch(batch)
    }
  }

  /// Whether `bytes` (no line feed among them) start with a whole value, or with
  /// something that is not JSON, which the sequential reader reports at once.
  static func holdsValue(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var splitter = JSONFrameSplitter()
    splitter.append(bytes)
    do {
      return try splitter.nextFrame() != nil
    } catch {
      return true
    }
  }

  static func lineFeeds(in bytes: [UInt8]) -> Int {
    bytes.withUnsafeBufferPointer { buffer in
      guard var next = UnsafeRawPointer(buffer.baseAddress) else { return 0 }
      let end = next + buffer.count
      var count = 0
      while next < end, let found = memchr(next, 0x0A, end - next) {
        count += 1
        next = UnsafeRawPointer(found) + 1
      }
      return count
    }
  }

  /// A sequential reader of `rest` (the bytes handed out from `position` on, which no
  /// worker finished), then the carried line, then whatever is still to be read.
  mutating func resumingReader(at position: JSONPosition, after rest: [UInt8]) -> JSONStreamReader {
    // The batches handed out cover the input up to the carried line, so `rest` (empty
    // when handing over at the carried line itself) is followed by it.
    let prefix = rest + carry + source.takeUnreadPrefix()
    if let descriptor = source.descriptor {
      return JSONStreamReader(
        fileDescriptor: descriptor, prefix: prefix, resumingAt: position, limits: limits)
    }
    return JSONStreamReader(bytes: prefix, resumingAt: position, limits: limits)
  }
}

/// The bytes of one input for the parallel reader: the prefix read to detect the
/// format, then the file descriptor.
private struct ChunkSource {
  private var prefix: [UInt8]
  private var prefixUsed = 0
  let descriptor: Int32?
  private var atEnd = false
  /// A read failed; the sequential reader meets the error again and reports it.
  private(set) var failed = false

  init(_ raw: RawInput) {
    prefix = raw.prefix
    descriptor = raw.descriptor
  }

  /// Copies up to `maximum` bytes to `destination`; 0 at the end or after a failure.
  mutating func read(into destination: UnsafeMutablePointer<UInt8>, maximum: Int) -> Int {
    if prefixUsed < prefix.count {
      let count = min(maximum, prefix.count - prefixUsed)
      prefix.withUnsafeBufferPointer {
        destination.update(from: $0.baseAddress! + prefixUsed, count: count)
      }
      prefixUsed += count
      return count
    }
    guard let descriptor, !atEnd else { return 0 }
    let count = readInput(from: descriptor, into: destination, count: maximum)
    if count > 0 { return count }
    failed = count < 0
    atEnd = true
    return 0
  }

  /// Whether a read would return at once.
  func hasBytesNow() -> Bool {
    if prefixUsed < prefix.count { return true }
    guard let descriptor, !atEnd else { return true }
    var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    return poll(&request, 1, 0) > 0
  }

  /// The part of the prefix not read yet (input held in memory is all prefix).
  mutating func takeUnreadPrefix() -> [UInt8] {
    let unread = Array(prefix[prefixUsed...])
    prefixUsed = prefix.count
    return unread
  }
}
