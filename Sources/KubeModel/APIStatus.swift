import SyncValue

/// A failed request as the API server reports it: a `kind: Status` body with a matching
/// HTTP code.
///
/// Reasons and codes follow `metav1.StatusReason`, because clients (client-go, kubectl,
/// our own sync loop) branch on `reason`, not on the message text. The client reads it from
/// answers and the test server writes it; each side keeps its own reading and writing code.
public struct APIStatus: Error, Sendable, Equatable, CustomStringConvertible {
  /// The HTTP status code (`code` in the body).
  public var code: Int
  /// A machine-readable word such as `NotFound`, `Conflict`, `Expired`, `TooManyRequests`.
  public var reason: String
  /// Human-readable text.
  public var message: String
  /// `details`, when present: names the object and, for conflicts and invalid objects,
  /// lists `causes` with the fields involved.
  public var details: Value?
  /// Seconds to wait before retrying (`Retry-After`, `details.retryAfterSeconds`).
  public var retryAfterSeconds: Int?

  /// Creates a status.
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

  /// The `field` of each `details.causes` entry: what a 409 apply conflict or a 422 names.
  public var causeFields: [String] {
    (details?["causes"]?.arrayValue ?? []).compactMap { $0["field"]?.stringValue }
  }

  /// `409 Conflict: message (field: cause; …)`.
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
}
