/// One override policy's selector group, placed in Karmada's order.
struct OverrideTarget {
  var policy: OverridePolicy
  /// No kinds: every kind the policy can see.
  var selection: Selection
  var specificity: Int
}

extension KarmadaWriter {
  /// Karmada applies every matching ClusterOverridePolicy, then every OverridePolicy;
  /// within each, the less specific first (all, then by labels, then by name), ties by
  /// name, so the most specific writes last.
  func overrideTargets() -> [OverrideTarget] {
    var targets: [OverrideTarget] = []
    for policy in policies.overrides {
      if policy.selectors.isEmpty {
        var selection = Selection(kinds: [])
        if let namespace = policy.namespace { selection.namespaces = [SyncText.exact(namespace)] }
        targets.append(OverrideTarget(policy: policy, selection: selection, specificity: 0))
        continue
      }
      for group in Self.groups(policy.selectors) {
        let specificity =
          policy.selectors.filter { group.kinds.contains($0.kindReference) }
          .map(\.specificity).max() ?? 0
        targets.append(OverrideTarget(policy: policy, selection: group, specificity: specificity))
      }
    }
    return targets.enumerated().sorted { left, right in
      let a = left.element
      let b = right.element
      let order = { (target: OverrideTarget) in
        (target.policy.namespace == nil ? 0 : 1, target.specificity)
      }
      if order(a) != order(b) { return order(a) < order(b) }
      if a.policy.name != b.policy.name { return a.policy.name < b.policy.name }
      return left.offset < right.offset
    }.map(\.element)
  }

  /// The rules of one target: its override rules, each limited to what is propagated.
  mutating func overrideDrafts(_ target: OverrideTarget) throws(ImportFailure) -> [RuleDraft] {
    let policy = target.policy
    let origin = "\(policy.kindName) `\(policy.name)` (\(location(policy.node)))"
    var drafts: [RuleDraft] = []
    let selections = effectiveSelections(target, origin: origin, implicitRules: &drafts)
    let base = names.isUsed(policy.name) ? "\(policy.name)-overrides" : policy.name
    for (index, rule) in policy.rules.enumerated() {
      let ruleOrigin = policy.rules.count > 1 ? "\(origin), overrideRules[\(index)]" : origin
      if let cluster, let target = rule.targetCluster {
        switch target.includes(cluster) {
        case false?:
          findings.append(
            rule.node.finding(
              .notForThisCluster,
              "\(ruleOrigin) is left out: its targetCluster does not include `\(cluster)`"))
          leftOut.append("\(ruleOrigin): its targetCluster does not include `\(cluster)`")
          continue
        case nil:
          findings.append(
            rule.node.finding(
              .notForThisCluster,
              "\(ruleOrigin) is translated as if its targetCluster included `\(cluster)`: it depends on cluster labels or fields, which this command cannot see"
            ))
        default: break
        }
      }
      let kinds = selections.flatMap(\.kinds)
      let edits = try OverriderEdits.translate(rule.overriders) { keys in
        kinds.contains { mayBeMissing(keys, in: $0) }
      }
      findings += edits.findings
      for selection in selections {
        var families: [(kinds: [String], edits: [String])] = [
          (selection.kinds.filter(OverriderEdits.templateKinds.contains), edits.template),
          (selection.kinds.filter { $0 == OverriderEdits.podKind }, edits.pod),
        ]
        for (keys, edit, node) in edits.predicated {
          let having = selection.kinds.filter { hasPath(keys, in: $0) }
          let lacking = selection.kinds.filter { !having.contains($0) }
          if !lacking.isEmpty {
            findings.append(
              node.finding(
                .notTranslated,
                "objects of \(lacking.joined(separator: ", ")) have no `/\(keys.joined(separator: "/"))`: Karmada failed the override for them; here the image edit leaves them alone"
              ))
          }
          families.append((having, [edit]))
        }
        families.append((selection.kinds, edits.everyKind))
        for (kinds, lines) in families where !kinds.isEmpty && !lines.isEmpty {
          var limited = selection
          limited.kinds = kinds
          drafts.append(
            RuleDraft(
              name: names.claim(base), comments: [ruleOrigin], selection: limited, edits: lines))
        }
      }
    }
    return drafts
  }

  /// The target's selection within what is propagated; kinds no propagation policy
  /// selects get a rule of their own, with a warning.
  private mutating func effectiveSelections(
    _ target: OverrideTarget, origin: String, implicitRules: inout [RuleDraft]
  ) -> [Selection] {
    var result: [Selection] = []
    var covered: Set<String> = []
    for group in propagated {
      let kinds =
        target.selection.kinds.isEmpty
        ? group.kinds : target.selection.kinds.filter(group.kinds.contains)
      guard !kinds.isEmpty, var merged = Self.intersection(group, target.selection) else {
        continue
      }
      covered.formUnion(kinds)
      merged.kinds = kinds
      if let index = result.firstIndex(where: { $0.hasSameClauses(as: merged) }) {
        result[index].kinds += kinds.filter { !result[index].kinds.contains($0) }
      } else {
        result.append(merged)
      }
    }
    let uncovered = target.selection.kinds.filter { !covered.contains($0) }
    if !uncovered.isEmpty {
      var alone = target.selection
      alone.kinds = uncovered
      result.append(alone)
      findings.append(
        target.policy.node.finding(
          .overrideWithoutPropagation,
          "\(origin) selects \(uncovered.joined(separator: ", ")), which no propagation policy selects: Karmada applied it only to objects `propagateDeps` brought along; the rule for it syncs every object it matches"
        ))
      // What Karmada does to everything it propagates applies to these objects too.
      propagated.append(alone)
      for kind in uncovered {
        var one = alone
        one.kinds = [kind]
        implicitRules.append(
          RuleDraft(
            name: names.claim(target.policy.name),
            comments: ["\(origin): what Karmada does to every object it propagates"],
            selection: one,
            edits: implicitEdits(kind: kind, dependencies: false, selectedBy: target.policy.node)))
      }
    }
    return result
  }

  /// Both selections' clauses at once; nil when no object can meet both.
  static func intersection(_ a: Selection, _ b: Selection) -> Selection? {
    // Empty is "any"; two different single values cannot both hold.
    func both(_ x: [String], _ y: [String]) -> [String]? {
      if x.isEmpty { return y }
      return y.isEmpty || x == y ? x : nil
    }
    guard let namespaces = both(a.namespaces, b.namespaces), let names = both(a.names, b.names)
    else { return nil }
    var result = a
    result.namespaces = namespaces
    result.names = names
    result.labels = a.labels + b.labels.filter { !a.labels.contains($0) }
    return result
  }
}
