import Foundation
import KubeModel
import SyncValue

/// Server-side apply, approximated.
///
/// Ownership is tracked per field manager as a set of leaf paths, stored in
/// `metadata.managedFields` (`fieldsType: FieldsV1`, `f:` keys) so clients see the usual
/// shape. Differences from kube-apiserver, chosen to keep this small:
/// - lists are atomic: a manager owns a whole list and applying one replaces it (no merge
///   by `name` or other list-map keys);
/// - only `Apply` operations record ownership; create, update and patch do not, so they
///   never cause apply conflicts;
/// - a conflict is reported only where another apply manager owns the same path with a
///   different value.
/// Applying the same body twice leaves the object, and its resourceVersion, untouched.
enum ServerSideApply {
  typealias Path = [String]

  /// Fields that identify or describe the object rather than belong to a manager.
  private static let unowned: Set<Path> = [
    ["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"],
    ["metadata", "resourceVersion"], ["metadata", "uid"], ["metadata", "creationTimestamp"],
    ["metadata", "generation"], ["metadata", "managedFields"], ["metadata", "generateName"],
    ["metadata", "deletionTimestamp"], ["metadata", "selfLink"],
  ]

  struct Manager: Equatable {
    var name: String
    var operation: String
    var apiVersion: String
    var time: String
    var fields: Set<Path>
    var subresource: String?
  }

  /// Leaf paths of `value`; lists and empty maps are leaves. A top-level `status` is left
  /// out when the resource has a status subresource, since writes to the main resource
  /// do not touch it.
  static func leafPaths(
    _ value: Value, prefix: Path = [], skippingStatus: Bool = true
  ) -> Set<Path> {
    guard case .object(let object) = value, !object.isEmpty || prefix.isEmpty else {
      return [prefix]
    }
    var paths = Set<Path>()
    for member in object.members {
      let path = prefix + [member.key]
      if unowned.contains(path) || (skippingStatus && path == ["status"]) { continue }
      paths.formUnion(leafPaths(member.value, prefix: path, skippingStatus: skippingStatus))
    }
    return paths
  }

  static func value(at path: Path, in value: Value) -> Value? {
    var current = value
    for key in path {
      guard let next = current[key] else { return nil }
      current = next
    }
    return current
  }

  static func removing(_ path: Path, from value: Value) -> Value {
    guard let first = path.first, case .object(var object) = value else { return value }
    if path.count == 1 {
      object.removeValue(forKey: first)
    } else if let child = object[first] {
      let updated = removing(Array(path.dropFirst()), from: child)
      // A map emptied by the removal goes too, as kube-apiserver prunes it.
      if case .object(let inner) = updated, inner.isEmpty, child.objectValue?.isEmpty == false {
        object.removeValue(forKey: first)
      } else {
        object[first] = updated
      }
    }
    return .object(object)
  }

  /// `applied` laid over `live`: maps merge key by key, everything else is replaced.
  static func merge(_ applied: Value, into live: Value) -> Value {
    guard case .object(let appliedObject) = applied, case .object(var liveObject) = live else {
      return applied
    }
    for member in appliedObject.members {
      if let existing = liveObject[member.key] {
        liveObject[member.key] = merge(member.value, into: existing)
      } else {
        liveObject[member.key] = member.value
      }
    }
    return .object(liveObject)
  }

  static func managers(of object: Value) -> [Manager] {
    guard let entries = object["metadata"]?["managedFields"]?.arrayValue else { return [] }
    return entries.compactMap { entry in
      guard let name = entry["manager"]?.stringValue else { return nil }
      return Manager(
        name: name, operation: entry["operation"]?.stringValue ?? "Update",
        apiVersion: entry["apiVersion"]?.stringValue ?? "",
        time: entry["time"]?.stringValue ?? "",
        fields: decodeFields(entry["fieldsV1"] ?? .object(ObjectValue())),
        subresource: entry["subresource"]?.stringValue)
    }
  }

  static func encode(_ managers: [Manager]) -> Value {
    .array(
      managers.map { manager in
        var entry = ObjectValue([
          "manager": .string(manager.name), "operation": .string(manager.operation),
          "apiVersion": .string(manager.apiVersion), "time": .string(manager.time),
          "fieldsType": "FieldsV1", "fieldsV1": encodeFields(manager.fields),
        ])
        if let subresource = manager.subresource { entry["subresource"] = .string(subresource) }
        return .object(entry)
      })
  }

  static func encodeFields(_ paths: Set<Path>) -> Value {
    var root = Value.object(ObjectValue())
    for path in paths.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
      root = inserting(path.map { "f:" + $0 }, into: root)
    }
    return root
  }

  private static func inserting(_ path: Path, into value: Value) -> Value {
    guard let first = path.first, case .object(var object) = value else { return value }
    object[first] = inserting(
      Array(path.dropFirst()), into: object[first] ?? .object(ObjectValue()))
    return .object(object)
  }

  static func decodeFields(_ value: Value, prefix: Path = []) -> Set<Path> {
    guard case .object(let object) = value, !object.isEmpty else {
      return prefix.isEmpty ? [] : [prefix]
    }
    var paths = Set<Path>()
    for member in object.members where member.key.hasPrefix("f:") {
      paths.formUnion(
        decodeFields(member.value, prefix: prefix + [String(member.key.dropFirst(2))]))
    }
    return paths
  }

  /// Applies `applied` for `manager` to `live` (nil when creating) and returns the result,
  /// or throws 409 Conflict naming the fields other managers own.
  static func apply(
    _ applied: Value, to live: Value?, manager: String, force: Bool, apiVersion: String,
    now: String, keepsStatus: Bool = true
  ) throws(APIStatus) -> Value {
    let live = live ?? .object(ObjectValue())
    var managers = managers(of: live)
    let appliedFields = leafPaths(applied, skippingStatus: keepsStatus)
    var conflicts: [(Path, String)] = []
    for index in managers.indices
    where managers[index].name != manager && managers[index].operation == "Apply" {
      for path in appliedFields.intersection(managers[index].fields)
      where value(at: path, in: live) != value(at: path, in: applied) {
        if force {
          managers[index].fields.remove(path)
        } else {
          conflicts.append((path, managers[index].name))
        }
      }
    }
    if !conflicts.isEmpty {
      let list = conflicts.map { "conflict with \"\($0.1)\": .\($0.0.joined(separator: "."))" }
      throw APIStatus(
        code: 409, reason: "Conflict",
        message: "Apply failed with \(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s"): "
          + list.joined(separator: "; "))
    }
    let mine = managers.firstIndex { $0.name == manager && $0.operation == "Apply" }
    let previous = mine.map { managers[$0].fields } ?? []
    let othersOwn = managers.enumerated().filter { $0.offset != mine }.reduce(into: Set<Path>()) {
      $0.formUnion($1.element.fields)
    }
    var result = live
    for path in previous.subtracting(appliedFields) where !othersOwn.contains(path) {
      result = removing(path, from: result)
    }
    var appliedWithoutStatus = applied
    if case .object(var object) = appliedWithoutStatus {
      if keepsStatus { object.removeValue(forKey: "status") }
      object["metadata"] = object["metadata"].map(strippedMetadata)
      appliedWithoutStatus = .object(object)
    }
    result = merge(appliedWithoutStatus, into: result)
    if let mine {
      if managers[mine].fields != appliedFields {
        managers[mine].fields = appliedFields
        managers[mine].time = now
        managers[mine].apiVersion = apiVersion
      }
    } else {
      managers.append(
        Manager(
          name: manager, operation: "Apply", apiVersion: apiVersion, time: now,
          fields: appliedFields))
    }
    managers.removeAll { $0.fields.isEmpty }
    return setting(managers: managers, on: result)
  }

  private static func strippedMetadata(_ metadata: Value) -> Value {
    guard case .object(var object) = metadata else { return metadata }
    for key in ["resourceVersion", "managedFields", "uid", "creationTimestamp", "generation"] {
      object.removeValue(forKey: key)
    }
    return .object(object)
  }

  static func setting(managers: [Manager], on object: Value) -> Value {
    guard case .object(var root) = object else { return object }
    var metadata = root["metadata"]?.objectValue ?? ObjectValue()
    metadata["managedFields"] = managers.isEmpty ? nil : encode(managers)
    root["metadata"] = .object(metadata)
    return .object(root)
  }
}

/// RFC 7386 JSON merge patch.
func mergePatch(_ patch: Value, into target: Value) -> Value {
  guard case .object(let patchObject) = patch else { return patch }
  var result = target.objectValue ?? ObjectValue()
  for member in patchObject.members {
    if member.value == .null {
      result.removeValue(forKey: member.key)
    } else {
      result[member.key] = mergePatch(member.value, into: result[member.key] ?? .null)
    }
  }
  return .object(result)
}

/// The current time as Kubernetes writes timestamps (RFC 3339, seconds, UTC).
func timestamp() -> String {
  Date().formatted(.iso8601)
}
