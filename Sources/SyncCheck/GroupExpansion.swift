import SyncSyntax

/// How many edits a block becomes once the compiler has inlined every `use`.
///
/// Groups are inlined, so a chain of groups that each use the next twice doubles the code
/// at every step: thirty groups make a billion edits. The checker measures the expansion
/// before checking (which also walks every `use`) and refuses a rule that grows past
/// ``maximumEdits`` (E0207), so a hostile file cannot make `check` or the compiler run
/// for hours.
struct GroupExpansion {
  /// The most edits one rule may hold once its groups are inlined.
  static let maximumEdits = 10_000

  let groups: [String: GroupDecl]
  private var sizes: [String: Int] = [:]
  private var inProgress: Set<String> = []

  init(groups: [String: GroupDecl]) {
    self.groups = groups
  }

  /// The inlined size of `block`, saturating just past ``maximumEdits``. Cycles and
  /// unknown groups count as nothing here: the checker reports them on their own.
  mutating func size(of block: Block, depth: Int = 0) -> Int {
    var total = 0
    for edit in block.edits {
      total = min(total + size(of: edit, depth: depth), Self.maximumEdits + 1)
    }
    return total
  }

  private mutating func size(of edit: Edit, depth: Int) -> Int {
    // Deeper than this is E0118 (the checker does not descend), so it adds nothing.
    guard depth <= Parser.maximumNestingDepth else { return 0 }
    switch edit.form {
    case .use(let name):
      if let known = sizes[name.text] { return known }
      guard let group = groups[name.text], !inProgress.contains(name.text) else { return 0 }
      inProgress.insert(name.text)
      let result = size(of: group.body, depth: depth + 1)
      inProgress.remove(name.text)
      sizes[name.text] = result
      return result
    case .when(_, let then, let otherwise):
      let branches = size(of: then, depth: depth + 1)
      return 1 + branches + (otherwise.map { size(of: $0, depth: depth + 1) } ?? 0)
    case .remove(let paths):
      return paths.count
    case .replace(let paths, _, _):
      return paths.count
    default:
      return 1
    }
  }
}

extension GroupExpansion {
  /// The names a block `use`s, `when` blocks included.
  static func uses(in block: Block) -> [String] {
    var names: [String] = []
    for edit in block.edits {
      switch edit.form {
      case .use(let name):
        names.append(name.text)
      case .when(_, let then, let otherwise):
        // Bounded by the parser's nesting limit.
        names += uses(in: then) + (otherwise.map(uses) ?? [])
      default:
        break
      }
    }
    return names
  }

  /// The groups to check on their own, for what does not depend on a kind: those no rule
  /// reaches. A group a rule uses is checked there, against the rule's kinds; a group
  /// used by another group is checked inside it. Checking each group on its own as well
  /// would walk a chain of N groups N times and report its problems once per start.
  static func standaloneGroups(rules: [RuleDecl], groups: [String: GroupDecl]) -> [GroupDecl] {
    let usedByRules = rules.compactMap(\.body).flatMap(uses)
    var used = Set(usedByRules)
    for group in groups.values { used.formUnion(uses(in: group.body)) }
    let roots = Set(groups.keys.filter { !used.contains($0) })
    // Every group a rule or a root reaches is checked there.
    var reached: Set<String> = []
    var pending = usedByRules + roots.flatMap { uses(in: groups[$0]!.body) }
    while let name = pending.popLast() {
      guard let group = groups[name], reached.insert(name).inserted else { continue }
      pending += uses(in: group.body)
    }
    // Roots, and groups only reachable from each other (a cycle no rule uses).
    return groups.values.filter { roots.contains($0.name.text) || !reached.contains($0.name.text) }
      .sorted { $0.range.start < $1.range.start }
  }
}
