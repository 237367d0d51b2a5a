import SyncValue
import TestSupport
import Testing

@testable import SyncSchema

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

let crdDirectory = Repository.sharedTestData("crds")

let rollout = GroupVersionKind(group: "argoproj.io", version: "v1alpha1", kind: "Rollout")
let scaledObject = GroupVersionKind(group: "keda.sh", version: "v1alpha1", kind: "ScaledObject")

/// A CRD with versions `v1` (served), `v1beta1` (served) and `v1alpha1` (not served).
let widgetCRD = """
  apiVersion: apiextensions.k8s.io/v1
  kind: CustomResourceDefinition
  metadata:
    name: widgets.example.com
  spec:
    group: example.com
    scope: Cluster
    names: {kind: Widget, plural: widgets}
    versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: {type: integer, format: int32}
                port:
                  x-kubernetes-int-or-string: true
                  anyOf: [{type: integer}, {type: string}]
                mode: {type: string, enum: [fast, slow]}
                items:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [id]
                  items:
                    type: object
                    properties:
                      id: {type: string}
                config:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                settings:
                  type: object
                  additionalProperties: {type: boolean}
                template:
                  type: object
                  x-kubernetes-embedded-resource: true
                  x-kubernetes-preserve-unknown-fields: true
                choice:
                  type: object
                  oneOf:
                  - properties: {a: {type: string}}
                  - properties: {b: {type: integer}}
    - name: v1beta1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {oldSize: {type: string}}}
    - name: v1alpha1
      served: false
      storage: false
      schema:
        openAPIV3Schema: {type: object}
  """

@Suite struct CRDTests {
  let base = SchemaRegistry.builtIn

  @Test func loadsTheSharedCRDs() throws {
    let registry = try base.adding(crdPaths: [crdDirectory])
    #expect(registry.kinds.count == base.kinds.count + 2)
    let info = try #require(registry.kind(rollout))
    #expect(info.namespaced)
    #expect(info.source.hasSuffix("argo-rollouts/rollout-crd.yaml"))
    #expect(registry.kind(scaledObject)?.source.hasSuffix("keda.sh_scaledobjects.yaml") == true)
    #expect(registry.kubernetesVersion == base.kubernetesVersion)
    // The built-ins are still there and the original registry is unchanged.
    #expect(registry.kind(deployment) != nil)
    #expect(base.kind(rollout) == nil)
  }

  @Test func rolloutPodTemplate() throws {
    let registry = try base.adding(crdPaths: [crdDirectory + "/argo-rollouts/rollout-crd.yaml"])
    let containers = try #require(node(registry, rollout, "spec.template.spec.containers"))
    #expect(containers.listType == .map)
    #expect(containers.listMapKeys == ["name"])
    #expect(containers.items?.property("image")?.types == .string)
    let tolerations = try #require(node(registry, rollout, "spec.template.spec.tolerations"))
    #expect(tolerations.listType == .atomic)
    #expect(node(registry, rollout, "spec.replicas")?.types == .integer)
    let port = try #require(
      node(registry, rollout, "spec.template.spec.containers[].ports[].containerPort"))
    #expect(port.types == .integer)
    let maxSurge = try #require(node(registry, rollout, "spec.strategy.canary.maxSurge"))
    #expect(maxSurge.isIntOrString)
    #expect(maxSurge.types == .intOrString)
  }

  @Test func metadataIsTheFullObjectMeta() throws {
    let registry = try base.adding(crdPaths: [crdDirectory])
    for gvk in [rollout, scaledObject] {
      let labels = try #require(node(registry, gvk, "metadata.labels"))
      #expect(labels.additionalProperties?.types == .string)
      #expect(node(registry, gvk, "metadata.annotations")?.allowsAnyKey == true)
      #expect(node(registry, gvk, "metadata.namespace")?.types == .string)
      #expect(node(registry, gvk, "apiVersion")?.types == .string)
      #expect(node(registry, gvk, "kind")?.types == .string)
      let root = try #require(registry.kind(gvk)?.schema)
      #expect(!root.allowsAnyKey)
      #expect(root.property("metadata")?.property("lables") == nil)
    }
  }

  @Test func scaledObjectSchema() throws {
    let registry = try base.adding(crdPaths: [crdDirectory + "/keda"])
    let triggers = try #require(node(registry, scaledObject, "spec.triggers"))
    #expect(triggers.types == .array)
    #expect(triggers.items?.property("metadata")?.additionalProperties?.types == .string)
    #expect(node(registry, scaledObject, "spec.maxReplicaCount")?.types == .integer)
    #expect(node(registry, scaledObject, "spec.scaleTargetRef")?.required == ["name"])
  }

  @Test func everyServedVersionBecomesAKind() throws {
    let directory = try TemporaryDirectory()
    try directory.write("widget.yaml", widgetCRD)
    let registry = try base.adding(crdPaths: [directory.path])
    let found = registry.kinds(group: .exact("example.com"), version: .any, kind: .any)
    #expect(found.map(\.gvk.version) == ["v1", "v1beta1"])
    #expect(found.allSatisfy { !$0.namespaced })
    let v1 = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
    let beta = GroupVersionKind(group: "example.com", version: "v1beta1", kind: "Widget")
    #expect(node(registry, beta, "spec.oldSize")?.types == .string)
    #expect(registry.kind(beta)?.schema.property("spec")?.property("size") == nil)
    #expect(node(registry, v1, "spec")?.required == ["size"])
  }

  @Test func structuralSchemaFeatures() throws {
    let registry = try base.adding(crd: try YAML.parse(widgetCRD), source: "widget.yaml")
    let v1 = GroupVersionKind(group: "example.com", version: "v1", kind: "Widget")
    #expect(registry.kind(v1)?.source == "widget.yaml")
    let port = try #require(node(registry, v1, "spec.port"))
    #expect(port.isIntOrString && port.types == .intOrString)
    #expect(node(registry, v1, "spec.size")?.format == "int32")
    #expect(node(registry, v1, "spec.mode")?.enumValues == ["fast", "slow"])
    let items = try #require(node(registry, v1, "spec.items"))
    #expect(items.listType == .map && items.listMapKeys == ["id"])
    let config = try #require(node(registry, v1, "spec.config"))
    #expect(config.preservesUnknownFields && config.allowsAnyKey)
    #expect(node(registry, v1, "spec.settings{}")?.types == .boolean)
    let template = try #require(node(registry, v1, "spec.template"))
    #expect(template.isEmbeddedResource)
    #expect(template.property("metadata")?.property("labels") != nil)
    let choice = try #require(node(registry, v1, "spec.choice"))
    #expect(choice.propertyNames == ["a", "b"])
    #expect(choice.property("b")?.types == .integer)
  }

  @Test func listsAndMixedFiles() throws {
    let directory = try TemporaryDirectory()
    let list = """
      {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": {"name": "gadgets.example.com"},
         "spec": {"group": "example.com", "scope": "Namespaced",
                  "names": {"kind": "Gadget", "plural": "gadgets"},
                  "versions": [{"name": "v2", "served": true, "storage": true,
                                "schema": {"openAPIV3Schema": {"type": "object"}}}]}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
      ]}
      """
    try directory.write("nested/deeper/list.json", list)
    try directory.write("mixed.yml", "apiVersion: v1\nkind: Namespace\n---\n" + widgetCRD)
    try directory.write("notes.txt", "not: [yaml")
    try directory.write(".hidden/broken.yaml", "a: [")
    let (registry, warnings) = try base.addingCRDs(from: [directory.path])
    #expect(
      registry.kind(GroupVersionKind(group: "example.com", version: "v2", kind: "Gadget")) != nil)
    #expect(registry.kinds.count == base.kinds.count + 3)
    #expect(warnings.isEmpty)
  }

  @Test func warnings() throws {
    let directory = try TemporaryDirectory()
    let first = try directory.write("a.yaml", widgetCRD)
    let second = try directory.write("b.yaml", widgetCRD)
    let plain = try directory.write("c.yaml", "apiVersion: v1\nkind: ConfigMap\n")
    let empty = try TemporaryDirectory()
    let (_, warnings) = try base.addingCRDs(from: [directory.path, empty.path])
    #expect(
      warnings.map(\.description) == [
        "\(second): example.com/v1 Widget replaces the definition from \(first)",
        "\(second): example.com/v1beta1 Widget replaces the definition from \(first)",
        "\(plain): no CustomResourceDefinition",
        "\(empty.path): no .yaml, .yml or .json files",
      ])
  }

  @Test func yamlSyntaxErrorNamesFileLineAndColumn() throws {
    let directory = try TemporaryDirectory()
    let file = try directory.write("bad.yaml", "apiVersion: v1\nkind: [List\nitems: 3\n")
    let error = try #require(throws: SchemaLoadError.self) {
      try base.adding(crdPaths: [directory.path])
    }
    #expect(error.file == file)
    #expect(error.line != nil && error.column != nil)
    #expect(error.description.hasPrefix("\(file):\(error.line!):\(error.column!): "))
  }

  @Test func jsonSyntaxErrorNamesFileLineAndColumn() throws {
    let directory = try TemporaryDirectory()
    let file = try directory.write("bad.json", "{\n  \"kind\": \"List\",\n  \"items\": [}\n")
    let error = try #require(throws: SchemaLoadError.self) {
      try base.adding(crdPaths: [file])
    }
    #expect(error.file == file)
    #expect(error.line == 3)
    #expect(error.column != nil)
  }

  @Test(arguments: [
    ("spec: {group: example.com, names: {kind: W}}", "missing spec.versions"),
    ("spec: {names: {kind: W}, versions: [{name: v1}]}", "missing spec.group"),
    ("spec: {group: g, names: {kind: W}, scope: Global, versions: [{name: v1}]}", "spec.scope"),
    (
      "spec: {group: g, names: {kind: W}, versions: [{name: v1, schema: {openAPIV3Schema: "
        + "{type: object, properties: {spec: {type: thing}}}}}]}",
      "spec.versions[0].schema.openAPIV3Schema.properties.spec.type: unknown type \"thing\""
    ),
    (
      "spec: {group: g, names: {kind: W}, versions: [{name: v1, schema: {openAPIV3Schema: "
        + "{type: object, properties: [1]}}}]}",
      "properties must be an object"
    ),
  ])
  func malformedCRD(spec: String, message: String) throws {
    let directory = try TemporaryDirectory()
    let text =
      "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
      + "metadata: {name: ws.g}\n" + spec + "\n"
    let file = try directory.write("crd.yaml", text)
    let error = try #require(throws: SchemaLoadError.self) {
      try base.adding(crdPaths: [file])
    }
    #expect(error.file == file)
    #expect(error.message.contains("CustomResourceDefinition ws.g"))
    #expect(error.message.contains(message))
  }

  @Test func missingPath() throws {
    let error = try #require(throws: SchemaLoadError.self) {
      try base.adding(crdPaths: ["/nonexistent/crds"])
    }
    #expect(error.description == "/nonexistent/crds: no such file or directory")
  }

  @Test func notACRD() throws {
    #expect(throws: SchemaLoadError.self) {
      try base.adding(crd: ["apiVersion": "v1", "kind": "ConfigMap"], source: "x")
    }
  }

  @Test func legacyV1beta1CRD() throws {
    let crd: Value = [
      "apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition",
      "metadata": ["name": "olds.example.com"],
      "spec": [
        "group": "example.com", "version": "v1", "names": ["kind": "Old"],
        "validation": [
          "openAPIV3Schema": ["properties": ["spec": ["properties": ["n": ["type": "integer"]]]]]
        ],
      ],
    ]
    let registry = try base.adding(crd: crd, source: "old.yaml")
    let gvk = GroupVersionKind(group: "example.com", version: "v1", kind: "Old")
    #expect(registry.kind(gvk)?.namespaced == true)
    #expect(node(registry, gvk, "spec.n")?.types == .integer)
    #expect(node(registry, gvk, "metadata.labels") != nil)
  }
}

@Suite struct DeepSchemaTests {
  /// The YAML reader allows 512 levels of nesting, which is 256 levels of schema
  /// (`properties: {x: ...}`); building that must not exhaust a secondary thread's stack.
  @Test func deeplyNestedSchemaOnATaskThread() async throws {
    var schema: Value = ["type": "string"]
    for _ in 0..<256 {
      schema = ["type": "object", "properties": .object(ObjectValue(["x": schema]))]
    }
    let crd: Value = [
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": ["name": "deeps.example.com"],
      "spec": [
        "group": "example.com", "names": ["kind": "Deep"],
        "versions": [["name": "v1", "served": true, "schema": ["openAPIV3Schema": schema]]],
      ],
    ]
    let registry = try await Task.detached {
      try SchemaRegistry.builtIn.adding(crd: crd, source: "deep.yaml")
    }.value
    var current = registry.kind(
      GroupVersionKind(group: "example.com", version: "v1", kind: "Deep"))?
      .schema
    for _ in 0..<256 { current = current?.property("x") }
    #expect(current?.types == .string)
  }
}
