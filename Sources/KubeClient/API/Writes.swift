import KubeModel
import SyncValue

/// Conditions a delete must meet, checked by the server atomically with the delete.
public struct DeletePreconditions: Sendable, Equatable {
  public var uid: String?
  public var resourceVersion: String?

  public init(uid: String? = nil, resourceVersion: String? = nil) {
    self.uid = uid
    self.resourceVersion = resourceVersion
  }
}

extension KubeClient {
  /// Reads one object; nil when it does not exist.
  public func get(
    _ resource: ResourceType, namespace: String? = nil, name: String
  ) async throws(KubeError) -> Value? {
    do {
      let response = try await send(
        Request(method: .GET, path: resource.objectPath(namespace: namespace, name: name)))
      return Self.withTypeMeta(
        try response.json(), apiVersion: resource.apiVersion, kind: resource.kind)
    } catch  where error.isNotFound {
      return nil
    }
  }

  /// Server-side applies `object`: the server merges the fields it names into the live
  /// object and records `fieldManager` as their owner.
  ///
  /// `object` must carry `apiVersion`, `kind` and `metadata.name` (and `namespace` for a
  /// namespaced resource), and only the fields this manager owns; never a resourceVersion.
  ///
  /// - Parameters:
  ///   - force: take over fields another manager owns instead of failing with 409.
  ///   - dryRun: let the server compute the result without storing it (`dryRun=All`).
  /// - Returns: the object as the server stored (or would store) it.
  /// - Throws: ``KubeError/api(_:)`` with code 409 naming the conflicting fields in its
  ///   `causes` when `force` is false and another manager owns one.
  public func apply(
    _ object: Value, to resource: ResourceType, fieldManager: String = "syncrules",
    force: Bool = true, dryRun: Bool = false
  ) async throws(KubeError) -> Value {
    guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
      throw .configuration("cannot apply a \(resource.kind) without metadata.name")
    }
    let namespace = object["metadata"]?["namespace"]?.stringValue
    if resource.namespaced, namespace == nil || namespace == "" {
      throw .configuration("cannot apply \(resource.kind) \(name) without metadata.namespace")
    }
    var query = [("fieldManager", fieldManager), ("force", force ? "true" : "false")]
    if dryRun { query.append(("dryRun", "All")) }
    // JSON is YAML, and the server parses this content type as YAML.
    let request = Request(
      method: .PATCH, path: resource.objectPath(namespace: namespace, name: name), query: query,
      contentType: "application/apply-patch+yaml", body: Array(JSON.serialize(object).utf8))
    return try await send(request).json()
  }

  /// Server-side apply without decoding the answer: the sync loop never reads it, and
  /// parsing every applied object back was a noticeable share of its CPU.
  public func applyDiscardingAnswer(
    _ object: Value, to resource: ResourceType, fieldManager: String = "syncrules"
  ) async throws(KubeError) {
    guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
      throw .configuration("cannot apply a \(resource.kind) without metadata.name")
    }
    let namespace = object["metadata"]?["namespace"]?.stringValue
    let request = Request(
      method: .PATCH, path: resource.objectPath(namespace: namespace, name: name),
      query: [("fieldManager", fieldManager), ("force", "true")],
      contentType: "application/apply-patch+yaml", body: Array(JSON.serialize(object).utf8))
    _ = try await send(request)
  }

  /// Creates `object` (POST); 409 `AlreadyExists` when it exists.
  public func create(
    _ object: Value, in resource: ResourceType, fieldManager: String = "syncrules",
    dryRun: Bool = false
  ) async throws(KubeError) -> Value {
    let namespace = object["metadata"]?["namespace"]?.stringValue
    var query = [("fieldManager", fieldManager)]
    if dryRun { query.append(("dryRun", "All")) }
    let request = Request(
      method: .POST,
      path: resource.collectionPath(namespace: resource.namespaced ? namespace : nil),
      query: query, contentType: "application/json", body: Array(JSON.serialize(object).utf8))
    return try await send(request).json()
  }

  /// Replaces `object` (PUT). Its `metadata.resourceVersion` makes the write conditional:
  /// 409 Conflict when the object changed since it was read (optimistic concurrency, what
  /// leader election relies on).
  public func replace(_ object: Value, in resource: ResourceType) async throws(KubeError) -> Value {
    guard let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty else {
      throw .configuration("cannot replace a \(resource.kind) without metadata.name")
    }
    let namespace = object["metadata"]?["namespace"]?.stringValue
    let request = Request(
      method: .PUT, path: resource.objectPath(namespace: namespace, name: name), query: [],
      contentType: "application/json", body: Array(JSON.serialize(object).utf8))
    return try await send(request).json()
  }

  /// Merge-patches one object (`application/merge-patch+json`, RFC 7386): the fields
  /// `patch` names replace the live ones, `null` removes one.
  ///
  /// - Throws: ``KubeError/api(_:)`` 404 when the object does not exist.
  public func mergePatch(
    _ resource: ResourceType, namespace: String? = nil, name: String, patch: Value,
    fieldManager: String = "syncrules"
  ) async throws(KubeError) -> Value {
    let request = Request(
      method: .PATCH, path: resource.objectPath(namespace: namespace, name: name),
      query: [("fieldManager", fieldManager)], contentType: "application/merge-patch+json",
      body: Array(JSON.serialize(patch).utf8))
    return try await send(request).json()
  }

  /// Creates a namespace with the given labels and annotations.
  public func createNamespace(
    _ name: String, labels: [String: String] = [:], annotations: [String: String] = [:],
    dryRun: Bool = false
  ) async throws(KubeError) -> Value {
    var metadata = ObjectValue()
    metadata["name"] = .string(name)
    if !labels.isEmpty { metadata["labels"] = Self.stringMap(labels) }
    if !annotations.isEmpty { metadata["annotations"] = Self.stringMap(annotations) }
    let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": .object(metadata)]
    return try await create(namespace, in: .namespaces, dryRun: dryRun)
  }

  /// Deletes one object.
  ///
  /// - Parameters:
  ///   - preconditions: delete only if the live object still has this uid and/or
  ///     resourceVersion (409 otherwise), so a re-read check cannot race a replacement.
  ///   - propagationPolicy: `Background` (default), `Foreground` or `Orphan`.
  /// - Throws: ``KubeError/api(_:)`` 404 when the object does not exist.
  public func delete(
    _ resource: ResourceType, namespace: String? = nil, name: String,
    preconditions: DeletePreconditions? = nil, propagationPolicy: String = "Background",
    dryRun: Bool = false
  ) async throws(KubeError) {
    var options = ObjectValue()
    options["apiVersion"] = "v1"
    options["kind"] = "DeleteOptions"
    if let preconditions {
      var fields = ObjectValue()
      if let uid = preconditions.uid { fields["uid"] = .string(uid) }
      if let version = preconditions.resourceVersion {
        fields["resourceVersion"] = .string(version)
      }
      options["preconditions"] = .object(fields)
    }
    options["propagationPolicy"] = .string(propagationPolicy)
    let request = Request(
      method: .DELETE, path: resource.objectPath(namespace: namespace, name: name),
      query: dryRun ? [("dryRun", "All")] : [], contentType: "application/json",
      body: Array(JSON.serialize(.object(options)).utf8))
    _ = try await send(request)
  }

  private static func stringMap(_ map: [String: String]) -> Value {
    .object(
      ObjectValue(
        members: map.sorted { $0.key < $1.key }.map {
          Member(key: $0.key, value: .string($0.value))
        }))
  }
}
