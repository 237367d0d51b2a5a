import SyncValue
import Testing

@testable import SyncSchema

/// CRD validation keywords are kept on the schema nodes, so the checker can hold
/// literal values to them.
@Suite struct ConstraintSchemaTests {
  /// A CRD whose `spec` has the properties given in YAML flow style.
  func registry(spec properties: String) throws -> (SchemaRegistry, GroupVersionKind) {
    let text = """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: things.example.com}
      spec:
        group: example.com
        names: {kind: Thing}
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec: {type: object, properties: \(properties)}
      """
    let registry = try SchemaRegistry.builtIn.adding(crd: try YAML.parse(text), source: "x.yaml")
    return (registry, GroupVersionKind(group: "example.com", version: "v1", kind: "Thing"))
  }

  @Test func keywordsAreKept() throws {
    let (registry, gvk) = try registry(
      spec: """
        {name: {type: string, minLength: 1, maxLength: 63, pattern: '^[a-z]+$'},
         size: {type: integer, minimum: 1, maximum: 10, multipleOf: 2},
         tags: {type: array, minItems: 1, maxItems: 3, uniqueItems: true, items: {type: string}},
         labels: {type: object, minProperties: 1, maxProperties: 4,
                  additionalProperties: {type: string}},
         mode: {type: string, default: fast}}
        """)
    let name = try #require(node(registry, gvk, "spec.name")).constraints
    #expect(name.minLength == 1 && name.maxLength == 63 && name.pattern == "^[a-z]+$")
    let size = try #require(node(registry, gvk, "spec.size")).constraints
    #expect(size.minimum == NumericBound(limit: .int(1)))
    #expect(size.maximum == NumericBound(limit: .int(10)))
    #expect(size.multipleOf == .int(2))
    let tags = try #require(node(registry, gvk, "spec.tags")).constraints
    #expect(tags.minItems == 1 && tags.maxItems == 3 && tags.uniqueItems)
    let labels = try #require(node(registry, gvk, "spec.labels")).constraints
    #expect(labels.minProperties == 1 && labels.maxProperties == 4)
    #expect(node(registry, gvk, "spec.mode")?.hasDefault == true)
    #expect(node(registry, gvk, "spec.name")?.hasDefault == false)
    #expect(node(registry, gvk, "spec.mode")?.constraints.isEmpty == true)
  }

  /// OpenAPI 3.0 (CRDs) qualifies a bound with a boolean; JSON Schema 2019 and later
  /// make the exclusive bound a number of its own. Either order of keys works.
  @Test(arguments: [
    (
      "{exclusiveMinimum: true, minimum: 0, maximum: 1, exclusiveMaximum: true}", 0.0, true, 1.0,
      true
    ),
    ("{minimum: 0, exclusiveMinimum: false, maximum: 1}", 0.0, false, 1.0, false),
    ("{exclusiveMinimum: 0, exclusiveMaximum: 1}", 0.0, true, 1.0, true),
    ("{minimum: 5, exclusiveMinimum: 2, maximum: 1, exclusiveMaximum: 3}", 5.0, false, 1.0, false),
    ("{minimum: 1, exclusiveMinimum: 2}", 2.0, true, nil, false),
  ])
  func exclusiveBounds(
    _ keywords: String, _ minimum: Double?, _ minimumExclusive: Bool, _ maximum: Double?,
    _ maximumExclusive: Bool
  ) throws {
    let schema = "{type: number, " + keywords.dropFirst()
    let (registry, gvk) = try registry(spec: "{ratio: \(schema)}")
    let constraints = try #require(node(registry, gvk, "spec.ratio")).constraints
    #expect(constraints.minimum.map { ValueConstraints.double($0.limit) } == minimum)
    #expect((constraints.minimum?.isExclusive ?? false) == minimumExclusive)
    #expect(constraints.maximum.map { ValueConstraints.double($0.limit) } == maximum)
    #expect((constraints.maximum?.isExclusive ?? false) == maximumExclusive)
  }

  @Test(arguments: [
    (
      "{type: string, minLength: -1}",
      "properties.spec.properties.x.minLength: must be a non-negative integer"
    ),
    (
      "{type: string, maxLength: 1.5}",
      "properties.spec.properties.x.maxLength: must be a non-negative integer"
    ),
    ("{type: string, pattern: 5}", "properties.spec.properties.x.pattern: must be a string"),
    (
      "{type: integer, minimum: low}",
      "properties.spec.properties.x.minimum: must be a number, not string"
    ),
    (
      "{type: integer, multipleOf: 0}",
      "properties.spec.properties.x.multipleOf: must be a number greater than 0"
    ),
    (
      "{type: array, uniqueItems: yes please}",
      "properties.spec.properties.x.uniqueItems: must be true or false"
    ),
  ])
  func malformedKeywordNamesItsPlace(_ schema: String, _ message: String) throws {
    let error = try #require(throws: SchemaLoadError.self) {
      try registry(spec: "{x: \(schema)}")
    }
    #expect(error.message.contains(message), "\(error.message)")
  }

  @Test func builtInNodesDecodeIntoGoTypes() throws {
    let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
    let replicas = try #require(node(.builtIn, deployment, "spec.replicas"))
    #expect(replicas.decodesIntoGoTypes && replicas.format == "int32")
    let (registry, gvk) = try registry(spec: "{count: {type: integer, format: int32}}")
    #expect(node(registry, gvk, "spec.count")?.decodesIntoGoTypes == false)
    // A CRD's metadata is the built-in ObjectMeta, which the server decodes too.
    #expect(node(registry, gvk, "metadata.generation")?.decodesIntoGoTypes == true)
  }
}
