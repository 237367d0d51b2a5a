import SyncSchema
import SyncSyntax
import SyncValue

extension CheckSession {
  /// Checks that `expression` can be stored where `target` describes: its type, and
  /// for the constant parts the schema's validation keywords.
  func checkValue(
    _ expression: Expression, against target: Resolution, path: String, context: KindContext,
    mode: WriteMode = .whole
  ) {
    switch expression.form {
    case .path(let source):
      var found: [Diagnostic] = []
      let read = SchemaPathResolver.resolve(source, in: context, diagnostics: &found)
      report(found.map { Self.suggestQuoting($0, source) })
      guard case .node(let node) = target, case .node(let sourceNode)? = read else { return }
      if !admits(node, sourceNode.types) && !sourceNode.isIntOrString {
        report(
          CheckerMessages.typeMismatch(
            "`\(path)`", expected: node.typeDescription,
            found: "`\(source)`, which is \(sourceNode.typeDescription)", at: expression.range,
            kind: context.label))
      }
    case .interpolated(let parts):
      checkInterpolation(parts, at: expression.range, context: context)
      if case .node(let node) = target, !node.acceptsString {
        report(
          CheckerMessages.typeMismatch(
            "`\(path)`", expected: node.typeDescription, found: "a string", at: expression.range,
            kind: context.label))
      }
    case .list(let items):
      guard case .node(let node) = target else {
        for item in items { checkValue(item, against: .unchecked, path: path, context: context) }
        return
      }
      guard node.acceptsArray else {
        report(mismatch(path, node, found: "a list", at: expression.range, context: context))
        return
      }
      if mode != .strategic {
        checkListConstraints(
          items.map(constantValue), node: node, path: path, at: expression.range)
      }
      let element: Resolution = node.items.map { .node($0) } ?? .unchecked
      for item in items {
        checkValue(
          item, against: element, path: path + "[]", context: context,
          mode: mode == .strategic ? .strategic : .whole)
      }
    case .map(let entries):
      guard case .node(let node) = target else {
        for entry in entries {
          checkValue(entry.value, against: .unchecked, path: path, context: context)
        }
        return
      }
      guard node.acceptsObject else {
        report(mismatch(path, node, found: "a map", at: expression.range, context: context))
        return
      }
      for entry in entries {
        if mode == .strategic && entry.key.hasPrefix("$") { continue }
        guard let child = child(of: node, named: entry.key) else {
          report(
            CheckerMessages.unknownField(
              entry.key, at: entry.keyRange, owner: "`\(path)`", kind: context.label,
              suggestion: closestMatch(to: entry.key, in: node.propertyNames)))
          continue
        }
        checkValue(
          entry.value, against: child, path: path + "." + entry.key, context: context, mode: mode)
      }
      if mode == .whole {
        let keys = entries.filter { constantValue($0.value) != Value.null }.map(\.key)
        checkObjectConstraints(keys: keys, node: node, path: path, at: expression.range)
      }
    case .literal(let value):
      checkConstant(
        value, against: target, path: path, at: expression.range, context: context, mode: mode)
    case .yaml:
      guard let value = yamlValues[expression.range] else { return }
      checkConstant(
        value, against: target, path: path, at: expression.range, context: context, mode: mode)
    }
  }

  /// A bare word in value position reads the object (`tier: web` reads a field `web`);
  /// when that field does not exist the user almost always meant a string.
  static func suggestQuoting(_ diagnostic: Diagnostic, _ source: Path) -> Diagnostic {
    guard diagnostic.code == .unknownField, source.components.count == 1,
      case .field(let word) = source.components[0].form
    else { return diagnostic }
    var changed = diagnostic
    changed.help = "a bare word reads a field of the object; for the text, quote it: \"\(word)\""
    return changed
  }

  private func child(of node: SchemaNode, named key: String) -> Resolution? {
    if let property = node.property(key) { return .node(property) }
    if let values = node.additionalProperties { return .node(values) }
    return node.allowsAnyKey ? .unchecked : nil
  }

  private func checkConstant(
    _ value: Value, against target: Resolution, path: String, at range: SourceRange,
    context: KindContext, mode: WriteMode
  ) {
    guard case .node(let node) = target else { return }
    switch value {
    case .null:
      return
    case .array(let items):
      guard node.acceptsArray else {
        report(mismatch(path, node, found: "a list", at: range, context: context))
        return
      }
      if mode != .strategic { checkListConstraints(items, node: node, path: path, at: range) }
      let element: Resolution = node.items.map { .node($0) } ?? .unchecked
      for item in items {
        checkConstant(
          item, against: element, path: path + "[]", at: range, context: context,
          mode: mode == .strategic ? .strategic : .whole)
      }
    case .object(let object):
      guard node.acceptsObject else {
        report(mismatch(path, node, found: "a map", at: range, context: context))
        return
      }
      for member in object.members {
        if mode == .strategic && member.key.hasPrefix("$") { continue }
        guard let child = child(of: node, named: member.key) else {
          report(
            CheckerMessages.unknownField(
              member.key, at: range, owner: "`\(path)`", kind: context.label,
              suggestion: closestMatch(to: member.key, in: node.propertyNames)))
          continue
        }
        checkConstant(
          member.value, against: child, path: path + "." + member.key, at: range, context: context,
          mode: mode)
      }
      if mode == .whole {
        let keys = object.members.filter { $0.value != Value.null }.map(\.key)
        checkObjectConstraints(keys: keys, node: node, path: path, at: range)
      }
    default:
      let type = Self.type(of: value)
      guard admits(node, type) else {
        report(
          mismatch(
            path, node, found: "\(describe(type)) `\(Self.render(value))`", at: range,
            context: context, help: Self.conversionHelp(value, to: node)))
        return
      }
      if case .string(let text) = value, let allowed = node.enumValues,
        !allowed.contains(where: { $0 == value }), allowed.allSatisfy({ $0.stringValue != nil })
      {
        report(
          CheckerMessages.notInEnum(
            "`\"\(text)\"`", at: range, path: path,
            allowed: allowed.compactMap(\.stringValue).map { "\"\($0)\"" }))
      }
      checkScalarConstraints(value, node: node, path: path, at: range)
    }
  }

  private func mismatch(
    _ path: String, _ node: SchemaNode, found: String, at range: SourceRange, context: KindContext,
    help: String? = nil
  ) -> Diagnostic {
    CheckerMessages.typeMismatch(
      "`\(path)`", expected: node.typeDescription, found: found, at: range, kind: context.label,
      help: help)
  }

  /// Whether a schema node accepts values of `types` (integers are numbers too).
  func admits(_ node: SchemaNode, _ types: ValueTypes) -> Bool {
    if node.types == .any || types == .any { return true }
    var accepted = node.types
    if node.isIntOrString { accepted.formUnion(.intOrString) }
    if accepted.contains(.number) { accepted.insert(.integer) }
    return !accepted.isDisjoint(with: types)
  }

  static func type(of value: Value) -> ValueTypes {
    switch value {
    case .null: return .any
    case .bool: return .boolean
    case .int: return .integer
    case .double: return .number
    case .string: return .string
    case .array: return .array
    case .object: return .object
    }
  }

  func describe(_ types: ValueTypes) -> String {
    if types == .any { return "any value" }
    if types == .integer { return "an integer" }
    if types == .number { return "a number" }
    if types == .string { return "a string" }
    if types == .boolean { return "a boolean" }
    if types == .array { return "a list" }
    if types == .object { return "a map" }
    return "a value"
  }

  static func render(_ value: Value) -> String {
    switch value {
    case .string(let text): return "\"\(text)\""
    case .int(let number): return String(number)
    case .double(let number): return String(number)
    case .bool(let flag): return String(flag)
    default: return "…"
    }
  }

  static func conversionHelp(_ value: Value, to node: SchemaNode) -> String? {
    if case .string(let text) = value {
      if node.types.contains(.integer), Int64(text) != nil {
        return "write `\(text)` without quotes"
      }
      if node.types.contains(.boolean), text == "true" || text == "false" {
        return "write `\(text)` without quotes"
      }
    }
    if node.types == .string {
      switch value {
      case .int, .double, .bool: return "quote it: `\"\(render(value))\"`"
      default: return nil
      }
    }
    return nil
  }

  /// The value types an expression can produce, when known.
  func staticType(of expression: Expression, context: KindContext?) -> ValueTypes? {
    switch expression.form {
    case .literal(let value): return Self.type(of: value)
    case .yaml: return yamlValues[expression.range].map(Self.type(of:))
    case .list: return .array
    case .map: return .object
    case .interpolated: return .string
    case .path(let path):
      guard let context else { return nil }
      var ignored: [Diagnostic] = []
      guard
        case .node(let node)? = SchemaPathResolver.resolve(path, in: context, diagnostics: &ignored)
      else { return nil }
      return node.isIntOrString ? .intOrString : node.types
    }
  }

  func checkInterpolation(_ parts: [InterpolationPart], at range: SourceRange, context: KindContext)
  {
    for case .path(let path) in parts {
      var found: [Diagnostic] = []
      let resolution = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
      report(found)
      if case .node(let node)? = resolution, node.types != .any,
        node.types.isSubset(of: [.object, .array])
      {
        report(
          CheckerMessages.interpolationNotScalar(
            path.description, type: node.typeDescription, at: path.range))
      }
    }
  }
}
