/// The syntax tree of one `.sync` file, as written (imports not yet resolved).
///
/// The tree is immutable once parsed; later stages keep their findings in tables
/// beside it, keyed by source range.
public struct RuleFile: Sendable, Hashable {
  public var fileID: Int
  public var items: [Item]

  public init(fileID: Int, items: [Item]) {
    self.fileID = fileID
    self.items = items
  }
}

/// A top-level declaration.
public enum Item: Sendable, Hashable {
  case importDecl(ImportDecl)
  case skip(SkipDecl)
  case rule(RuleDecl)
  case group(GroupDecl)

  public var range: SourceRange {
    switch self {
    case .importDecl(let decl): return decl.range
    case .skip(let decl): return decl.range
    case .rule(let decl): return decl.range
    case .group(let decl): return decl.range
    }
  }
}

/// A word the user wrote, with where they wrote it.
public struct Identifier: Sendable, Hashable {
  public var text: String
  public var range: SourceRange

  public init(_ text: String, range: SourceRange) {
    self.text = text
    self.range = range
  }
}

/// `import "std/strip-server-fields"`.
public struct ImportDecl: Sendable, Hashable {
  /// The path as written, without quotes.
  public var path: String
  public var pathRange: SourceRange
  public var range: SourceRange

  public init(path: String, pathRange: SourceRange, range: SourceRange) {
    self.path = path
    self.pathRange = pathRange
    self.range = range
  }
}

/// `skip …`: objects that no rule may sync.
public struct SkipDecl: Sendable, Hashable {
  public enum Target: Sendable, Hashable {
    case namespaces([Pattern])
    case names([Pattern])
    case kinds([KindRef])
    case groups([Pattern])
    /// Objects with a controller owner reference; `nil` means any owner kind.
    case owned(by: [KindRef]?)
    case match(Selection)
  }

  public var target: Target
  public var range: SourceRange

  public init(target: Target, range: SourceRange) {
    self.target = target
    self.range = range
  }
}

/// `rule NAME match KINDS [clauses] [{ edits }]`.
public struct RuleDecl: Sendable, Hashable {
  public var name: Identifier
  public var selection: Selection
  /// `nil` when the rule has no block: matching objects are synced unchanged.
  public var body: Block?
  public var range: SourceRange

  public init(name: Identifier, selection: Selection, body: Block?, range: SourceRange) {
    self.name = name
    self.selection = selection
    self.body = body
    self.range = range
  }
}

/// `group NAME { edits }`: edits a rule can apply with `use NAME`.
public struct GroupDecl: Sendable, Hashable {
  public var name: Identifier
  public var body: Block
  public var range: SourceRange

  public init(name: Identifier, body: Block, range: SourceRange) {
    self.name = name
    self.body = body
    self.range = range
  }
}

/// `{ edit … }`.
public struct Block: Sendable, Hashable {
  public var edits: [Edit]
  public var range: SourceRange

  public init(edits: [Edit], range: SourceRange) {
    self.edits = edits
    self.range = range
  }
}
