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
public struct JSONWriter: Sendable {
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

  /// The output so far. Callers may take it and reset it between values.
  public var bytes: [UInt8]
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
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  private var isPretty: Bool { indent >= 0 }

  /// Empties ``bytes`` (after they were written out), keeping the allocation.
  public mutating func removeAllBytes() {
    bytes.removeAll(keepingCapacity: true)
  }

  /// Appends a line feed, e.g. after each top-level value for NDJSON or kubectl-like
  /// output.
  public mutating func newline() {
    bytes.append(0x0A)
  }

  // MARK: - Pieces

  /// Writes `value` as the next value: at top level, after ``key(_:)``, or as the next
  /// element of the innermost open array.
  public mutating func write(_ value: Value) {
    beforeValue()
    writeValue(value, depth: frames.count)
  }

  public mutating func beginObject() {
    beforeValue()
    bytes.append(UInt8(ascii: "{"))
    frames.append(Frame(isArray: false, isEmpty: true))
  }

  /// Writes a member's key; the next written value (or container) is its value.
  public mutating func key(_ name: String) {
    precondition(frames.last?.isArray == false, "key(_:) outside an object")
    precondition(!keyIsPending, "key(_:) twice without a value")
    let last = frames.count - 1
    if !frames[last].isEmpty { bytes.append(UInt8(ascii: ",")) }
    frames[last].isEmpty = false
    if isPretty { newline(depth: frames.count) }
    writeString(name)
    bytes.append(UInt8(ascii: ":"))
    if isPretty { bytes.append(0x20) }
    keyIsPending = true
  }

  public mutating func endObject() {
    precondition(frames.last?.isArray == false && !keyIsPending, "unbalanced endObject()")
    let frame = frames.removeLast()
    if isPretty && !frame.isEmpty { newline(depth: frames.count) }
    bytes.append(UInt8(ascii: "}"))
  }

  public mutating func beginArray() {
    beforeValue()
    bytes.append(UInt8(ascii: "["))
    frames.append(Frame(isArray: true, isEmpty: true))
  }

  public mutating func endArray() {
    precondition(frames.last?.isArray == true, "unbalanced endArray()")
    let frame = frames.removeLast()
    if isPretty && !frame.isEmpty { newline(depth: frames.count) }
    bytes.append(UInt8(ascii: "]"))
  }

  private mutating func beforeValue() {
    guard let frame = frames.last else { return }
    if frame.isArray {
      if !frame.isEmpty { bytes.append(UInt8(ascii: ",")) }
      frames[frames.count - 1].isEmpty = false
      if isPretty { newline(depth: frames.count) }
    } else {
      precondition(keyIsPending, "a value inside an object needs key(_:) first")
      keyIsPending = false
    }
  }

  // MARK: - Whole values

  private mutating func writeValue(_ value: Value, depth: Int) {
    switch value {
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
      bytes.append(UInt8(ascii: "["))
      var first = true
      for element in elements {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        if isPretty { newline(depth: depth + 1) }
        writeValue(element, depth: depth + 1)
      }
      if isPretty { newline(depth: depth) }
      bytes.append(UInt8(ascii: "]"))
    case .object(let object):
      if object.members.isEmpty {
        appendASCII("{}")
        return
      }
      bytes.append(UInt8(ascii: "{"))
      var first = true
      for member in object.members {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        if isPretty { newline(depth: depth + 1) }
        writeString(member.key)
        if isPretty { appendASCII(": ") } else { bytes.append(UInt8(ascii: ":")) }
        writeValue(member.value, depth: depth + 1)
      }
      if isPretty { newline(depth: depth) }
      bytes.append(UInt8(ascii: "}"))
    }
  }

  @inline(__always)
  private mutating func appendASCII(_ text: StaticString) {
    text.withUTF8Buffer { bytes.append(contentsOf: $0) }
  }

  private static let spaces = [UInt8](repeating: 0x20, count: 128)

  private mutating func newline(depth: Int) {
    bytes.append(0x0A)
    var remaining = depth * indent
    while remaining > 0 {
      let count = min(remaining, Self.spaces.count)
      bytes.append(contentsOf: Self.spaces[0..<count])
      remaining -= count
    }
  }

  private mutating func writeInt(_ number: Int64) {
    if number >= 0 && number < 10 {
      bytes.append(UInt8(truncatingIfNeeded: number) &+ 0x30)
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
      if number < 0 { bytes.append(UInt8(ascii: "-")) }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[index..<20]))
    }
  }

  private mutating func writeDouble(_ number: Double) {
    guard number.isFinite else {
      appendASCII("null")
      return
    }
    // Swift's description is the shortest round-trip form and always valid JSON for
    // finite values ("1e+20", "0.1", "5.0", "-0.0").
    bytes.append(contentsOf: number.description.utf8)
  }

  private mutating func writeString(_ text: String) {
    var text = text
    text.withUTF8 { appendQuoted($0) }
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
    bytes.append(UInt8(ascii: "\""))
    var runStart = 0
    var index = 0
    let count = utf8.count
    while index < count {
      let c = utf8[index]
      if c >= 0x20 && c != 0x22 && c != 0x5C {
        index += 1
        continue
      }
      if runStart < index {
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
      }
      bytes.append(UInt8(ascii: "\\"))
      switch c {
      case 0x22: bytes.append(0x22)
      case 0x5C: bytes.append(0x5C)
      case 0x0A: bytes.append(UInt8(ascii: "n"))
      case 0x09: bytes.append(UInt8(ascii: "t"))
      case 0x0D: bytes.append(UInt8(ascii: "r"))
      case 0x08: bytes.append(UInt8(ascii: "b"))
      case 0x0C: bytes.append(UInt8(ascii: "f"))
      default:
        appendASCII("u00")
        bytes.append(Self.hexDigits[Int(c >> 4)])
        bytes.append(Self.hexDigits[Int(c & 0xF)])
      }
      index += 1
      runStart = index
    }
    if runStart < count {
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<count]))
    }
    bytes.append(UInt8(ascii: "\""))
  }
}
