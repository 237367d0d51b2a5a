import SyncValue

/// Prints a ``PatchProgram`` for humans: `syncrules explain`.
///
/// The dump is deterministic (tables sorted, no addresses) so it can be diffed and
/// compared byte for byte between runs.
public enum Disassembler {
  public static func render(_ program: PatchProgram) -> String {
    var out = ""
    out += "program: \(program.rules.count) rule\(program.rules.count == 1 ? "" : "s"), "
    out += "\(program.skips.count) skip\(program.skips.count == 1 ? "" : "s"), "
    out += "\(program.segments.count) interned keys, \(program.constants.count) constants\n"
    if !program.skips.isEmpty {
      out += "\nskips (checked first; a skipped object is never synced):\n"
      for skip in program.skips { out += "  " + describe(skip) + "\n" }
      out += describe(program.skipTable)
    }
    out += "\ndispatch (group/Kind → rules tried, in order):\n"
    let names = program.rules.map(\.name)
    for (key, rules) in program.dispatch.exact.sorted(by: {
      ($0.key.group, $0.key.kind) < ($1.key.group, $1.key.kind)
    }) {
      let group = key.group.isEmpty ? "core" : key.group
      out += "  \(group)/\(key.kind) → \(rules.map { names[$0] }.joined(separator: ", "))\n"
    }
    let other = program.dispatch.wildcard.map { names[$0] }
    out +=
      "  any other kind → \(other.isEmpty ? "(no rule: not synced)" : other.joined(separator: ", "))\n"
    if !program.constants.isEmpty {
      out += "\nconstants:\n"
      for (index, value) in program.constants.enumerated() {
        out += "  #\(index) = \(JSON.serialize(value))\n"
      }
    }
    for rule in program.rules {
      let header = program.locations[rule.location]
      out += "\nrule \(rule.name)    ; \(header)\n"
      out += "  match " + describe(rule.selector) + "\n"
      if rule.code.isEmpty { out += "  (no edits: synced unchanged)\n" }
      for (index, instruction) in rule.code.enumerated() {
        let location = program.locations[rule.codeLocations[index]]
        let text = describe(instruction)
        let padded = text.count < 56 ? text + String(repeating: " ", count: 56 - text.count) : text
        out +=
          "  \(pad(index))  \(padded) ; \(location.line):\(location.column)  \(location.excerpt)\n"
      }
    }
    return out
  }

  private static func pad(_ index: Int) -> String {
    let digits = String(index)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
  }

  static func describe(_ instruction: Instruction) -> String {
    switch instruction {
    case .set(let path, let value): return "set      \(path) = \(describe(value))"
    case .setDefault(let path, let value): return "default  \(path) = \(describe(value))"
    case .remove(let path): return "remove   \(path)"
    case .append(let path, let value, let ifAbsent, let atStart, let keys):
      var text = (atStart ? "prepend  " : "append   ") + "\(path) \(describe(value))"
      if ifAbsent {
        text +=
          keys.isEmpty
          ? " if absent (whole element)" : " if absent (by \(keys.joined(separator: ", ")))"
      }
      return text
    case .merge(let path, let value): return "merge    \(path) \(describe(value))"
    case .replace(let path, let matcher, let value):
      return "replace  \(path) \(describe(matcher)) -> \(describe(value))"
    case .drop: return "drop"
    case .dependencies(let kinds):
      return "deps     " + kinds.sorted().map(\.rawValue).joined(separator: ", ")
    case .patch(let patch, let ifTestsPass):
      return "patch    \(patch.operations.count) operation(s)\(ifTestsPass ? " if tests pass" : "")"
    case .patchTemplate(let operand, let ifTestsPass):
      return "patch    \(describe(operand))\(ifTestsPass ? " if tests pass" : "")"
    case .jumpUnless(let condition, let target):
      return "unless   \(describe(condition)) goto \(pad(target))"
    case .jump(let target): return "goto     \(pad(target))"
    case .image(let paths, let change):
      let targets = paths.map(\.description).joined(separator: ", ")
      switch change {
      case .set(let part, let value):
        return "image    \(targets) set \(part.rawValue) = \(describe(value))"
      case .append(let part, let value):
        return "image    \(targets) append \(part.rawValue) \(describe(value))"
      case .remove(let part): return "image    \(targets) remove \(part.rawValue)"
      }
    case .strategicPatch(let operand, let strategies):
      return "patch    strategic \(describe(operand)) (strategies of \(strategies.count) kind(s))"
    case .enterDocument(let path, let format, let end):
      return "edit     \(path) as \(format.rawValue) (to \(pad(end)))"
    case .leaveDocument: return "end edit (write the document back)"
    }
  }

  static func describe(_ operand: Operand) -> String {
    switch operand {
    case .constant(let index): return "#\(index)"
    case .read(let path): return "source.\(path)"
    case .interpolate(let pieces):
      return "\""
        + pieces.map { piece in
          switch piece {
          case .text(let text): return text
          case .read(let path): return "${\(path)}"
          }
        }.joined() + "\""
    case .list(let items): return "[" + items.map(describe).joined(separator: ", ") + "]"
    case .map(let entries):
      return "{" + entries.map { "\($0.0): \(describe($0.1))" }.joined(separator: ", ") + "}"
    }
  }

  static func describe(_ matcher: TextMatcher) -> String {
    switch matcher {
    case .substring(let text): return "\"\(text)\""
    case .prefix(let text): return "prefix \"\(text)\""
    case .suffix(let text): return "suffix \"\(text)\""
    case .regex(let regex): return "re\"\(regex.pattern)\""
    }
  }

  static func describe(_ condition: CompiledCondition) -> String {
    switch condition {
    case .and(let left, let right): return "(\(describe(left)) and \(describe(right)))"
    case .or(let left, let right): return "(\(describe(left)) or \(describe(right)))"
    case .not(let inner): return "not \(describe(inner))"
    case .exists(let path): return "\(path) exists"
    case .compare(let left, let op, let right):
      return "\(describe(left)) \(op.rawValue) \(describe(right))"
    case .inList(let left, let items):
      return "\(describe(left)) in [" + items.map(describe).joined(separator: ", ") + "]"
    case .matches(let subject, let matcher):
      return "\(describe(subject)) matches \(describe(matcher))"
    }
  }

  static func describe(_ matcher: NameMatcher) -> String {
    switch matcher {
    case .exact(let text): return text
    case .glob(let glob): return "\"\(glob.pattern)\""
    case .regex(let regex): return "re\"\(regex.pattern)\""
    }
  }

  static func describe(_ matcher: KindMatcher) -> String {
    let group = matcher.group.map(describe) ?? "*"
    let version = matcher.version.map(describe) ?? "*"
    let kind = matcher.kind.map(describe) ?? "*"
    return (group.isEmpty ? version : "\(group)/\(version)") + " " + kind
  }

  static func describe(_ selector: CompiledSelector) -> String {
    var parts = [selector.kinds.map(describe).joined(separator: " | ")]
    for clause in selector.namespaces {
      parts.append("in " + clause.map(describe).joined(separator: ", "))
    }
    for clause in selector.names {
      parts.append("named " + clause.map(describe).joined(separator: ", "))
    }
    if !selector.labels.isEmpty {
      parts.append("labels " + selector.labels.map(describe).joined(separator: ", "))
    }
    if !selector.annotations.isEmpty {
      parts.append("annotations " + selector.annotations.map(describe).joined(separator: ", "))
    }
    for condition in selector.conditions { parts.append("when " + describe(condition)) }
    if let namespaced = selector.namespaced {
      parts.append("scope " + (namespaced ? "namespaced" : "cluster"))
    }
    return parts.joined(separator: " ")
  }

  static func describe(_ requirement: CompiledRequirement) -> String {
    switch requirement.test {
    case .equals(let value): return "\(requirement.key)=\(value)"
    case .notEquals(let value): return "\(requirement.key)!=\(value)"
    case .oneOf(let values):
      return "\(requirement.key) in (\(values.sorted().joined(separator: ", ")))"
    case .noneOf(let values):
      return "\(requirement.key) notin (\(values.sorted().joined(separator: ", ")))"
    case .exists: return requirement.key
    case .absent: return "!\(requirement.key)"
    }
  }

  /// How the skips are looked up: `#n` is the n-th skip above, counting from 1.
  static func describe(_ table: SkipTable) -> String {
    func number(_ index: Int) -> String { "#\(index + 1)" }
    func lookups(_ map: [String: Int]) -> String {
      map.sorted { $0.key < $1.key }.map { "\($0.key) → \(number($0.value))" }
        .joined(separator: ", ")
    }
    var out = "\nskip lookup (the first skip that matches counts):\n"
    if !table.namespaces.isEmpty { out += "  namespace " + lookups(table.namespaces) + "\n" }
    if !table.names.isEmpty { out += "  name " + lookups(table.names) + "\n" }
    if !table.groups.isEmpty { out += "  group " + lookups(table.groups) + "\n" }
    for (key, skips) in table.byKind.sorted(by: {
      ($0.key.group, $0.key.kind) < ($1.key.group, $1.key.kind)
    }) {
      let group = key.group.isEmpty ? "core" : key.group
      out += "  \(group)/\(key.kind) → tries \(skips.map(number).joined(separator: ", "))\n"
    }
    let other = table.everyObject.map(number).joined(separator: ", ")
    out += "  any other kind → tries \(other.isEmpty ? "none" : other)\n"
    return out
  }

  static func describe(_ skip: CompiledSkip) -> String {
    switch skip {
    case .namespaces(let matchers):
      return "skip namespaces " + matchers.map(describe).joined(separator: ", ")
    case .names(let matchers): return "skip names " + matchers.map(describe).joined(separator: ", ")
    case .groups(let matchers):
      return "skip groups " + matchers.map(describe).joined(separator: ", ")
    case .kinds(let matchers): return "skip kinds " + matchers.map(describe).joined(separator: ", ")
    case .owned(let matchers):
      return "skip owned"
        + (matchers.map { " by " + $0.map(describe).joined(separator: ", ") } ?? "")
    case .match(let selector): return "skip match " + describe(selector)
    }
  }
}
