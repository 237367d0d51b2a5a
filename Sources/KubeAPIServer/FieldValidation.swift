import KubeModel
import SyncSchema
import SyncValue

/// `fieldValidation=Strict` on writes: a field the kind's schema does not declare is a 400,
/// worded as kube-apiserver's strict decoder words it. kubectl sends `Strict` for
/// `--validate=strict` (its default) because the OpenAPI documents say the server takes the
/// parameter. Only built-in kinds are checked; `Warn` and `Ignore` accept unknown fields
/// without a warning.
enum FieldValidation {
  /// Dotted paths of the fields of `value` that `schema` does not declare, in order.
  /// Directive keys of patches (`$patch`, `$setElementOrder/…`) are not fields.
  static func unknownFields(_ value: Value, schema: SchemaNode, path: String = "") -> [String] {
    switch value {
    case .object(let object):
      var unknown: [String] = []
      for member in object.members where !member.key.hasPrefix("$") {
        let childPath = path.isEmpty ? member.key : "\(path).\(member.key)"
        if let child = schema.child(member.key) {
          unknown += unknownFields(member.value, schema: child, path: childPath)
        } else if !schema.allowsAnyKey {
          unknown.append(childPath)
        }
      }
      return unknown
    case .array(let items):
      guard let itemSchema = schema.items else { return [] }
      return items.enumerated().flatMap { index, item in
        unknownFields(item, schema: itemSchema, path: "\(path)[\(index)]")
      }
    default:
      return []
    }
  }

  /// Throws 400 when the request asks for strict validation and `body` has fields the
  /// schema of `resource` does not declare.
  static func check(
    _ body: Value, of resource: ResourceType, schema: SchemaNode?, request: Request
  ) throws(APIStatus) {
    guard request.query["fieldValidation"] == "Strict", let schema else { return }
    let unknown = unknownFields(body, schema: schema)
    guard !unknown.isEmpty else { return }
    let fields = unknown.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
    throw .badRequest(
      "\(resource.kind) in version \"\(resource.version)\" cannot be handled as a "
        + "\(resource.kind): strict decoding error: \(fields)")
  }
}
