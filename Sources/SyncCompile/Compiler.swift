import SyncCheck
import SyncMatch
import SyncProgram
import SyncSchema
import SyncSyntax
import SyncValue

/// Turns a checked rule set into a ``PatchProgram``.
///
/// Compiling is deterministic: the same files give a byte-identical `explain` dump.
public enum Compiler {
  /// Compiles `program`, which must have passed checking without errors.
  public static func compile(_ program: CheckedProgram) -> PatchProgram {
    let state = CompileState(program: program)
    let skips = program.skips.map { state.skip($0) }
    let rules = program.rules.map { state.rule($0) }
    return PatchProgram(
      segments: state.segments, constants: state.constants, locations: state.locations,
      skips: skips, skipTable: SkipTable(skips), rules: rules,
      dispatch: dispatchTable(program.rules))
  }

  static func dispatchTable(_ rules: [CheckedRule]) -> DispatchTable {
    var exact: [DispatchTable.Key: [Int]] = [:]
    var wildcard: [Int] = []
    for (index, rule) in rules.enumerated() {
      var keys: [DispatchTable.Key] = []
      for ref in rule.decl.selection.kinds {
        guard case .exact(let group) = ref.group, case .exact(let kind) = ref.kind else {
          keys = []
          break
        }
        keys.append(DispatchTable.Key(group: group, kind: kind))
      }
      if keys.isEmpty {
        wildcard.append(index)
      } else {
        for key in Set(keys) { exact[key, default: []].append(index) }
      }
    }
    for key in exact.keys { exact[key] = Array(Set(exact[key]! + wildcard)).sorted() }
    return DispatchTable(exact: exact, wildcard: wildcard)
  }
}

/// Pools and tables filled while compiling one program.
final class CompileState {
  let program: CheckedProgram
  var segments: [String] = []
  private var segmentIndex: [String: Int] = [:]
  var constants: [Value] = []
  private var constantIndex: [Value: Int] = [:]
  var locations: [SourceSpan] = []
  /// Strategic-merge-patch strategies, built once per schema definition for every rule.
  let patchStrategies = PatchStrategyBuilder()

  init(program: CheckedProgram) {
    self.program = program
  }

  func intern(_ key: String) -> String {
    if let index = segmentIndex[key] { return segments[index] }
    segmentIndex[key] = segments.count
    segments.append(key)
    return key
  }

  func constant(_ value: Value) -> Int {
    if let index = constantIndex[value] { return index }
    constantIndex[value] = constants.count
    constants.append(value)
    return constants.count - 1
  }

  func location(_ range: SourceRange) -> Int {
    let file = program.files.file(range.fileID)
    let position = file.location(of: range.start)
    let excerpt = Self.trimmed(file.lineText(position.line))
    locations.append(
      SourceSpan(file: file.path, line: position.line, column: position.column, excerpt: excerpt))
    return locations.count - 1
  }

  func rule(_ checked: CheckedRule) -> CompiledRule {
    let header = location(checked.decl.name.range)
    var emitter = CodeEmitter(state: self, kinds: checked.knownKinds)
    if let body = checked.decl.body { emitter.emit(body.edits) }
    let identity = IdentityAnalysis(constants: constants, code: emitter.code)
    return CompiledRule(
      name: checked.decl.name.text, selector: selector(checked.decl.selection),
      code: emitter.code, codeLocations: emitter.codeLocations, location: header,
      identityWrites: identity.writes, mayChangeIdentity: identity.mayChange)
  }

  func skip(_ decl: SkipDecl) -> CompiledSkip {
    switch decl.target {
    case .namespaces(let patterns): return .namespaces(patterns.map(matcher))
    case .names(let patterns): return .names(patterns.map(matcher))
    case .groups(let patterns): return .groups(patterns.map(matcher))
    case .kinds(let refs): return .kinds(refs.map(kindMatcher))
    case .owned(let refs): return .owned(refs.map { $0.map(kindMatcher) })
    case .match(let selection): return .match(selector(selection))
    }
  }

  func selector(_ selection: Selection) -> CompiledSelector {
    var result = CompiledSelector(
      kinds: selection.kinds.map(kindMatcher), namespaces: [], names: [], labels: [],
      annotations: [], conditions: [], namespaced: nil)
    for clause in selection.clauses {
      switch clause.form {
      case .namespaces(let patterns): result.namespaces.append(patterns.map(matcher))
      case .names(let patterns): result.names.append(patterns.map(matcher))
      case .labels(let requirements): result.labels += requirements.map(requirement)
      case .annotations(let requirements): result.annotations += requirements.map(requirement)
      case .when(let condition): result.conditions.append(self.condition(condition))
      case .scope(let scope): result.namespaced = scope == .namespaced
      }
    }
    return result
  }

  func matcher(_ pattern: Pattern) -> NameMatcher {
    switch pattern.form {
    case .exact(let text): return .exact(text)
    case .glob(let text): return .glob(Self.glob(text))
    case .regex(let text): return .regex(Self.regex(text))
    }
  }

  func kindMatcher(_ ref: KindRef) -> KindMatcher {
    func part(_ pattern: NamePattern) -> NameMatcher? {
      switch pattern {
      case .any: return nil
      case .exact(let text): return .exact(text)
      case .glob(let text): return .glob(Self.glob(text))
      }
    }
    return KindMatcher(group: part(ref.group), version: part(ref.version), kind: part(ref.kind))
  }

  func requirement(_ requirement: LabelRequirement) -> CompiledRequirement {
    let values = requirement.values.map(\.text)
    let test: CompiledRequirement.Test
    switch requirement.op {
    case .equals: test = .equals(values.first ?? "")
    case .notEquals: test = .notEquals(values.first ?? "")
    case .in: test = .oneOf(Set(values))
    case .notIn: test = .noneOf(Set(values))
    case .exists: test = .exists
    case .doesNotExist: test = .absent
    }
    return CompiledRequirement(key: requirement.key, test: test)
  }

  func path(_ path: Path) -> CompiledPath {
    let steps = path.components.map { component -> CompiledPath.Step in
      switch component.form {
      case .field(let name): return .key(intern(name))
      case .anyField: return .anyKey
      case .index(let index): return .index(index)
      case .anyElement: return .anyElement
      case .keyed(let key, let value): return .keyed(key: intern(key), value: value)
      case .equal(let value): return .equal(value)
      }
    }
    return CompiledPath(steps: steps, text: path.description)
  }

  func operand(_ expression: Expression) -> Operand {
    if let value = constantValue(expression) { return .constant(constant(value)) }
    switch expression.form {
    case .path(let source): return .read(path(source))
    case .interpolated(let parts):
      return .interpolate(
        parts.map { part in
          switch part {
          case .text(let text): return .text(text)
          case .path(let source): return .read(path(source))
          }
        })
    case .list(let items): return .list(items.map(operand))
    case .map(let entries): return .map(entries.map { (intern($0.key), operand($0.value)) })
    case .literal, .yaml:
      preconditionFailure("constant expressions are folded above")
    }
  }

  func constantValue(_ expression: Expression) -> Value? {
    program.constantValue(expression)
  }

  func condition(_ condition: Condition) -> CompiledCondition {
    switch condition.form {
    case .and(let left, let right): return .and(self.condition(left), self.condition(right))
    case .or(let left, let right): return .or(self.condition(left), self.condition(right))
    case .not(let inner): return .not(self.condition(inner))
    case .exists(let target): return .exists(path(target))
    case .missing(let target): return .not(.exists(path(target)))
    case .compare(let left, let op, let right):
      return .compare(operand(left), ComparisonKind(rawValue: op.rawValue)!, operand(right))
    case .inList(let left, let items, let negated):
      let test = CompiledCondition.inList(operand(left), items.map(operand))
      return negated ? .not(test) : test
    case .matches(let subject, let match): return .matches(operand(subject), textMatcher(match))
    }
  }

  func textMatcher(_ match: TextMatch) -> TextMatcher {
    switch match.form {
    case .substring(let text): return .substring(text)
    case .prefix(let text): return .prefix(text)
    case .suffix(let text): return .suffix(text)
    case .regex(let pattern): return .regex(Self.regex(pattern))
    }
  }

  static func trimmed(_ text: String) -> String {
    let scalars = text.unicodeScalars
    guard let start = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
      let end = scalars.lastIndex(where: { $0 != " " && $0 != "\t" })
    else { return "" }
    return String(scalars[start...end])
  }

  static func glob(_ text: String) -> Glob {
    guard let glob = try? Glob(text) else {
      preconditionFailure("the checker rejects invalid globs before compiling: \(text)")
    }
    return glob
  }

  static func regex(_ text: String) -> CompiledRegex {
    guard let regex = try? CompiledRegex(text) else {
      preconditionFailure("the checker rejects invalid regexes before compiling: \(text)")
    }
    return regex
  }
}
