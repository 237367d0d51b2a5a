#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Where a scanner gets more bytes from once its buffer is used up.
enum JSONByteSource {
  /// Everything is already in the buffer.
  case none
  /// `read(2)` from a file descriptor; a short read is fine, we parse what we have.
  case fileDescriptor(Int32)
  /// Hands out an in-memory array a few bytes at a time, so tests can put refill
  /// boundaries inside every token.
  case chunked([UInt8], next: Int)
}

/// The byte-level core of the JSON reader.
///
/// The bytes live in one manually managed buffer with a NUL sentinel at `end` and zeroed
/// padding behind it. The sentinel stops every scanning loop (whitespace, strings,
/// numbers) without a bounds check; only when a loop stops *at* `end` do we look at the
/// source for more. The padding lets whitespace skipping load a whole machine word.
///
/// A struct so that the hot loops access fields statically, and not copyable because it
/// owns its buffers (a copy would free them twice); ``JSONStreamReader`` owns it.
struct JSONScanner: ~Copyable {
  static let padding = 16

  var base: UnsafeMutablePointer<UInt8>
  /// Usable bytes in `base`, not counting the padding.
  var capacity: Int
  var pos = 0
  var end = 0
  var source: JSONByteSource
  var chunkSize: Int
  var atEOF: Bool

  /// Bytes dropped from the front of the buffer so far: buffer index + this = offset.
  var droppedBytes = 0
  // Line numbers for error messages. JSON allows raw line feeds only between tokens, so
  // every one of them passes through `skipWhitespace`, which counts it there (a line feed
  // is rare next to the spaces around it). A second pass over every byte just for the
  // rare error would cost every run (docs/performance.md).
  /// Line feeds that `skipWhitespace` has passed.
  var newlinesSkipped = 0
  /// Input offset of the last of them; -1 before the first.
  var lastSkippedNewline = -1
  /// Input offset up to which `skipWhitespace` has counted line feeds.
  var newlinesCountedTo = 0

  var depth = 0
  var maximumDepth = 512
  var maximumValueBytes = JSONReaderLimits.defaultMaximumValueBytes
  /// Input offset where the value being read began (see `maximumValueBytes`); `Int.max`
  /// between values.
  var valueStart = Int.max
  /// Its line and column, for the error: the same however the input was cut into reads.
  var valueStartPlace = TokenPlace(offset: 0, line: 1, lineStart: 0)
  /// Input offset from which `refill` keeps every byte (`Int.max`: none), so that a value
  /// read with a projection can be read again whole (see `JSONScanner+Projection`).
  var pinnedOffset = Int.max
  /// Values a projection has left out so far.
  var skippedValues = 0
  /// The hashes of the keys of the objects being skipped, to notice a key met twice.
  var skippedKeyHashes = ScratchStack<UInt64>()
  /// Set when two keys of an object being skipped had the same hash.
  var skippedKeysCollided = false

  // Reusable scratch space: children of the containers being built, and decoded bytes
  // of strings with escapes (never more than the bytes they were decoded from).
  var valueStack = ScratchStack<Value>()
  var memberStack = ScratchStack<Member>()
  /// The hash and place of each key on `memberStack`, to find and name both copies of
  /// a duplicate key.
  var keyRecordStack = ScratchStack<KeyRecord>()
  /// The first duplicate key met since the caller last took it.
  var duplicateKey: JSONDuplicateKey?
  var stringScratch: UnsafeMutablePointer<UInt8>
  var stringScratchCapacity: Int
  var keys = KeyInterner()
  var values: ValueStringCache

  init(bytes: [UInt8]) {
    let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bytes.count + Self.padding)
    buffer.initialize(repeating: 0, count: bytes.count + Self.padding)
    bytes.withUnsafeBufferPointer { source in
      if let address = source.baseAddress { buffer.update(from: address, count: source.count) }
    }
    base = buffer
    capacity = bytes.count
    end = bytes.count
    source = .none
    chunkSize = capacity
    atEOF = true
    stringScratchCapacity = 256
    stringScratch = .allocate(capacity: stringScratchCapacity)
    values = ValueStringCache(slots: ValueStringCache.slots(forDocumentOf: bytes.count))
  }

  init(source: JSONByteSource, chunkSize: Int) {
    self.chunkSize = max(1, chunkSize)
    capacity = self.chunkSize
    base = .allocate(capacity: capacity + Self.padding)
    base.initialize(repeating: 0, count: capacity + Self.padding)
    self.source = source
    atEOF = false
    stringScratchCapacity = 4096
    stringScratch = .allocate(capacity: stringScratchCapacity)
    values = ValueStringCache(slots: 4096)
  }

  deinit {
    // The stacks, the interner and the cache free their own storage.
    base.deallocate()
    stringScratch.deallocate()
  }

  /// Takes the counters of an input of which everything before `position` was read
  /// elsewhere; the buffered bytes are the ones from there on.
  mutating func resume(at position: JSONPosition) {
    droppedBytes = position.offset
    newlinesSkipped = position.line - 1
    lastSkippedNewline = position.lineStart - 1
    newlinesCountedTo = position.offset
    depth = 0
  }

  /// Replaces the buffered bytes with `bytes`, which are all there is; the buffer is
  /// kept when large enough.
  mutating func replaceBytes(with bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.count > capacity {
      base.deallocate()
      capacity = max(bytes.count, capacity * 2)
      base = .allocate(capacity: capacity + Self.padding)
    }
    if let address = bytes.baseAddress { base.update(from: address, count: bytes.count) }
    // The sentinel and the padding behind it: the scanning loops rely on zeros there.
    (base + bytes.count).initialize(repeating: 0, count: Self.padding)
    pos = 0
    end = bytes.count
    source = .none
    atEOF = true
  }

  /// Makes room for `count` bytes in `stringScratch`, keeping the first `used`.
  mutating func reserveStringScratch(_ count: Int, keeping used: Int) {
    if count <= stringScratchCapacity { return }
    let newCapacity = max(count, stringScratchCapacity * 2)
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: stringScratch, count: used)
    stringScratch.deallocate()
    stringScratch = grown
    stringScratchCapacity = newCapacity
  }

  /// The byte at `pos`; the sentinel 0 at the end of the buffered data.
  @inline(__always) var byte: UInt8 { base[pos] }

  // MARK: - Refilling

  /// Reads more input after `end`, first dropping everything before `keep` (which becomes
  /// 0; `pos` moves along). Returns false once the source is exhausted.
  mutating func refill(keeping keep: inout Int) throws(JSONError) -> Bool {
    if atEOF { return false }
    // Checked once a chunk here, so that memory stays bounded, and exactly where a value
    // ends (see `checkValueSize`).
    if droppedBytes &+ end &- valueStart > maximumValueBytes { throw valueTooLarge() }
    // Bytes from `pinnedOffset` on stay too, for a value that may have to be read again.
    let drop = min(keep, pinnedOffset &- droppedBytes)
    if drop > 0 {
      let kept = end - drop
      // Overlapping ranges: raw copyMemory is a memmove.
      UnsafeMutableRawPointer(base).copyMemory(from: base + drop, byteCount: kept)
      droppedBytes += drop
      pos -= drop
      end = kept
      keep -= drop
    }
    if end + chunkSize > capacity {
      // A token longer than the buffer (or a tiny test chunk): grow rather than fail.
      let newCapacity = max(capacity * 2, end + chunkSize)
      let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity + Self.padding)
      grown.initialize(repeating: 0, count: newCapacity + Self.padding)
      grown.update(from: base, count: end)
      base.deallocate()
      base = grown
      capacity = newCapacity
    }
    let count = try readSome(into: base + end, maximum: capacity - end)
    end += count
    base[end] = 0
    if count == 0 {
      atEOF = true
      return false
    }
    return true
  }

  private mutating func readSome(
    into destination: UnsafeMutablePointer<UInt8>, maximum: Int
  ) throws(JSONError) -> Int {
    switch source {
    case .none:
      return 0
    case .chunked(let bytes, let next):
      let count = min(min(chunkSize, maximum), bytes.count - next)
      if count <= 0 { return 0 }
      bytes.withUnsafeBufferPointer { buffer in
        destination.update(from: buffer.baseAddress! + next, count: count)
      }
      source = .chunked(bytes, next: next + count)
      return count
    case .fileDescriptor(let descriptor):
      let count = readInput(from: descriptor, into: destination, count: maximum)
      if count >= 0 { return count }
      throw error("read failed: " + String(cString: strerror(errno)), at: end)
    }
  }

  /// Makes sure `count` bytes from `pos` are buffered unless the input ends sooner.
  @inline(__always)
  mutating func ensureAvailable(_ count: Int) throws(JSONError) {
    if end - pos < count { try fillUntilAvailable(count) }
  }

  private mutating func fillUntilAvailable(_ count: Int) throws(JSONError) {
    while end - pos < count {
      var keep = pos
      if !(try refill(keeping: &keep)) { return }
    }
  }

  // MARK: - Whitespace

  /// Skips JSON whitespace, refilling as needed; stops at the next other byte or at the
  /// end of input (`pos == end`).
  @inline(__always)
  mutating func skipWhitespace() throws(JSONError) {
    while true {
      var p = pos
      var newlines = 0
      var lastNewline = -1
      while true {
        let c = base[p]
        if c == 0x20 {
          // kubectl output is mostly indentation: skip spaces eight at a time.
          let word = UInt64(
            littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
          let others = word ^ 0x2020_2020_2020_2020
          if others == 0 {
            p += 8
          } else {
            p += others.trailingZeroBitCount &>> 3
          }
        } else if c == 0x0A {
          newlines &+= 1
          lastNewline = p
          p += 1
        } else if c == 0x0D || c == 0x09 {
          p += 1
        } else {
          break
        }
      }
      pos = p
      if newlines != 0 {
        newlinesSkipped &+= newlines
        lastSkippedNewline = droppedBytes &+ lastNewline
      }
      newlinesCountedTo = droppedBytes &+ p
      if p < end { return }
      var keep = p
      if !(try refill(keeping: &keep)) { return }
    }
  }

  /// Skips past the next line feed after which a line starts with `{` or `[`, counting
  /// the line feeds passed, and stops at that byte; returns false at the end of input.
  mutating func skipToLineStartingAValue() throws(JSONError) -> Bool {
    while true {
      while pos < end {
        guard base[pos] == 0x0A else {
          pos += 1
          continue
        }
        newlinesSkipped &+= 1
        lastSkippedNewline = droppedBytes &+ pos
        pos += 1
        newlinesCountedTo = droppedBytes &+ pos
        try ensureAvailable(1)
        if pos < end, base[pos] == UInt8(ascii: "{") || base[pos] == UInt8(ascii: "[") {
          return true
        }
      }
      var keep = pos
      if !(try refill(keeping: &keep)) { return false }
    }
  }

  /// Skips a UTF-8 byte order mark at the very start of the input.
  mutating func skipByteOrderMark() throws(JSONError) {
    guard droppedBytes == 0, pos == 0 else { return }
    try ensureAvailable(3)
    if end >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { pos = 3 }
  }

  /// Where the token at `pos` starts. Valid right after `skipWhitespace`, which has
  /// counted every line feed before it.
  @inline(__always)
  var placeAfterWhitespace: TokenPlace {
    TokenPlace(
      offset: droppedBytes &+ pos, line: newlinesSkipped &+ 1,
      lineStart: lastSkippedNewline &+ 1)
  }

  /// The line and column of the token at `pos`, packed (see ``placeAfterWhitespace``).
  @inline(__always)
  var keyRecordAfterWhitespace: KeyRecord.Place {
    KeyRecord.Place(
      line: Int32(truncatingIfNeeded: newlinesSkipped &+ 1),
      column: Int32(truncatingIfNeeded: droppedBytes &+ pos &- lastSkippedNewline))
  }

  /// `64 MiB`, `1.5 MiB`, `200 bytes`.
  static func describeSize(_ bytes: Int) -> String {
    if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MiB" }
    if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KiB" }
    return "\(bytes) bytes"
  }

  /// Uses the limits a reader was made with.
  mutating func apply(_ limits: JSONReaderLimits) {
    maximumDepth = limits.maximumDepth
    maximumValueBytes = limits.maximumValueBytes
  }

  /// A value starts at `pos` (after whitespace): the size limit counts from here.
  @inline(__always)
  mutating func startValue() {
    valueStart = droppedBytes &+ pos
    valueStartPlace = placeAfterWhitespace
  }

  /// Throws when the value that started at `valueStart` and ends at `pos` is too large.
  @inline(__always)
  func checkValueSize() throws(JSONError) {
    if droppedBytes &+ pos &- valueStart > maximumValueBytes { throw valueTooLarge() }
  }

  /// Names where the value starts, which does not depend on where reads cut the input.
  func valueTooLarge() -> JSONError {
    let (line, column) = valueStartPlace.lineAndColumn
    return JSONError(
      message: "the value that starts here is larger than \(Self.describeSize(maximumValueBytes)), "
        + "the most one object may take (Kubernetes keeps none above 1.5 MB)",
      line: line, column: column, offset: valueStartPlace.offset)
  }

  // MARK: - Errors

  /// An error at buffer index `index`, with line and column worked out now.
  func error(_ message: String, at index: Int) -> JSONError {
    var line = newlinesSkipped + 1
    var lastNewline = lastSkippedNewline
    let offset = droppedBytes + index
    // Errors are raised inside the token after the last whitespace skipped, so normally
    // nothing is left to count; a read failure points at the end of the buffered bytes,
    // past bytes no one has looked at yet.
    var scan = max(newlinesCountedTo - droppedBytes, 0)
    let limit = min(index, end)
    while scan < limit {
      if base[scan] == 0x0A {
        line += 1
        lastNewline = droppedBytes + scan
      }
      scan += 1
    }
    return JSONError(message: message, line: line, column: offset - lastNewline, offset: offset)
  }

  /// An error at `pos` that says what was expected and, for clarity, what was found.
  func unexpected(_ expectation: String) -> JSONError {
    if pos >= end { return error("unexpected end of input: \(expectation)", at: pos) }
    return error("\(expectation), found \(describeByte(base[pos]))", at: pos)
  }

  func describeByte(_ c: UInt8) -> String {
    switch c {
    case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(c)))'"
    default:
      let hex = String(c, radix: 16, uppercase: true)
      return "byte 0x" + (hex.count < 2 ? "0" + hex : hex)
    }
  }
}

/// The high bit of each zero byte of `word`, and nothing else (exact, unlike the
/// cheaper test that can flag a 0x01 byte following a zero byte).
@inline(__always)
func zeroBytes(_ word: UInt64) -> UInt64 {
  let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
  return ~(((word & low7) &+ low7) | word | low7)
}

/// A key of an object being read: its hash (``KeyInterner/lastHash``) and where it is.
/// A string's decoded bytes: in the input buffer, or in `stringScratch` when it had
/// escapes; valid until the scanner reads on.
struct ScannedString {
  var bytes: UnsafePointer<UInt8>
  var count: Int
  var escaped: Bool
}

struct KeyRecord {
  struct Place {
    var line: Int32
    var column: Int32
  }

  var hash: UInt64
  var place: Place

  var lineAndColumn: (line: Int, column: Int) { (Int(place.line), Int(place.column)) }
}

/// Where a token starts in the input.
struct TokenPlace {
  var offset: Int
  var line: Int
  var lineStart: Int

  var lineAndColumn: (line: Int, column: Int) { (line, offset - lineStart + 1) }
}
