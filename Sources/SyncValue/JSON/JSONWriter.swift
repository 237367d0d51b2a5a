/// Renders values as JSON text into a byte buffer.
///
/// Write whole values with ``write(_:)``, or pieces with ``beginObject()``, ``key(_:)``,
/// ``endObject()``, ``beginArray()`` and ``endArray()`` — for example to stream a List:
///
///     writer.beginObject()
///     writer.key("apiVersion"); writer.write("v1")
///     writer.key("items"); writer.beginArray()
///     for item in items { writer.write(item) }   // flush `bytes` between items
///     writer.endArray()
///     writer.key("kind"); writer.write("List")
///     writer.endObject()
///
/// Strings are escaped as RFC 8259 requires and no more: `"`, `\`, and control
/// characters (as `\n \t \r \b \f` where those exist, else `\u00XX`); `/` and non-ASCII
/// text are written as they are, in UTF-8. Doubles use the shortest text that reads back
/// as the same double (a double with an integral value keeps its `.0`); infinities and
/// NaN, which JSON cannot express, become `null`.
///
/// Top-level values are written back to back; call ``newline()`` between them for
/// NDJSON.
public struct JSONWriter: ~Copyable, @unchecked Sendable {
  /// The layout of the output.
  public enum Style: Sendable, Equatable {
    /// No whitespace at all.
    case compact
    /// One member or element per line, `"key": value`, `{}` and `[]` when empty — the
    /// way kubectl prints with `indent: 4`.
    case pretty(indent: Int)
  }

  private struct Frame: Sendable {
    var isArray: Bool
    var isEmpty: Bool
  }

  // Unchecked Sendable: the writer is noncopyable, so its buffer has exactly one owner.
  private var out: ByteStorage
  public let style: Style
  private let indent: Int
  private var frames: [Frame] = []
  private var keyIsPending = false

  public init(style: Style = .compact, reservingCapacity capacity: Int = 64 * 1024) {
    self.style = style
    if case .pretty(let indent) = style {
      self.indent = max(0, indent)
    } else {
      self.indent = -1
    }
    out = ByteStorage(capacity: capacity)
  }

  deinit {
    out.deallocate()
  }

  /// A copy of the output so far.
  public var bytes: [UInt8] { Array(out.buffer) }

  /// The number of bytes written so far.
  public var byteCount: Int { out.count }

  /// Lends the output so far without copying it.
  public func withBytes<Result, Failure: Error>(
    _ body: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Result
  ) throws(Failure) -> Result {
    try body(out.buffer)
  }

  private var isPretty: Bool { indent >= 0 }

  /// Empties ``bytes`` (after they were written out), keeping the allocation.
  public mutating func removeAllBytes() {
    out.count = 0
  }

  /// Appends a line feed, e.g. after each top-level value for NDJSON or kubectl-like
  /// output.
  public mutating func newline() {
    out.append(0x0A)
  }

  // MARK: - Pieces

  /// Writes `value` as the next value: at top level, after ``key(_:)``, or as the next
  /// element of the innermost open array.
  public mutating func write(_ value: Value) {
    beforeValue()
    withUnsafePointer(to: value) { writeValue($0, depth: frames.count) }
  }

  public mutating func beginObject() {
    beforeValue()
    out.append(UInt8(ascii: "{"))
    frames.append(Frame(isArray: false, isEmpty: true))
  }

  /// Writes a member's key; the next written value (or container) is its value.
  public mutating func key(_ name: String) {
    precondition(frames.last?.isArray == false, "key(_:) outside an object")
    precondition(!keyIsPending, "key(_:) twice without a value")
    let last = frames.count - 1
    if !frames[last].isEmpty { out.append(UInt8(ascii: ",")) }
    frames[last].isEmpty = false
    if isPretty { newline(depth: frames.count) }
    writeString(name)
    out.append(UInt8(ascii: ":"))
    if isPretty { out.append(0x20) }
    keyIsPending = true
  }

  public mutating func endObject() {
    precondition(frames.last?.isArray == false && !keyIsPending, "unbalanced endObject()")
    let frame = frames.removeLast()
    if isPretty && !frame.isEmpty { newline(depth: frames.count) }
    out.append(UInt8(ascii: "}"))
  }

  public mutating func beginArray() {
    beforeValue()
    out.append(UInt8(ascii: "["))
    frames.append(Frame(isArray: true, isEmpty: true))
  }

  public mutating func endArray() {
    precondition(frames.last?.isArray == true, "unbalanced endArray()")
    let frame = frames.removeLast()
    if isPretty && !frame.isEmpty { newline(depth: frames.count) }
    out.append(UInt8(ascii: "]"))
  }

  private mutating func beforeValue() {
    guard let frame = frames.last else { return }
    if frame.isArray {
      if !frame.isEmpty { out.append(UInt8(ascii: ",")) }
      frames[frames.count - 1].isEmpty = false
      if isPretty { newline(depth: frames.count) }
    } else {
      precondition(keyIsPending, "a value inside an object needs key(_:) first")
      keyIsPending = false
    }
  }

  // MARK: - Whole values

  /// Visits values through pointers into their containers' storage: a copy of each
  /// `Value` (binding it, or a `Member` of a loop) retains and releases its payload, one
  /// pair of atomic operations per string and container written.
  private mutating func writeValue(_ value: UnsafePointer<Value>, depth: Int) {
    switch value.pointee {
    case .null:
      appendASCII("null")
    case .bool(let flag):
      if flag { appendASCII("true") } else { appendASCII("false") }
    case .int(let number):
      writeInt(number)
    case .double(let number):
      writeDouble(number)
    case .string(let text):
      writeString(text)
    case .array(let elements):
      if elements.isEmpty {
        appendASCII("[]")
        return
      }
      out.append(UInt8(ascii: "["))
      // Through a buffer pointer, so that visiting an element does not retain it.
      elements.withUnsafeBufferPointer { elements in
        let base = elements.baseAddress!
        for index in 0..<elements.count {
          if index > 0 { out.append(UInt8(ascii: ",")) }
          if isPretty { newline(depth: depth + 1) }
          writeValue(base + index, depth: depth + 1)
        }
      }
      if isPretty { newline(depth: depth) }
      out.append(UInt8(ascii: "]"))
    case .object(let object):
      if object.members.isEmpty {
        appendASCII("{}")
        return
      }
      out.append(UInt8(ascii: "{"))
      object.members.withUnsafeBufferPointer { members in
        let base = members.baseAddress!
        for index in 0..<members.count {
          if index > 0 { out.append(UInt8(ascii: ",")) }
          if isPretty { newline(depth: depth + 1) }
          // Stored properties of a struct: the pointers are always there.
          let member = base + index
          writeString(member.pointer(to: \.key).unsafelyUnwrapped)
          if isPretty { appendASCII(": ") } else { out.append(UInt8(ascii: ":")) }
          writeValue(member.pointer(to: \.value).unsafelyUnwrapped, depth: depth + 1)
        }
      }
      if isPretty { newline(depth: depth) }
      out.append(UInt8(ascii: "}"))
    }
  }

  @inline(__always)
  private mutating func appendASCII(_ text: StaticString) {
    out.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  private mutating func newline(depth: Int) {
    out.append(0x0A)
    out.append(repeating: 0x20, count: depth * indent)
  }

  private mutating func writeInt(_ number: Int64) {
    if number >= 0 && number < 10 {
      out.append(UInt8(truncatingIfNeeded: number) &+ 0x30)
      return
    }
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var magnitude = number.magnitude
      var index = 20
      while true {
        index -= 1
        digits[index] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
        magnitude /= 10
        if magnitude == 0 { break }
      }
      if number < 0 { out.append(UInt8(ascii: "-")) }
      out.append(UnsafeBufferPointer(rebasing: digits[index..<20]))
    }
  }

  private mutating func writeDouble(_ number: Double) {
    guard number.isFinite else {
      appendASCII("null")
      return
    }
    // Swift's description is the shortest round-trip form and always valid JSON for
    // finite values ("1e+20", "0.1", "5.0", "-0.0").
    var text = number.description
    text.withUTF8 { out.append($0) }
  }

  private mutating func writeString(_ text: UnsafePointer<String>) {
    // Native and small strings lend their bytes without the copy (a retain) that the
    // mutating `withUTF8` needs.
    if text.pointee.utf8.withContiguousStorageIfAvailable({ appendQuoted($0) }) != nil { return }
    var copy = text.pointee
    copy.withUTF8 { appendQuoted($0) }
  }

  private mutating func writeString(_ text: String) {
    withUnsafePointer(to: text) { writeString($0) }
  }

  private static let hexDigits: StaticString = "0123456789abcdef"

  private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
    if let src = utf8.baseAddress {
      // Most strings need no escaping: copy and test in one pass, eight bytes at a time
      // (the last word overlapping the one before it), instead of testing every string
      // and then calling memcpy for its ~11 bytes. Only if a byte needs escaping is the
      // copy thrown away, for the loop below.
      let count = utf8.count
      out.reserve(count &+ 2)
      let dst = out.start + out.count + 1
      var special: UInt64 = 0
      if count >= 8 {
        var index = 0
        while index &+ 8 < count {
          special |= Self.copyWord(from: src + index, to: dst + index)
          index &+= 8
        }
        special |= Self.copyWord(from: src + (count &- 8), to: dst + (count &- 8))
      } else {
        for index in 0..<count {
          let c = src[index]
          dst[index] = c
          if c < 0x20 || c == 0x22 || c == 0x5C { special = 1 }
        }
      }
      if special == 0 {
        dst[-1] = 0x22
        dst[count] = 0x22
        out.count &+= count &+ 2
        return
      }
    } else {
      out.reserve(2)
      out.appendUnchecked(0x22)
      out.appendUnchecked(0x22)
      return
    }
    // At most six bytes out per byte in (`\u00XX`): reserve once, then write through a
    // pointer without a capacity check per byte. kubectl's last-applied-configuration
    // annotation has an escape every few bytes.
    let count = utf8.count
    out.reserve(count &* 6 &+ 2)
    var dst = out.start + out.count
    dst[0] = 0x22
    dst += 1
    let hex = Self.hexDigits.utf8Start
    for c in utf8 {
      if c >= 0x20 && c != 0x22 && c != 0x5C {
        dst[0] = c
        dst += 1
        continue
      }
      dst[0] = 0x5C
      switch c {
      case 0x22: dst[1] = 0x22
      case 0x5C: dst[1] = 0x5C
      case 0x0A: dst[1] = UInt8(ascii: "n")
      case 0x09: dst[1] = UInt8(ascii: "t")
      case 0x0D: dst[1] = UInt8(ascii: "r")
      case 0x08: dst[1] = UInt8(ascii: "b")
      case 0x0C: dst[1] = UInt8(ascii: "f")
      default:
        dst[1] = UInt8(ascii: "u")
        dst[2] = UInt8(ascii: "0")
        dst[3] = UInt8(ascii: "0")
        dst[4] = hex[Int(c >> 4)]
        dst[5] = hex[Int(c & 0xF)]
        dst += 4
      }
      dst += 2
    }
    dst[0] = 0x22
    dst += 1
    out.count = dst - out.start
  }
}

extension JSONWriter {
  /// Copies eight bytes; nonzero when any of them is a quote, a backslash or a control
  /// character (flags above the lowest can be spurious, so only zero is exact).
  @inline(__always)
  fileprivate static func copyWord(
    from source: UnsafePointer<UInt8>, to destination: UnsafeMutablePointer<UInt8>
  ) -> UInt64 {
    let word = UnsafeRawPointer(source).loadUnaligned(as: UInt64.self)
    UnsafeMutableRawPointer(destination).storeBytes(of: word, as: UInt64.self)
    return ((word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080)
      | zeroBytes(word ^ 0x2222_2222_2222_2222) | zeroBytes(word ^ 0x5C5C_5C5C_5C5C_5C5C)
  }
}

/// A growable byte buffer written through a pointer, without the per-append uniqueness
/// checks of `[UInt8]`; owned by one ``JSONWriter``.
struct ByteStorage {
  var start: UnsafeMutablePointer<UInt8>
  var count = 0
  var capacity: Int

  init(capacity: Int) {
    self.capacity = max(16, capacity)
    start = .allocate(capacity: self.capacity)
  }

  func deallocate() {
    start.deallocate()
  }

  var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

  @inline(__always)
  mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(extra) }
  }

  private mutating func grow(_ extra: Int) {
    let newCapacity = max(capacity * 2, count + extra)
    let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    grown.update(from: start, count: count)
    start.deallocate()
    start = grown
    capacity = newCapacity
  }

  @inline(__always)
  mutating func append(_ byte: UInt8) {
    reserve(1)
    appendUnchecked(byte)
  }

  @inline(__always)
  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    reserve(bytes.count)
    appendUnchecked(bytes)
  }

  mutating func append(repeating byte: UInt8, count repeats: Int) {
    guard repeats > 0 else { return }
    reserve(repeats)
    (start + count).update(repeating: byte, count: repeats)
    count += repeats
  }

  @inline(__always)
  mutating func appendUnchecked(_ byte: UInt8) {
    start[count] = byte
    count += 1
  }

  @inline(__always)
  mutating func appendUnchecked(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let source = bytes.baseAddress else { return }
    (start + count).update(from: source, count: bytes.count)
    count += bytes.count
  }
}
