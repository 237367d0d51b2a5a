/// A container image reference, parsed the way container runtimes parse one
/// (github.com/distribution/reference): the first `/`-separated part is a registry when it
/// has a `.` or `:` or is `localhost`; otherwise the registry is `docker.io`, and a
/// one-part repository is in `library/`. A tag follows the last `:` of the last part, a
/// digest follows `@`.
public struct ImageReference: Sendable, Equatable {
  /// As written (empty when the image names none).
  public var registry: String
  public var repository: String
  public var tag: String?
  public var digest: String?

  public static let defaultRegistry = "docker.io"

  /// Why a reference is not valid, in words.
  public struct Invalid: Error, Sendable {
    public var reason: String
  }

  public init(registry: String, repository: String, tag: String?, digest: String?) {
    self.registry = registry
    self.repository = repository
    self.tag = tag
    self.digest = digest
  }

  public init(parsing text: String) throws(Invalid) {
    var rest = Substring(text)
    var digest: String?
    if let at = rest.firstIndex(of: "@") {
      digest = String(rest[rest.index(after: at)...])
      rest = rest[..<at]
    }
    var registry = ""
    if let slash = rest.firstIndex(of: "/") {
      let first = rest[..<slash]
      if first.contains(".") || first.contains(":") || first == "localhost" {
        registry = String(first)
        rest = rest[rest.index(after: slash)...]
      }
    }
    var tag: String?
    let lastPart = rest.lastIndex(of: "/").map { rest.index(after: $0) } ?? rest.startIndex
    if let colon = rest[lastPart...].lastIndex(of: ":") {
      tag = String(rest[rest.index(after: colon)...])
      rest = rest[..<colon]
    }
    self.init(registry: registry, repository: String(rest), tag: tag, digest: digest)
    try validate()
  }

  /// The registry an image without one is pulled from, and the repository it names
  /// there (`nginx` is `docker.io/library/nginx`).
  public var normalized: ImageReference {
    guard registry.isEmpty else { return self }
    let path = repository.contains("/") ? repository : "library/" + repository
    return ImageReference(
      registry: Self.defaultRegistry, repository: path, tag: tag, digest: digest)
  }

  public var text: String {
    var result = registry.isEmpty ? repository : registry + "/" + repository
    if let tag { result += ":" + tag }
    if let digest { result += "@" + digest }
    return result
  }

  /// Checks the parts against the reference grammar.
  public func validate() throws(Invalid) {
    if !registry.isEmpty, !Self.isRegistry(registry) {
      throw Invalid(reason: "`\(registry)` is not a registry host (name, optional `:port`)")
    }
    guard !repository.isEmpty else { throw Invalid(reason: "the repository is empty") }
    for component in repository.split(separator: "/", omittingEmptySubsequences: false) {
      guard Self.isPathComponent(component) else {
        throw Invalid(
          reason:
            "`\(component)` is not a repository path component (lowercase letters and digits, separated by `.`, `_`, `__` or `-`)"
        )
      }
    }
    if let tag, !Self.isTag(tag) {
      throw Invalid(
        reason:
          "`\(tag)` is not a tag (letters, digits, `_`, `.`, `-`; not starting with `.` or `-`; at most 128)"
      )
    }
    if let digest, !Self.isDigest(digest) {
      throw Invalid(
        reason: "`\(digest)` is not a digest (`algorithm:hex`, such as `sha256:` and 64 hex digits)"
      )
    }
    if text.utf8.count - (tag.map { $0.utf8.count + 1 } ?? 0)
      - (digest.map { $0.utf8.count + 1 } ?? 0)
      > 255
    {
      throw Invalid(reason: "the name is longer than 255 characters")
    }
  }

  /// Why `value` cannot be this part of a reference; nil when it can.
  public static func problem(with value: String, as part: String) -> String? {
    switch part {
    case "registry":
      return isRegistry(value) ? nil : "`\(value)` is not a registry host (name, optional `:port`)"
    case "repository":
      let valid =
        !value.isEmpty
        && value.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isPathComponent)
      return valid
        ? nil
        : "`\(value)` is not a repository (lowercase path components separated by `/`)"
    case "tag":
      return isTag(value)
        ? nil
        : "`\(value)` is not a tag (letters, digits, `_`, `.`, `-`; not starting with `.` or `-`)"
    default:
      return isDigest(value) ? nil : "`\(value)` is not a digest (`algorithm:hex`)"
    }
  }

  private static func isRegistry(_ text: String) -> Bool {
    var host = Substring(text)
    if let colon = host.lastIndex(of: ":") {
      let port = host[host.index(after: colon)...]
      guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
      host = host[..<colon]
    }
    // An IPv6 literal in brackets, or dot-separated labels.
    if host.hasPrefix("[") && host.hasSuffix("]") {
      return host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" }
    }
    return !host.isEmpty
      && host.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
        guard let first = label.first, let last = label.last else { return false }
        return isAlphanumeric(first) && isAlphanumeric(last)
          && label.allSatisfy { isAlphanumeric($0) || $0 == "-" }
      }
  }

  private static func isPathComponent(_ text: Substring) -> Bool {
    guard let first = text.first, let last = text.last, isLowerAlphanumeric(first),
      isLowerAlphanumeric(last)
    else { return false }
    // Separators between alphanumeric runs: `.`, `_`, `__`, or one or more `-`.
    var separator = ""
    for character in text {
      if isLowerAlphanumeric(character) {
        guard
          separator.isEmpty || separator == "." || separator == "_" || separator == "__"
            || separator.allSatisfy({ $0 == "-" })
        else { return false }
        separator = ""
      } else if character == "." || character == "_" || character == "-" {
        separator.append(character)
      } else {
        return false
      }
    }
    return true
  }

  private static func isTag(_ text: String) -> Bool {
    guard let first = text.first, text.count <= 128, isWord(first) else { return false }
    return text.allSatisfy { isWord($0) || $0 == "." || $0 == "-" }
  }

  private static func isDigest(_ text: String) -> Bool {
    guard let colon = text.firstIndex(of: ":") else { return false }
    let algorithm = text[..<colon]
    let encoded = text[text.index(after: colon)...]
    guard let first = algorithm.first, isLowerAlphanumeric(first),
      algorithm.allSatisfy({ isLowerAlphanumeric($0) || "+.-_".contains($0) }),
      encoded.count >= 32,
      encoded.allSatisfy({
        ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "=" || $0 == "_" || $0 == "-"
      })
    else { return false }
    if algorithm == "sha256" { return encoded.count == 64 && encoded.allSatisfy(\.isHexDigit) }
    return true
  }

  private static func isAlphanumeric(_ character: Character) -> Bool {
    character.isASCII && (character.isLetter || character.isNumber)
  }

  private static func isLowerAlphanumeric(_ character: Character) -> Bool {
    character.isASCII && (character.isLowercase || character.isNumber)
  }

  private static func isWord(_ character: Character) -> Bool {
    isAlphanumeric(character) || character == "_"
  }
}
