import KubeModel
import SyncValue

/// A parsed `labelSelector`: every requirement must hold.
///
/// Supports the full string syntax kubectl and client-go send: `k=v`, `k==v`, `k!=v`,
/// `k in (a,b)`, `k notin (a,b)`, `k` (exists) and `!k` (does not exist).
struct LabelSelector: Sendable, Equatable {
  enum Requirement: Sendable, Equatable {
    case equals(String, String)
    case notEquals(String, String)
    case isIn(String, Set<String>)
    case notIn(String, Set<String>)
    case exists(String)
    case doesNotExist(String)
  }

  var requirements: [Requirement] = []

  init(parsing text: String) throws(APIStatus) {
    for term in Self.splitTerms(text) {
      let term = term.trimmingSpaces()
      if term.isEmpty { continue }
      requirements.append(try Self.requirement(term))
    }
  }

  /// Splits on commas outside parentheses, since `in (a,b)` has commas of its own.
  private static func splitTerms(_ text: String) -> [String] {
    var terms: [String] = []
    var current = ""
    var depth = 0
    for character in text {
      switch character {
      case "(": depth += 1
      case ")": depth -= 1
      case "," where depth == 0:
        terms.append(current)
        current = ""
        continue
      default: break
      }
      current.append(character)
    }
    terms.append(current)
    return terms
  }

  private static func requirement(_ term: String) throws(APIStatus) -> Requirement {
    if term.hasPrefix("!") { return .doesNotExist(String(term.dropFirst()).trimmingSpaces()) }
    for (op, make) in [
      ("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals),
    ] {
      if let range = term.range(of: op) {
        let key = String(term[..<range.lowerBound]).trimmingSpaces()
        let value = String(term[range.upperBound...]).trimmingSpaces()
        guard !key.isEmpty else { throw .badRequest("unable to parse requirement: \(term)") }
        return make(key, value)
      }
    }
    let words = term.split(separator: " ", maxSplits: 1).map(String.init)
    if words.count == 2, let open = words[1].firstIndex(of: "("), words[1].hasSuffix(")") {
      let op = String(words[1][..<open]).trimmingSpaces()
      let inner = words[1][words[1].index(after: open)..<words[1].index(before: words[1].endIndex)]
      let values = Set(inner.split(separator: ",").map { String($0).trimmingSpaces() })
      switch op {
      case "in": return .isIn(words[0], values)
      case "notin": return .notIn(words[0], values)
      default: break
      }
    }
    if words.count == 1 { return .exists(term) }
    throw .badRequest("unable to parse requirement: \(term)")
  }

  func matches(_ labels: ObjectValue?) -> Bool {
    let value = { (key: String) in labels?[key]?.stringValue }
    return requirements.allSatisfy { requirement in
      switch requirement {
      case .equals(let key, let expected): return value(key) == expected
      case .notEquals(let key, let expected): return value(key) != expected
      case .isIn(let key, let values): return value(key).map(values.contains) ?? false
      case .notIn(let key, let values): return !(value(key).map(values.contains) ?? false)
      case .exists(let key): return value(key) != nil
      case .doesNotExist(let key): return value(key) == nil
      }
    }
  }
}

/// A parsed `fieldSelector` on `metadata.name` and `metadata.namespace`, the fields every
/// resource supports.
struct FieldSelector: Sendable, Equatable {
  struct Requirement: Sendable, Equatable {
    var field: String
    var value: String
    var equal: Bool
  }

  var requirements: [Requirement] = []

  init(parsing text: String) throws(APIStatus) {
    for term in text.split(separator: ",") {
      let term = String(term)
      var parsed: Requirement?
      for (op, equal) in [("!=", false), ("==", true), ("=", true)] {
        if let range = term.range(of: op) {
          parsed = Requirement(
            field: String(term[..<range.lowerBound]).trimmingSpaces(),
            value: String(term[range.upperBound...]).trimmingSpaces(), equal: equal)
          break
        }
      }
      guard let parsed else { throw .badRequest("invalid selector: '\(text)'") }
      guard parsed.field == "metadata.name" || parsed.field == "metadata.namespace" else {
        throw .badRequest("field label not supported: \(parsed.field)")
      }
      requirements.append(parsed)
    }
  }

  func matches(_ object: Value) -> Bool {
    requirements.allSatisfy { requirement in
      let key = requirement.field == "metadata.name" ? "name" : "namespace"
      let actual = object["metadata"]?[key]?.stringValue ?? ""
      return (actual == requirement.value) == requirement.equal
    }
  }
}

extension String {
  func trimmingSpaces() -> String {
    var slice = Substring(self)
    while slice.first == " " { slice.removeFirst() }
    while slice.last == " " { slice.removeLast() }
    return String(slice)
  }
}
