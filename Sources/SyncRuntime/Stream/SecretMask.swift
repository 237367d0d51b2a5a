import SyncValue

/// Hides the values of a Secret's `data` and `stringData` before two versions of it are
/// diffed, as `kubectl diff` does: every value becomes `***`, or `*** (before)` and
/// `*** (after)` where it changed. The diff still shows which keys were added, removed or
/// changed, but not what they hold.
public enum SecretMask {
  public static let hidden = "***"
  public static let hiddenBefore = "*** (before)"
  public static let hiddenAfter = "*** (after)"

  /// `before` and `after` with their Secret values masked; objects that are not
  /// `v1 Secret`s are returned as they are. Either side may be missing (an object
  /// created or deleted).
  public static func masking(before: Value?, after: Value?) -> (before: Value?, after: Value?) {
    let maskBefore = before.map(isSecret) ?? false
    let maskAfter = after.map(isSecret) ?? false
    guard maskBefore || maskAfter else { return (before, after) }
    var old = before
    var new = after
    for field in ["data", "stringData"] {
      let oldValues = maskBefore ? old?[field] : nil
      let newValues = maskAfter ? new?[field] : nil
      let (maskedOld, maskedNew) = mask(oldValues, newValues)
      if let maskedOld { old = replacing(field, of: old, with: maskedOld) }
      if let maskedNew { new = replacing(field, of: new, with: maskedNew) }
    }
    return (old, new)
  }

  /// Whether `object` is a core `v1` Secret.
  public static func isSecret(_ object: Value) -> Bool {
    object["kind"]?.stringValue == "Secret" && object["apiVersion"]?.stringValue == "v1"
  }

  /// The masked forms of one field (`data` or `stringData`) on each side.
  private static func mask(_ old: Value?, _ new: Value?) -> (Value?, Value?) {
    switch (old, new) {
    case (.object(let oldMap)?, .object(let newMap)?):
      var maskedOld = ObjectValue()
      var maskedNew = ObjectValue()
      for member in oldMap.members {
        guard let other = newMap[member.key] else {
          maskedOld[member.key] = .string(hidden)
          continue
        }
        let changed = other != member.value
        maskedOld[member.key] = .string(changed ? hiddenBefore : hidden)
      }
      for member in newMap.members {
        guard let other = oldMap[member.key] else {
          maskedNew[member.key] = .string(hidden)
          continue
        }
        maskedNew[member.key] = .string(other != member.value ? hiddenAfter : hidden)
      }
      return (.object(maskedOld), .object(maskedNew))
    default:
      return (old.map(maskAll), new.map(maskAll))
    }
  }

  /// Every value of a map masked, or the whole value when it is not a map.
  private static func maskAll(_ value: Value) -> Value {
    switch value {
    case .null:
      return value
    case .object(let map):
      var masked = ObjectValue()
      for member in map.members { masked[member.key] = .string(hidden) }
      return .object(masked)
    default:
      return .string(hidden)
    }
  }

  private static func replacing(_ field: String, of object: Value?, with value: Value) -> Value? {
    guard case .object(var map)? = object else { return object }
    map[field] = value
    return .object(map)
  }
}
