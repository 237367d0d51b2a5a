import SyncValue

/// How a list merges under server-side apply (`x-kubernetes-list-type`).
public enum ListType: String, Sendable {
  /// Replaced as a whole; items have no identity.
  case atomic
  /// Items are unique scalars.
  case set
  /// Items are objects identified by ``SchemaNode/listMapKeys``.
  case map
}

/// How a map merges under server-side apply (`x-kubernetes-map-type`).
public enum MapType: String, Sendable {
  case atomic
  case granular
}

/// How a strategic merge patch combines a field with the live value
/// (`x-kubernetes-patch-strategy`, which may list several, comma-separated).
public enum PatchStrategy: String, Sendable {
  /// Lists merge: items by ``SchemaNode/patchMergeKey``, or as a set of scalars.
  case merge
  /// A patch of this map replaces the whole map (the patch's value wins outright).
  case replace
  /// Keys of the map absent from the patch's `$retainKeys` are cleared.
  case retainKeys
}

/// The JSON types a schema admits.
public struct ValueTypes: OptionSet, Sendable, Hashable, CustomStringConvertible {
  public let rawValue: UInt8

  public init(rawValue: UInt8) {
    self.rawValue = rawValue
  }

  /// A JSON object (map).
  public static let object = ValueTypes(rawValue: 1 << 0)
  public static let array = ValueTypes(rawValue: 1 << 1)
  public static let string = ValueTypes(rawValue: 1 << 2)
  /// A number without fraction.
  public static let integer = ValueTypes(rawValue: 1 << 3)
  /// Any number; accepts integers too.
  public static let number = ValueTypes(rawValue: 1 << 4)
  public static let boolean = ValueTypes(rawValue: 1 << 5)
  /// No constraint.
  public static let any: ValueTypes = [.object, .array, .string, .integer, .number, .boolean]
  /// `IntOrString` (ports, `maxSurge`).
  public static let intOrString: ValueTypes = [.integer, .string]

  /// The type of one OpenAPI `type` name; nil for names it does not know (`null`).
  public init?(openAPIName name: String) {
    switch name {
    case "object": self = .object
    case "array": self = .array
    case "string": self = .string
    case "integer": self = .integer
    case "number": self = .number
    case "boolean": self = .boolean
    default: return nil
    }
  }

  /// The single type of `value`; empty for `null`.
  public init(of value: Value) {
    switch value {
    case .null: self = []
    case .bool: self = .boolean
    case .int: self = .integer
    case .double: self = .number
    case .string: self = .string
    case .array: self = .array
    case .object: self = .object
    }
  }

  /// Whether a value of this schema type may be `value`.
  ///
  /// `null` is always accepted: Kubernetes reads it as "unset", which every optional
  /// field allows; whether the field is required is a separate question.
  public func accepts(_ value: Value) -> Bool {
    switch value {
    case .null: return true
    case .int: return !isDisjoint(with: [.integer, .number])
    case .double(let number):
      // `replicas: 2.0` is accepted by the API server as an integer.
      if contains(.number) { return true }
      return contains(.integer) && number.rounded() == number && abs(number) < 9.0e15
    default: return contains(ValueTypes(of: value))
    }
  }

  /// OpenAPI names in a fixed order: `integer or string`.
  public var names: [String] {
    let all: [(ValueTypes, String)] = [
      (.object, "object"), (.array, "array"), (.string, "string"), (.integer, "integer"),
      (.number, "number"), (.boolean, "boolean"),
    ]
    return all.filter { contains($0.0) }.map(\.1)
  }

  /// `any`, `string`, `integer or string`.
  public var description: String {
    if self == .any { return "any" }
    return names.joined(separator: " or ")
  }
}

/// One node of a schema graph; immutable after loading.
///
/// A node written as a `$ref` to a named definition forwards everything to that
/// definition except what it states itself (usually its description), so recursive
/// schemas such as `JSONSchemaProps` are finite graphs and walking them never hangs.
public final class SchemaNode: Sendable {
  let own: Facets
  /// Set for `$ref` nodes; see ``SchemaNode``.
  let reference: Reference?

  init(_ facets: Facets) {
    own = facets
    reference = nil
  }

  init(reference: Reference, overriding facets: Facets) {
    own = facets
    self.reference = reference
  }

  /// The node the facets come from: the referenced definition, or self.
  @inline(__always) var target: SchemaNode {
    reference?.node ?? self
  }

  /// The types a value may have; ``ValueTypes/any`` when unconstrained.
  public var types: ValueTypes { target.own.types }
  /// The schema's documentation; a `$ref` property's own text wins over its type's.
  public var description: String? { own.description ?? target.own.description }
  /// OpenAPI `format`: `int32`, `int64`, `date-time`, `byte`, ...
  public var format: String? { target.own.format }
  /// The only values allowed, when the schema lists them.
  public var enumValues: [Value]? { target.own.enumValues }
  /// `x-kubernetes-list-type`; nil when the schema does not say (treat as atomic).
  public var listType: ListType? { own.listType ?? target.own.listType }
  /// Keys identifying an item of a `map` list: `name` for containers,
  /// `port` and `protocol` for service ports.
  public var listMapKeys: [String] {
    own.listMapKeys.isEmpty ? target.own.listMapKeys : own.listMapKeys
  }
  /// `x-kubernetes-patch-strategy` of this field, empty when the schema gives none
  /// (a strategic merge patch then replaces lists and merges maps).
  public var patchStrategies: Set<PatchStrategy> {
    own.patchStrategies.isEmpty ? target.own.patchStrategies : own.patchStrategies
  }
  /// `x-kubernetes-patch-merge-key`: the key identifying items of a list merged by a
  /// strategic merge patch (`name` for containers, `containerPort` for ports).
  public var patchMergeKey: String? { own.patchMergeKey ?? target.own.patchMergeKey }
  /// `x-kubernetes-map-type`; nil when the schema does not say (granular).
  public var mapType: MapType? { own.mapType ?? target.own.mapType }
  /// `IntOrString`: an integer or a string (`x-kubernetes-int-or-string`).
  public var isIntOrString: Bool { target.own.isIntOrString }
  /// `Quantity` (`500m`, `1Gi`): a string or a number.
  public var isQuantity: Bool { target.own.isQuantity }
  /// `x-kubernetes-preserve-unknown-fields`: fields not in the schema are kept.
  public var preservesUnknownFields: Bool { target.own.preservesUnknownFields }
  /// `x-kubernetes-embedded-resource`: an object with its own apiVersion, kind and
  /// metadata (a raw resource inside another).
  public var isEmbeddedResource: Bool { target.own.isEmbeddedResource }
  /// Properties that must be present in an object.
  public var required: [String] { target.own.required }
  /// The validation keywords of this node (`pattern`, `minimum`, `maxItems`, ...).
  public var constraints: ValueConstraints { target.own.constraints }
  /// True when the schema gives a `default`, which the API server fills in where the
  /// value is missing, so a required field with a default may be left out.
  public var hasDefault: Bool { own.hasDefault || target.own.hasDefault }
  /// True for the built-in schemas: the API server decodes these values into Go
  /// structs, so `format: int32` limits integers to 32 bits. A CRD's formats on
  /// numbers are descriptions only.
  public var decodesIntoGoTypes: Bool { target.own.decodesIntoGoTypes }
  /// The definition name for built-in nodes: `io.k8s.api.core.v1.PodSpec`.
  public var definitionName: String? { reference?.name ?? target.own.definitionName }

  /// Named properties of an object, in schema order.
  public var propertyNames: [String] { target.own.propertyNames }

  /// The schema of property `name`, nil when the object does not declare it.
  public func property(_ name: String) -> SchemaNode? {
    target.own.properties[name]
  }

  /// Schema of map values when the object allows arbitrary keys (labels, annotations,
  /// data); nil when it does not, or allows them without a schema
  /// (`additionalProperties: true`, see ``allowsAnyKey``).
  public var additionalProperties: SchemaNode? { target.own.additionalProperties }

  /// Schema of list elements.
  public var items: SchemaNode? { target.own.items }

  /// True when any key is allowed: `additionalProperties`, preserve-unknown-fields,
  /// or no properties on a node that may be an object.
  public var allowsAnyKey: Bool {
    let facets = target.own
    if facets.additionalProperties != nil || facets.allowsAdditionalProperties
      || facets.preservesUnknownFields
    {
      return true
    }
    return facets.properties.isEmpty && facets.types.contains(.object)
  }

  /// The schema of a key in this object: the declared property, else the map value
  /// schema; nil when the key is not allowed or allowed without a schema.
  public func child(_ key: String) -> SchemaNode? {
    property(key) ?? additionalProperties
  }
}

/// What one schema node states about itself. Plain data so a builder can fill it in
/// step by step before freezing it into a ``SchemaNode``.
struct Facets: Sendable {
  var types: ValueTypes = .any
  var description: String?
  var format: String?
  var enumValues: [Value]?
  var listType: ListType?
  var listMapKeys: [String] = []
  var mapType: MapType?
  var patchStrategies: Set<PatchStrategy> = []
  var patchMergeKey: String?
  var isIntOrString = false
  var isQuantity = false
  var preservesUnknownFields = false
  var isEmbeddedResource = false
  var required: [String] = []
  var constraints = ValueConstraints()
  var hasDefault = false
  var decodesIntoGoTypes = false
  var propertyNames: [String] = []
  var properties: [String: SchemaNode] = [:]
  var additionalProperties: SchemaNode?
  /// `additionalProperties: true`: any key, values unconstrained.
  var allowsAdditionalProperties = false
  var items: SchemaNode?
  var definitionName: String?

  mutating func setProperty(_ name: String, _ node: SchemaNode) {
    if properties.updateValue(node, forKey: name) == nil {
      propertyNames.append(name)
    }
  }
}

/// A `$ref` to a named definition, resolved through its table on use.
struct Reference: Sendable {
  let table: DefinitionTable
  let index: Int
  let name: String

  var node: SchemaNode { table.node(index) }
}

extension SchemaNode: PatchStrategies {
  public var mergesList: Bool { patchStrategies.contains(.merge) }
  public var replacesWhole: Bool { patchStrategies.contains(.replace) }
}
