/// The identity of a Kubernetes kind: `apps/v1 Deployment`, `v1 Service`.
public struct GroupVersionKind: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// The API group; `""` for the core group.
  public var group: String
  public var version: String
  public var kind: String

  public init(group: String, version: String, kind: String) {
    self.group = group
    self.version = version
    self.kind = kind
  }

  /// Splits an `apiVersion` as written in a manifest: `apps/v1` or `v1` (core).
  public init(apiVersion: String, kind: String) {
    if let slash = apiVersion.firstIndex(of: "/") {
      group = String(apiVersion[..<slash])
      version = String(apiVersion[apiVersion.index(after: slash)...])
    } else {
      group = ""
      version = apiVersion
    }
    self.kind = kind
  }

  /// The `apiVersion` field value: `apps/v1`, or just `v1` for the core group.
  public var apiVersion: String {
    group.isEmpty ? version : "\(group)/\(version)"
  }

  /// `apps/v1 Deployment`, the way rules spell a kind.
  public var description: String { "\(apiVersion) \(kind)" }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.group, lhs.version, lhs.kind) < (rhs.group, rhs.version, rhs.kind)
  }
}

/// A pattern over one part of a group/version/kind.
///
/// Mirrors `NamePattern` in SyncSyntax, which this module cannot see: the checker
/// converts one into the other case by case.
public enum KindPattern: Sendable, Hashable, CustomStringConvertible {
  /// Matches everything.
  case any
  /// Matches this text only; `.exact("")` is the core group.
  case exact(String)
  /// `*` matches any run of characters, `?` exactly one.
  case glob(String)

  /// Whether `text` matches the pattern.
  public func matches(_ text: String) -> Bool {
    switch self {
    case .any: return true
    case .exact(let expected): return text == expected
    case .glob(let pattern):
      return globMatches(Array(pattern.unicodeScalars), Array(text.unicodeScalars))
    }
  }

  public var description: String {
    switch self {
    case .any: return "*"
    case .exact(let text): return text
    case .glob(let text): return text
    }
  }
}

/// Iterative glob matching with single-star backtracking: linear in practice, no
/// exponential blow-up on patterns like `a*a*a*b`.
private func globMatches(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
  var p = 0
  var t = 0
  var starAt: Int?
  var resumeAt = 0
  while t < text.count {
    if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] && pattern[p] != "*" {
      p += 1
      t += 1
    } else if p < pattern.count, pattern[p] == "*" {
      starAt = p
      resumeAt = t
      p += 1
    } else if let star = starAt {
      p = star + 1
      resumeAt += 1
      t = resumeAt
    } else {
      return false
    }
  }
  while p < pattern.count, pattern[p] == "*" { p += 1 }
  return p == pattern.count
}
