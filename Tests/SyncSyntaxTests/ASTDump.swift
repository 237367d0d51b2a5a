import SyncSyntax
import SyncValue

/// Prints a ``RuleFile`` as an indented S-expression: one line per item, clause and
/// edit; values and conditions inline. Ranges print as `@line:col-line:col` on items,
/// edits, kinds and paths, so golden files also pin where nodes point.
struct ASTDump {
  let file: SourceFile
  private var lines: [String] = []

  init(file: SourceFile) {
    self.file = file
  }

  static func dump(_ ruleFile: RuleFile, in file: SourceFile) -> String {
    var printer = ASTDump(file: file)
    for item in ruleFile.items { printer.item(item) }
    return printer.lines.joined(separator: "\n") + "\n"
  }

  private mutating func line(_ depth: Int, _ text: String) {
    lines.append(String(repeating: "  ", count: depth) + text)
  }

  private func at(_ range: SourceRange) -> String {
    let start = file.location(of: range.start)
    let end = file.location(of: range.end)
    return "@\(start.line):\(start.column)-\(end.line):\(end.column)"
  }

  private mutating func item(_ item: Item) {
    switch item {
    case .importDecl(let decl):
      line(0, "(import \(quote(decl.path)) \(at(decl.range)))")
    case .skip(let decl):
      line(0, "(skip \(at(decl.range))")
      switch decl.target {
      case .namespaces(let patterns): line(1, "(namespaces \(self.patterns(patterns))))")
      case .names(let patterns): line(1, "(names \(self.patterns(patterns))))")
      case .groups(let patterns): line(1, "(groups \(self.patterns(patterns))))")
      case .kinds(let kinds): line(1, "(kinds \(kinds.map(kind).joined(separator: " "))))")
      case .owned(let kinds):
        let by = kinds.map { " (by " + $0.map(kind).joined(separator: " ") + ")" } ?? ""
        line(1, "(owned\(by)))")
      case .match(let selection):
        self.selection(selection, depth: 1)
        lines[lines.count - 1] += ")"
      }
    case .rule(let decl):
      line(0, "(rule \(decl.name.text) \(at(decl.range))")
      selection(decl.selection, depth: 1)
      if let body = decl.body { block(body, depth: 1) }
      lines[lines.count - 1] += ")"
    case .group(let decl):
      line(0, "(group \(decl.name.text) \(at(decl.range))")
      block(decl.body, depth: 1)
      lines[lines.count - 1] += ")"
    }
  }

  private mutating func selection(_ selection: Selection, depth: Int) {
    line(depth, "(match \(selection.kinds.map(kind).joined(separator: " "))")
    for clause in selection.clauses {
      let text: String
      switch clause.form {
      case .namespaces(let list): text = "(in \(patterns(list)))"
      case .names(let list): text = "(named \(patterns(list)))"
      case .labels(let list): text = "(labels \(list.map(requirement).joined(separator: " ")))"
      case .annotations(let list):
        text = "(annotations \(list.map(requirement).joined(separator: " ")))"
      case .when(let condition): text = "(when \(self.condition(condition)))"
      case .scope(let scope): text = "(scope \(scope.rawValue))"
      }
      line(depth + 1, text)
    }
    lines[lines.count - 1] += ")"
  }

  private func kind(_ ref: KindRef) -> String {
    func part(_ pattern: NamePattern) -> String {
      switch pattern {
      case .any: return "*"
      case .exact(let text): return text.isEmpty ? "\"\"" : text
      case .glob(let text): return "(glob \(text))"
      }
    }
    return "(kind \(part(ref.group)) \(part(ref.version)) \(part(ref.kind)) \(at(ref.range)))"
  }

  private func patterns(_ list: [Pattern]) -> String {
    list.map { pattern in
      switch pattern.form {
      case .exact(let text): return "(exact \(quote(text)))"
      case .glob(let text): return "(glob \(quote(text)))"
      case .regex(let text): return "(regex \(quote(text)))"
      }
    }.joined(separator: " ")
  }

  private func requirement(_ requirement: LabelRequirement) -> String {
    let values = requirement.values.map { " " + quote($0.text) }.joined()
    return "(\(requirement.op.rawValue) \(quote(requirement.key))\(values))"
  }

  private mutating func block(_ block: Block, depth: Int) {
    line(depth, "(block")
    for edit in block.edits { self.edit(edit, depth: depth + 1) }
    lines[lines.count - 1] += ")"
  }

  private mutating func edit(_ edit: Edit, depth: Int) {
    let place = at(edit.range)
    switch edit.form {
    case .set(let path, let value):
      line(depth, "(set \(place) \(self.path(path)) \(expression(value)))")
    case .defaultValue(let path, let value):
      line(depth, "(default \(place) \(self.path(path)) \(expression(value)))")
    case .remove(let paths):
      line(depth, "(remove \(place) \(paths.map(path).joined(separator: " ")))")
    case .append(let path, let value, let ifAbsent, let atStart):
      let name = atStart ? "prepend" : "append"
      let flag = ifAbsent ? " if-absent" : ""
      line(depth, "(\(name) \(place) \(self.path(path)) \(expression(value))\(flag))")
    case .merge(let path, let value):
      line(depth, "(merge \(place) \(self.path(path)) \(expression(value)))")
    case .replace(let paths, let match, let value):
      let targets = paths.map(path).joined(separator: " ")
      line(depth, "(replace \(place) \(targets) \(textMatch(match)) \(expression(value)))")
    case .drop:
      line(depth, "(drop \(place))")
    case .patch(let value, let ifTestsPass):
      line(depth, "(patch \(place) \(expression(value))\(ifTestsPass ? " if-tests-pass" : ""))")
    case .use(let name):
      line(depth, "(use \(place) \(name.text))")
    case .dependencies(let kinds):
      line(depth, "(dependencies \(place)\(kinds.map { " " + $0.text }.joined()))")
    case .image(let paths, let change):
      let targets = paths.map(path).joined(separator: " ")
      switch change {
      case .set(let part, let value):
        line(depth, "(image \(place) \(targets) set \(part.rawValue) \(expression(value)))")
      case .append(let part, let value):
        line(depth, "(image \(place) \(targets) append \(part.rawValue) \(expression(value)))")
      case .remove(let part):
        line(depth, "(image \(place) \(targets) remove \(part.rawValue))")
      }
    case .strategicPatch(let value):
      line(depth, "(patch-strategic \(place) \(expression(value)))")
    case .document(let path, let format, let body):
      line(depth, "(edit \(place) \(self.path(path)) as \(format.rawValue)")
      block(body, depth: depth + 1)
      lines[lines.count - 1] += ")"
    case .when(let condition, let body, let otherwise):
      line(depth, "(when \(place) \(self.condition(condition))")
      block(body, depth: depth + 1)
      if let otherwise {
        line(depth + 1, "(else")
        block(otherwise, depth: depth + 2)
        lines[lines.count - 1] += ")"
      }
      lines[lines.count - 1] += ")"
    }
  }

  private func path(_ path: Path) -> String {
    "(path \(path) \(at(path.range)))"
  }

  private func textMatch(_ match: TextMatch) -> String {
    switch match.form {
    case .substring(let text): return "(substring \(quote(text)))"
    case .prefix(let text): return "(prefix \(quote(text)))"
    case .suffix(let text): return "(suffix \(quote(text)))"
    case .regex(let text): return "(regex \(quote(text)))"
    }
  }

  private func expression(_ expression: Expression) -> String {
    switch expression.form {
    case .literal(let value): return self.value(value)
    case .list(let items): return "(list" + items.map { " " + self.expression($0) }.joined() + ")"
    case .map(let entries):
      return "(map"
        + entries.map { " (\(quote($0.key)) \(self.expression($0.value)))" }.joined() + ")"
    case .path(let path): return self.path(path)
    case .interpolated(let parts):
      return "(interpolated"
        + parts.map { part in
          switch part {
          case .text(let text): return " " + quote(text)
          case .path(let path): return " " + self.path(path)
          }
        }.joined() + ")"
    case .yaml(let text): return "(yaml \(quote(text)))"
    }
  }

  private func value(_ value: Value) -> String {
    switch value {
    case .null: return "null"
    case .bool(let flag): return "(bool \(flag))"
    case .int(let number): return "(int \(number))"
    case .double(let number): return "(double \(number))"
    case .string(let text): return quote(text)
    case .array(let items): return "(array" + items.map { " " + self.value($0) }.joined() + ")"
    case .object(let object):
      return "(object"
        + object.members.map { " (\(quote($0.key)) \(self.value($0.value)))" }.joined() + ")"
    }
  }

  private func condition(_ condition: Condition) -> String {
    switch condition.form {
    case .and(let left, let right): return "(and \(self.condition(left)) \(self.condition(right)))"
    case .or(let left, let right): return "(or \(self.condition(left)) \(self.condition(right)))"
    case .not(let operand): return "(not \(self.condition(operand)))"
    case .exists(let path): return "(exists \(self.path(path)))"
    case .missing(let path): return "(missing \(self.path(path)))"
    case .compare(let left, let op, let right):
      return "(\(op.rawValue) \(expression(left)) \(expression(right)))"
    case .inList(let value, let list, let negated):
      let items = list.map { " " + expression($0) }.joined()
      return "(\(negated ? "not-in-list" : "in-list") \(expression(value))\(items))"
    case .matches(let value, let match):
      return "(matches \(expression(value)) \(textMatch(match)))"
    }
  }

  /// A double-quoted string with `\"`, `\\`, `\n`, `\t` and `\r` escaped.
  private func quote(_ text: String) -> String {
    var result = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": result += "\\\""
      case "\\": result += "\\\\"
      case "\n": result += "\\n"
      case "\t": result += "\\t"
      case "\r": result += "\\r"
      default: result.unicodeScalars.append(scalar)
      }
    }
    return result + "\""
  }
}
