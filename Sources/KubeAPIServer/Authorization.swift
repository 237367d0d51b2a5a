import KubeModel
import SyncValue

/// The server's whole authorization model, and `SelfSubjectAccessReview` over it.
///
/// There is no RBAC evaluation: RBAC objects (`rbac.authorization.k8s.io`) are stored and
/// served like any other, but grant and deny nothing. A user is either allowed
/// everything or, when listed in ``KubeAPIServer/Configuration/readOnlyUsers``, only
/// `get`, `list` and `watch` (and asking this review, which every user may).
enum Authorization {
  static let reviewStorageKey = "authorization.k8s.io/selfsubjectaccessreviews"
  static let readVerbs: Set<String> = ["get", "list", "watch"]

  /// Whether `user` may do `verb`, and why, in the words the review reports.
  static func decide(user: String, verb: String, readOnlyUsers: Set<String>) -> (
    allowed: Bool, reason: String
  ) {
    guard readOnlyUsers.contains(user) else {
      return (true, "kube-api-server allows every request of a user not listed as read-only")
    }
    if readVerbs.contains(verb) {
      return (true, "kube-api-server: \(user) is a read-only user, allowed get, list and watch")
    }
    return (false, "kube-api-server: \(user) is a read-only user, allowed only get, list and watch")
  }
}

extension KubeAPIServer {
  /// `POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`: the review answered,
  /// not stored (201, as kube-apiserver answers it).
  func selfSubjectAccessReview(_ request: Request, _ resource: ResourceType) throws(APIStatus)
    -> Response
  {
    guard request.method == "POST" else { throw .methodNotAllowed(request.method) }
    guard case .object(var review) = try parseBody(request), let spec = review["spec"] else {
      throw .badRequest("the body of the request must be a SelfSubjectAccessReview object")
    }
    let attributes = spec["resourceAttributes"] ?? spec["nonResourceAttributes"]
    guard let verb = attributes?["verb"]?.stringValue, !verb.isEmpty else {
      throw .invalid(
        resource, name: "",
        "spec.resourceAttributes.verb: Required value: exactly one of nonResourceAttributes "
          + "or resourceAttributes must be specified, with a verb")
    }
    let decision = Authorization.decide(
      user: request.user, verb: verb, readOnlyUsers: configuration.readOnlyUsers)
    review["apiVersion"] = .string(resource.apiVersion)
    review["kind"] = .string(resource.kind)
    review["metadata"] = review["metadata"] ?? [:]
    review["status"] = [
      "allowed": .bool(decision.allowed), "reason": .string(decision.reason),
    ]
    return .json(status: 201, body: .object(review))
  }
}
