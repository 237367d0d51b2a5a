#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A failed `write(2)`.
public struct OutputSinkError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The `errno` value, e.g. `EPIPE` when the reader of a pipe went away.
  public var code: Int32

  public init(code: Int32) {
    self.code = code
  }

  public var description: String {
    "write failed: " + String(cString: strerror(code))
  }
}

/// Collects output bytes and writes them to a file descriptor in large writes.
///
/// Call ``flush()`` before the end; `deinit` does not flush, because it could not report
/// a failure. Used by one task at a time, so not `Sendable`.
public final class OutputSink {
  private let fileDescriptor: Int32
  private let bufferSize: Int
  private var buffer: [UInt8]

  /// - Parameter bufferSize: bytes collected before a `write(2)`.
  public init(fileDescriptor: Int32, bufferSize: Int = 256 * 1024) {
    self.fileDescriptor = fileDescriptor
    self.bufferSize = max(1, bufferSize)
    buffer = []
    if fileDescriptor >= 0 { buffer.reserveCapacity(self.bufferSize) }
  }

  /// A sink that keeps everything in memory until ``takeBytes()``; ``flush()`` does
  /// nothing. For output produced on one thread and written out on another.
  public static func inMemory() -> OutputSink {
    OutputSink(fileDescriptor: -1, bufferSize: Int.max)
  }

  /// Bytes queued and not yet written out.
  public var bufferedByteCount: Int { buffer.count }

  /// Everything queued so far, which the sink then forgets.
  public func takeBytes() -> [UInt8] {
    var taken: [UInt8] = []
    swap(&taken, &buffer)
    return taken
  }

  /// Queues `bytes`, writing out when the buffer is full.
  public func write(_ bytes: [UInt8]) throws(OutputSinkError) {
    try bytes.withUnsafeBufferPointer { (chunk) throws(OutputSinkError) in try write(chunk) }
  }

  /// Queues `bytes`, writing out when the buffer is full.
  public func write(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutputSinkError) {
    if buffer.count + bytes.count > bufferSize { try flush() }
    if bytes.count >= bufferSize {
      try writeAll(bytes)
    } else {
      buffer.append(contentsOf: bytes)
    }
  }

  /// Moves everything `writer` has produced into the sink and empties the writer,
  /// keeping its allocation for the next value.
  public func take(from writer: inout JSONWriter) throws(OutputSinkError) {
    try writer.withBytes { (bytes) throws(OutputSinkError) in try write(bytes) }
    writer.removeAllBytes()
  }

  /// Queues `bytes` without writing anything out, however full the buffer: for code that
  /// renders output and leaves the writing to its caller (``flushIfFull()``).
  public func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    buffer.append(contentsOf: bytes)
  }

  /// Queues `bytes` without writing anything out (see ``append(_:)-(UnsafeBufferPointer<UInt8>)``).
  public func append(_ bytes: [UInt8]) {
    buffer.append(contentsOf: bytes)
  }

  /// Moves everything `writer` has produced into the buffer, writing nothing out, and
  /// empties the writer, keeping its allocation.
  public func append(from writer: inout JSONWriter) {
    writer.withBytes { buffer.append(contentsOf: $0) }
    writer.removeAllBytes()
  }

  /// Writes out what is queued once it has reached the buffer size.
  public func flushIfFull() throws(OutputSinkError) {
    if buffer.count >= bufferSize { try flush() }
  }

  /// Writes out everything queued.
  public func flush() throws(OutputSinkError) {
    if buffer.isEmpty || fileDescriptor < 0 { return }
    try buffer.withUnsafeBufferPointer { (chunk) throws(OutputSinkError) in try writeAll(chunk) }
    buffer.removeAll(keepingCapacity: true)
  }

  private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) throws(OutputSinkError) {
    guard var next = bytes.baseAddress else { return }
    var remaining = bytes.count
    while remaining > 0 {
      let written = systemWrite(fileDescriptor, next, remaining)
      if written < 0 {
        if errno == EINTR { continue }
        throw OutputSinkError(code: errno)
      }
      next += written
      remaining -= written
    }
  }
}

/// `write(2)`, under a name that the sink's own `write` methods do not shadow.
private func systemWrite(
  _ descriptor: Int32, _ bytes: UnsafePointer<UInt8>, _ count: Int
) -> Int {
  write(descriptor, bytes, count)
}
