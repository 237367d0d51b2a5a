import SyncRuntime
import SyncValue

/// How test expectations compare to what the rules produced.
///
/// Types are strict (`1` is not `1.0` and neither is `"1"`: the output text differs and
/// so may what the API server accepts); map key order is not (Kubernetes ignores it).
enum ValueMatching {
  /// Equal as Kubernetes sees it: same types and values, maps in any key order.
  static func equal(_ actual: Value, _ expected: Value) -> Bool {
    switch (actual, expected) {
    case (.object(let a), .object(let b)):
      guard a.count == b.count else { return false }
      for member in b.members {
        guard let mine = a[member.key], equal(mine, member.value) else { return false }
      }
      return true
    case (.array(let a), .array(let b)):
      guard a.count == b.count else { return false }
      return zip(a, b).allSatisfy { equal($0, $1) }
    default:
      return actual == expected
    }
  }

  /// True when `actual` has everything `expected` names: maps may have more keys;
  /// lists must have the same length, element by element (a list that may hold more
  /// would make "which element?" ambiguous); scalars are equal.
  static func includes(_ actual: Value, _ expected: Value) -> Bool {
    switch (actual, expected) {
    case (.object(let a), .object(let b)):
      for member in b.members {
        guard let mine = a[member.key], includes(mine, member.value) else { return false }
      }
      return true
    case (.array(let a), .array(let b)):
      guard a.count == b.count else { return false }
      return zip(a, b).allSatisfy { includes($0, $1) }
    default:
      return actual == expected
    }
  }

  /// `actual` with its maps' keys in `expected`'s order (keys `expected` lacks follow in
  /// their own order), so that a diff shows changed content and not shuffled keys.
  static func aligned(_ actual: Value, to expected: Value) -> Value {
    switch (actual, expected) {
    case (.object(let a), .object(let b)):
      var members: [Member] = []
      for member in b.members {
        if let mine = a[member.key] {
          members.append(Member(key: member.key, value: aligned(mine, to: member.value)))
        }
      }
      for member in a.members where b[member.key] == nil { members.append(member) }
      return .object(ObjectValue(members: members))
    case (.array(let a), .array(let b)):
      return .array(
        a.enumerated().map { index, item in index < b.count ? aligned(item, to: b[index]) : item })
    default:
      return actual
    }
  }

  /// `actual` cut down to the keys `expected` names, in `expected`'s order: what a
  /// failed `includes` is compared with, so the diff shows only what the test asked.
  static func projected(_ actual: Value, onto expected: Value) -> Value {
    switch (actual, expected) {
    case (.object(let a), .object(let b)):
      var members: [Member] = []
      for member in b.members {
        if let mine = a[member.key] {
          members.append(Member(key: member.key, value: projected(mine, onto: member.value)))
        }
      }
      return .object(ObjectValue(members: members))
    case (.array(let a), .array(let b)):
      return .array(
        a.enumerated().map { index, item in
          index < b.count ? projected(item, onto: b[index]) : item
        })
    default:
      return actual
    }
  }

  /// Pairs each actual object with the expected one of the same identity (else the
  /// one at the same position) to align its keys before diffing a whole stream.
  static func alignedStream(_ actual: [Value], to expected: [Value]) -> [Value] {
    let identities = expected.map(RuleTestObject.identity(of:))
    return actual.enumerated().map { index, object in
      let identity = RuleTestObject.identity(of: object)
      if let match = identities.firstIndex(of: identity) {
        return aligned(object, to: expected[match])
      }
      return index < expected.count ? aligned(object, to: expected[index]) : object
    }
  }
}
