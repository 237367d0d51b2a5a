import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// One input of `apply`: a file, standard input, or bytes in memory.
public struct StreamInput {
  enum Source {
    case fileDescriptor(Int32)
    case bytes([UInt8])
  }

  /// How messages name the input: the path, or `<stdin>`.
  public let name: String
  let source: Source

  /// Reads a descriptor the caller owns (and closes).
  public init(fileDescriptor: Int32, name: String) {
    self.name = name
    source = .fileDescriptor(fileDescriptor)
  }

  /// Reads bytes held in memory.
  public init(bytes: [UInt8], name: String) {
    self.name = name
    source = .bytes(bytes)
  }

  /// Whether objects may arrive slowly (a pipe, a terminal, a socket), so that each
  /// should be written out as soon as it is done rather than when the buffer fills.
  public var isInteractive: Bool {
    guard case .fileDescriptor(let descriptor) = source else { return false }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { return true }
    return (status.st_mode & S_IFMT) != S_IFREG
  }

  /// Reads the first bytes and decides the format, leaving the reading to the caller.
  func openRaw(forcing forced: InputFormat?) -> (DetectedFormat, RawInput) {
    let raw: RawInput
    switch source {
    case .bytes(let bytes): raw = RawInput(prefix: bytes, descriptor: nil)
    case .fileDescriptor(let descriptor):
      raw = RawInput(prefix: Self.peek(descriptor), descriptor: descriptor)
    }
    var detected = DetectedFormat.detect(raw.prefix)
    if let forced { detected.format = forced }
    return (detected, raw)
  }

  /// Reads until the format can be told or the input ends. Read errors are left for the
  /// reader to meet and report with a position.
  private static func peek(_ descriptor: Int32) -> [UInt8] {
    var prefix: [UInt8] = []
    let chunk = 64 * 1024
    while !DetectedFormat.isConclusive(prefix) {
      let before = prefix.count
      prefix.reserveCapacity(before + chunk)
      var count = 0
      prefix.append(contentsOf: repeatElement(0, count: chunk))
      prefix.withUnsafeMutableBufferPointer { buffer in
        count = readInput(from: descriptor, into: buffer.baseAddress! + before, count: chunk)
      }
      prefix.removeLast(chunk - max(count, 0))
      if count <= 0 { break }
    }
    return prefix
  }
}

/// An input whose first bytes have been read.
struct RawInput {
  /// Bytes read so far; all of them when there is no descriptor.
  var prefix: [UInt8]
  /// Where the rest comes from; nil for input held in memory.
  var descriptor: Int32?
}
