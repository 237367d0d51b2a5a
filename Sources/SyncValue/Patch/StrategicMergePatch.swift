/// What a strategic merge patch needs to know about a field: how its list merges, and
/// the fields and items below it. ``SchemaNode`` (SyncSchema) provides it from a kind's
/// schema; the compiled rules carry a pruned copy (`PatchStrategyTree`).
public protocol PatchStrategies {
  /// The field `key` of a map.
  func child(_ key: String) -> Self?
  /// The items of a list.
  var items: Self? { get }
  /// `x-kubernetes-patch-strategy: merge`: the list merges instead of being replaced.
  var mergesList: Bool { get }
  /// `x-kubernetes-patch-strategy: replace` on a map: it is replaced, not merged.
  var replacesWhole: Bool { get }
  /// `x-kubernetes-patch-merge-key`: the field that identifies an item of a merged list.
  var patchMergeKey: String? { get }
}

/// Strategic merge patch (`application/strategic-merge-patch+json`), what `kubectl patch`,
/// `kubectl label`/`annotate`, `kubectl diff` and client-side `kubectl apply` send.
///
/// A JSON merge patch whose lists follow the schema: a field marked
/// `x-kubernetes-patch-strategy: merge` merges — lists of objects item by item through
/// `x-kubernetes-patch-merge-key`, lists of scalars as sets — and every other list is
/// replaced. The directives:
/// - `$patch: replace` in a map replaces the live map; in a merged list (as an item of its
///   own) replaces the live list with the patch's other items;
/// - `$patch: delete` in a map removes it; in an item of a merged list removes the live item
///   with that merge key;
/// - `$patch: merge` is the default and changes nothing;
/// - `$retainKeys: [k…]` (fields with the `retainKeys` strategy) clears the live keys not
///   listed before merging;
/// - `$deleteFromPrimitiveList/<field>: [v…]` removes those values from a merged scalar list;
/// - `$setElementOrder/<field>: […]` orders a merged list: the listed items (by value or
///   merge key) first in that order, then the items it does not list in their merged order.
///
/// Kubernetes defines strategies for built-in kinds only; custom resources have none.
public enum StrategicMergePatch {
  static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"
  static let setElementOrderPrefix = "$setElementOrder/"

  /// Why a patch could not be applied: a malformed directive, a list item without its
  /// merge key.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    static func badRequest(_ message: String) -> Failure { Failure(message: message) }
  }

  /// `patch` applied to `original`, an object whose fields' strategies `schema` gives
  /// (nil: no strategies, every list is replaced).
  public static func apply<Strategies: PatchStrategies>(
    _ patch: Value, to original: Value, strategies schema: Strategies?
  ) throws(Failure) -> Value {
    guard case .object(let patchMap) = patch else {
      throw .badRequest("a strategic merge patch must be a JSON object, not \(patch.typeName)")
    }
    let originalMap = original.objectValue ?? ObjectValue()
    return try mergeMap(originalMap, patchMap, schema: schema, path: "") ?? .object(ObjectValue())
  }

  /// The merged map; nil when the patch deletes it (`$patch: delete`).
  private static func mergeMap<Strategies: PatchStrategies>(
    _ original: ObjectValue, _ patch: ObjectValue, schema: Strategies?, path: String
  ) throws(Failure) -> Value? {
    switch patch["$patch"] {
    case nil, .string("merge"): break
    case .string("delete"): return nil
    case .string("replace"): return .object(try stripped(patch, schema: schema, path: path))
    case let other?:
      throw .badRequest("\(location(path)): unknown $patch directive \(JSON.serialize(other))")
    }
    var result = original
    if let retain = patch["$retainKeys"] {
      guard case .array(let names) = retain, names.allSatisfy({ $0.stringValue != nil }) else {
        throw .badRequest("\(location(path)): $retainKeys must be a list of field names")
      }
      let kept = Set(names.compactMap(\.stringValue))
      for key in patch.keys where !key.hasPrefix("$") && !kept.contains(key) {
        throw .badRequest(
          "\(location(path)): the patch sets \(key), which its $retainKeys does not list")
      }
      result = ObjectValue(members: result.members.filter { kept.contains($0.key) })
    }
    var orders: [String: [Value]] = [:]
    for member in patch.members {
      let key = member.key
      if key == "$patch" || key == "$retainKeys" { continue }
      if key.hasPrefix(setElementOrderPrefix) {
        guard case .array(let order) = member.value else {
          throw .badRequest("\(location(path)): \(key) must be a list")
        }
        orders[String(key.dropFirst(setElementOrderPrefix.count))] = order
        continue
      }
      if key.hasPrefix(deleteFromPrimitiveListPrefix) {
        let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
        guard case .array(let doomed) = member.value,
          doomed.allSatisfy({ !isContainer($0) })
        else {
          throw .badRequest("\(location(path)): \(key) must be a list of scalar values")
        }
        if case .array(let live) = result[field] {
          result[field] = .array(live.filter { !doomed.contains($0) })
        }
        continue
      }
      if key.hasPrefix("$") {
        throw .badRequest("\(location(path)): unknown directive \(key)")
      }
      let child = schema?.child(key)
      let childPath = path.isEmpty ? key : "\(path).\(key)"
      if member.value == .null {
        result.removeValue(forKey: key)
        continue
      }
      let merged = try mergeValue(
        result[key], member.value, schema: child, path: childPath)
      if let merged { result[key] = merged } else { result.removeValue(forKey: key) }
    }
    for (field, order) in orders {
      guard case .array(let items) = result[field] else { continue }
      let key = schema?.child(field)?.patchMergeKey
      result[field] = .array(ordered(items, by: order, mergeKey: key))
    }
    return .object(result)
  }

  /// One field: maps merge unless the field's strategy is `replace`, lists follow the
  /// schema, scalars are replaced.
  private static func mergeValue<Strategies: PatchStrategies>(
    _ original: Value?, _ patch: Value, schema: Strategies?, path: String
  ) throws(Failure) -> Value? {
    switch patch {
    case .object(let patchMap):
      if schema?.replacesWhole == true {
        return .object(try stripped(patchMap, schema: schema, path: path))
      }
      return try mergeMap(
        original?.objectValue ?? ObjectValue(), patchMap, schema: schema, path: path)
    case .array(let patchItems):
      let live = original?.arrayValue ?? []
      guard schema?.mergesList == true else {
        return .array(
          try patchItems.map { item throws(Failure) in
            try strippedValue(item, schema: schema?.items, path: path)
          })
      }
      if let key = schema?.patchMergeKey {
        return try mergeList(live, patchItems, mergeKey: key, schema: schema?.items, path: path)
      }
      return try mergeScalars(live, patchItems, path: path)
    default:
      return patch
    }
  }

  /// A list of objects merged item by item: a patch item updates the live item with the
  /// same merge key, or is appended; `$patch: delete` items remove theirs.
  private static func mergeList<Strategies: PatchStrategies>(
    _ original: [Value], _ patch: [Value], mergeKey: String, schema: Strategies?, path: String
  ) throws(Failure) -> Value {
    if patch.contains(where: { $0["$patch"] == .string("replace") }) {
      return .array(
        try patch.filter { $0["$patch"] != .string("replace") }.map { item throws(Failure) in
          try strippedValue(item, schema: schema, path: path)
        })
    }
    var result = original
    for item in patch {
      guard case .object(let itemMap) = item else {
        throw .badRequest(
          "\(location(path)): the list merges by \(mergeKey), but an item is \(item.typeName)")
      }
      guard let keyValue = itemMap[mergeKey] else {
        throw .badRequest(
          "\(location(path)): an item does not contain the merge key \(mergeKey): "
            + JSON.serialize(item))
      }
      let index = result.firstIndex { $0[mergeKey] == keyValue }
      if itemMap["$patch"] == .string("delete") {
        result.removeAll { $0[mergeKey] == keyValue }
        continue
      }
      if let index {
        let merged = try mergeMap(
          result[index].objectValue ?? ObjectValue(), itemMap, schema: schema,
          path: "\(path)[\(mergeKey)=\(JSON.serialize(keyValue))]")
        if let merged { result[index] = merged } else { result.remove(at: index) }
      } else {
        result.append(try strippedValue(item, schema: schema, path: path))
      }
    }
    return .array(result)
  }

  /// A list of scalars merged as a set: the live values, then the patch's new ones.
  private static func mergeScalars(_ original: [Value], _ patch: [Value], path: String)
    throws(Failure) -> Value
  {
    var result = original
    for item in patch {
      if isContainer(item) {
        throw .badRequest(
          "\(location(path)): a list merged as a set holds scalars, not \(item.typeName)")
      }
      if !result.contains(item) { result.append(item) }
    }
    return .array(result)
  }

  /// `items` in the order `$setElementOrder` gives; items it does not list follow, in
  /// their merged order.
  private static func ordered(_ items: [Value], by order: [Value], mergeKey: String?) -> [Value] {
    func identity(_ value: Value) -> Value {
      guard let mergeKey else { return value }
      return value[mergeKey] ?? value
    }
    let keys = order.map(identity)
    var listed: [(Int, Value)] = []
    var rest: [Value] = []
    for item in items {
      if let position = keys.firstIndex(of: identity(item)) {
        listed.append((position, item))
      } else {
        rest.append(item)
      }
    }
    return listed.sorted { $0.0 < $1.0 }.map(\.1) + rest
  }

  /// A patch value stored as it is (no live value to merge with): directives are
  /// processed against nothing and removed, nulls dropped.
  private static func strippedValue<Strategies: PatchStrategies>(
    _ value: Value, schema: Strategies?, path: String
  )
    throws(Failure) -> Value
  {
    guard case .object(let map) = value else { return value }
    return .object(try stripped(map, schema: schema, path: path))
  }

  private static func stripped<Strategies: PatchStrategies>(
    _ map: ObjectValue, schema: Strategies?, path: String
  )
    throws(Failure) -> ObjectValue
  {
    var withoutReplace = map
    withoutReplace.removeValue(forKey: "$patch")
    let merged = try mergeMap(ObjectValue(), withoutReplace, schema: schema, path: path)
    return merged?.objectValue ?? ObjectValue()
  }

  private static func isContainer(_ value: Value) -> Bool {
    switch value {
    case .object, .array: return true
    default: return false
    }
  }

  private static func location(_ path: String) -> String {
    path.isEmpty ? "the patch" : path
  }
}
