import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A line still without its line feed after this many bytes (a whole List printed on
/// one line, say) ends the parallel reading: the sequential reader streams it instead of
/// holding it whole. Checked between reads, so a line may pass it by up to one batch.
let maximumLineBytes = 4 << 20

/// Cuts an input into batches of whole lines.
struct LinePipeline {
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
        if carried > 0 {
          carry.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: carried) }
        }
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
        let batch = LineBatch(bytes: bytes, position: carryPosition)
        carryPosition = bytes.withUnsafeBufferPointer { carryPosition.advanced(over: $0) }
        return .batch(batch)
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
      carryPosition = bytes.withUnsafeBufferPointer { carryPosition.advanced(over: $0) }
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
struct ChunkSource {
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
