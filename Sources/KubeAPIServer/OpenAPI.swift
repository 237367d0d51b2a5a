import KubeModel
import SyncValue

/// Just enough OpenAPI v3 for kubectl to see that the server validates fields itself.
///
/// `kubectl apply` (validation on, the default) reads `/openapi/v3` and the group-version
/// document to learn whether PATCH takes `fieldValidation`; when it does, kubectl skips
/// client-side schema validation. So each document lists the object path of every
/// resource with a PATCH operation carrying that parameter, and no schemas.
enum OpenAPIDocuments {
  static func index(_ catalog: Catalog) -> Value {
    var paths = ObjectValue()
    var seen = Set<String>()
    for resource in catalog.resources where seen.insert(resource.apiVersion).inserted {
      let key = resource.group.isEmpty ? "api/v1" : "apis/\(resource.apiVersion)"
      paths[key] = .object(ObjectValue(["serverRelativeURL": .string("/openapi/v3/\(key)")]))
    }
    return .object(ObjectValue(["paths": .object(paths)]))
  }

  static func groupVersion(_ catalog: Catalog, group: String, version: String) -> Value? {
    let resources = catalog.resources(group: group, version: version)
    guard !resources.isEmpty else { return nil }
    let parameters: Value = .array(
      ["dryRun", "fieldManager", "fieldValidation", "force"].map { name in
        .object(
          ObjectValue([
            "name": .string(name), "in": "query",
            "schema": .object(ObjectValue(["type": "string"])),
          ]))
      })
    var paths = ObjectValue()
    for resource in resources {
      let prefix = resource.group.isEmpty ? "/api/v1" : "/apis/\(resource.apiVersion)"
      let path =
        resource.namespaced
        ? "\(prefix)/namespaces/{namespace}/\(resource.plural)/{name}"
        : "\(prefix)/\(resource.plural)/{name}"
      let gvk = Value.object(
        ObjectValue([
          "group": .string(resource.group), "version": .string(resource.version),
          "kind": .string(resource.kind),
        ]))
      let operation = Value.object(
        ObjectValue([
          "operationId": .string("patch\(resource.kind)"), "parameters": parameters,
          "responses": .object(ObjectValue(["200": .object(ObjectValue(["description": "OK"]))])),
          "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
        ]))
      paths[path] = .object(ObjectValue(["patch": operation]))
    }
    return .object(
      ObjectValue([
        "openapi": "3.0.0",
        "info": .object(ObjectValue(["title": "Kubernetes", "version": "v1.32.0"])),
        "paths": .object(paths),
        "components": .object(ObjectValue(["schemas": .object(ObjectValue())])),
      ]))
  }
}
