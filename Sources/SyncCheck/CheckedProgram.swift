import SyncSchema
import SyncSyntax
import SyncValue

/// A rule file set that passed checking: what the compiler turns into a patch program.
///
/// The syntax tree is kept as written; what the checker learned sits beside it.
public struct CheckedProgram: Sendable {
  public var files: SourceManager
  public var skips: [SkipDecl]
  public var rules: [CheckedRule]
  public var groups: [String: GroupDecl]
  /// Values of `yaml` literals, parsed once, keyed by the literal's range.
  public var yamlValues: [SourceRange: Value]
  public var registry: SchemaRegistry
}

/// One rule and the kinds it can match.
public struct CheckedRule: Sendable {
  public var decl: RuleDecl
  /// Known kinds the rule's kind references match (for checking and `explain`).
  public var knownKinds: [KindInfo]
}

/// Options that change what the checker reports.
public struct CheckOptions: Sendable {
  /// Unknown kinds become errors instead of warnings.
  public var strict: Bool

  public init(strict: Bool = false) {
    self.strict = strict
  }
}
