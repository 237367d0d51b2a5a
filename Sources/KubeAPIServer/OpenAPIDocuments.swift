import KubeModel
import SyncSchema
import SyncValue

/// `/openapi/v3` and its group-version documents, built from the embedded Kubernetes
/// schemas and the loaded CRDs' `openAPIV3Schema`; and `/openapi/v2`, which kubectl asks
/// for in protobuf only to validate `kind: List` files on the client.
///
/// What kubectl does with them: `kubectl explain` finds a kind's schema by its
/// `x-kubernetes-group-version-kind` in the group-version document; `kubectl apply`
/// looks for the `fieldValidation` parameter of each resource's PATCH operation and,
/// finding it, leaves validation to the server (`fieldValidation=Strict` for
/// `--validate=strict`, see ``FieldValidation``).
enum OpenAPIDocuments {
  static let v3ReferencePrefix = "#/components/schemas/"

  static func index(_ catalog: Catalog) -> Value {
    var paths = ObjectValue()
    for resource in catalog.resources {
      let key = resource.group.isEmpty ? "api/v1" : "apis/\(resource.apiVersion)"
      if paths[key] == nil {
        paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)")]
      }
    }
    return ["paths": .object(paths)]
  }

  /// The document of one group version: a PATCH operation per resource, and the schemas
  /// of its kinds with every definition they refer to.
  static func groupVersion(
    _ catalog: Catalog, group: String, version: String, crdSchemas: [String: Value]
  ) -> Value? {
    let resources = catalog.resources(group: group, version: version)
    guard !resources.isEmpty else { return nil }
    var schemas = ObjectValue()
    var roots: [String] = []
    for resource in resources {
      let gvk = GroupVersionKind(group: group, version: version, kind: resource.kind)
      if catalog.isCustom(resource) {
        let name = customSchemaName(resource)
        schemas[name] = customSchema(crdSchemas[resource.storageKey + "/" + version], gvk: gvk)
        roots.append(BuiltInSchemaNames.objectMeta)
      } else if let kind = BuiltInDefinitions.kinds.first(where: { $0.gvk == gvk }) {
        roots.append(kind.definition)
      }
    }
    let kindsByDefinition = Dictionary(
      grouping: BuiltInDefinitions.kinds, by: \.definition)
    for name in BuiltInDefinitions.reachable(from: roots).sorted() {
      guard let schema = BuiltInDefinitions.schemas[name] else { continue }
      var converted = convert(schema)
      if let kinds = kindsByDefinition[name], case .object(var object) = converted {
        object["x-kubernetes-group-version-kind"] = .array(kinds.map { gvkValue($0.gvk) })
        converted = .object(object)
      }
      schemas[name] = converted
    }
    return .object(
      ObjectValue([
        "openapi": "3.0.0",
        "info": ["title": "Kubernetes", "version": "v1.32.0"],
        "paths": .object(paths(resources)),
        "components": ["schemas": .object(schemas)],
      ]))
  }

  /// A PATCH operation with the parameters kubectl checks for, per resource.
  private static func paths(_ resources: [ResourceType]) -> ObjectValue {
    let parameters: Value = .array(
      ["dryRun", "fieldManager", "fieldValidation", "force"].map { name in
        ["name": .string(name), "in": "query", "schema": ["type": "string"]]
      })
    var paths = ObjectValue()
    for resource in resources {
      let prefix = resource.group.isEmpty ? "/api/v1" : "/apis/\(resource.apiVersion)"
      let path =
        resource.namespaced
        ? "\(prefix)/namespaces/{namespace}/\(resource.plural)/{name}"
        : "\(prefix)/\(resource.plural)/{name}"
      let gvk = gvkValue(
        GroupVersionKind(group: resource.group, version: resource.version, kind: resource.kind))
      paths[path] = [
        "patch": [
          "operationId": .string("patch\(resource.kind)"), "parameters": parameters,
          "responses": ["200": ["description": "OK"]],
          "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
        ]
      ]
    }
    return paths
  }

  private static func gvkValue(_ gvk: GroupVersionKind) -> Value {
    ["group": .string(gvk.group), "version": .string(gvk.version), "kind": .string(gvk.kind)]
  }

  /// `com.example.v1.Widget`, the way kube-apiserver names a CRD's schema.
  static func customSchemaName(_ resource: ResourceType) -> String {
    (resource.group.split(separator: ".").reversed().map(String.init)
      + [resource.version, resource.kind]).joined(separator: ".")
  }

  /// A CRD version's `openAPIV3Schema` with the standard fields' schemas filled in.
  private static func customSchema(_ schema: Value?, gvk: GroupVersionKind) -> Value {
    var object = schema?.objectValue ?? ObjectValue(["type": "object"])
    var properties = object["properties"]?.objectValue ?? ObjectValue()
    properties["apiVersion"] = ["type": "string"]
    properties["kind"] = ["type": "string"]
    properties["metadata"] = [
      "allOf": [["$ref": .string(v3ReferencePrefix + BuiltInSchemaNames.objectMeta)]]
    ]
    object["properties"] = .object(properties)
    object["x-kubernetes-group-version-kind"] = [gvkValue(gvk)]
    return .object(object)
  }

  /// An embedded definition in OpenAPI v3 form: references under `#/components/schemas/`
  /// (wrapped in `allOf` where the field adds its own description, as kube-apiserver
  /// writes them), one `type` per schema, quantities as strings.
  static func convert(_ schema: Value) -> Value {
    guard case .object(let object) = schema else { return schema }
    var result = ObjectValue()
    for member in object.members {
      switch member.key {
      case "$ref":
        break
      case "type":
        if case .array(let types) = member.value {
          result["type"] = types.contains("string") ? "string" : (types.first ?? "object")
        } else {
          result["type"] = member.value
        }
      case "x-syncrules-quantity":
        result["type"] = "string"
      case "x-kubernetes-int-or-string":
        result[member.key] = member.value
        result["anyOf"] = [["type": "integer"], ["type": "string"]]
      case "properties":
        var properties = ObjectValue()
        for property in member.value.objectValue?.members ?? [] {
          properties[property.key] = convert(property.value)
        }
        result["properties"] = .object(properties)
      case "items", "additionalProperties":
        result[member.key] = convert(member.value)
      default:
        result[member.key] = member.value
      }
    }
    if let name = object["$ref"]?.stringValue {
      let reference: Value = ["$ref": .string(v3ReferencePrefix + name)]
      if result.isEmpty { return reference }
      result["allOf"] = [reference]
    }
    return .object(result)
  }

  /// `/openapi/v2` as kubectl reads it: a protobuf `openapi.v2.Document`. This one is the
  /// empty message — no definitions — so kubectl's client-side validation of a
  /// `kind: List` envelope finds no schema and checks nothing; the server still checks
  /// every object it is sent.
  static let v2ProtobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
}

/// Definition names the documents need by name.
enum BuiltInSchemaNames {
  static let objectMeta = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
}
