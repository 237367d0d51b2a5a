#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// What comes next in a JSON input, as seen by ``JSONStreamReader/peekToken()``.
public enum JSONToken: Sendable, Equatable {
  case beginObject
  case beginArray
  case string
  case number
  case bool
  case null
  /// `}` or `]`: the enclosing container ends here.
  case endContainer
  /// No more input.
  case endOfInput
}

/// A place in a JSON input: for readers that resume where another stopped, so that their
/// errors still name the line and column of the whole input.
public struct JSONPosition: Sendable, Equatable {
  /// Bytes from the start of the input.
  public var offset: Int
  /// 1-based line of `offset`.
  public var line: Int
  /// The offset of the first byte of that line.
  public var lineStart: Int

  public init(offset: Int, line: Int, lineStart: Int) {
    self.offset = offset
    self.line = line
    self.lineStart = lineStart
  }

  /// The start of an input.
  public static let start = JSONPosition(offset: 0, line: 1, lineStart: 0)

  /// The position after `bytes`, which start here.
  public func advanced(over bytes: UnsafeBufferPointer<UInt8>) -> JSONPosition {
    var position = JSONPosition(offset: offset + bytes.count, line: line, lineStart: lineStart)
    guard var next = UnsafeRawPointer(bytes.baseAddress) else { return position }
    let start = next
    let end = next + bytes.count
    while next < end, let found = memchr(next, 0x0A, end - next) {
      position.line += 1
      next = UnsafeRawPointer(found) + 1
      position.lineStart = offset + (next - start)
    }
    return position
  }
}

/// A pull reader of JSON text from a file descriptor or memory.
///
/// It reads the input in chunks and hands out each value as soon as its last byte has
/// arrived, so it works on never-ending pipes such as `kubectl get -w -o json`. The input
/// may hold any number of top-level values separated by whitespace or nothing (NDJSON,
/// concatenated JSON); ``nextValue()`` returns them one at a time.
///
/// The low-level calls walk a value piece by piece, which lets a caller stream a
/// `kind: List` one item at a time:
///
///     try reader.beginObject()
///     while let key = try reader.nextKey() {
///       if key == "items" {
///         try reader.beginArray()
///         while try reader.nextElement() { handle(try reader.readValue()) }
///       } else {
///         envelope[key] = try reader.readValue()
///       }
///     }
///
/// A member or element that the caller does not read is skipped by the next
/// ``nextKey()`` or ``nextElement()``. After an error the reader keeps throwing it.
///
/// Used by one task at a time, so not `Sendable`.
public final class JSONStreamReader {
  enum Frame {
    case object
    case array
  }

  var scanner: JSONScanner
  /// Open containers entered through ``beginObject()`` / ``beginArray()``.
  var frames: [Frame] = []
  /// True while the current frame has had no member or element yet.
  private var atFirstEntry = false
  /// True between `nextKey`/`nextElement` and the call that consumes the value.
  private var valuePending = false
  /// The keys of the objects opened with ``beginObject()``, one after another, and where
  /// each object's keys start: flat, so that reading an object allocates nothing.
  private var openObjectKeys: [(key: String, record: KeyRecord)] = []
  private var openObjectStarts: [Int] = []
  private var failure: JSONError?
  /// When set, ``readObjectValue()`` and ``readMember(_:of:)`` leave out of each
  /// Kubernetes object what it says for the object's kind (held strongly).
  public var projection: JSONProjectionSource?

  /// Reads from a file descriptor, which the caller keeps ownership of.
  ///
  /// - Parameters:
  ///   - prefix: bytes to read first, for callers that had to read the first bytes
  ///     themselves (to tell JSON from YAML on a pipe, which cannot be rewound).
  ///   - position: where `prefix` starts in the whole input, when everything before it
  ///     was read elsewhere: offsets, lines and columns in errors count from the start.
  ///   - chunkSize: bytes per `read(2)`; the buffer grows only for a token longer than this.
  ///   - limits: nesting depth and similar limits.
  public init(
    fileDescriptor: Int32, prefix: [UInt8] = [], resumingAt position: JSONPosition = .start,
    chunkSize: Int = 128 * 1024, limits: JSONReaderLimits = .init()
  ) {
    scanner = JSONScanner(
      source: .fileDescriptor(fileDescriptor), chunkSize: max(chunkSize, prefix.count))
    scanner.apply(limits)
    prefix.withUnsafeBufferPointer { source in
      if let address = source.baseAddress {
        scanner.base.update(from: address, count: source.count)
      }
    }
    scanner.end = prefix.count
    if position != .start { scanner.resume(at: position) }
  }

  /// Reads from bytes in memory; `position` as for
  /// ``init(fileDescriptor:prefix:resumingAt:chunkSize:limits:)``.
  public init(
    bytes: [UInt8], resumingAt position: JSONPosition = .start,
    limits: JSONReaderLimits = .init()
  ) {
    scanner = JSONScanner(bytes: bytes)
    scanner.apply(limits)
    if position != .start { scanner.resume(at: position) }
  }

  /// Reads `bytes` as if they arrived `chunkSize` bytes at a time: a test hook that puts
  /// refill boundaries inside tokens.
  init(bytes: [UInt8], chunkSize: Int, limits: JSONReaderLimits = .init()) {
    scanner = JSONScanner(source: .chunked(bytes, next: 0), chunkSize: chunkSize)
    scanner.apply(limits)
  }

  /// A reader for ``load(_:at:)``: one reader reads many pieces of one input in turn,
  /// keeping its buffer and the keys and short strings it has seen.
  public init(reusable limits: JSONReaderLimits = .init()) {
    scanner = JSONScanner(source: .none, chunkSize: 64 * 1024)
    scanner.atEOF = true
    scanner.apply(limits)
  }

  /// Starts over on `bytes`, which sit at `position` of the input: the reader forgets
  /// open containers and errors, and ends where `bytes` end.
  public func load(_ bytes: UnsafeBufferPointer<UInt8>, at position: JSONPosition) {
    scanner.replaceBytes(with: bytes)
    scanner.resume(at: position)
    forgetState()
  }

  /// Forgets open containers, the error, and what a value that failed left on the stacks
  /// (which would otherwise stay alive).
  private func forgetState() {
    scanner.valueStack.removeAll()
    scanner.memberStack.removeAll()
    scanner.skippedKeyHashes.removeAll()
    scanner.skippedKeysCollided = false
    scanner.keyRecordStack.removeAll()
    scanner.duplicateKey = nil
    scanner.depth = 0
    scanner.pinnedOffset = .max
    frames.removeAll(keepingCapacity: true)
    openObjectKeys.removeAll(keepingCapacity: true)
    openObjectStarts.removeAll(keepingCapacity: true)
    atFirstEntry = false
    valuePending = false
    failure = nil
  }

  /// Where the next unread byte is, with its line: right after ``peekToken()`` (which
  /// skips the whitespace before a token, counting its line feeds) or after a whole
  /// top-level value (line feeds occur only in whitespace, all of it already skipped).
  public var position: JSONPosition {
    JSONPosition(
      offset: scanner.droppedBytes + scanner.pos, line: scanner.newlinesSkipped + 1,
      lineStart: scanner.lastSkippedNewline + 1)
  }

  /// The byte offset of the next unread byte from the start of the input.
  public var offset: Int { scanner.droppedBytes + scanner.pos }

  /// Recovers from an error at the top level of a stream written one value per line
  /// (NDJSON, watch frames, `kubectl get -w -o json`): forgets the error and any open
  /// container, and skips to the next line that starts with `{` or `[`, where the next
  /// value begins. Returns false when the input ends first.
  ///
  /// - Throws: only when reading fails.
  public func skipToNextValueLine() throws(JSONError) -> Bool {
    forgetState()
    do {
      scanner.valueStart = .max
      return try scanner.skipToLineStartingAValue()
    } catch {
      failure = error
      throw error
    }
  }

  /// The first key met twice in one object since the last call (in a value read whole,
  /// or among the keys of an object read with ``nextKey()``), and forgets it.
  ///
  /// Such text is valid JSON, so the reader accepts it; a caller that must not guess
  /// which copy counts refuses the object.
  public func takeDuplicateKey() -> JSONDuplicateKey? {
    defer { scanner.duplicateKey = nil }
    return scanner.duplicateKey
  }

  // MARK: - Whole values

  /// The next top-level value, or nil at the end of the input.
  ///
  /// Returns as soon as the value's last byte is read; it does not wait for the bytes
  /// after it.
  public func nextValue() throws(JSONError) -> Value? {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> Value? in
      guard frames.isEmpty else {
        throw scanner.error("nextValue() called inside an open container", at: scanner.pos)
      }
      try scanner.skipByteOrderMark()
      scanner.valueStart = .max
      try scanner.skipWhitespace()
      if scanner.pos == scanner.end { return nil }
      scanner.startValue()
      defer { scanner.valueStart = .max }
      let value = try scanner.parseValue()
      try scanner.checkValueSize()
      return value
    }
  }

  /// Reads the next value whole: the pending member or element, or a top-level value.
  ///
  /// A top-level value or an element is checked against
  /// ``JSONReaderLimits/maximumValueBytes``; a member counts towards its object.
  public func readValue() throws(JSONError) -> Value {
    try read { (scanner: inout JSONScanner) throws(JSONError) in try scanner.parseValue() }
  }

  /// Reads the next value with `parse`, checking its size as ``readValue()`` says.
  func read(
    _ parse: (inout JSONScanner) throws(JSONError) -> Value
  ) throws(JSONError) -> Value {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> Value in
      try prepareForValue(&scanner)
      scanner.depth = frames.count
      if frames.isEmpty {
        scanner.startValue()
        defer { scanner.valueStart = .max }
        let value = try parse(&scanner)
        try scanner.checkValueSize()
        return value
      }
      let value = try parse(&scanner)
      if frames.last == .array { try scanner.checkValueSize() }
      return value
    }
  }

  /// Reads past the next value without building it.
  public func skipValue() throws(JSONError) {
    _ = try readValue()
  }

  /// Says what kind of value comes next without consuming it.
  ///
  /// Inside a container call it after ``nextKey()`` or ``nextElement()``.
  public func peekToken() throws(JSONError) -> JSONToken {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> JSONToken in
      try scanner.skipByteOrderMark()
      if frames.isEmpty { scanner.valueStart = .max }
      try scanner.skipWhitespace()
      if scanner.pos == scanner.end { return .endOfInput }
      switch scanner.byte {
      case UInt8(ascii: "{"): return .beginObject
      case UInt8(ascii: "["): return .beginArray
      case UInt8(ascii: "\""): return .string
      case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
      case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
      case UInt8(ascii: "n"): return .null
      case UInt8(ascii: "}"), UInt8(ascii: "]"): return .endContainer
      default: throw scanner.unexpected("expected a value")
      }
    }
  }

  // MARK: - Piece by piece

  /// Consumes the `{` of the next value, which must be an object.
  public func beginObject() throws(JSONError) {
    try begin(.object, opener: UInt8(ascii: "{"), name: "an object")
  }

  /// Consumes the `[` of the next value, which must be an array.
  public func beginArray() throws(JSONError) {
    try begin(.array, opener: UInt8(ascii: "["), name: "an array")
  }

  /// The next key of the innermost open object (its value is then the next value), or
  /// nil after consuming the closing `}`.
  public func nextKey() throws(JSONError) -> String? {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> String? in
      guard frames.last == .object else {
        throw scanner.error("nextKey() called outside an object", at: scanner.pos)
      }
      try skipPendingValue(&scanner)
      try scanner.skipWhitespace()
      if scanner.byte == UInt8(ascii: "}") {
        scanner.pos += 1
        try endFrame(&scanner)
        return nil
      }
      if !atFirstEntry {
        guard scanner.byte == UInt8(ascii: ",") else {
          throw scanner.unexpected("expected ',' or '}' after object member")
        }
        scanner.pos += 1
        try scanner.skipWhitespace()
      }
      guard scanner.byte == UInt8(ascii: "\"") else {
        throw scanner.unexpected("expected '\"' to begin an object key")
      }
      let place = scanner.keyRecordAfterWhitespace
      scanner.pos += 1
      let key = try scanner.parseString(interning: true)
      let record = KeyRecord(hash: scanner.keys.lastHash, place: place)
      // Objects read member by member are top-level ones, with a handful of keys.
      for earlier in openObjectKeys[openObjectStarts[openObjectStarts.count - 1]...]
      where earlier.record.hash == record.hash && earlier.key == key && scanner.duplicateKey == nil
      {
        scanner.duplicateKey = JSONDuplicateKey(
          key: key, first: earlier.record.lineAndColumn, second: record.lineAndColumn)
      }
      openObjectKeys.append((key, record))
      try scanner.skipWhitespace()
      guard scanner.byte == UInt8(ascii: ":") else {
        throw scanner.unexpected("expected ':' after object key")
      }
      scanner.pos += 1
      atFirstEntry = false
      valuePending = true
      return key
    }
  }

  /// Whether the innermost open array has another element (then the next value), false
  /// after consuming the closing `]`.
  public func nextElement() throws(JSONError) -> Bool {
    try run { (scanner: inout JSONScanner) throws(JSONError) -> Bool in
      guard frames.last == .array else {
        throw scanner.error("nextElement() called outside an array", at: scanner.pos)
      }
      try skipPendingValue(&scanner)
      try scanner.skipWhitespace()
      if scanner.byte == UInt8(ascii: "]") {
        scanner.pos += 1
        try endFrame(&scanner)
        return false
      }
      if !atFirstEntry {
        guard scanner.byte == UInt8(ascii: ",") else {
          throw scanner.unexpected("expected ',' or ']' after array element")
        }
        scanner.pos += 1
      }
      atFirstEntry = false
      valuePending = true
      // Each element of an array read element by element (a List's items) is a value
      // of its own for the size limit.
      try scanner.skipWhitespace()
      scanner.startValue()
      return true
    }
  }

  // MARK: - Plumbing

  /// Runs `body` on the scanner; an error poisons the reader so later calls repeat it.
  func run<Result>(
    _ body: (inout JSONScanner) throws(JSONError) -> Result
  ) throws(JSONError) -> Result {
    if let failure { throw failure }
    do {
      return try body(&scanner)
    } catch {
      failure = error
      throw error
    }
  }

  private func begin(_ frame: Frame, opener: UInt8, name: String) throws(JSONError) {
    try run { (scanner: inout JSONScanner) throws(JSONError) in
      try prepareForValue(&scanner)
      guard scanner.byte == opener else { throw scanner.unexpected("expected \(name)") }
      if frames.count >= scanner.maximumDepth {
        throw scanner.error("nesting deeper than \(scanner.maximumDepth) levels", at: scanner.pos)
      }
      if frames.isEmpty { scanner.startValue() }
      scanner.pos += 1
      frames.append(frame)
      if frame == .object { openObjectStarts.append(openObjectKeys.count) }
      atFirstEntry = true
    }
  }

  /// Positions the scanner at the start of the next value (after whitespace).
  func prepareForValue(_ scanner: inout JSONScanner) throws(JSONError) {
    if frames.isEmpty {
      try scanner.skipByteOrderMark()
    } else if !valuePending {
      let call = frames.last == .object ? "nextKey()" : "nextElement()"
      throw scanner.error("a value was read inside a container without \(call)", at: scanner.pos)
    }
    valuePending = false
    try scanner.skipWhitespace()
  }

  private func skipPendingValue(_ scanner: inout JSONScanner) throws(JSONError) {
    guard valuePending else { return }
    valuePending = false
    scanner.depth = frames.count
    _ = try scanner.parseValue()
  }

  private func endFrame(_ scanner: inout JSONScanner) throws(JSONError) {
    if frames.removeLast() == .object {
      openObjectKeys.removeSubrange(openObjectStarts.removeLast()...)
    }
    // A top-level object read member by member is one value; a List is not (its items
    // were each counted), but its envelope cannot be larger than one item.
    if frames.isEmpty {
      try scanner.checkValueSize()
      scanner.valueStart = .max
    }
    // The container we just closed was the value of its parent's member or element.
    atFirstEntry = false
    valuePending = false
  }
}
