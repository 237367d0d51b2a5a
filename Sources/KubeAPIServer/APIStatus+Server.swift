import SyncValue

/// A failed request, answered with a `kind: Status` body and the matching HTTP code.
///
/// Reasons and codes follow `metav1.StatusReason`, because clients (client-go, kubectl,
/// our own sync loop) branch on `reason`, not on the message text.
public struct APIError: Error, Sendable, Equatable {
  /// The HTTP status code, also written as `code` in the body.
  public var code: Int
  /// The machine-readable reason, such as `NotFound` or `Conflict`.
  public var reason: String
  /// Human-readable text, shaped like kube-apiserver's where clients show it to users.
  public var message: String
  /// `details` of the Status: the object the failure is about, when there is one.
  public var details: Value?
  /// Seconds to wait, sent as `Retry-After` (429 and some 500s).
  public var retryAfterSeconds: Int?

  /// Creates an error; prefer the named constructors below.
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

  static func describing(_ resource: ResourceType?, name: String) -> Value {
    var details = ObjectValue(["name": .string(name)])
    if let resource {
      details["group"] = .string(resource.group)
      details["kind"] = .string(resource.plural)
    }
    return .object(details)
  }

  static func notFound(_ resource: ResourceType, name: String) -> APIError {
    APIError(
      code: 404, reason: "NotFound",
      message: "\(resource.qualifiedPlural) \"\(name)\" not found",
      details: describing(resource, name: name))
  }

  static func notFound(path: String) -> APIError {
    APIError(
      code: 404, reason: "NotFound",
      message: "the server could not find the requested resource (\(path))")
  }

  static func alreadyExists(_ resource: ResourceType, name: String) -> APIError {
    APIError(
      code: 409, reason: "AlreadyExists",
      message: "\(resource.qualifiedPlural) \"\(name)\" already exists",
      details: describing(resource, name: name))
  }

  static func conflict(_ resource: ResourceType, name: String, _ why: String) -> APIError {
    APIError(
      code: 409, reason: "Conflict",
      message: "Operation cannot be fulfilled on \(resource.qualifiedPlural) \"\(name)\": \(why)",
      details: describing(resource, name: name))
  }

  static func invalid(_ resource: ResourceType?, name: String, _ why: String) -> APIError {
    let kind = resource?.kind ?? "Object"
    return APIError(
      code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(why)",
      details: describing(resource, name: name))
  }

  static func badRequest(_ message: String) -> APIError {
    APIError(code: 400, reason: "BadRequest", message: message)
  }

  static func expired(_ message: String) -> APIError {
    APIError(code: 410, reason: "Expired", message: message)
  }

  static func methodNotAllowed(_ method: String) -> APIError {
    APIError(
      code: 405, reason: "MethodNotAllowed",
      message: "the server does not allow this method on the requested resource (\(method))")
  }

  static func unsupportedMediaType(_ type: String) -> APIError {
    APIError(
      code: 415, reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format - accepted media types include: "
        + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        + " (got \(type))")
  }

  static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

  static func forbidden(user: String, verb: String, resource: String) -> APIError {
    APIError(
      code: 403, reason: "Forbidden",
      message: "\(resource) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\"")
  }

  /// The `kind: Status` body clients parse.
  public var status: Value {
    var object = ObjectValue([
      "kind": "Status", "apiVersion": "v1", "metadata": .object(ObjectValue()),
      "status": "Failure", "message": .string(message), "reason": .string(reason),
    ])
    if let details { object["details"] = details }
    object["code"] = .int(Int64(code))
    return .object(object)
  }
}

/// The `kind: Status` answered for a successful delete of a collection or a namespace's
/// contents, as kube-apiserver does.
func successStatus(details: Value? = nil) -> Value {
  var object = ObjectValue([
    "kind": "Status", "apiVersion": "v1", "metadata": .object(ObjectValue()), "status": "Success",
  ])
  if let details { object["details"] = details }
  return .object(object)
}
