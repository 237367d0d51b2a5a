import SyncSchema
import SyncSyntax

extension KindPattern {
  init(_ pattern: NamePattern) {
    switch pattern {
    case .any: self = .any
    case .exact(let text): self = .exact(text)
    case .glob(let text): self = .glob(text)
    }
  }
}

extension KindRef {
  /// The reference as the user would write it, for messages.
  var written: String {
    let group: String
    switch self.group {
    case .exact(""): group = ""
    default: group = "\(self.group)/"
    }
    return "\(group)\(version) \(kind)"
  }
}

extension CheckSession {
  /// Checks a selection's kinds and clauses; returns the known kinds it can match.
  func checkSelection(_ selection: Selection) -> [KindInfo] {
    let kinds = resolveKinds(selection.kinds)
    var namespaceSets: [(Set<String>, SourceRange)] = []
    var nameSets: [(Set<String>, SourceRange)] = []
    for clause in selection.clauses {
      switch clause.form {
      case .namespaces(let patterns):
        checkPatterns(patterns, what: "namespace")
        if let exact = exactNames(patterns) { namespaceSets.append((exact, clause.range)) }
        let clusterOnly = !kinds.isEmpty && kinds.allSatisfy { !$0.namespaced }
        if clusterOnly {
          report(
            CheckerMessages.impossibleScope(
              at: clause.range,
              detail: "it selects namespaces, but every kind it matches is cluster-scoped"))
        }
      case .names(let patterns):
        checkPatterns(patterns, what: "object name")
        if let exact = exactNames(patterns) { nameSets.append((exact, clause.range)) }
      case .labels(let requirements):
        checkLabelSelector(requirements, what: "label")
      case .annotations(let requirements):
        checkLabelSelector(requirements, what: "annotation")
      case .when(let condition):
        for kind in kinds { checkCondition(condition, context: KindContext(info: kind)) }
        if kinds.isEmpty { checkConditionWithoutSchema(condition) }
      case .scope(let scope):
        let wanted = scope == .namespaced
        if !kinds.isEmpty && kinds.allSatisfy({ $0.namespaced != wanted }) {
          report(
            CheckerMessages.impossibleScope(
              at: clause.range,
              detail: "it asks for \(scope.rawValue)-scoped objects, but every kind it matches is "
                + (wanted ? "cluster-scoped" : "namespaced")))
        }
      }
    }
    reportDisjoint(namespaceSets, what: "namespace")
    reportDisjoint(nameSets, what: "name")
    return kinds
  }

  func resolveKinds(_ refs: [KindRef]) -> [KindInfo] {
    var result: [KindInfo] = []
    var seen: Set<GroupVersionKind> = []
    for ref in refs {
      let matched = registry.kinds(
        group: KindPattern(ref.group), version: KindPattern(ref.version),
        kind: KindPattern(ref.kind))
      if matched.isEmpty, let served = servedVersions(of: ref) {
        report(
          CheckerMessages.versionNotServed(
            ref.written, version: ref.version.description, at: ref.range, served: served))
      } else if matched.isEmpty {
        let names = Array(Set(registry.kinds.map(\.gvk.kind))).sorted()
        var suggestion: String?
        if case .exact(let kind) = ref.kind, let close = closestMatch(to: kind, in: names) {
          let owner = registry.kinds.first { $0.gvk.kind == close }
          suggestion = owner.map { "\($0.gvk.apiVersion) \(close)" }
        }
        report(
          CheckerMessages.unknownKind(
            ref.written, at: ref.range, suggestion: suggestion, strict: options.strict))
      }
      for info in matched where !seen.contains(info.gvk) {
        seen.insert(info.gvk)
        result.append(info)
      }
    }
    return result
  }

  /// The versions known for a reference's exact group and kind when its exact version
  /// is not one of them; nil when the reference uses globs or the kind is unknown.
  private func servedVersions(of ref: KindRef) -> [KindInfo]? {
    guard case .exact(let group) = ref.group, case .exact = ref.version,
      case .exact(let kind) = ref.kind
    else { return nil }
    let served = registry.versions(group: group, kind: kind)
    return served.isEmpty ? nil : served
  }

  func checkSkip(_ skip: SkipDecl) {
    switch skip.target {
    case .namespaces(let patterns): checkPatterns(patterns, what: "namespace")
    case .names(let patterns): checkPatterns(patterns, what: "object name")
    case .groups(let patterns): checkPatterns(patterns, what: "API group")
    case .kinds(let refs): _ = resolveKinds(refs)
    case .owned(let refs): if let refs { _ = resolveKinds(refs) }
    case .match(let selection): _ = checkSelection(selection)
    }
  }

  func checkPatterns(_ patterns: [Pattern], what: String) {
    for pattern in patterns {
      switch pattern.form {
      case .exact(let text):
        let problem: String?
        switch what {
        case "namespace":
          problem =
            text.utf8.count > 63
            ? "is longer than 63 characters"
            : NameRules.dnsSubdomainProblem(text)
              ?? (text.contains(".") ? "contains `.`, which namespace names may not" : nil)
        case "API group": problem = text.isEmpty ? nil : NameRules.dnsSubdomainProblem(text)
        default: problem = text.isEmpty ? "is empty" : nil
        }
        if let problem {
          report(
            CheckerMessages.invalidObjectName(text, at: pattern.range, reason: problem, what: what))
        }
      case .glob(let text):
        do throws(Glob.SyntaxError) {
          _ = try Glob(text)
        } catch {
          report(CheckerMessages.invalidGlob(text, at: pattern.range, reason: error.message))
        }
      case .regex(let text):
        checkRegex(text, at: pattern.range)
      }
    }
  }

  func checkRegex(_ text: String, at range: SourceRange) {
    do throws(CompiledRegex.SyntaxError) {
      _ = try CompiledRegex(text)
    } catch {
      report(CheckerMessages.invalidRegex(text, at: range, reason: error.message))
    }
  }

  private func exactNames(_ patterns: [Pattern]) -> Set<String>? {
    var names: Set<String> = []
    for pattern in patterns {
      guard case .exact(let name) = pattern.form else { return nil }
      names.insert(name)
    }
    return names
  }

  private func reportDisjoint(_ sets: [(Set<String>, SourceRange)], what: String) {
    guard sets.count > 1 else { return }
    var common = sets[0].0
    for (names, range) in sets.dropFirst() {
      common.formIntersection(names)
      if common.isEmpty {
        report(
          CheckerMessages.neverMatches(
            at: range, detail: "no \(what) is in every `\(what == "name" ? "named" : "in")` clause",
            note: sets[0].1))
        return
      }
    }
  }

  func checkLabelSelector(_ requirements: [LabelRequirement], what: String) {
    var required: [String: (String, SourceRange)] = [:]
    var absent: [String: SourceRange] = [:]
    for requirement in requirements {
      if let problem = NameRules.qualifiedNameProblem(requirement.key) {
        report(
          CheckerMessages.invalidLabelKey(
            requirement.key, at: requirement.keyRange, reason: problem, what: what))
      }
      if what == "label" {
        for value in requirement.values {
          if let problem = NameRules.labelValueProblem(value.text) {
            report(CheckerMessages.invalidLabelValue(value.text, at: value.range, reason: problem))
          }
        }
      }
      switch requirement.op {
      case .equals:
        if let value = requirement.values.first?.text {
          if let (other, range) = required[requirement.key], other != value {
            report(
              CheckerMessages.neverMatches(
                at: requirement.range,
                detail: "`\(requirement.key)` cannot equal both `\(other)` and `\(value)`",
                note: range))
          }
          if let range = absent[requirement.key] {
            report(
              CheckerMessages.neverMatches(
                at: requirement.range, detail: "`\(requirement.key)` is also required to be absent",
                note: range))
          }
          required[requirement.key] = (value, requirement.range)
        }
      case .doesNotExist:
        if let (_, range) = required[requirement.key] {
          report(
            CheckerMessages.neverMatches(
              at: requirement.range,
              detail: "`\(requirement.key)` is also required to have a value", note: range))
        }
        absent[requirement.key] = requirement.range
      default:
        break
      }
    }
  }

  /// Reports rules that a `skip` hides entirely: every kind they match is skipped, or
  /// every namespace or name they are limited to is.
  func checkHiddenBySkip(_ rule: RuleDecl, kinds: [KindInfo]) {
    let exactKindRefs = rule.selection.kinds.allSatisfy { ref in
      if case .exact = ref.group, case .exact = ref.kind { return true }
      return false
    }
    for skip in skips {
      switch skip.target {
      case .kinds(let refs):
        guard exactKindRefs, !kinds.isEmpty else { continue }
        let skipped = kinds.allSatisfy { info in refs.contains { $0.matches(info.gvk) } }
        if skipped {
          report(
            CheckerMessages.hiddenBySkip(
              rule: rule.name, detail: "every kind it matches is skipped", skip: skip.range))
        }
      case .groups(let patterns):
        guard exactKindRefs, !kinds.isEmpty else { continue }
        if kinds.allSatisfy({ info in patterns.contains { $0.matches(info.gvk.group) } }) {
          report(
            CheckerMessages.hiddenBySkip(
              rule: rule.name, detail: "every API group it matches is skipped", skip: skip.range))
        }
      case .namespaces(let patterns):
        for clause in rule.selection.clauses {
          guard case .namespaces(let wanted) = clause.form,
            let names = exactNames(wanted),
            names.allSatisfy({ name in patterns.contains { $0.matches(name) } })
          else { continue }
          report(
            CheckerMessages.hiddenBySkip(
              rule: rule.name, detail: "every namespace it is limited to is skipped",
              skip: skip.range))
        }
      case .names(let patterns):
        for clause in rule.selection.clauses {
          guard case .names(let wanted) = clause.form,
            let names = exactNames(wanted),
            names.allSatisfy({ name in patterns.contains { $0.matches(name) } })
          else { continue }
          report(
            CheckerMessages.hiddenBySkip(
              rule: rule.name, detail: "every name it is limited to is skipped", skip: skip.range))
        }
      case .owned, .match:
        continue
      }
    }
  }
}

extension KindRef {
  /// Whether this reference selects `gvk` (used by skip analysis; the runtime has its own
  /// compiled matcher).
  func matches(_ gvk: GroupVersionKind) -> Bool {
    Self.matches(group, gvk.group) && Self.matches(version, gvk.version)
      && Self.matches(kind, gvk.kind)
  }

  static func matches(_ pattern: NamePattern, _ text: String) -> Bool {
    switch pattern {
    case .any: return true
    case .exact(let exact): return exact == text
    case .glob(let glob): return (try? Glob(glob))?.matches(text) ?? false
    }
  }
}

extension Pattern {
  func matches(_ text: String) -> Bool {
    switch form {
    case .exact(let exact): return exact == text
    case .glob(let glob): return (try? Glob(glob))?.matches(text) ?? false
    case .regex(let regex): return (try? CompiledRegex(regex))?.matchesWhole(text) ?? false
    }
  }
}
