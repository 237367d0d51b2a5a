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

extension CheckedProgram {
  /// The value of an expression that does not read the object (literals, `yaml`, lists
  /// and maps of them), or nil.
  public func constantValue(_ expression: Expression) -> Value? {
    Self.constantValue(expression, yaml: yamlValues)
  }

  static func constantValue(_ expression: Expression, yaml: [SourceRange: Value]) -> Value? {
    switch expression.form {
    case .literal(let value): return value
    case .yaml: return yaml[expression.range]
    case .list(let items):
      var values: [Value] = []
      for item in items {
        guard let value = constantValue(item, yaml: yaml) else { return nil }
        values.append(value)
      }
      return .array(values)
    case .map(let entries):
      var object = ObjectValue()
      for entry in entries {
        guard let value = constantValue(entry.value, yaml: yaml) else { return nil }
        object[entry.key] = value
      }
      return .object(object)
    case .path, .interpolated:
      return nil
    }
  }
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
