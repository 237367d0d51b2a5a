import KubeModel
import SyncSchema
import SyncValue

extension KubeAPIServer {
  /// Serves a request that passed authentication and fault injection.
  func route(_ request: Request) throws(APIStatus) -> Response {
    let segments = request.path.split(separator: "/").map(String.init)
    let accept = request.headers.first(name: "accept") ?? ""
    let aggregated =
      accept.contains("as=APIGroupDiscoveryList")
      && accept.contains("g=apidiscovery.k8s.io") && accept.contains("v=v2")
    switch segments.first {
    case "version" where segments.count == 1:
      return .ok(DiscoveryDocuments.version())
    case "openapi" where segments == ["openapi", "v2"]:
      if accept.contains("protobuf") {
        return .bytes(status: 200, body: [], contentType: OpenAPIDocuments.v2ProtobufMediaType)
      }
      return .ok(
        [
          "swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
          "paths": [:], "definitions": [:],
        ])
    case "openapi" where segments.count >= 2 && segments[1] == "v3":
      let catalog = store.currentCatalog
      if segments.count == 2 { return .ok(OpenAPIDocuments.index(catalog)) }
      let group = segments[2] == "api" ? "" : (segments.count > 3 ? segments[3] : "")
      let version = segments.last ?? ""
      guard segments.count == (group.isEmpty ? 4 : 5),
        let document = OpenAPIDocuments.groupVersion(
          catalog, group: group, version: version, crdSchemas: crdSchemas(catalog))
      else { throw .notFound(path: request.path) }
      return .ok(document)
    case "healthz", "readyz", "livez":
      return .text(status: 200, body: "ok")
    case "api":
      if segments.count == 1 {
        guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
        return aggregated
          ? .json(
            status: 200, body: DiscoveryDocuments.aggregated(store.currentCatalog, core: true),
            contentType: DiscoveryDocuments.aggregatedMediaType)
          : .ok(DiscoveryDocuments.coreVersions())
      }
      return try routeGroupVersion(
        request, group: "", version: segments[1], rest: segments.dropFirst(2))
    case "apis":
      if segments.count == 1 {
        guard request.method == "GET" else { throw .methodNotAllowed(request.method) }
        let catalog = store.currentCatalog
        return aggregated
          ? .json(
            status: 200, body: DiscoveryDocuments.aggregated(catalog, core: false),
            contentType: DiscoveryDocuments.aggregatedMediaType)
          : .ok(DiscoveryDocuments.groupList(catalog))
      }
      if segments.count == 2 {
        guard let group = store.currentCatalog.groups.first(where: { $0.name == segments[1] })
        else { throw .notFound(path: request.path) }
        return .ok(DiscoveryDocuments.group(name: group.name, versions: group.versions))
      }
      return try routeGroupVersion(
        request, group: segments[1], version: segments[2], rest: segments.dropFirst(3))
    default:
      throw .notFound(path: request.path)
    }
  }

  private func routeGroupVersion(
    _ request: Request, group: String, version: String, rest: ArraySlice<String>
  ) throws(APIStatus) -> Response {
    let catalog = store.currentCatalog
    let rest = Array(rest)
    if rest.isEmpty {
      guard request.method == "GET",
        let list = DiscoveryDocuments.resourceList(catalog, group: group, version: version)
      else { throw .notFound(path: request.path) }
      return .ok(list)
    }
    // /namespaces/NS/PLURAL/... is namespaced; /namespaces/NS[/status|/finalize] is the
    // namespace itself.
    var namespace: String?
    var tail = rest
    if rest[0] == "namespaces", rest.count >= 3, rest[2] != "status", rest[2] != "finalize" {
      namespace = rest[1]
      tail = Array(rest.dropFirst(2))
    }
    guard let resource = catalog.resource(group: group, version: version, plural: tail[0]) else {
      throw .notFound(path: request.path)
    }
    if namespace != nil, !resource.namespaced { throw .notFound(path: request.path) }
    switch tail.count {
    case 1 where resource.storageKey == Authorization.reviewStorageKey:
      return try selfSubjectAccessReview(request, resource)
    case 1:
      return try collection(request, resource, namespace: namespace)
    case 2, 3:
      if resource.namespaced, namespace == nil { throw .notFound(path: request.path) }
      let subresource = tail.count == 3 ? tail[2] : nil
      let address = ObjectAddress(
        resource: resource, namespace: namespace ?? "", name: tail[1], subresource: subresource)
      if subresource == "scale", resource.hasScale { return try scale(request, address) }
      if let subresource, subresource != "status" || !resource.hasStatus {
        throw .notFound(path: request.path)
      }
      return try object(request, address)
    default:
      throw .notFound(path: request.path)
    }
  }

  private func collection(
    _ request: Request, _ resource: ResourceType, namespace: String?
  ) throws(APIStatus) -> Response {
    let labels = try LabelSelector(parsing: request.query["labelSelector"] ?? "")
    let fields = try FieldSelector(parsing: request.query["fieldSelector"] ?? "")
    let filter = WatchFilter(
      resource: resource, namespace: namespace, labels: labels, fields: fields)
    switch request.method {
    case "GET" where request.flag("watch"):
      let version = request.query["resourceVersion"] ?? ""
      var fromRevision: Int64?
      if !version.isEmpty, version != "0" {
        guard let parsed = Int64(version) else {
          throw .badRequest("invalid resource version: \(version)")
        }
        fromRevision = parsed
      }
      let timeout = request.query["timeoutSeconds"].flatMap(Int.init).flatMap {
        $0 > 0 ? Duration.seconds($0) : nil
      }
      return .watch(
        WatchPlan(
          filter: filter, fromRevision: fromRevision,
          initialEvents: request.flag("sendInitialEvents"),
          bookmarks: request.flag("allowWatchBookmarks"), timeout: timeout))
    case "GET":
      let limit = request.query["limit"].flatMap(Int.init)
      let result = try store.list(
        resource, namespace: namespace, labels: labels, fields: fields, limit: limit,
        continueToken: request.query["continue"])
      var metadata = ObjectValue(["resourceVersion": .string(String(result.revision))])
      if let token = result.continueToken { metadata["continue"] = .string(token) }
      if let remaining = result.remaining {
        metadata["remainingItemCount"] = .int(Int64(remaining))
      }
      return .ok(
        .object(
          ObjectValue([
            "kind": .string(resource.listKind), "apiVersion": .string(resource.apiVersion),
            "metadata": .object(metadata), "items": .array(result.items),
          ])))
    case "POST":
      if resource.namespaced, namespace == nil { throw .methodNotAllowed(request.method) }
      let body = try parseCheckedBody(request, resource)
      let created = try store.create(
        resource, namespace: namespace ?? "", body: body, dryRun: isDryRun(request))
      return .json(status: 201, body: created)
    case "DELETE":
      let deleted = store.deleteCollection(filter)
      return .ok(
        .object(
          ObjectValue([
            "kind": .string(resource.listKind), "apiVersion": .string(resource.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.currentRevision))],
            "items": .array(deleted),
          ])))
    default:
      throw .methodNotAllowed(request.method)
    }
  }

  private func object(_ request: Request, _ address: ObjectAddress) throws(APIStatus) -> Response {
    let dryRun = isDryRun(request)
    switch request.method {
    case "GET":
      return .ok(try store.get(address.resource, namespace: address.namespace, name: address.name))
    case "PUT":
      let body = try parseCheckedBody(request, address.resource)
      return .ok(try store.update(address, body: body, dryRun: dryRun))
    case "PATCH":
      return try patch(request, address, dryRun: dryRun)
    case "DELETE":
      var version: String?
      var uid: String?
      if !request.body.isEmpty, let options = try? parseBody(request) {
        version = options["preconditions"]?["resourceVersion"]?.stringValue
        uid = options["preconditions"]?["uid"]?.stringValue
      }
      return .ok(
        try store.delete(
          address, preconditionVersion: version, preconditionUID: uid, dryRun: dryRun))
    default:
      throw .methodNotAllowed(request.method)
    }
  }

  private func patch(
    _ request: Request, _ address: ObjectAddress, dryRun: Bool
  ) throws(APIStatus) -> Response {
    let body =
      request.contentType == "application/json-patch+json"
      ? try parseBody(request) : try parseCheckedBody(request, address.resource)
    switch request.contentType {
    case "application/apply-patch+yaml":
      guard let manager = request.query["fieldManager"], !manager.isEmpty else {
        throw .invalid(
          address.resource, name: address.name,
          "metadata.managedFields.fieldManager: Required value: is required for apply patch")
      }
      let result = try store.apply(
        address, body: body, manager: manager, force: request.flag("force"), dryRun: dryRun)
      return .json(status: result.created ? 201 : 200, body: result.object)
    case "application/merge-patch+json":
      return .ok(
        try store.patch(address, dryRun: dryRun) { live throws(APIStatus) in
          mergePatch(body, into: live)
        })
    case "application/strategic-merge-patch+json":
      guard let schema = builtInSchema(address.resource) else {
        throw .unsupportedMediaType(request.contentType)
      }
      return .ok(
        try store.patch(address, dryRun: dryRun) { live throws(APIStatus) in
          try StrategicMergePatch.apply(body, to: live, schema: schema)
        })
    case "application/json-patch+json":
      let patch: JSONPatch
      do {
        patch = try JSONPatch(body)
      } catch {
        throw .badRequest("invalid JSON patch: \(error)")
      }
      return .ok(
        try store.patch(address, dryRun: dryRun) { live throws(APIStatus) in
          var result = live
          do {
            try patch.apply(to: &result)
          } catch {
            throw APIStatus(
              code: 422, reason: "Invalid", message: "the JSON patch failed: \(error)")
          }
          return result
        })
    default:
      throw .unsupportedMediaType(request.contentType)
    }
  }

  /// Each CRD version's `openAPIV3Schema`, keyed `group/plural/version`.
  private func crdSchemas(_ catalog: Catalog) -> [String: Value] {
    guard
      let crds = catalog.resource(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions")
    else { return [:] }
    var schemas: [String: Value] = [:]
    for (name, types) in catalog.customResources {
      guard let crd = try? store.get(crds, namespace: "", name: name) else { continue }
      for version in crd["spec"]?["versions"]?.arrayValue ?? [] {
        guard let versionName = version["name"]?.stringValue,
          let schema = version["schema"]?["openAPIV3Schema"], let type = types.first
        else { continue }
        schemas[type.storageKey + "/" + versionName] = schema
      }
    }
    return schemas
  }

  /// The body, refused (400) when `fieldValidation=Strict` and it has unknown fields.
  private func parseCheckedBody(_ request: Request, _ resource: ResourceType) throws(APIStatus)
    -> Value
  {
    let body = try parseBody(request)
    if request.query["fieldValidation"] == "Strict" {
      try FieldValidation.check(
        body, of: resource, schema: builtInSchema(resource), request: request)
    }
    return body
  }

  /// The schema of a built-in kind; nil for custom resources, whose CRD schemas carry no
  /// patch strategies (kube-apiserver refuses strategic merge patches for them too).
  func builtInSchema(_ resource: ResourceType) -> SchemaNode? {
    guard !store.currentCatalog.isCustom(resource) else { return nil }
    return SchemaRegistry.builtIn.kind(
      GroupVersionKind(group: resource.group, version: resource.version, kind: resource.kind))?
      .schema
  }

  private func isDryRun(_ request: Request) -> Bool {
    request.query["dryRun"] == "All"
  }

  /// JSON first (what clients send); YAML for apply bodies written by hand.
  func parseBody(_ request: Request) throws(APIStatus) -> Value {
    if request.contentType == KubernetesProtobuf.mediaType {
      return try KubernetesProtobuf.decode(request.body)
    }
    if let value = try? JSON.parse(request.body) { return value }
    if request.contentType == "application/apply-patch+yaml",
      let value = try? YAML.parse(String(decoding: request.body, as: UTF8.self))
    {
      return value
    }
    throw .badRequest(
      "the request body is not valid JSON\(request.contentType.contains("yaml") ? " or YAML" : "")")
  }
}
