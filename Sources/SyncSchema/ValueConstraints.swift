import SyncValue

/// A lower or upper limit on numbers (`minimum`, `maximum`).
public struct NumericBound: Sendable, Hashable {
  /// The limit, as written: `.int` or `.double`.
  public var limit: Value
  /// `exclusiveMinimum`/`exclusiveMaximum`: the limit itself is not allowed.
  public var isExclusive: Bool

  public init(limit: Value, isExclusive: Bool = false) {
    self.limit = limit
    self.isExclusive = isExclusive
  }
}

/// What a schema requires of a value beyond its type: the OpenAPI validation keywords
/// the API server enforces on every object it stores.
///
/// `enum`, `format` and `required` live on ``SchemaNode`` itself; they predate this
/// type. CEL rules (`x-kubernetes-validations`) are not read.
public struct ValueConstraints: Sendable, Hashable {
  /// `pattern`: a regular expression (RE2 syntax in Kubernetes) that must match
  /// somewhere in a string; anchors make it match the whole string.
  public var pattern: String?
  public var minimum: NumericBound?
  public var maximum: NumericBound?
  /// `multipleOf`: a positive `.int` or `.double` that numbers must be a multiple of.
  public var multipleOf: Value?
  /// Limits on a string's length in Unicode code points.
  public var minLength: Int?
  public var maxLength: Int?
  public var minItems: Int?
  public var maxItems: Int?
  /// `uniqueItems: true`: no two items of a list are equal.
  public var uniqueItems = false
  /// Limits on how many keys an object has.
  public var minProperties: Int?
  public var maxProperties: Int?

  public init() {}

  /// True when no keyword is set, so checks can skip the node.
  public var isEmpty: Bool { self == ValueConstraints() }
}

extension ValueConstraints {
  /// Reads one keyword into these constraints; false when `key` is not a keyword of
  /// this type. Errors name what the keyword must be.
  mutating func read(_ key: String, _ value: Value) throws(SchemaBuildError) -> Bool {
    switch key {
    case "pattern":
      guard case .string(let text) = value else { throw malformed("a string") }
      pattern = text
    case "minimum": minimum = NumericBound(limit: try Self.number(value))
    case "maximum": maximum = NumericBound(limit: try Self.number(value))
    case "multipleOf":
      let factor = try Self.number(value)
      guard Self.double(factor) > 0 else { throw malformed("a number greater than 0") }
      multipleOf = factor
    case "minLength": minLength = try Self.count(value)
    case "maxLength": maxLength = try Self.count(value)
    case "minItems": minItems = try Self.count(value)
    case "maxItems": maxItems = try Self.count(value)
    case "minProperties": minProperties = try Self.count(value)
    case "maxProperties": maxProperties = try Self.count(value)
    case "uniqueItems":
      guard case .bool(let flag) = value else { throw malformed("true or false") }
      uniqueItems = flag
    default:
      return false
    }
    return true
  }

  /// Applies `exclusiveMinimum`/`exclusiveMaximum`, read after the bounds because key
  /// order is free. OpenAPI 3.0 (CRDs) writes them as booleans that qualify
  /// `minimum`/`maximum`; JSON Schema 2019 and later as numbers that are bounds
  /// themselves. Both are accepted.
  mutating func applyExclusive(minimum exclusiveMinimum: Value?, maximum exclusiveMaximum: Value?)
    throws(SchemaBuildError)
  {
    if let value = exclusiveMinimum {
      minimum = try Self.exclusive(value, qualifying: minimum, keeping: >)
    }
    if let value = exclusiveMaximum {
      maximum = try Self.exclusive(value, qualifying: maximum, keeping: <)
    }
  }

  private static func exclusive(
    _ value: Value, qualifying bound: NumericBound?, keeping isTighter: (Double, Double) -> Bool
  ) throws(SchemaBuildError) -> NumericBound? {
    if case .bool(let flag) = value {
      guard var bound else { return nil }
      bound.isExclusive = flag
      return bound
    }
    let limit = try number(value)
    if let bound, !isTighter(double(limit), double(bound.limit)) { return bound }
    return NumericBound(limit: limit, isExclusive: true)
  }

  private func malformed(_ expected: String) -> SchemaBuildError {
    SchemaBuildError(message: "must be \(expected)")
  }

  private static func number(_ value: Value) throws(SchemaBuildError) -> Value {
    switch value {
    case .int, .double: return value
    default: throw SchemaBuildError(message: "must be a number, not \(value.typeName)")
    }
  }

  /// A non-negative integer (`minLength: 1`); YAML may give `1.0` for it.
  private static func count(_ value: Value) throws(SchemaBuildError) -> Int {
    switch value {
    case .int(let number) where number >= 0:
      return Int(clamping: number)
    case .double(let number) where number >= 0 && number.rounded() == number && number < 9e15:
      return Int(number)
    default:
      throw SchemaBuildError(message: "must be a non-negative integer")
    }
  }

  static func double(_ number: Value) -> Double {
    switch number {
    case .int(let value): return Double(value)
    case .double(let value): return value
    default: return .nan
    }
  }
}
