import Foundation
import SyncValue

#if canImport(Glibc)
  import Glibc
#endif

/// A minimal blocking HTTP/1.1 client over a loopback socket, so tests see exactly what
/// the server writes (status, headers, chunked frames) without a client library between.
struct HTTPResponse {
  var status: Int
  var headers: [String: String]
  var body: [UInt8]

  var json: Value { (try? JSON.parse(body)) ?? .null }
  var text: String { String(decoding: body, as: UTF8.self) }
}

struct HTTPTestError: Error, CustomStringConvertible {
  var description: String
}

final class Connection {
  private let socket: Int32
  private var buffer: [UInt8] = []

  init(port: Int, timeoutSeconds: Int = 10) throws {
    socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socket >= 0 else { throw HTTPTestError(description: "socket failed") }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let result = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    guard result == 0 else {
      close(socket)
      throw HTTPTestError(description: "connect to port \(port) failed")
    }
  }

  deinit { close(socket) }

  func send(
    _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil
  ) throws {
    var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    if let body { text += "Content-Length: \(body.utf8.count)\r\n" }
    text += "\r\n" + (body ?? "")
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
    guard written == bytes.count else { throw HTTPTestError(description: "send failed") }
  }

  private func fill() throws {
    var chunk = [UInt8](repeating: 0, count: 65_536)
    let count = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
    guard count > 0 else { throw HTTPTestError(description: "connection closed or timed out") }
    buffer += chunk[0..<count]
  }

  private func line() throws -> String {
    while true {
      if let index = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<index], as: UTF8.self)
        buffer.removeFirst(index + 1)
        return line.hasSuffix("\r") ? String(line.dropLast()) : line
      }
      try fill()
    }
  }

  private func bytes(_ count: Int) throws -> [UInt8] {
    while buffer.count < count { try fill() }
    let result = Array(buffer[..<count])
    buffer.removeFirst(count)
    return result
  }

  /// Reads a status line and headers.
  func readHead() throws -> (status: Int, headers: [String: String]) {
    let statusLine = try line()
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else {
      throw HTTPTestError(description: "bad status line: \(statusLine)")
    }
    var headers: [String: String] = [:]
    while true {
      let header = try line()
      if header.isEmpty { break }
      if let colon = header.firstIndex(of: ":") {
        headers[header[..<colon].lowercased()] = String(header[header.index(after: colon)...])
          .trimmingCharacters(in: .whitespaces)
      }
    }
    return (status, headers)
  }

  /// One chunk of a chunked body; nil at the last (empty) chunk.
  func readChunk() throws -> [UInt8]? {
    let sizeLine = try line()
    guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
      throw HTTPTestError(description: "bad chunk size: \(sizeLine)")
    }
    if size == 0 {
      _ = try line()
      return nil
    }
    let data = try bytes(size)
    _ = try line()
    return data
  }

  func readResponse() throws -> HTTPResponse {
    let (status, headers) = try readHead()
    var body: [UInt8] = []
    if headers["transfer-encoding"]?.lowercased() == "chunked" {
      while let chunk = try readChunk() { body += chunk }
    } else if let length = headers["content-length"].flatMap(Int.init) {
      body = try bytes(length)
    }
    return HTTPResponse(status: status, headers: headers, body: body)
  }

  /// Watch frames, read from a chunked stream: frames may span chunks, so bytes are
  /// joined and cut at the newline the server ends each frame with.
  private var pending: [UInt8] = []

  func nextFrame() throws -> Value? {
    while true {
      if let index = pending.firstIndex(of: UInt8(ascii: "\n")) {
        let frame = Array(pending[..<index])
        pending.removeFirst(index + 1)
        return try JSON.parse(frame)
      }
      guard let chunk = try readChunk() else { return nil }
      pending += chunk
    }
  }
}

extension KubeAPIServerTestCase {
  static func request(
    _ port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
    body: String? = nil
  ) throws -> HTTPResponse {
    let connection = try Connection(port: port)
    var headers = headers
    headers["Connection"] = "close"
    if body != nil, headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
    try connection.send(method, path, headers: headers, body: body)
    return try connection.readResponse()
  }
}

/// Namespace for shared test helpers.
enum KubeAPIServerTestCase {}
