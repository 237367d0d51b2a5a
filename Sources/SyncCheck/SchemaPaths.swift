import SyncSchema
import SyncSyntax
import SyncValue

/// What the schema says about the value at a path.
enum Resolution {
  /// The schema node describing the value.
  case node(SchemaNode)
  /// The schema allows anything here (preserve-unknown-fields, free-form maps).
  case unchecked
}

/// The kind whose schema a path is being checked against.
struct KindContext {
  let info: KindInfo
  var label: String { "\(info.gvk.kind) (\(info.gvk.apiVersion))" }
  var root: SchemaNode { info.schema }
}

extension SchemaNode {
  var acceptsObject: Bool { types == .any || types.contains(.object) }
  var acceptsArray: Bool { types == .any || types.contains(.array) }
  var acceptsString: Bool { types == .any || types.contains(.string) || isIntOrString }

  /// The type in words, for messages: "an integer", "a list", "a string or integer".
  var typeDescription: String {
    if types == .any { return "any value" }
    if isIntOrString { return "an integer or string" }
    var names: [String] = []
    if types.contains(.object) {
      names.append(allowsAnyKey && propertyNames.isEmpty ? "a map" : "an object")
    }
    if types.contains(.array) { names.append("a list") }
    if types.contains(.string) { names.append("a string") }
    if types.contains(.integer) { names.append("an integer") }
    if types.contains(.number) { names.append("a number") }
    if types.contains(.boolean) { names.append("a boolean") }
    return names.isEmpty ? "any value" : names.joined(separator: " or ")
  }
}

/// Walks paths through schemas, reporting the first step that cannot exist.
struct SchemaPathResolver {
  /// Resolves `path` against the kind's schema; nil when a diagnostic was reported.
  static func resolve(
    _ path: Path, in context: KindContext, diagnostics: inout [Diagnostic]
  ) -> Resolution? {
    var node = context.root
    var walked: [PathComponent] = []
    func walkedText() -> String {
      walked.isEmpty ? "the object" : Path(components: walked, range: path.range).description
    }
    for component in path.components {
      defer { walked.append(component) }
      switch component.form {
      case .field(let name):
        guard node.acceptsObject else {
          diagnostics.append(
            CheckerMessages.fieldOnNonObject(
              name, parent: walkedText(), type: node.typeDescription, at: component.range,
              kind: context.label))
          return nil
        }
        if let property = node.property(name) {
          node = property
        } else if let values = node.additionalProperties {
          node = values
        } else if node.allowsAnyKey {
          return .unchecked
        } else {
          diagnostics.append(
            CheckerMessages.unknownField(
              name, at: component.range, owner: "`\(walkedText())`", kind: context.label,
              suggestion: closestMatch(to: name, in: node.propertyNames)))
          return nil
        }
      case .anyField:
        guard node.acceptsObject else {
          diagnostics.append(
            CheckerMessages.fieldOnNonObject(
              "*", parent: walkedText(), type: node.typeDescription, at: component.range,
              kind: context.label))
          return nil
        }
        guard let values = node.additionalProperties else { return .unchecked }
        node = values
      case .index, .anyElement, .keyed, .equal:
        guard node.acceptsArray else {
          diagnostics.append(
            CheckerMessages.selectorOnNonList(
              walkedText(), type: node.typeDescription, at: component.range, kind: context.label))
          return nil
        }
        guard let items = node.items else { return .unchecked }
        if case .keyed(let key, _) = component.form, items.property(key) == nil,
          !items.allowsAnyKey
        {
          diagnostics.append(
            CheckerMessages.unknownListKey(
              key, at: component.range, list: walkedText(), kind: context.label,
              keys: node.listMapKeys))
          return nil
        }
        if case .equal(let value) = component.form, !items.types.isEmpty,
          !items.types.accepts(value)
        {
          diagnostics.append(
            CheckerMessages.typeMismatch(
              "an element of `\(walkedText())`", expected: "of type \(items.types.description)",
              found: value.typeName, at: component.range, kind: context.label,
              help: "`[= value]` selects the elements equal to the value"))
          return nil
        }
        node = items
      }
    }
    return .node(node)
  }
}
