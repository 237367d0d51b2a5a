import SyncProgram
import SyncValue

extension Evaluator {
  /// What a reader may leave out of an object of this `apiVersion` and `kind` without
  /// changing what `apply` writes: the paths that every rule able to select such an
  /// object removes on every run (not under `when`), and that nothing else (a skip, a
  /// selector, a condition, a value, another edit) reads or writes.
  ///
  /// Only for output made of rewritten objects: `--passthrough` and `--diff` write the
  /// objects as they were read, and must not use it. A kind no rule can select keeps
  /// everything (its objects are not written, but nothing is gained by more analysis).
  public func projection(apiVersion: String, kind: String) -> JSONProjection {
    let (group, version) = ObjectFacts.split(apiVersion)
    let rules = program.dispatch.candidates(group: group, kind: kind).map { program.rules[$0] }
      .filter {
        $0.selector.kinds.contains { $0.matches(group: group, version: version, kind: kind) }
      }
    guard !rules.isEmpty else { return .keep }
    var uses = PathUses()
    // What selection, the identity check, reports and messages read of every object.
    for keys in [["apiVersion"], ["kind"], ["metadata", "name"], ["metadata", "namespace"]] {
      uses.touched.append(keys.map { .key($0) })
    }
    for index in program.skipTable.candidates(group: group, kind: kind) {
      switch program.skips[index] {
      case .owned:
        uses.touched.append([.key("metadata"), .key("ownerReferences")])
      case .match(let selector)
      where selector.kinds.contains { $0.matches(group: group, version: version, kind: kind) }:
        uses.noteReads(of: selector)
      default:
        break
      }
    }
    // Any rule may be the only one that selects an object: a path is left out only when
    // each of them removes it (or a map it is in).
    var removedByRule: [[[String]]] = []
    for rule in rules {
      uses.noteReads(of: rule.selector)
      removedByRule.append(uses.note(rule.code))
    }
    let prunable = Set(removedByRule.joined()).filter { path in
      uses.leavesAlone(path)
        && removedByRule.allSatisfy { removed in removed.contains { path.starts(with: $0) } }
    }
    return Self.projection(skipping: Array(prunable))
  }

  /// Whether an object of this kind with this `metadata` is left out of the output
  /// whatever else it holds: a skip that reads nothing but the kind and `metadata`
  /// matches it, or (when every skip for the kind reads only those) no rule for the
  /// kind can select it. Evaluating the object then gives `.skipped` or `.unmatched`
  /// whether or not the rest was read.
  public func isLeftOut(apiVersion: String, kind: String, metadata: ObjectValue) -> Bool {
    let top = Value.object(
      ObjectValue(members: [
        Member(key: "apiVersion", value: .string(apiVersion)),
        Member(key: "kind", value: .string(kind)),
        Member(key: "metadata", value: .object(metadata)),
      ]))
    guard let facts = ObjectFacts(top) else { return false }
    let table = program.skipTable
    if let namespace = facts.namespace, table.namespaces[namespace] != nil { return true }
    if table.names[facts.name] != nil || table.groups[facts.group] != nil { return true }
    var everySkipReadsOnlyMetadata = true
    for index in table.candidates(group: facts.group, kind: facts.kind) {
      let skip = program.skips[index]
      if case .match(let selector) = skip, !selector.conditions.isEmpty {
        everySkipReadsOnlyMetadata = false
      } else if facts.matches(skip, evaluator: self) {
        return true
      }
    }
    guard everySkipReadsOnlyMetadata else { return false }
    for index in program.dispatch.candidates(group: facts.group, kind: facts.kind) {
      // Conditions may read anything: a rule with some may select the object whenever
      // the rest of its selector does.
      var selector = program.rules[index].selector
      selector.conditions = []
      if facts.matches(selector, evaluator: self) { return false }
    }
    return true
  }

  /// A projection that skips each of `paths` (an ancestor's skip covers its descendants).
  static func projection(skipping paths: [[String]]) -> JSONProjection {
    var root = JSONProjection.keep
    for path in paths.sorted(by: {
      ($0.count, $0.joined(separator: "\u{0}")) < ($1.count, $1.joined(separator: "\u{0}"))
    }) {
      root = adding(path[...], to: root)
    }
    return root
  }

  private static func adding(_ path: ArraySlice<String>, to node: JSONProjection)
    -> JSONProjection
  {
    guard let key = path.first else { return .skip }
    switch node {
    case .skip:
      return .skip
    case .keep:
      return .members([key: adding(path.dropFirst(), to: .keep)])
    case .members(var members):
      members[key] = adding(path.dropFirst(), to: members[key] ?? .keep)
      return .members(members)
    }
  }
}

/// The paths a rule set reads or writes, gathered to decide which removed paths are
/// otherwise left alone.
private struct PathUses {
  /// Paths read, or written other than by a harmless `remove`.
  var touched: [[CompiledPath.Step]] = []

  /// Whether nothing touches `path` (a list of keys), its descendants or its ancestors.
  func leavesAlone(_ path: [String]) -> Bool {
    !touched.contains { Self.overlaps($0, path) }
  }

  /// Whether the paths could address the same value or one inside the other.
  static func overlaps(_ steps: [CompiledPath.Step], _ keys: [String]) -> Bool {
    for (step, key) in zip(steps, keys) {
      switch step {
      case .key(let name) where name != key: return false
      case .key, .anyKey: continue
      // A list step never addresses a map's member; the maps along `keys` are the same
      // whether or not the path was left out.
      case .index, .anyElement, .keyed, .equal: return false
      }
    }
    return true
  }

  mutating func noteReads(of selector: CompiledSelector) {
    if !selector.labels.isEmpty { touched.append([.key("metadata"), .key("labels")]) }
    if !selector.annotations.isEmpty {
      touched.append([.key("metadata"), .key("annotations")])
    }
    for condition in selector.conditions { noteReads(of: condition) }
  }

  /// Notes what `code` reads and writes; returns the paths (keys only) it removes on
  /// every run that reaches its end.
  mutating func note(_ code: [Instruction]) -> [[String]] {
    var removed: [[String]] = []
    // Inside `edit … as yaml { }` paths start at the document, not the object: there,
    // only what the edits read from the source counts.
    var documentDepth = 0
    for (index, instruction) in code.enumerated() {
      if documentDepth > 0 {
        switch instruction {
        case .enterDocument: documentDepth += 1
        case .leaveDocument: documentDepth -= 1
        case .set(_, let operand), .setDefault(_, let operand), .append(_, let operand, _, _, _),
          .merge(_, let operand), .replace(_, _, let operand), .patchTemplate(let operand, _),
          .strategicPatch(let operand, _):
          noteReads(of: operand)
        case .image(_, let change):
          if let operand = change.operand { noteReads(of: operand) }
        case .jumpUnless(let condition, _):
          noteReads(of: condition)
        case .dependencies:
          touched.append([.key("spec")])
        case .remove, .patch, .drop, .jump:
          break
        }
        continue
      }
      switch instruction {
      case .enterDocument(let path, _, _):
        touched.append(path.steps)
        documentDepth = 1
      case .leaveDocument:
        break
      case .set(let path, let operand), .setDefault(let path, let operand),
        .append(let path, let operand, _, _, _), .merge(let path, let operand),
        .replace(let path, _, let operand):
        touched.append(path.steps)
        noteReads(of: operand)
      case .remove(let path):
        // Removing a member through maps never fails, whether or not it is there; a
        // list step can (a map where a list was expected).
        if let keys = Self.keys(path.steps) {
          if !Self.isConditional(index, in: code) { removed.append(keys) }
        } else if path.steps.isEmpty || !path.steps.allSatisfy(Self.isMapStep) {
          touched.append(path.steps)
        }
      case .patch(let patch, _):
        for operation in patch.operations {
          for pointer in Self.pointers(operation) {
            touched.append(pointer.tokens.map { .key($0) })
          }
        }
      case .patchTemplate(let operand, _):
        // Pointers built per object: anything may be touched.
        touched.append([])
        noteReads(of: operand)
      case .image(let paths, let change):
        for path in paths { touched.append(path.steps) }
        if let operand = change.operand { noteReads(of: operand) }
      case .strategicPatch(let operand, _):
        // A patch of the whole object: what it leaves alone is merged, so keep everything.
        touched.append([])
        noteReads(of: operand)
      case .dependencies:
        // `DependencyReference` reads the pod templates and a few fields under `spec`.
        touched.append([.key("spec")])
      case .jumpUnless(let condition, _):
        noteReads(of: condition)
      case .drop, .jump:
        break
      }
    }
    return removed
  }

  private mutating func noteReads(of operand: Operand) {
    switch operand {
    case .constant:
      break
    case .read(let path):
      touched.append(path.steps)
    case .interpolate(let pieces):
      for case .read(let path) in pieces { touched.append(path.steps) }
    case .list(let items):
      for item in items { noteReads(of: item) }
    case .map(let entries):
      for (_, value) in entries { noteReads(of: value) }
    }
  }

  private mutating func noteReads(of condition: CompiledCondition) {
    switch condition {
    case .and(let left, let right), .or(let left, let right):
      noteReads(of: left)
      noteReads(of: right)
    case .not(let inner):
      noteReads(of: inner)
    case .exists(let path):
      touched.append(path.steps)
    case .compare(let left, _, let right):
      noteReads(of: left)
      noteReads(of: right)
    case .inList(let operand, let items):
      noteReads(of: operand)
      for item in items { noteReads(of: item) }
    case .matches(let operand, _):
      noteReads(of: operand)
    }
  }

  /// Whether a jump before `index` can pass over it (`when` compiles to forward jumps).
  private static func isConditional(_ index: Int, in code: [Instruction]) -> Bool {
    code[..<index].contains { instruction in
      switch instruction {
      case .jump(let target), .jumpUnless(_, let target): return target > index
      default: return false
      }
    }
  }

  private static func keys(_ steps: [CompiledPath.Step]) -> [String]? {
    var keys: [String] = []
    for step in steps {
      guard case .key(let key) = step else { return nil }
      keys.append(key)
    }
    return keys.isEmpty ? nil : keys
  }

  private static func isMapStep(_ step: CompiledPath.Step) -> Bool {
    switch step {
    case .key, .anyKey: return true
    case .index, .anyElement, .keyed, .equal: return false
    }
  }

  /// The pointers an operation reads or writes.
  private static func pointers(_ operation: JSONPatch.Operation) -> [JSONPointer] {
    switch operation {
    case .add(let target, _), .replace(let target, _), .remove(let target), .test(let target, _):
      return [target]
    case .move(let from, let target), .copy(let from, let target):
      return [from, target]
    }
  }
}
