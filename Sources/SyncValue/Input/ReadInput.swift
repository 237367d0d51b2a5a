import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Bytes every input of the process has read so far, for a progress line: one atomic add
/// per `read(2)` (a chunk of tens of kilobytes), never per byte.
public let inputBytesRead = Atomic<Int>(0)

/// `read(2)` as every input of the tool needs it: retried when a signal interrupts it, and
/// waiting for data on a descriptor that is non-blocking (some shells hand those out as
/// standard input), where a bare `read` would fail with `EAGAIN`.
///
/// - Returns: the bytes read, 0 at the end of the input, or -1 with `errno` set.
public func readInput(
  from descriptor: Int32, into buffer: UnsafeMutableRawPointer, count: Int
) -> Int {
  while true {
    let result = read(descriptor, buffer, count)
    if result >= 0 {
      inputBytesRead.add(result, ordering: .relaxed)
      return result
    }
    let failure = errno
    if failure == EINTR { continue }
    if failure == EAGAIN || failure == EWOULDBLOCK {
      var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
      _ = poll(&request, 1, -1)
      continue
    }
    errno = failure
    return -1
  }
}
