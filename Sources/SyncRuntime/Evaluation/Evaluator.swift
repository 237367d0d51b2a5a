import SyncProgram
import SyncSyntax
import SyncValue

/// What happened to one object.
public enum Outcome: Sendable {
  /// A `skip` matched; the object is never synced.
  case skipped(skip: Int)
  /// No rule matched: not synced (whitelist).
  case unmatched
  /// A rule executed `drop`.
  case dropped(rule: String, at: SourceSpan)
  /// The object after every matching rule, and the rules that applied.
  case rewritten(Value, rules: [String])
  /// One object failed; the stream goes on.
  case failed(ObjectFailure)
}

/// Why one object could not be rewritten, with the rule and line responsible.
public struct ObjectFailure: Error, Sendable, CustomStringConvertible {
  public var code: RuntimeErrorCode
  public var message: String
  public var rule: String?
  public var location: SourceSpan?

  public init(
    code: RuntimeErrorCode, message: String, rule: String? = nil, location: SourceSpan? = nil
  ) {
    self.code = code
    self.message = message
    self.rule = rule
    self.location = location
  }

  public var description: String {
    var text = "error[\(code.rawValue)]: \(message)"
    if let rule, let location { text += " (rule `\(rule)` at \(location): \(location.excerpt))" }
    return text
  }
}

/// Runs a ``PatchProgram`` over objects. Stateless and `Sendable`: one evaluator can
/// serve every object of a stream, on any thread.
public struct Evaluator: Sendable {
  public let program: PatchProgram

  public init(program: PatchProgram) {
    self.program = program
  }

  /// Decides and applies what the rules say about `object`.
  public func evaluate(_ object: Value) -> Outcome {
    evaluateFollowingDependencies(object).outcome
  }

  /// Like ``evaluate(_:)``, and also lists the objects a `dependencies` edit asked to
  /// follow (for `syncrules sync`); empty unless the object was rewritten.
  public func evaluateFollowingDependencies(_ object: Value) -> (
    outcome: Outcome, dependencies: [DependencyReference]
  ) {
    guard let facts = ObjectFacts(object) else {
      let failure = ObjectFailure(
        code: .notAnObject,
        message: "not a Kubernetes object: expected a map with string `apiVersion` and `kind`")
      return (.failed(failure), [])
    }
    if let skip = firstMatchingSkip(facts) { return (.skipped(skip: skip), []) }
    var working = object
    var applied: [String] = []
    var followed: Set<DependencyKind> = []
    var namedIdentity: IdentityFields = []
    var identityMayHaveChanged = false
    for ruleIndex in program.dispatch.candidates(group: facts.group, kind: facts.kind) {
      let rule = program.rules[ruleIndex]
      guard facts.matches(rule.selector, evaluator: self) else { continue }
      applied.append(rule.name)
      do {
        if let dropAt = try run(rule, source: object, working: &working, following: &followed) {
          let location = program.locations[rule.codeLocations[dropAt]]
          return (.dropped(rule: rule.name, at: location), [])
        }
      } catch let failure as InstructionFailure {
        let failure = ObjectFailure(
          code: failure.code, message: failure.message, rule: rule.name,
          location: program.locations[rule.codeLocations[failure.instruction]])
        return (.failed(failure), [])
      } catch {
        return (.failed(ObjectFailure(code: .runtimeTypeMismatch, message: "\(error)")), [])
      }
      namedIdentity.formUnion(rule.identityWrites)
      if rule.mayChangeIdentity {
        identityMayHaveChanged = true
        if let problem = Self.identityProblem(working, source: facts, named: namedIdentity) {
          let failure = ObjectFailure(
            code: .identityChanged, message: problem, rule: rule.name,
            location: program.locations[rule.location])
          return (.failed(failure), [])
        }
      }
    }
    guard !applied.isEmpty else { return (.unmatched, []) }
    if facts.name.isEmpty || identityMayHaveChanged, Self.name(of: working) == nil {
      // Nameless objects cannot be applied anywhere, and are what a cut input leaves.
      let failure = ObjectFailure(
        code: .identityChanged,
        message: "the object has no `metadata.name`; an object without a name is never synced")
      return (.failed(failure), [])
    }
    let dependencies =
      followed.isEmpty
      ? [] : DependencyReference.references(in: object, kinds: followed, namespace: facts.namespace)
    return (.rewritten(working, rules: applied), dependencies)
  }

  /// The dependency kinds the rules selecting `object` may follow: every `dependencies`
  /// edit of every matching rule, whatever `when` guards it. For an object whose rules
  /// failed, `sync` cannot know which edits would have run, and keeps what any of them
  /// could have asked for rather than lose a workload's ConfigMap.
  public func dependencyKinds(mayFollowFor object: Value) -> Set<DependencyKind> {
    guard let facts = ObjectFacts(object), firstMatchingSkip(facts) == nil else { return [] }
    var kinds: Set<DependencyKind> = []
    for ruleIndex in program.dispatch.candidates(group: facts.group, kind: facts.kind) {
      let rule = program.rules[ruleIndex]
      guard facts.matches(rule.selector, evaluator: self) else { continue }
      for case .dependencies(let followed) in rule.code { kinds.formUnion(followed) }
    }
    return kinds
  }

  /// The index of the first skip that matches, as if each were tried in order.
  ///
  /// Exact namespaces, names and groups are looked up in ``SkipTable``; of the others,
  /// only those that can match this kind are tried, and only while they come before the
  /// best index found so far.
  func firstMatchingSkip(_ facts: ObjectFacts) -> Int? {
    let table = program.skipTable
    var best = Int.max
    if !table.namespaces.isEmpty, let namespace = facts.namespace,
      let index = table.namespaces[namespace]
    {
      best = index
    }
    if !table.names.isEmpty, let index = table.names[facts.name] { best = min(best, index) }
    if !table.groups.isEmpty, let index = table.groups[facts.group] { best = min(best, index) }
    for index in table.candidates(group: facts.group, kind: facts.kind) {
      if index >= best { break }
      if facts.matches(program.skips[index], evaluator: self) { return index }
    }
    return best == Int.max ? nil : best
  }

  struct InstructionFailure: Error {
    var code: RuntimeErrorCode
    var message: String
    var instruction: Int
  }

  /// Runs one rule's code; returns the index of a `drop` when one executes.
  private func run(
    _ rule: CompiledRule, source: Value, working: inout Value,
    following: inout Set<DependencyKind>
  ) throws -> Int? {
    var pc = 0
    // The objects and documents being edited around the current one, innermost last.
    var outer: [EmbeddedDocument] = []
    while pc < rule.code.count {
      let instruction = rule.code[pc]
      do {
        switch instruction {
        case .drop:
          return pc
        case .enterDocument(let path, let format, let end):
          guard let document = try EmbeddedDocument.open(path, format, in: working) else {
            pc = end + 1
            continue
          }
          outer.append(
            EmbeddedDocument(
              path: path, format: format, original: document.text, container: working))
          working = document.value
        case .leaveDocument:
          let finished = outer.removeLast()
          let text = finished.written(working)
          working = finished.container
          try PathEditor.modify(finished.path.steps[...], in: &working, create: false) { slot in
            slot = .string(text)
          }
        case .dependencies(let kinds):
          following.formUnion(kinds)
        case .jump(let target):
          pc = target
          continue
        case .jumpUnless(let condition, let target):
          if !test(condition, source: source) {
            pc = target
            continue
          }
        default:
          try execute(instruction, source: source, working: &working)
        }
      } catch let error as PathError {
        throw InstructionFailure(
          code: .runtimeTypeMismatch, message: error.message, instruction: pc)
      } catch let error as JSONPatch.Failure {
        throw InstructionFailure(code: .patchFailed, message: error.description, instruction: pc)
      } catch let error as StrategicMergePatch.Failure {
        throw InstructionFailure(code: .patchFailed, message: error.message, instruction: pc)
      } catch let error as ValueError {
        throw InstructionFailure(
          code: .invalidRuntimeValue, message: error.message, instruction: pc)
      }
      pc += 1
    }
    return nil
  }
}

extension Evaluator {
  /// Why `result` is no longer the object `source` was, unless its rules named what
  /// changed: it must stay a map with the same `apiVersion`, `kind`, `metadata.name` and
  /// `metadata.namespace`.
  static func identityProblem(_ result: Value, source: ObjectFacts, named: IdentityFields)
    -> String?
  {
    guard case .object = result else {
      return "the rules turned the object into \(PathEditor.article(result.typeName)); "
        + "an object must stay a map"
    }
    let fields: [(IdentityFields, String, (Value) -> Value?)] = [
      (.apiVersion, "apiVersion", { $0["apiVersion"] }),
      (.kind, "kind", { $0["kind"] }),
      (.name, "metadata.name", { $0["metadata"]?["name"] }),
      (.namespace, "metadata.namespace", { $0["metadata"]?["namespace"] }),
    ]
    for (field, path, read) in fields where !named.contains(field) {
      let before = read(source.object)
      let after = read(result)
      guard before != after else { continue }
      let change =
        after.map { "changed from \(describe(before)) to \(describe($0))" } ?? "was removed"
      return "`\(path)` \(change), but no edit of the rules names `\(path)`; "
        + "an edit may change what identifies an object only by naming it"
    }
    return nil
  }

  private static func describe(_ value: Value?) -> String {
    guard let value else { return "nothing" }
    let text = JSON.serialize(value)
    return text.count > 80 ? String(text.prefix(80)) + "…" : text
  }

  /// The object's `metadata.name`, when it is a non-empty string.
  static func name(of object: Value) -> String? {
    guard case .string(let name)? = object["metadata"]?["name"], !name.isEmpty else {
      return nil
    }
    return name
  }
}

/// A value computed at run time cannot be used where it goes.
struct ValueError: Error {
  var message: String
}
