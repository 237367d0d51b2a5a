/// Karmada's image overrider as a regex replacement on the image text.
///
/// Karmada parses an image the way the container runtime's reference library does,
/// without normalising: the first `/`-separated part is the registry only when it has a
/// `.` or a `:` or is `localhost` (`nginx:1.0` has no registry, `docker.io/library/nginx`
/// has `docker.io`); the repository runs to the tag (`:`) or digest (`@`). Each regex
/// below captures those parts, so one `replace` edit does what the overrider does.
enum ImageReferenceEdit {
  /// Group 1: the registry (may not participate); group 2: everything after it.
  static let registry = #"^(?:([^/]*[.:][^/]*|localhost)/)?(.+)$"#
  /// Group 1: `registry/` or nothing; group 2: the repository; group 3: `:tag@digest`.
  static let repository = #"^((?:[^/]*[.:][^/]*|localhost)/)?([^:@]+)(.*)$"#
  /// Group 1: everything up to the tag; group 2: the tag; group 3: `@digest`.
  static let tag = #"^((?:[^/]*/)*[^:@/]+)(?::([^@/]*))?(@.+)?$"#
  /// The same, matching only images that have a tag.
  static let existingTag = #"^((?:[^/]*/)*[^:@/]+):([^@/]+)(@.+)?$"#

  /// What an overrider becomes.
  enum Translation: Equatable {
    case replace(pattern: String, replacement: String)
    /// Karmada leaves every image as it is (a tag `add` that can never give a valid tag).
    case nothing
    /// The operation needs a value and has none.
    case missingValue
  }

  /// The edit for `operation` on `component`.
  static func translation(component: String, operation: String, value: String) -> Translation {
    if operation != "remove" && value.isEmpty { return .missingValue }
    if component == "Tag" && operation == "add" {
      // Karmada keeps the longer tag only when it is a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]*):
      // a value starting with `.` or `-` needs a tag to follow.
      let literal = value.replacingOccurrences(of: "$", with: "$$")
      let isTagText = value.allSatisfy {
        $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0))
      }
      guard isTagText else { return .nothing }
      let startsWell = value.first.map { $0 != "." && $0 != "-" } ?? false
      return .replace(pattern: startsWell ? tag : existingTag, replacement: "$1:$2\(literal)")
    }
    guard
      let (pattern, replacement) = regex(component: component, operation: operation, value: value)
    else { return .missingValue }
    return .replace(pattern: pattern, replacement: replacement)
  }

  private static func regex(component: String, operation: String, value: String)
    -> (pattern: String, replacement: String)?
  {
    // A `$` in the value is literal in the replacement.
    let literal = value.replacingOccurrences(of: "$", with: "$$")
    switch (component, operation) {
    case ("Registry", "add"): return (registry, "$1\(literal)/$2")
    case ("Registry", "replace"): return (registry, "\(literal)/$2")
    case ("Registry", _): return (registry, "$2")
    case ("Repository", "add"): return (repository, "$1$2\(literal)$3")
    case ("Repository", "replace"): return (repository, "$1\(literal)$3")
    // Karmada keeps the registry's slash: `host/:tag` (its own tests show it).
    case ("Repository", _): return (repository, "$1$3")
    // A digest given as the tag (`sha256:…`) becomes `@sha256:…`; with a tag, Karmada
    // writes the reference without the digest.
    case ("Tag", "replace") where value.hasPrefix("sha256:"): return (tag, "$1@\(literal)")
    case ("Tag", "replace"): return (tag, "$1:\(literal)")
    default: return (tag, "$1")
    }
  }
}
