import SyncMatch
import SyncSchema
import SyncSyntax
import SyncValue

/// How an edit puts a value into the object.
enum WriteMode {
  /// `set`, `default`, `append`: the value is written whole, replacing what was there.
  case whole
  /// `merge`: maps are merged key by key (a `null` deletes the key), so a map in the
  /// patch need not be complete; lists and scalars in it are still written whole.
  case merge
  /// `patch strategic`: as `merge`, and list items may be partial too (they merge by
  /// their merge key); `$`-prefixed keys are directives.
  case strategic
}

/// Checks of literal values against the schema's validation keywords: what the API
/// server would reject when the rewritten object is applied.
extension CheckSession {
  /// Lengths, `pattern` and `format` of strings; bounds, `multipleOf` and `int32`
  /// of numbers.
  func checkScalarConstraints(
    _ value: Value, node: SchemaNode, path: String, at range: SourceRange
  ) {
    let constraints = node.constraints
    let shown = "`\(Self.render(value, limit: 60))`"
    func violation(_ text: String, help: String? = nil) {
      report(
        CheckerMessages.constraintViolated("\(shown) \(text) for `\(path)`", at: range, help: help))
    }
    switch value {
    case .string(let text):
      let length = text.unicodeScalars.count
      let characters = "(\(length) character\(length == 1 ? "" : "s"))"
      if let minimum = constraints.minLength, length < minimum {
        violation("\(characters) is shorter than the schema's minLength \(minimum)")
      }
      if let maximum = constraints.maxLength, length > maximum {
        violation("\(characters) is longer than the schema's maxLength \(maximum)")
      }
      if let pattern = constraints.pattern, let regex = compiledPattern(pattern),
        regex.firstMatch(in: text) == nil
      {
        violation("does not match the schema's pattern `\(pattern)`")
      }
      if let format = node.format,
        let expected = StringFormat.expectation(violatedBy: text, format: format)
      {
        violation(
          "does not match the schema's format \(format)",
          help: "format \(format) expects \(expected)")
      }
    case .int, .double:
      if let bound = constraints.minimum {
        let order = Self.compare(value, bound.limit)
        if order < 0 || bound.isExclusive && order == 0 {
          violation(
            bound.isExclusive
              ? "is not greater than the schema's exclusive minimum \(Self.render(bound.limit))"
              : "is less than the schema's minimum \(Self.render(bound.limit))")
        }
      }
      if let bound = constraints.maximum {
        let order = Self.compare(value, bound.limit)
        if order > 0 || bound.isExclusive && order == 0 {
          violation(
            bound.isExclusive
              ? "is not less than the schema's exclusive maximum \(Self.render(bound.limit))"
              : "is greater than the schema's maximum \(Self.render(bound.limit))")
        }
      }
      if let factor = constraints.multipleOf, !Self.isMultiple(value, of: factor) {
        violation("is not a multiple of the schema's multipleOf \(Self.render(factor))")
      }
      if node.decodesIntoGoTypes, node.format == "int32", !Self.fitsInt32(value) {
        violation(
          "does not fit the schema's format int32",
          help: "format int32 holds integers from \(Int32.min) to \(Int32.max)")
      }
    default:
      break
    }
  }

  /// Item counts and duplicates of a list written whole. `items` holds each item's
  /// value when it is a constant, nil when it is computed.
  func checkListConstraints(
    _ items: [Value?], node: SchemaNode, path: String, at range: SourceRange
  ) {
    let constraints = node.constraints
    let count = "the list has \(items.count) item\(items.count == 1 ? "" : "s")"
    if let minimum = constraints.minItems, items.count < minimum {
      report(
        CheckerMessages.constraintViolated(
          "\(count), fewer than the schema's minItems \(minimum) for `\(path)`", at: range))
    }
    if let maximum = constraints.maxItems, items.count > maximum {
      report(
        CheckerMessages.constraintViolated(
          "\(count), more than the schema's maxItems \(maximum) for `\(path)`", at: range))
    }
    let constants = items.compactMap { $0 }
    if constraints.uniqueItems || node.listType == .set,
      let repeated = Self.firstRepeat(in: constants)
    {
      let rule =
        node.listType == .set
        ? "`\(path)` is a set (x-kubernetes-list-type: set)"
        : "the schema's uniqueItems forbids duplicates for `\(path)`"
      report(
        CheckerMessages.constraintViolated(
          "the list repeats `\(Self.render(repeated, limit: 60))`, but \(rule)", at: range))
    }
    let keys = node.listMapKeys
    if node.listType == .map, !keys.isEmpty {
      // Items whose key fields are all written; the server fills in defaulted ones.
      let keyed: [Value] = constants.compactMap { item in
        let values = keys.compactMap { item[$0] }
        return values.count == keys.count ? .array(values) : nil
      }
      if let repeated = Self.firstRepeat(in: keyed), case .array(let values) = repeated {
        let identity = zip(keys, values).map { "\($0.0) `\(Self.render($0.1, limit: 60))`" }
        report(
          CheckerMessages.constraintViolated(
            "two items have \(identity.joined(separator: " and ")), but the items of `\(path)` "
              + "are keyed by \(keys.joined(separator: ", ")) (x-kubernetes-list-type: map)",
            at: range))
      }
    }
  }

  /// Required fields and key counts of a map written whole. `keys` are the keys it
  /// gives a value other than `null` (a `null` the API server drops, leaving the key
  /// unset).
  func checkObjectConstraints(
    keys: [String], node: SchemaNode, path: String, at range: SourceRange
  ) {
    let present = Set(keys)
    let missing = node.required.filter { name in
      !present.contains(name) && node.property(name)?.hasDefault != true
    }
    if !missing.isEmpty {
      report(CheckerMessages.missingRequired(missing, path: path, at: range))
    }
    let constraints = node.constraints
    let count = "the map has \(keys.count) entr\(keys.count == 1 ? "y" : "ies")"
    if let minimum = constraints.minProperties, keys.count < minimum {
      report(
        CheckerMessages.constraintViolated(
          "\(count), fewer than the schema's minProperties \(minimum) for `\(path)`", at: range))
    }
    if let maximum = constraints.maxProperties, keys.count > maximum {
      report(
        CheckerMessages.constraintViolated(
          "\(count), more than the schema's maxProperties \(maximum) for `\(path)`", at: range))
    }
  }

  /// A schema's `pattern`, compiled once. Kubernetes compiles patterns with Go's
  /// regexp (RE2 syntax), as ``CompiledRegex`` does; one that still does not compile
  /// here is not checked rather than reported, since the API server accepted it.
  private func compiledPattern(_ pattern: String) -> CompiledRegex? {
    if let known = compiledPatterns[pattern] { return known }
    let compiled = try? CompiledRegex(pattern)
    compiledPatterns[pattern] = compiled
    return compiled
  }

  /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs` (both numbers).
  static func compare(_ lhs: Value, _ rhs: Value) -> Int {
    if case .int(let left) = lhs, case .int(let right) = rhs {
      return left < right ? -1 : left == right ? 0 : 1
    }
    let left = double(lhs)
    let right = double(rhs)
    return left < right ? -1 : left == right ? 0 : 1
  }

  /// go-openapi's test: the quotient is an integer up to a relative error of 1e-9
  /// (for factors below 1 it multiplies by the inverse, as the server does).
  static func isMultiple(_ value: Value, of factor: Value) -> Bool {
    if case .int(let number) = value, case .int(let divisor) = factor {
      return number % divisor == 0
    }
    let number = double(value)
    let divisor = double(factor)
    let quotient = divisor < 1 ? (1 / divisor) * number : number / divisor
    let error = abs(quotient - quotient.rounded())
    return error == 0 || error / abs(quotient) < 1e-9
  }

  static func fitsInt32(_ value: Value) -> Bool {
    switch value {
    case .int(let number): return Int64(Int32.min)...Int64(Int32.max) ~= number
    case .double(let number): return Double(Int32.min)...Double(Int32.max) ~= number
    default: return true
    }
  }

  private static func double(_ value: Value) -> Double {
    switch value {
    case .int(let number): return Double(number)
    case .double(let number): return number
    default: return .nan
    }
  }

  /// The first value equal (as JSON compares) to one before it.
  private static func firstRepeat(in values: [Value]) -> Value? {
    for (index, value) in values.enumerated() {
      if values[..<index].contains(where: { $0.semanticallyEquals(value) }) { return value }
    }
    return nil
  }

  /// A value for a message, cut to about `limit` characters.
  static func render(_ value: Value, limit: Int) -> String {
    let text: String
    switch value {
    case .array(let items):
      text = "[" + items.map { render($0, limit: limit) }.joined(separator: ", ") + "]"
    case .object(let object):
      text =
        "{"
        + object.members.map { "\($0.key): \(render($0.value, limit: limit))" }
        .joined(separator: ", ") + "}"
    case .null:
      text = "null"
    default:
      text = render(value)
    }
    guard text.count > limit else { return text }
    return String(text.prefix(limit)) + "…"
  }
}
