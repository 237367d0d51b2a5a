import SyncValue

/// Why a schema could not be read; `path` locates the node inside the schema.
struct SchemaBuildError: Error {
  /// Dotted path from the schema root; filled in on the way out of the recursion so
  /// that successful builds never pay for path strings.
  var path: String
  var message: String

  init(path: String = "", message: String) {
    self.path = path
    self.message = message
  }

  func within(_ segment: String) -> SchemaBuildError {
    if segment.isEmpty { return self }
    return SchemaBuildError(path: path.isEmpty ? segment : "\(segment).\(path)", message: message)
  }
}

/// Runs `body`, prefixing the path of any error it throws with `segment`.
@inline(__always)
private func within<T>(
  _ segment: @autoclosure () -> String, _ body: () throws(SchemaBuildError) -> T
) throws(SchemaBuildError) -> T {
  do {
    return try body()
  } catch {
    throw error.within(segment())
  }
}

/// Turns OpenAPI v3 schema values into ``SchemaNode`` graphs.
///
/// One builder serves both sources: the generated built-in data keeps OpenAPI key
/// names (plus `$ref` by definition name and a quantity marker), and CRDs use the
/// structural-schema subset of the same vocabulary.
struct SchemaBuilder {
  /// Where `$ref` names resolve; nil when the source has no references (CRDs).
  var definitions: DefinitionTable?
  /// The built-in ObjectMeta, put in place of `metadata` in resources; nil while
  /// loading the built-ins themselves.
  var objectMeta: SchemaNode?

  /// Builds the node for `value`; `path` prefixes the paths in errors.
  func node(from value: Value, path: String) throws(SchemaBuildError) -> SchemaNode {
    try within(path) { () throws(SchemaBuildError) in try node(from: value) }
  }

  /// Builds the node for `value`, with error paths relative to it.
  func node(from value: Value) throws(SchemaBuildError) -> SchemaNode {
    guard case .object(let object) = value else {
      throw SchemaBuildError(message: "a schema must be an object, not \(value.typeName)")
    }
    var facets = Facets()
    var types: ValueTypes?
    var reference: Reference?
    var alternatives: [(path: String, schema: Value)] = []
    var exclusiveMinimum: Value?
    var exclusiveMaximum: Value?
    facets.decodesIntoGoTypes = definitions != nil
    for member in object.members {
      let key = member.key
      let value = member.value
      switch key {
      case "$ref":
        reference = try within(key) { () throws(SchemaBuildError) in try resolve(value) }
      case "type":
        types = try within(key) { () throws(SchemaBuildError) in try Self.types(value) }
      case "description":
        facets.description = value.stringValue
      case "format":
        facets.format = value.stringValue
      case "enum":
        facets.enumValues = value.arrayValue
      case "required":
        facets.required = try within(key) { () throws(SchemaBuildError) in try Self.strings(value) }
      case "properties":
        guard case .object(let properties) = value else {
          throw SchemaBuildError(path: key, message: "properties must be an object")
        }
        for property in properties.members {
          let child = try within("\(key).\(property.key)") { () throws(SchemaBuildError) in
            try node(from: property.value)
          }
          facets.setProperty(property.key, child)
        }
      case "items":
        // A list of schemas (tuple validation) is not structural; read the first.
        if case .array(let schemas) = value {
          if let first = schemas.first { facets.items = try node(from: first, path: key) }
        } else {
          facets.items = try node(from: value, path: key)
        }
      case "additionalProperties":
        switch value {
        case .bool(let allowed): facets.allowsAdditionalProperties = allowed
        default: facets.additionalProperties = try node(from: value, path: key)
        }
      case "x-kubernetes-list-type":
        facets.listType = value.stringValue.flatMap(ListType.init(rawValue:))
      case "x-kubernetes-list-map-keys":
        facets.listMapKeys = try within(key) { () throws(SchemaBuildError) in
          try Self.strings(value)
        }
      case "x-kubernetes-map-type":
        facets.mapType = value.stringValue.flatMap(MapType.init(rawValue:))
      case "x-kubernetes-patch-merge-key":
        facets.patchMergeKey = value.stringValue
      case "x-kubernetes-patch-strategy":
        facets.patchStrategies = Set(
          (value.stringValue ?? "").split(separator: ",").compactMap {
            PatchStrategy(rawValue: String($0))
          })
      case "x-kubernetes-int-or-string":
        facets.isIntOrString = value == .bool(true)
      case "x-syncrules-quantity":
        facets.isQuantity = value == .bool(true)
      case "x-kubernetes-preserve-unknown-fields":
        facets.preservesUnknownFields = value == .bool(true)
      case "x-kubernetes-embedded-resource":
        facets.isEmbeddedResource = value == .bool(true)
      case "anyOf", "oneOf", "allOf":
        guard case .array(let schemas) = value else {
          throw SchemaBuildError(path: key, message: "\(key) must be a list of schemas")
        }
        alternatives += schemas.enumerated().map { ("\(key)[\($0.offset)]", $0.element) }
      case "default":
        facets.hasDefault = true
      case "exclusiveMinimum":
        exclusiveMinimum = value
      case "exclusiveMaximum":
        exclusiveMaximum = value
      default:
        // Validation keywords (pattern, minimum, ...) limit values; anything else
        // (x-kubernetes-validations, examples, ...) is not used.
        _ = try within(key) { () throws(SchemaBuildError) in
          try facets.constraints.read(key, value)
        }
      }
    }
    try facets.constraints.applyExclusive(minimum: exclusiveMinimum, maximum: exclusiveMaximum)
    if let reference {
      return SchemaNode(reference: reference, overriding: facets)
    }
    if !alternatives.isEmpty {
      types = try merge(alternatives, into: &facets, types: types)
    }
    if facets.isIntOrString {
      types = .intOrString
    }
    facets.types = types ?? .any
    if facets.isEmbeddedResource {
      addResourceFields(to: &facets)
    }
    return SchemaNode(facets)
  }

  /// Folds `anyOf`/`oneOf`/`allOf` branches into one node, erring on the side of
  /// allowing: properties of every branch are added, and types are widened to the
  /// union when the node itself does not name one. Structural CRD schemas only use
  /// branches to restrict values, so this loses little.
  private func merge(
    _ schemas: [(path: String, schema: Value)], into facets: inout Facets, types: ValueTypes?
  ) throws(SchemaBuildError) -> ValueTypes? {
    var union: ValueTypes = []
    var everyBranchTyped = true
    for (path, schema) in schemas {
      let branch = try node(from: schema, path: path)
      let branchTypes = branch.types
      if branchTypes == .any { everyBranchTyped = false }
      union.formUnion(branchTypes)
      for name in branch.propertyNames where facets.properties[name] == nil {
        if let child = branch.property(name) { facets.setProperty(name, child) }
      }
      if facets.items == nil { facets.items = branch.items }
      if facets.additionalProperties == nil {
        facets.additionalProperties = branch.additionalProperties
      }
      facets.preservesUnknownFields = facets.preservesUnknownFields || branch.preservesUnknownFields
    }
    if let types { return types }
    return everyBranchTyped ? union : nil
  }

  private func resolve(_ value: Value) throws(SchemaBuildError) -> Reference {
    guard let name = value.stringValue, let table = definitions else {
      throw SchemaBuildError(message: "$ref is not supported here")
    }
    let bare = name.hasPrefix("#/") ? String(name.split(separator: "/").last ?? "") : name
    guard let index = table.indexByName[bare] else {
      throw SchemaBuildError(message: "$ref to unknown definition \(name)")
    }
    return Reference(table: table, index: index, name: bare)
  }

  private static func types(_ value: Value) throws(SchemaBuildError) -> ValueTypes {
    var names: [String] = []
    switch value {
    case .string(let name): names = [name]
    case .array: names = try strings(value)
    default: throw SchemaBuildError(message: "type must be a string or a list")
    }
    var types: ValueTypes = []
    for name in names where name != "null" {
      guard let type = ValueTypes(openAPIName: name) else {
        throw SchemaBuildError(message: "unknown type \"\(name)\"")
      }
      types.insert(type)
    }
    return types.isEmpty ? .any : types
  }

  private static func strings(_ value: Value) throws(SchemaBuildError) -> [String] {
    guard case .array(let items) = value else {
      throw SchemaBuildError(message: "expected a list of strings")
    }
    var strings: [String] = []
    for item in items {
      guard let string = item.stringValue else {
        throw SchemaBuildError(message: "expected a list of strings")
      }
      strings.append(string)
    }
    return strings
  }

  /// Adds the fields every resource has, for embedded resources and CRD roots,
  /// whose schemas may leave them out. `metadata` becomes the full ObjectMeta so
  /// labels and annotations are checked as they are for built-in kinds.
  func addResourceFields(to facets: inout Facets) {
    for name in ["apiVersion", "kind"] where facets.properties[name] == nil {
      var string = Facets()
      string.types = .string
      facets.setProperty(name, SchemaNode(string))
    }
    if let objectMeta {
      facets.setProperty("metadata", objectMeta)
    }
  }
}
