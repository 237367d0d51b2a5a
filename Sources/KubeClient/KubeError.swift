import Foundation
import KubeModel
import SyncValue

extension APIStatus {
  /// Reads a `Status` body; falls back to the HTTP code and the start of the body for
  /// other answers, which may echo the request: ``loggableExcerpt(of:parsed:concernsSecrets:)``
  /// keeps Secret values out of it.
  ///
  /// - Parameter concernsSecrets: the request was about Secrets; such an answer is never
  ///   quoted.
  init(httpCode: Int, body: [UInt8], retryAfter: String?, concernsSecrets: Bool = false) {
    let parsed = try? JSON.parse(body)
    if let parsed, parsed["kind"]?.stringValue == "Status" {
      self.init(
        code: parsed["code"].flatMap(Self.int) ?? httpCode,
        reason: parsed["reason"]?.stringValue ?? "",
        message: parsed["message"]?.stringValue ?? "", details: parsed["details"])
    } else {
      self.init(
        code: httpCode, reason: "",
        message: Self.loggableExcerpt(of: body, parsed: parsed, concernsSecrets: concernsSecrets))
    }
    retryAfterSeconds =
      retryAfter.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
      ?? details?["retryAfterSeconds"].flatMap(Self.int)
  }

  /// The first 512 bytes of an answer that is not a `Status`, safe to log: nothing of an
  /// answer about Secrets; for JSON, the values of every `data` and `stringData` map
  /// masked; other text (a proxy's `404 page not found`, `slow down`) as it is.
  static func loggableExcerpt(of body: [UInt8], parsed: Value?, concernsSecrets: Bool) -> String {
    if body.isEmpty { return "" }
    if concernsSecrets {
      return "(an answer of \(body.count) bytes, not shown: the request concerns Secrets)"
    }
    let bytes = parsed.map { Array(JSON.serialize(Redaction.secretValues(in: $0)).utf8) } ?? body
    var excerpt = String(decoding: bytes.prefix(512), as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    if bytes.count > 512 { excerpt += "…" }
    return excerpt
  }

  /// Reads the `object` of a watch `ERROR` frame.
  init(watchError object: Value) {
    let details = object["details"]
    self.init(
      code: object["code"].flatMap(Self.int) ?? 500, reason: object["reason"]?.stringValue ?? "",
      message: object["message"]?.stringValue
        ?? JSON.serialize(Redaction.secretValues(in: object)),
      details: details, retryAfterSeconds: details?["retryAfterSeconds"].flatMap(Self.int))
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
  /// A write the client's write gate refused (this replica may no longer hold the
  /// leader lease); nothing was sent.
  case fenced(method: String, path: String)
  /// kubeconfig or in-cluster settings that cannot be used.
  case configuration(String)
  /// An exec credential plugin failed or printed something unusable. What the plugin
  /// printed is never part of it: it can hold the credential.
  case execPlugin(command: String, message: String)
  /// The server could not be reached: refused, timed out, unknown host, TLS verification.
  case unreachable(ConnectionFailure)
  /// A connection failed after the server answered (a watch cut off mid-stream).
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
    case .fenced(let method, let path):
      return "not sent \(method) \(path): this replica may no longer hold the leader lease"
    case .configuration(let message): return "configuration: \(message)"
    case .execPlugin(let command, let message): return "exec plugin \(command): \(message)"
    case .unreachable(let failure): return failure.description
    case .transport(let message): return "transport: \(message)"
    case .invalidResponse(let message): return "invalid response: \(message)"
    }
  }
}
