/// What a translated rule selects: kinds and the clauses every one of them shares.
struct Selection: Hashable {
  /// Kind references, `apps/v1 Deployment`, in the order first named.
  var kinds: [String]
  var namespaces: [String] = []
  var names: [String] = []
  /// Each is one `labels` clause; several must all hold.
  var labels: [String] = []
  /// `when` conditions, joined with `and`.
  var conditions: [String] = []
  /// `namespaced` or `cluster`.
  var scope: String?

  /// The clauses after `match KINDS`.
  var clauses: [String] {
    var result: [String] = []
    if !namespaces.isEmpty { result.append("in " + namespaces.joined(separator: ", ")) }
    if !names.isEmpty { result.append("named " + names.joined(separator: ", ")) }
    result += labels.map { "labels " + $0 }
    if let scope { result.append("scope \(scope)") }
    if !conditions.isEmpty { result.append("when " + conditions.joined(separator: " and ")) }
    return result
  }

  /// The same clauses (kinds aside).
  func hasSameClauses(as other: Selection) -> Bool {
    namespaces == other.namespaces && names == other.names && labels == other.labels
      && conditions == other.conditions && scope == other.scope
  }
}

/// A rule being written: its comment lines, selection and edits.
struct RuleDraft {
  var name: String
  var comments: [String]
  var selection: Selection
  /// Edit lines, already indented by two spaces where they start a statement.
  var edits: [String]

  var text: String {
    var lines = comments.map { "# " + $0 }
    var head = "rule \(name) match " + selection.kinds.joined(separator: ", ")
    let clauses = selection.clauses
    if !clauses.isEmpty {
      head +=
        clauses.count == 1 && head.count + clauses[0].count < 90
        ? " " + clauses[0] : "\n  " + clauses.joined(separator: "\n  ")
    }
    if edits.isEmpty {
      lines.append(head)
    } else {
      lines.append(head + (clauses.count > 1 ? "\n{" : " {"))
      lines += edits.map { $0.isEmpty ? "" : "  " + $0 }
      lines.append("}")
    }
    return lines.joined(separator: "\n")
  }
}

/// Hands out rule names that are unique in the file: `pvc`, then `pvc-2`, `pvc-3`.
struct RuleNames {
  private var used: Set<String> = []

  func isUsed(_ name: String) -> Bool { used.contains(Self.sanitized(name)) }

  mutating func claim(_ wanted: String) -> String {
    let base = Self.sanitized(wanted)
    var name = base
    var counter = 2
    while used.contains(name) {
      name = "\(base)-\(counter)"
      counter += 1
    }
    used.insert(name)
    return name
  }

  /// Rule names are words: letters, digits, `-` and `_`.
  static func sanitized(_ text: String) -> String {
    let mapped = text.map { character -> Character in
      character.isLetter || character.isNumber || character == "-" || character == "_"
        ? character : "-"
    }
    let name = String(mapped).trimmingCharacters(in: "-")
    return name.isEmpty ? "rule" : name
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: Character) -> String {
    var result = Substring(self)
    while result.first == set { result.removeFirst() }
    while result.last == set { result.removeLast() }
    return String(result)
  }
}
