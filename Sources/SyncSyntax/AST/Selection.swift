/// Which objects a rule or skip matches: kinds, then every clause (all must hold).
public struct Selection: Sendable, Hashable {
  public var kinds: [KindRef]
  public var clauses: [SelectorClause]
  public var range: SourceRange

  public init(kinds: [KindRef], clauses: [SelectorClause], range: SourceRange) {
    self.kinds = kinds
    self.clauses = clauses
    self.range = range
  }
}

/// A pattern over one part of a group/version/kind.
public enum NamePattern: Sendable, Hashable, CustomStringConvertible {
  /// `*`, or a part the user left out.
  case any
  case exact(String)
  /// Contains `*` or `?`.
  case glob(String)

  public var description: String {
    switch self {
    case .any: return "*"
    case .exact(let text): return text
    case .glob(let text): return text
    }
  }
}

/// `apps/v1 Deployment`, `apps/*`, `*/Deployment`, `v1 Service`, `Deployment`, `*`.
///
/// The core group is `.exact("")`.
public struct KindRef: Sendable, Hashable {
  public var group: NamePattern
  public var version: NamePattern
  public var kind: NamePattern
  public var range: SourceRange

  public init(group: NamePattern, version: NamePattern, kind: NamePattern, range: SourceRange) {
    self.group = group
    self.version = version
    self.kind = kind
    self.range = range
  }
}

/// A pattern over a namespace, name or group.
public struct Pattern: Sendable, Hashable {
  public enum Form: Sendable, Hashable {
    case exact(String)
    /// `*` any run, `?` one character, `[abc]` a class.
    case glob(String)
    /// Anchored at both ends.
    case regex(String)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }
}

/// One `in`, `named`, `labels`, `annotations`, `when` or `scope` clause.
public struct SelectorClause: Sendable, Hashable {
  public enum Form: Sendable, Hashable {
    case namespaces([Pattern])
    case names([Pattern])
    case labels([LabelRequirement])
    case annotations([LabelRequirement])
    case when(Condition)
    case scope(Scope)
  }

  public var form: Form
  public var range: SourceRange

  public init(_ form: Form, range: SourceRange) {
    self.form = form
    self.range = range
  }
}

/// Whether an object lives in a namespace.
public enum Scope: String, Sendable, Hashable {
  case namespaced
  case cluster
}

/// One requirement of a Kubernetes label selector (`app=web`, `tier in (a, b)`, `!legacy`).
public struct LabelRequirement: Sendable, Hashable {
  public enum Operator: String, Sendable, Hashable {
    case equals = "="
    case notEquals = "!="
    case `in` = "in"
    case notIn = "notin"
    case exists = "exists"
    case doesNotExist = "!"
  }

  public var key: String
  public var keyRange: SourceRange
  public var op: Operator
  public var values: [Identifier]
  public var range: SourceRange

  public init(
    key: String, keyRange: SourceRange, op: Operator, values: [Identifier], range: SourceRange
  ) {
    self.key = key
    self.keyRange = keyRange
    self.op = op
    self.values = values
    self.range = range
  }
}
