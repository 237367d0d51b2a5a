/// Finds complete top-level JSON values in bytes that arrive piece by piece.
///
/// A Kubernetes watch body is JSON objects written back to back over a chunked HTTP
/// response. Chunk boundaries and newlines carry no meaning, so this tracks nesting and
/// strings (with their escapes) across ``append(_:)`` calls and hands out a value as
/// soon as its last byte has arrived. Each frame is then parsed by ``JSON/parse(_:limits:)``,
/// which does the full validation; the splitter only has to find where frames end.
///
///     var splitter = JSONFrameSplitter()
///     for try await chunk in body {
///       splitter.append(chunk)
///       while let event = try splitter.nextValue() { handle(event) }
///     }
///     try splitter.finish()
///
/// Top-level scalars other than strings (`1`, `true`) end at whitespace, at the start of
/// the next value, or at ``finish()``.
public struct JSONFrameSplitter: Sendable {
  private var buffer: [UInt8] = []
  /// Bytes of `buffer` already handed out as frames.
  private var consumed = 0
  /// Where scanning resumes: everything in `consumed..<scanned` is part of the open frame.
  private var scanned = 0
  private var frameStart: Int?
  private var depth = 0
  private var inString = false
  private var escaped = false
  private var inBareScalar = false
  /// Offset of `buffer[0]` in the whole stream, for error positions.
  private var streamOffset = 0

  /// A frame longer than this is an error rather than unbounded memory growth.
  public var maximumFrameSize: Int
  public var limits: JSONReaderLimits

  public init(maximumFrameSize: Int = 64 << 20, limits: JSONReaderLimits = .init()) {
    self.maximumFrameSize = maximumFrameSize
    self.limits = limits
  }

  /// True when bytes of an unfinished value are buffered.
  public var hasPartialFrame: Bool { frameStart != nil }

  /// Adds bytes that arrived; call ``nextFrame()`` or ``nextValue()`` until it returns nil.
  public mutating func append(_ bytes: some Sequence<UInt8>) {
    // Drop what was handed out before growing, so a long stream runs in bounded memory.
    if consumed > 0, consumed == buffer.count || consumed >= 64 * 1024 {
      compact()
    }
    buffer.append(contentsOf: bytes)
  }

  /// The bytes of the next complete top-level value, or nil until more input arrives.
  public mutating func nextFrame() throws(JSONError) -> ArraySlice<UInt8>? {
    while scanned < buffer.count {
      let byte = buffer[scanned]
      if let start = frameStart {
        if inBareScalar {
          if Self.endsBareScalar(byte) {
            return emit(from: start, to: scanned)
          }
        } else if inString {
          if escaped {
            escaped = false
          } else if byte == UInt8(ascii: "\\") {
            escaped = true
          } else if byte == UInt8(ascii: "\"") {
            inString = false
            if depth == 0 { return emit(from: start, to: scanned + 1) }
          }
        } else {
          switch byte {
          case UInt8(ascii: "\""): inString = true
          case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
          case UInt8(ascii: "}"), UInt8(ascii: "]"):
            depth -= 1
            if depth == 0 { return emit(from: start, to: scanned + 1) }
          default: break
          }
        }
        if scanned - start >= maximumFrameSize {
          throw error("JSON value longer than \(maximumFrameSize) bytes", at: start)
        }
      } else {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
          consumed = scanned + 1
        case UInt8(ascii: "{"), UInt8(ascii: "["):
          frameStart = scanned
          depth = 1
        case UInt8(ascii: "\""):
          frameStart = scanned
          inString = true
        case UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: ","), UInt8(ascii: ":"):
          throw error("unexpected '\(Character(UnicodeScalar(byte)))' between values", at: scanned)
        default:
          frameStart = scanned
          inBareScalar = true
        }
      }
      scanned += 1
    }
    return nil
  }

  /// The next complete top-level value, parsed, or nil until more input arrives.
  public mutating func nextValue() throws(JSONError) -> Value? {
    guard let frame = try nextFrame() else { return nil }
    do {
      return try JSON.parse(Array(frame), limits: limits)
    } catch {
      // Line and column stay relative to the frame; the offset is made absolute.
      var located = error
      located.offset += streamOffset + frame.startIndex
      throw located
    }
  }

  /// Ends the input: returns a trailing bare scalar, throws if a value is unfinished.
  public mutating func finish() throws(JSONError) -> Value? {
    guard let start = frameStart else { return nil }
    if inBareScalar {
      let frame = emit(from: start, to: buffer.count)
      return try JSON.parse(Array(frame), limits: limits)
    }
    throw error("input ended inside a JSON value", at: start)
  }

  private mutating func emit(from start: Int, to end: Int) -> ArraySlice<UInt8> {
    let frame = buffer[start..<end]
    frameStart = nil
    inBareScalar = false
    depth = 0
    consumed = end
    scanned = end
    return frame
  }

  private mutating func compact() {
    buffer.removeFirst(consumed)
    streamOffset += consumed
    scanned -= consumed
    if let start = frameStart { frameStart = start - consumed }
    consumed = 0
  }

  private static func endsBareScalar(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"),
      UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "\""), UInt8(ascii: "}"),
      UInt8(ascii: "]"), UInt8(ascii: ","):
      return true
    default:
      return false
    }
  }

  private func error(_ message: String, at index: Int) -> JSONError {
    JSONError(message: message, line: 0, column: 0, offset: streamOffset + index)
  }
}
