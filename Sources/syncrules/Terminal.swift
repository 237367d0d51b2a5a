#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Plain writes to standard output and error (no Foundation buffering surprises).
enum Terminal {
  static func write(_ text: String, to descriptor: Int32) {
    var bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeMutableBytes { buffer in
        Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
      }
      if written <= 0 { return }
      offset += written
    }
  }

  static func isTTY(_ descriptor: Int32) -> Bool {
    isatty(descriptor) != 0
  }

  /// Whether output to `descriptor` is colored when no flag says: on a terminal, unless
  /// `NO_COLOR` is set to anything but the empty string (https://no-color.org). `--color`
  /// still colors.
  static func colorsByDefault(_ descriptor: Int32) -> Bool {
    guard isTTY(descriptor) else { return false }
    guard let noColor = getenv("NO_COLOR") else { return true }
    return noColor.pointee == 0
  }
}
