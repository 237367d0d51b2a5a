import KubeModel
import SyncSchema
import SyncValue

extension ResourceType {
  /// Whether the resource has a `scale` subresource (`kubectl scale`): the built-in
  /// workloads with `spec.replicas`. A CRD's `subresources.scale` is not served.
  var hasScale: Bool {
    group == "apps" && ["deployments", "replicasets", "statefulsets"].contains(plural)
  }
}

/// The `autoscaling/v1` `Scale` view of a workload: `spec.replicas` to read and write,
/// `status.replicas` and the selector (as a label selector string) to read.
enum ScaleView {
  static func of(_ object: Value) -> Value {
    var metadata = ObjectValue()
    for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
      if let value = object["metadata"]?[key] { metadata[key] = value }
    }
    var status = ObjectValue(["replicas": object["status"]?["replicas"] ?? .int(0)])
    if let selector = selectorString(object["spec"]?["selector"]) {
      status["selector"] = .string(selector)
    }
    return .object(
      ObjectValue([
        "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
        "spec": .object(ObjectValue(["replicas": object["spec"]?["replicas"] ?? .int(1)])),
        "status": .object(status),
      ]))
  }

  /// `matchLabels` and `matchExpressions` written the way `kubectl get -l` reads them.
  private static func selectorString(_ selector: Value?) -> String? {
    guard let selector else { return nil }
    var parts: [String] = []
    for member in selector["matchLabels"]?.objectValue?.members ?? [] {
      parts.append("\(member.key)=\(member.value.stringValue ?? "")")
    }
    for expression in selector["matchExpressions"]?.arrayValue ?? [] {
      let key = expression["key"]?.stringValue ?? ""
      let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue)
      switch expression["operator"]?.stringValue {
      case "In": parts.append("\(key) in (\(values.joined(separator: ",")))")
      case "NotIn": parts.append("\(key) notin (\(values.joined(separator: ",")))")
      case "Exists": parts.append(key)
      case "DoesNotExist": parts.append("!\(key)")
      default: continue
      }
    }
    return parts.joined(separator: ",")
  }

  /// The replica count a written Scale asks for: a non-negative integer.
  static func replicas(in scale: Value, name: String, resource: ResourceType) throws(APIStatus)
    -> Int64
  {
    guard case .int(let replicas) = scale["spec"]?["replicas"] ?? .int(0), replicas >= 0,
      replicas <= Int64(Int32.max)
    else {
      throw APIStatus(
        code: 422, reason: "Invalid",
        message:
          "Scale.autoscaling \"\(name)\" is invalid: spec.replicas: Invalid value: "
          + "\(JSON.serialize(scale["spec"]?["replicas"] ?? .null)): must be greater than or "
          + "equal to 0",
        details: APIStatus.describing(resource, name: name))
    }
    return replicas
  }
}

extension KubeAPIServer {
  /// `GET`, `PUT` and `PATCH` on `<workload>/scale`.
  func scale(_ request: Request, _ address: ObjectAddress) throws(APIStatus) -> Response {
    let resource = address.resource
    var main = address
    main.subresource = nil
    let dryRun = request.query["dryRun"] == "All"
    let change: (Value) throws(APIStatus) -> Value
    switch request.method {
    case "GET":
      let object = try store.get(resource, namespace: address.namespace, name: address.name)
      return .ok(ScaleView.of(object))
    case "PUT":
      let body = try parseBody(request)
      change = { live throws(APIStatus) in
        if let version = body["metadata"]?["resourceVersion"]?.stringValue, !version.isEmpty,
          version != live["metadata"]?["resourceVersion"]?.stringValue
        {
          throw .conflict(
            resource, name: address.name,
            "the object has been modified; please apply your changes to the latest version "
              + "and try again")
        }
        return body
      }
    case "PATCH":
      let body = try parseBody(request)
      let contentType = request.contentType
      change = { scale throws(APIStatus) in
        try self.patched(scale, with: body, contentType: contentType)
      }
    default:
      throw .methodNotAllowed(request.method)
    }
    let updated = try store.patch(main, dryRun: dryRun) { live throws(APIStatus) in
      let scale = try change(ScaleView.of(live))
      let replicas = try ScaleView.replicas(in: scale, name: address.name, resource: resource)
      guard case .object(var root) = live else { return live }
      var spec = root["spec"]?.objectValue ?? ObjectValue()
      spec["replicas"] = .int(replicas)
      root["spec"] = .object(spec)
      return .object(root)
    }
    return .ok(ScaleView.of(updated))
  }

  /// A Scale changed by a merge, strategic merge or JSON patch.
  private func patched(_ scale: Value, with patch: Value, contentType: String) throws(APIStatus)
    -> Value
  {
    switch contentType {
    case "application/merge-patch+json":
      return mergePatch(patch, into: scale)
    case "application/strategic-merge-patch+json":
      let schema = SchemaRegistry.builtIn.kind(
        GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))?.schema
      return try StrategicMergePatch.apply(patch, to: scale, schema: schema)
    case "application/json-patch+json":
      var result = scale
      do {
        try JSONPatch(patch).apply(to: &result)
      } catch {
        throw APIStatus(code: 422, reason: "Invalid", message: "the JSON patch failed: \(error)")
      }
      return result
    default:
      throw .unsupportedMediaType(contentType)
    }
  }
}
