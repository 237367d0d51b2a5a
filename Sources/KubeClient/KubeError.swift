import Foundation
import SyncValue

/// A `Status` object as the API server returns it with a failed request or watch.
public struct APIStatus: Sendable, Equatable, CustomStringConvertible {
  /// The HTTP status code (`code` in the body, or the response status when there is none).
  public var code: Int
  /// A machine-readable word such as `NotFound`, `Conflict`, `Expired`, `TooManyRequests`.
  public var reason: String
  public var message: String
  /// `details`, when present: names the object and, for conflicts and invalid objects,
  /// lists `causes` with the fields involved.
  public var details: Value?
  /// Seconds to wait before retrying, from `Retry-After` or `details.retryAfterSeconds`.
  public var retryAfterSeconds: Int?

  public init(
    code: Int, reason: String, message: String, details: Value? = nil,
    retryAfterSeconds: Int? = nil
  ) {
    self.code = code
    self.reason = reason
    self.message = message
    self.details = details
    self.retryAfterSeconds = retryAfterSeconds
  }

  /// Reads a `Status` body; falls back to the HTTP code and the raw text for other bodies.
  init(httpCode: Int, body: [UInt8], retryAfter: String?) {
    let parsed = try? JSON.parse(body)
    if let parsed, parsed["kind"]?.stringValue == "Status" {
      code = parsed["code"].flatMap(Self.int) ?? httpCode
      reason = parsed["reason"]?.stringValue ?? ""
      message = parsed["message"]?.stringValue ?? ""
      details = parsed["details"]
    } else {
      code = httpCode
      reason = ""
      let text = String(decoding: body.prefix(512), as: UTF8.self)
      message = text.trimmingCharacters(in: .whitespacesAndNewlines)
      details = nil
    }
    retryAfterSeconds =
      retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      ?? details?["retryAfterSeconds"].flatMap(Self.int)
  }

  /// Reads the `object` of a watch `ERROR` frame.
  init(watchError object: Value) {
    code = object["code"].flatMap(Self.int) ?? 500
    reason = object["reason"]?.stringValue ?? ""
    message = object["message"]?.stringValue ?? JSON.serialize(object)
    details = object["details"]
    retryAfterSeconds = details?["retryAfterSeconds"].flatMap(Self.int)
  }

  /// The `field` of each `details.causes` entry: what a 409 apply conflict or a 422 names.
  public var causeFields: [String] {
    (details?["causes"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
  }

  public var description: String {
    var text = "\(code)"
    if !reason.isEmpty { text += " \(reason)" }
    if !message.isEmpty { text += ": \(message)" }
    let causes = (details?["causes"]?.arrayValue ?? []).compactMap { cause -> String? in
      let field = cause["field"]?.stringValue ?? ""
      let message = cause["message"]?.stringValue ?? ""
      return field.isEmpty ? (message.isEmpty ? nil : message) : "\(field): \(message)"
    }
    if !causes.isEmpty, !message.contains(causes[0]) {
      text += " (" + causes.joined(separator: "; ") + ")"
    }
    return text
  }

  private static func int(_ value: Value) -> Int? {
    switch value {
    case .int(let number): return Int(number)
    case .double(let number): return Int(number)
    case .string(let text): return Int(text)
    default: return nil
    }
  }
}

/// Everything the client can fail with.
public enum KubeError: Error, Sendable, CustomStringConvertible {
  /// 410 Gone / `Expired`: the resourceVersion or continue token is too old; list again.
  case expired(APIStatus)
  /// Any other failure the server answered with a status.
  case api(APIStatus)
  /// A write attempted through a client made with `readOnly: true`; nothing was sent.
  case readOnly(method: String, path: String)
  /// kubeconfig or in-cluster settings that cannot be used.
  case configuration(String)
  /// An exec credential plugin failed or printed something unusable.
  case execPlugin(command: String, message: String, stderr: String)
  /// The connection failed, timed out or was closed.
  case transport(String)
  /// The server answered with a body we could not read.
  case invalidResponse(String)

  /// The server's status, for `.expired` and `.api`.
  public var status: APIStatus? {
    switch self {
    case .expired(let status), .api(let status): return status
    default: return nil
    }
  }

  /// The HTTP status code, for `.expired` and `.api`.
  public var code: Int? { status?.code }

  public var isNotFound: Bool { code == 404 }
  public var isConflict: Bool { code == 409 }
  public var isTooManyRequests: Bool { code == 429 }

  /// Builds `.expired` for 410 and `.api` otherwise.
  static func from(_ status: APIStatus) -> KubeError {
    status.code == 410 || status.reason == "Expired" || status.reason == "Gone"
      ? .expired(status) : .api(status)
  }

  public var description: String {
    switch self {
    case .expired(let status): return "expired: \(status)"
    case .api(let status): return "API error \(status)"
    case .readOnly(let method, let path):
      return "refused \(method) \(path): this client is read-only"
    case .configuration(let message): return "configuration: \(message)"
    case .execPlugin(let command, let message, let stderr):
      let tail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
      return "exec plugin \(command): \(message)" + (tail.isEmpty ? "" : "; stderr: \(tail)")
    case .transport(let message): return "transport: \(message)"
    case .invalidResponse(let message): return "invalid response: \(message)"
    }
  }
}
