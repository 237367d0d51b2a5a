/// A JSON/YAML value as Kubernetes sees it.
///
/// Maps keep their key order so that rewritten objects diff cleanly against their
/// source, and numbers keep the integer/float distinction (`0` is not `0.0`, and
/// neither is `"0"`).
public enum Value: Sendable, Hashable {
  case null
  case bool(Bool)
  /// A number written without fraction or exponent that fits in 64 bits.
  case int(Int64)
  /// Any other number.
  case double(Double)
  case string(String)
  case array([Value])
  case object(ObjectValue)

  /// The name of this value's type as the OpenAPI schema spells it.
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .bool: return "boolean"
    case .int: return "integer"
    case .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
  }

  public var stringValue: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  public var objectValue: ObjectValue? {
    if case .object(let object) = self { return object }
    return nil
  }

  public var arrayValue: [Value]? {
    if case .array(let items) = self { return items }
    return nil
  }

  /// Looks up `key` when this value is an object.
  public subscript(key: String) -> Value? {
    guard case .object(let object) = self else { return nil }
    return object[key]
  }

  /// Compares values the way JSON does: `1` equals `1.0`, key order does not matter.
  public func semanticallyEquals(_ other: Value) -> Bool {
    switch (self, other) {
    case (.int(let a), .double(let b)): return Double(a) == b
    case (.double(let a), .int(let b)): return a == Double(b)
    case (.array(let a), .array(let b)):
      guard a.count == b.count else { return false }
      for index in a.indices where !a[index].semanticallyEquals(b[index]) { return false }
      return true
    case (.object(let a), .object(let b)):
      guard a.count == b.count else { return false }
      for member in a.members {
        guard let theirs = b[member.key], member.value.semanticallyEquals(theirs) else {
          return false
        }
      }
      return true
    default:
      return self == other
    }
  }
}

/// One key and its value inside an ``ObjectValue``.
public struct Member: Sendable, Hashable {
  public var key: String
  public var value: Value

  public init(key: String, value: Value) {
    self.key = key
    self.value = value
  }
}

/// A JSON object that keeps its keys in the order they were read or inserted.
///
/// Kubernetes maps are small (a handful to a few dozen keys), so lookup is a linear
/// scan: cheaper than hashing for this size and free of a second allocation.
public struct ObjectValue: Sendable, Hashable {
  public var members: [Member]

  public init(members: [Member] = []) {
    self.members = members
  }

  public init(_ pairs: KeyValuePairs<String, Value>) {
    self.members = pairs.map { Member(key: $0.key, value: $0.value) }
  }

  public var count: Int { members.count }
  public var isEmpty: Bool { members.isEmpty }
  public var keys: [String] { members.map(\.key) }

  public func index(of key: String) -> Int? {
    // Lengths first: equal strings of different storage (a key parsed from input, one
    // compiled from a rule) take the slow comparison path, and in a scan for one key
    // nearly every other key differs in length. A UTF-8 count is O(1) for native and
    // small strings.
    let count = key.utf8.count
    return members.firstIndex { $0.key.utf8.count == count && $0.key == key }
  }

  /// Reading returns the value for `key`; writing `nil` removes it, writing a value
  /// replaces it in place or appends it at the end.
  public subscript(key: String) -> Value? {
    get {
      let count = key.utf8.count
      for member in members where member.key.utf8.count == count && member.key == key {
        return member.value
      }
      return nil
    }
    set {
      if let index = index(of: key) {
        if let newValue {
          members[index].value = newValue
        } else {
          members.remove(at: index)
        }
      } else if let newValue {
        members.append(Member(key: key, value: newValue))
      }
    }
  }

  @discardableResult
  public mutating func removeValue(forKey key: String) -> Value? {
    guard let index = index(of: key) else { return nil }
    return members.remove(at: index).value
  }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByBooleanLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral,
  ExpressibleByDictionaryLiteral
{
  public init(stringLiteral value: String) { self = .string(value) }
  public init(integerLiteral value: Int64) { self = .int(value) }
  public init(floatLiteral value: Double) { self = .double(value) }
  public init(booleanLiteral value: Bool) { self = .bool(value) }
  public init(nilLiteral: ()) { self = .null }
  public init(arrayLiteral elements: Value...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, Value)...) {
    self = .object(ObjectValue(members: elements.map { Member(key: $0.0, value: $0.1) }))
  }
}
