import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A plain GET to a server on 127.0.0.1, over a socket: tests read `/metrics` without
/// linking an HTTP client library (FoundationNetworking would need libcurl).
public enum LoopbackHTTP {
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The body of `GET path` (`Connection: close`, read to the end); throws when the
  /// connection fails or the status is not 200.
  public static func get(port: Int, path: String, timeoutSeconds: Int = 10) throws -> String {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw Failure(description: "socket failed") }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(
      descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard connected == 0 else { throw Failure(description: "connect to port \(port) failed") }
    let request = Array(
      "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8)
    guard
      request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count
    else { throw Failure(description: "send failed") }
    var received: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
      if count <= 0 { break }
      received += chunk[0..<count]
    }
    let text = String(decoding: received, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else {
      throw Failure(description: "no HTTP answer: \(text.prefix(200))")
    }
    let head = text[..<split.lowerBound]
    guard head.hasPrefix("HTTP/1.1 200") || head.hasPrefix("HTTP/1.0 200") else {
      throw Failure(description: "answer: \(head.prefix(100))")
    }
    var body = String(text[split.upperBound...])
    if head.lowercased().contains("transfer-encoding: chunked") { body = dechunked(body) }
    return body
  }

  /// The body of a chunked answer, joined.
  static func dechunked(_ text: String) -> String {
    var rest = Substring(text)
    var body = ""
    while let lineEnd = rest.range(of: "\r\n"),
      let size = Int(rest[..<lineEnd.lowerBound].split(separator: ";")[0], radix: 16), size > 0
    {
      let start = lineEnd.upperBound
      let end = rest.utf8.index(start, offsetBy: size)
      body += rest[start..<end]
      rest = rest[end...].dropFirst(2)
    }
    return body
  }
}
