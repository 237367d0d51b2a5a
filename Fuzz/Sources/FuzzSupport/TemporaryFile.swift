#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Runs `body` on a descriptor of an unlinked temporary file that holds `bytes`, read
/// from the start: for the readers' file-descriptor paths, which read in chunks.
public func withTemporaryFile<Result>(
  holding bytes: [UInt8], _ body: (Int32) -> Result
) -> Result {
  guard let file = tmpfile() else { fatalError("tmpfile: errno \(errno)") }
  defer { fclose(file) }
  let descriptor = fileno(file)
  var written = 0
  while written < bytes.count {
    let count = bytes[written...].withUnsafeBytes {
      write(descriptor, $0.baseAddress, $0.count)
    }
    guard count > 0 else { fatalError("write to a temporary file: errno \(errno)") }
    written += count
  }
  lseek(descriptor, 0, SEEK_SET)
  return body(descriptor)
}
