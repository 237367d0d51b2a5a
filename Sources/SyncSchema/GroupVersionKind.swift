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

  /// Whether version `lhs` comes before `rhs` in the order Kubernetes prefers them
  /// (discovery, `kubectl`): GA before beta before alpha, higher numbers first
  /// (`v2`, `v1`, `v1beta2`, `v1beta1`, `v1alpha1`), then versions of other shapes
  /// alphabetically.
  public static func versionPriority(_ lhs: String, _ rhs: String) -> Bool {
    switch (KubeVersion(lhs), KubeVersion(rhs)) {
    case (let left?, let right?):
      if left.stability != right.stability { return left.stability > right.stability }
      if left.major != right.major { return left.major > right.major }
      return left.minor > right.minor
    case (.some, nil): return true
    case (nil, .some): return false
    case (nil, nil): return lhs < rhs
    }
  }
}

/// `v1`, `v2beta1`, `v1alpha3`: a version in the Kubernetes naming scheme.
private struct KubeVersion {
  /// 2 for GA, 1 for beta, 0 for alpha.
  var stability: Int
  var major: Int
  var minor: Int

  init?(_ text: String) {
    let scalars = Array(text.unicodeScalars)
    guard scalars.first == "v" else { return nil }
    var index = 1
    func number() -> Int? {
      let start = index
      while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
      guard index > start, scalars[start] != "0" else { return nil }
      return Int(String(String.UnicodeScalarView(scalars[start..<index])))
    }
    guard let major = number() else { return nil }
    self.major = major
    if index == scalars.count {
      stability = 2
      minor = 0
      return
    }
    let rest = String(String.UnicodeScalarView(scalars[index...]))
    if rest.hasPrefix("beta") {
      stability = 1
      index += 4
    } else if rest.hasPrefix("alpha") {
      stability = 0
      index += 5
    } else {
      return nil
    }
    guard let minor = number(), index == scalars.count else { return nil }
    self.minor = minor
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
