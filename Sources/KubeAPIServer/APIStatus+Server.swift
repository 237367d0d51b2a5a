import KubeModel
import SyncValue

/// The failures this server answers with, shaped like kube-apiserver's where clients show
/// them to users, and the `kind: Status` body it writes for them.
extension APIStatus {
  static func describing(_ resource: ResourceType?, name: String) -> Value {
    var details = ObjectValue(["name": .string(name)])
    if let resource {
      details["group"] = .string(resource.group)
      details["kind"] = .string(resource.plural)
    }
    return .object(details)
  }

  static func notFound(_ resource: ResourceType, name: String) -> APIStatus {
    APIStatus(
      code: 404, reason: "NotFound",
      message: "\(resource.description) \"\(name)\" not found",
      details: describing(resource, name: name))
  }

  static func notFound(path: String) -> APIStatus {
    APIStatus(
      code: 404, reason: "NotFound",
      message: "the server could not find the requested resource (\(path))")
  }

  static func alreadyExists(_ resource: ResourceType, name: String) -> APIStatus {
    APIStatus(
      code: 409, reason: "AlreadyExists",
      message: "\(resource.description) \"\(name)\" already exists",
      details: describing(resource, name: name))
  }

  static func conflict(_ resource: ResourceType, name: String, _ why: String) -> APIStatus {
    APIStatus(
      code: 409, reason: "Conflict",
      message: "Operation cannot be fulfilled on \(resource.description) \"\(name)\": \(why)",
      details: describing(resource, name: name))
  }

  static func invalid(_ resource: ResourceType?, name: String, _ why: String) -> APIStatus {
    let kind = resource?.kind ?? "Object"
    return APIStatus(
      code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(why)",
      details: describing(resource, name: name))
  }

  static func badRequest(_ message: String) -> APIStatus {
    APIStatus(code: 400, reason: "BadRequest", message: message)
  }

  static func expired(_ message: String) -> APIStatus {
    APIStatus(code: 410, reason: "Expired", message: message)
  }

  static func methodNotAllowed(_ method: String) -> APIStatus {
    APIStatus(
      code: 405, reason: "MethodNotAllowed",
      message: "the server does not allow this method on the requested resource (\(method))")
  }

  static func unsupportedMediaType(_ type: String) -> APIStatus {
    APIStatus(
      code: 415, reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format - accepted media types include: "
        + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        + " (got \(type))")
  }

  static let unauthorized = APIStatus(code: 401, reason: "Unauthorized", message: "Unauthorized")

  static func forbidden(user: String, verb: String, resource: String) -> APIStatus {
    APIStatus(
      code: 403, reason: "Forbidden",
      message: "\(resource) is forbidden: User \"\(user)\" cannot \(verb) resource \"\(resource)\"")
  }

  /// The `kind: Status` body clients parse.
  var body: Value {
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
