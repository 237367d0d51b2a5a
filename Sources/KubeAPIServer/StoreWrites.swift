import Foundation
import KubeModel
import SyncValue

/// How a write names its target: the resource, the namespace ("" for cluster-scoped) and,
/// except for create, the name.
struct ObjectAddress {
  var resource: ResourceType
  var namespace: String
  var name: String
  /// "status" for writes to the status subresource, which change only `status`.
  var subresource: String?
}

extension Store {
  // MARK: Create

  func create(
    _ resource: ResourceType, namespace: String, body: Value, dryRun: Bool = false
  ) throws(APIStatus) -> Value {
    try locked(dryRun: dryRun) { () throws(APIStatus) -> Value in
      try createLocked(resource, namespace: namespace, body: body, loading: false)
    }
  }

  @discardableResult
  func createLocked(
    _ resource: ResourceType, namespace: String, body: Value, loading: Bool
  ) throws(APIStatus) -> Value {
    guard case .object(var root) = body else {
      throw .badRequest("the body of the request must be a JSON object")
    }
    try checkType(&root, resource)
    var metadata = root["metadata"]?.objectValue ?? ObjectValue()
    try checkNamespace(&metadata, resource, namespace: namespace)
    var name = metadata["name"]?.stringValue ?? ""
    if name.isEmpty, let prefix = metadata["generateName"]?.stringValue, !prefix.isEmpty {
      repeat {
        name = prefix + randomSuffix()
      } while objects[resource.storageKey]?[Self.key(namespace: namespace, name: name)] != nil
      metadata["name"] = .string(name)
    }
    try checkName(name, resource)
    if resource.namespaced, !loading, !namespaceExistsLocked(namespace) {
      throw .notFound(namespacesType, name: namespace)
    }
    if objects[resource.storageKey]?[Self.key(namespace: namespace, name: name)] != nil {
      throw .alreadyExists(resource, name: name)
    }
    if !loading || metadata["uid"] == nil {
      metadata["uid"] = .string(UUID().uuidString.lowercased())
    }
    if !loading || metadata["creationTimestamp"] == nil {
      metadata["creationTimestamp"] = .string(timestamp())
    }
    metadata["generation"] = .int(1)
    metadata.removeValue(forKey: "resourceVersion")
    root["metadata"] = .object(metadata)
    if resource.hasStatus, !loading { root.removeValue(forKey: "status") }
    var object = Value.object(root)
    object = try sideEffectsBeforeCommitLocked(resource, object: object, previous: nil)
    return commitLocked("ADDED", resource, object: object, previous: nil)
  }

  private func randomSuffix() -> String {
    let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    return String((0..<5).map { _ in alphabet.randomElement()! })
  }

  private func checkType(_ root: inout ObjectValue, _ resource: ResourceType) throws(APIStatus) {
    if let apiVersion = root["apiVersion"]?.stringValue, !apiVersion.isEmpty,
      apiVersion != resource.apiVersion,
      catalog.resource(forAPIVersion: apiVersion, kind: resource.kind)?.storageKey
        != resource.storageKey
    {
      throw .badRequest(
        "the API version in the data (\(apiVersion)) does not match the expected API version "
          + "(\(resource.apiVersion))")
    }
    if let kind = root["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
      throw .badRequest(
        "the kind in the data (\(kind)) does not match the expected kind (\(resource.kind))")
    }
    root["apiVersion"] = .string(resource.apiVersion)
    root["kind"] = .string(resource.kind)
  }

  private func checkNamespace(
    _ metadata: inout ObjectValue, _ resource: ResourceType, namespace: String
  ) throws(APIStatus) {
    guard resource.namespaced else {
      metadata.removeValue(forKey: "namespace")
      return
    }
    if let given = metadata["namespace"]?.stringValue, !given.isEmpty, given != namespace {
      throw .badRequest(
        "the namespace of the provided object does not match the namespace sent on the request")
    }
    metadata["namespace"] = .string(namespace)
  }

  private func checkName(_ name: String, _ resource: ResourceType) throws(APIStatus) {
    if name.isEmpty {
      throw .invalid(
        resource, name: "", "metadata.name: Required value: name or generateName is required")
    }
    let allowed = name.utf8.allSatisfy { byte in
      (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
        || (resource.group != "" && byte == UInt8(ascii: ":"))
    }
    if !allowed || name.utf8.count > 253 {
      throw .invalid(
        resource, name: name,
        "metadata.name: Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist "
          + "of lower case alphanumeric characters, '-' or '.'")
    }
  }

  var namespacesType: ResourceType { BuiltinResources.all[0] }

  func namespaceExistsLocked(_ namespace: String) -> Bool {
    objects[namespacesType.storageKey]?[Self.key(namespace: "", name: namespace)] != nil
  }

  // MARK: Update, patch, apply

  /// Replaces an object (PUT). A resourceVersion in the body must match the stored one.
  func update(_ address: ObjectAddress, body: Value, dryRun: Bool = false) throws(APIStatus)
    -> Value
  {
    try locked(dryRun: dryRun) { () throws(APIStatus) -> Value in
      let live = try liveLocked(address)
      return try replaceLocked(address, live: live, with: body, checkVersion: true)
    }
  }

  /// Changes an object through `transform` (merge patch, JSON patch), under the lock so
  /// that no other write slips in between read and write.
  func patch(
    _ address: ObjectAddress, dryRun: Bool = false, _ transform: (Value) throws(APIStatus) -> Value
  ) throws(APIStatus) -> Value {
    try locked(dryRun: dryRun) { () throws(APIStatus) -> Value in
      let live = try liveLocked(address)
      let patched = try transform(live)
      return try replaceLocked(address, live: live, with: patched, checkVersion: true)
    }
  }

  /// Server-side apply: creates the object when missing, otherwise merges the applied
  /// fields into it; an unchanged result is not written.
  func apply(
    _ address: ObjectAddress, body: Value, manager: String, force: Bool, dryRun: Bool = false
  ) throws(APIStatus) -> (object: Value, created: Bool) {
    try locked(dryRun: dryRun) { () throws(APIStatus) -> (object: Value, created: Bool) in
      let resource = address.resource
      if let name = body["metadata"]?["name"]?.stringValue, name != address.name {
        throw .badRequest(
          "the name of the object (\(name)) does not match the name on the URL (\(address.name))")
      }
      let key = Self.key(namespace: address.namespace, name: address.name)
      guard let live = objects[resource.storageKey]?[key] else {
        guard address.subresource == nil else { throw .notFound(resource, name: address.name) }
        var object = try ServerSideApply.apply(
          body, to: nil, manager: manager, force: force, apiVersion: resource.apiVersion,
          now: timestamp(), keepsStatus: resource.hasStatus)
        if case .object(var root) = object {
          var metadata = root["metadata"]?.objectValue ?? ObjectValue()
          metadata["name"] = .string(address.name)
          root["metadata"] = .object(metadata)
          object = .object(root)
        }
        return (
          try createLocked(resource, namespace: address.namespace, body: object, loading: false),
          true
        )
      }
      var target = body
      if address.subresource == "status" {
        // Applying to /status owns only the status.
        target = .object(ObjectValue(["status": body["status"] ?? .object(ObjectValue())]))
      }
      if case .object(var root) = target {
        try checkType(&root, resource)
        target = .object(root)
      }
      var merged = try ServerSideApply.apply(
        target, to: live, manager: manager, force: force, apiVersion: resource.apiVersion,
        now: timestamp(), keepsStatus: resource.hasStatus)
      if address.subresource == "status", case .object(var root) = merged {
        root["status"] = ServerSideApply.merge(
          body["status"] ?? .null, into: live["status"] ?? .null)
        merged = .object(root)
      }
      return (try replaceLocked(address, live: live, with: merged, checkVersion: false), false)
    }
  }

  func liveLocked(_ address: ObjectAddress) throws(APIStatus) -> Value {
    let key = Self.key(namespace: address.namespace, name: address.name)
    guard let live = objects[address.resource.storageKey]?[key] else {
      throw .notFound(address.resource, name: address.name)
    }
    return live
  }

  /// Writes `body` over `live`, keeping what the server owns (identity, timestamps, and
  /// status or everything but status, depending on the subresource).
  private func replaceLocked(
    _ address: ObjectAddress, live: Value, with body: Value, checkVersion: Bool
  ) throws(APIStatus) -> Value {
    let resource = address.resource
    guard case .object(var root) = body, case .object(let liveRoot) = live else {
      throw .badRequest("the body of the request must be a JSON object")
    }
    try checkType(&root, resource)
    var metadata = root["metadata"]?.objectValue ?? ObjectValue()
    let liveMetadata = liveRoot["metadata"]?.objectValue ?? ObjectValue()
    if let name = metadata["name"]?.stringValue, !name.isEmpty, name != address.name {
      throw .badRequest(
        "the name of the object (\(name)) does not match the name on the URL (\(address.name))")
    }
    try checkNamespace(&metadata, resource, namespace: address.namespace)
    if checkVersion, let version = metadata["resourceVersion"]?.stringValue, !version.isEmpty,
      version != liveMetadata["resourceVersion"]?.stringValue
    {
      throw .conflict(
        resource, name: address.name,
        "the object has been modified; please apply your changes to the latest version and try again"
      )
    }
    for key in ["name", "uid", "creationTimestamp", "generation", "resourceVersion"] {
      metadata[key] = liveMetadata[key]
    }
    if metadata["managedFields"] == nil {
      metadata["managedFields"] = liveMetadata["managedFields"]
    }
    root["metadata"] = .object(metadata)
    if address.subresource == "status" {
      var statusOnly = liveRoot
      statusOnly["status"] = root["status"]
      root = statusOnly
    } else if resource.hasStatus {
      root["status"] = liveRoot["status"]
    }
    var object = Value.object(root)
    if object == live { return present(live, as: resource) }
    if specChanged(live, object), case .object(var changed) = object {
      var changedMetadata = changed["metadata"]?.objectValue ?? ObjectValue()
      if case .int(let generation) = liveMetadata["generation"] ?? .int(0) {
        changedMetadata["generation"] = .int(generation + 1)
      }
      changed["metadata"] = .object(changedMetadata)
      object = .object(changed)
    }
    object = try sideEffectsBeforeCommitLocked(resource, object: object, previous: live)
    return present(commitLocked("MODIFIED", resource, object: object, previous: live), as: resource)
  }

  /// Whether anything outside metadata and status differs, which is what bumps
  /// `metadata.generation`.
  private func specChanged(_ old: Value, _ new: Value) -> Bool {
    func body(_ value: Value) -> ObjectValue {
      var object = value.objectValue ?? ObjectValue()
      object.removeValue(forKey: "metadata")
      object.removeValue(forKey: "status")
      return object
    }
    return body(old) != body(new)
  }

  // MARK: Delete

  /// Deletes one object and returns it as it was at deletion. `preconditions` are the
  /// DeleteOptions' resourceVersion and uid.
  func delete(
    _ address: ObjectAddress, preconditionVersion: String?, preconditionUID: String?,
    dryRun: Bool = false
  ) throws(APIStatus) -> Value {
    try locked(dryRun: dryRun) { () throws(APIStatus) -> Value in
      let live = try liveLocked(address)
      if let version = preconditionVersion,
        version != live["metadata"]?["resourceVersion"]?.stringValue
      {
        throw .conflict(
          address.resource, name: address.name,
          "the ResourceVersion in the precondition (\(version)) does not match the ResourceVersion "
            + "in record (\(live["metadata"]?["resourceVersion"]?.stringValue ?? "")). "
            + "The object might have been modified")
      }
      if let uid = preconditionUID, uid != live["metadata"]?["uid"]?.stringValue {
        throw .conflict(
          address.resource, name: address.name,
          "the UID in the precondition (\(uid)) does not match the UID in record. "
            + "The object might have been deleted and then recreated")
      }
      return present(deleteLocked(address.resource, live), as: address.resource)
    }
  }

  /// Deletes every object the filter selects; returns them.
  func deleteCollection(_ filter: WatchFilter) -> [Value] {
    lockedNoThrow {
      let bucket = objects[filter.resource.storageKey] ?? [:]
      return sortedKeysLocked(filter.resource.storageKey).compactMap { key in
        guard let object = bucket[key],
          filter.matches(object, storageKey: filter.resource.storageKey)
        else { return nil }
        return present(deleteLocked(filter.resource, object), as: filter.resource)
      }
    }
  }

  /// Deletes at once, cascading: a namespace takes its objects with it, a CRD its custom
  /// resources (and their discovery entries).
  @discardableResult
  func deleteLocked(_ resource: ResourceType, _ live: Value) -> Value {
    let name = live["metadata"]?["name"]?.stringValue ?? ""
    if resource.storageKey == namespacesType.storageKey {
      for storageKey in objects.keys.sorted() {
        guard let type = catalog.anyVersion(storageKey: storageKey), type.namespaced else {
          continue
        }
        for key in sortedKeysLocked(storageKey) where key.hasPrefix(name + "/") {
          if let object = objects[storageKey]?[key] { deleteLocked(type, object) }
        }
      }
    }
    if resource.storageKey == "apiextensions.k8s.io/customresourcedefinitions",
      let types = catalog.customResources[name], let type = types.first
    {
      for key in sortedKeysLocked(type.storageKey) {
        if let object = objects[type.storageKey]?[key] { deleteLocked(type, object) }
      }
      catalog.setCustomResources([], forCRD: name)
      closeWatchersLocked { $0.storageKey == type.storageKey }
    }
    return commitLocked("DELETED", resource, object: live, previous: nil)
  }

  func closeWatchersLocked(where predicate: (ResourceType) -> Bool) {
    for (id, watcher) in watchers where predicate(watcher.filter.resource) {
      watchers[id] = nil
      watcher.close(false)
    }
  }

  // MARK: Side effects

  /// What the server adds to an object before storing it: namespaces become Active, CRDs
  /// are read into the catalog and marked Established.
  func sideEffectsBeforeCommitLocked(
    _ resource: ResourceType, object: Value, previous: Value?
  ) throws(APIStatus) -> Value {
    guard case .object(var root) = object else { return object }
    switch resource.storageKey {
    case namespacesType.storageKey:
      if root["status"] == nil { root["status"] = ["phase": "Active"] }
    case "apiextensions.k8s.io/customresourcedefinitions":
      let types = try customResourceTypes(of: object)
      let name = object["metadata"]?["name"]?.stringValue ?? ""
      if let previous,
        (try? customResourceTypes(of: previous))?.first?.storageKey
          != types.first?.storageKey
      {
        throw .invalid(resource, name: name, "spec.group and spec.names.plural are immutable")
      }
      catalog.setCustomResources(types, forCRD: name)
      let names = object["spec"]?["names"] ?? .object(ObjectValue())
      let since =
        previous?["status"]?["conditions"]?.arrayValue?.first?["lastTransitionTime"]
        ?? .string(timestamp())
      let condition = { (type: String, reason: String) -> Value in
        [
          "type": .string(type), "status": "True", "lastTransitionTime": since,
          "reason": .string(reason), "message": "",
        ]
      }
      root["status"] = [
        "conditions": [
          condition("NamesAccepted", "NoConflicts"),
          condition("Established", "InitialNamesAccepted"),
        ],
        "acceptedNames": names,
        "storedVersions": .array(
          (object["spec"]?["versions"]?.arrayValue ?? []).filter { $0["storage"] == .bool(true) }
            .compactMap { $0["name"] }),
      ]
    default:
      break
    }
    return .object(root)
  }
}
