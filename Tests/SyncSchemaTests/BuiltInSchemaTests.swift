import SyncValue
import Testing

@testable import SyncSchema

/// Walks `path` (`spec.template.spec.containers[]`; `[]` steps into list items, `{}`
/// into map values) from the root of `kind`.
func node(
  _ registry: SchemaRegistry, _ gvk: GroupVersionKind, _ path: String,
  sourceLocation: SourceLocation = #_sourceLocation
) -> SchemaNode? {
  guard let info = registry.kind(gvk) else {
    Issue.record("no kind \(gvk)", sourceLocation: sourceLocation)
    return nil
  }
  var current: SchemaNode? = info.schema
  for step in path.split(separator: ".") {
    var name = Substring(step)
    var suffixes: [Substring] = []
    while name.hasSuffix("[]") || name.hasSuffix("{}") {
      suffixes.insert(name.suffix(2), at: 0)
      name = name.dropLast(2)
    }
    current = current?.property(String(name))
    for suffix in suffixes {
      current = suffix == "[]" ? current?.items : current?.additionalProperties
    }
  }
  if current == nil {
    Issue.record("no schema at \(path) in \(gvk)", sourceLocation: sourceLocation)
  }
  return current
}

let deployment = GroupVersionKind(group: "apps", version: "v1", kind: "Deployment")
let service = GroupVersionKind(group: "", version: "v1", kind: "Service")

@Suite struct BuiltInSchemaTests {
  let registry = SchemaRegistry.builtIn

  @Test func versionAndSize() {
    #expect(registry.kubernetesVersion == "1.34")
    #expect(registry.kinds.count > 80)
    #expect(registry.kind(deployment)?.source == "built-in (Kubernetes v1.34)")
    #expect(registry.kinds.map(\.gvk) == registry.kinds.map(\.gvk).sorted())
  }

  /// Definitions are built on first lookup, so a defect in one would only show when a
  /// rule reached it: build every definition any kind reaches, and check that the lazy
  /// loader agrees with reading the whole document.
  @Test func everyReachableDefinitionBuilds() throws {
    var seen = Set<ObjectIdentifier>()
    var definitions = Set<String>()
    var pending = registry.kinds.map(\.schema)
    while let node = pending.popLast() {
      guard seen.insert(ObjectIdentifier(node)).inserted else { continue }
      if let name = node.definitionName { definitions.insert(name) }
      pending += node.propertyNames.compactMap { node.property($0) }
      pending += [node.items, node.additionalProperties].compactMap { $0 }
    }
    #expect(definitions.count > 300)
  }

  /// The generated files are split by API group package and laid out for reading; the
  /// loader finds definitions by that layout. Every entry, reachable or not, must be a
  /// JSON object of its own, named once, in the file of its package.
  @Test func everyGeneratedEntryIsAJSONObjectInItsGroupsFile() throws {
    var seen = Set<String>()
    var count = 0
    for group in BuiltInSchemaData.groups {
      let entries = try BuiltInSchemas.entries(group.definitions)
      #expect(!entries.isEmpty)
      // `io.k8s.api.apps.v1.X` belongs to `apps`, `io.k8s.apimachinery.pkg.X` to
      // `apimachinery`: one package per file.
      let packages = Set(
        entries.map {
          let parts = $0.name.split(separator: ".")
          return parts[2] == "api" ? parts[3] : parts[2]
        })
      #expect(packages.count == 1, "one file holds \(packages.sorted())")
      for entry in entries {
        #expect(seen.insert(entry.name).inserted, "\(entry.name) is generated twice")
        let value = try JSON.parse(BuiltInSchemas.bytes(group.definitions, entry.range))
        #expect(value.objectValue != nil, "\(entry.name) is not a JSON object")
        count += 1
      }
      for kind in group.kinds {
        #expect(
          entries.contains { $0.name == kind.definition }, "\(kind.kind) is defined elsewhere")
      }
    }
    #expect(count == seen.count && count > 600)
    #expect(seen.contains(BuiltInSchemas.objectMetaName))
  }

  @Test func containersAreAListMapKeyedByName() throws {
    let containers = try #require(node(registry, deployment, "spec.template.spec.containers"))
    #expect(containers.types == .array)
    #expect(containers.listType == .map)
    #expect(containers.listMapKeys == ["name"])
    let container = try #require(containers.items)
    #expect(container.property("image")?.types == .string)
    #expect(container.required == ["name"])
    #expect(container.definitionName == "io.k8s.api.core.v1.Container")
  }

  @Test func tolerationsAreAtomic() throws {
    let tolerations = try #require(node(registry, deployment, "spec.template.spec.tolerations"))
    #expect(tolerations.listType == .atomic)
    #expect(tolerations.listMapKeys.isEmpty)
    #expect(tolerations.items?.propertyNames.contains("tolerationSeconds") == true)
  }

  @Test func scalarTypes() throws {
    let replicas = try #require(node(registry, deployment, "spec.replicas"))
    #expect(replicas.types == .integer)
    #expect(replicas.format == "int32")
    #expect(replicas.description?.hasPrefix("Number of desired pods") == true)
    #expect(node(registry, deployment, "spec.paused")?.types == .boolean)
    #expect(node(registry, deployment, "metadata.creationTimestamp")?.format == "date-time")
  }

  @Test func annotationsAreAMapOfStrings() throws {
    let annotations = try #require(node(registry, deployment, "metadata.annotations"))
    #expect(annotations.types == .object)
    #expect(annotations.allowsAnyKey)
    #expect(annotations.additionalProperties?.types == .string)
    #expect(annotations.child("example.com/anything")?.types == .string)
    let metadata = try #require(node(registry, deployment, "metadata"))
    #expect(!metadata.allowsAnyKey)
    #expect(metadata.child("lables") == nil)
    // The property's own description wins over the definition's.
    #expect(metadata.description?.hasPrefix("Standard object's metadata") == true)
    #expect(metadata.definitionName == "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
  }

  @Test func servicePortsAreKeyedByPortAndProtocol() throws {
    let ports = try #require(node(registry, service, "spec.ports"))
    #expect(ports.listType == .map)
    #expect(ports.listMapKeys == ["port", "protocol"])
  }

  @Test func intOrStringAcceptsBoth() throws {
    let target = try #require(node(registry, service, "spec.ports[].targetPort"))
    #expect(target.isIntOrString)
    #expect(target.types == .intOrString)
    #expect(target.types.accepts(8080))
    #expect(target.types.accepts("http"))
    #expect(!target.types.accepts(true))
    let surge = try #require(node(registry, deployment, "spec.strategy.rollingUpdate.maxSurge"))
    #expect(surge.isIntOrString)
  }

  @Test func quantitiesAcceptStringsAndNumbers() throws {
    let limits = try #require(
      node(registry, deployment, "spec.template.spec.containers[].resources.limits{}"))
    #expect(limits.isQuantity)
    #expect(limits.types.accepts("500m"))
    #expect(limits.types.accepts(2))
    #expect(limits.types.accepts(0.5))
    #expect(!limits.types.accepts([]))
  }

  @Test(arguments: [
    ("", "v1", "Namespace", false),
    ("", "v1", "Node", false),
    ("", "v1", "ConfigMap", true),
    ("apps", "v1", "Deployment", true),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", false),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", true),
    ("storage.k8s.io", "v1", "StorageClass", false),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition", false),
    ("networking.k8s.io", "v1", "Ingress", true),
    ("networking.k8s.io", "v1", "IngressClass", false),
  ])
  func scope(group: String, version: String, kind: String, namespaced: Bool) throws {
    let gvk = GroupVersionKind(group: group, version: version, kind: kind)
    let info = try #require(registry.kind(gvk))
    #expect(info.namespaced == namespaced)
  }

  @Test(arguments: ["List", "DeploymentList", "Status", "DeleteOptions", "WatchEvent", "APIGroup"])
  func metaTypesAreNotKinds(kind: String) {
    #expect(registry.kinds(group: .any, version: .any, kind: .exact(kind)).isEmpty)
  }

  @Test func recursiveSchemasAreFinite() throws {
    let crd = GroupVersionKind(
      group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition")
    let schema = try #require(
      node(registry, crd, "spec.versions[].schema.openAPIV3Schema"))
    // JSONSchemaProps -> properties{} -> JSONSchemaProps -> ...: every level resolves.
    var current: SchemaNode? = schema
    for _ in 0..<50 {
      current = current?.property("properties")?.additionalProperties
    }
    #expect(current?.property("x-kubernetes-list-type")?.types == .string)
    #expect(current?.definitionName?.hasSuffix("JSONSchemaProps") == true)
  }
}

@Suite struct KindPatternTests {
  let registry = SchemaRegistry.builtIn

  func gvks(_ group: KindPattern, _ version: KindPattern, _ kind: KindPattern) -> [String] {
    registry.kinds(group: group, version: version, kind: kind).map(\.gvk.description)
  }

  @Test func exact() {
    #expect(gvks(.exact("apps"), .exact("v1"), .exact("Deployment")) == ["apps/v1 Deployment"])
    #expect(gvks(.exact("apps"), .exact("v2"), .exact("Deployment")).isEmpty)
  }

  @Test func wholeGroup() {
    // `apps/*`
    let apps = gvks(.exact("apps"), .any, .any)
    #expect(
      apps == [
        "apps/v1 ControllerRevision", "apps/v1 DaemonSet", "apps/v1 Deployment",
        "apps/v1 ReplicaSet", "apps/v1 StatefulSet",
      ])
  }

  @Test func kindInAnyGroup() {
    // `*/Deployment`, `Deployment`
    #expect(gvks(.any, .any, .exact("Deployment")) == ["apps/v1 Deployment"])
    #expect(gvks(.any, .any, .exact("Event")) == ["v1 Event", "events.k8s.io/v1 Event"])
  }

  @Test func coreGroup() {
    // `v1 *`: the core group only.
    let core = gvks(.exact(""), .exact("v1"), .any)
    #expect(core.contains("v1 Pod"))
    #expect(core.allSatisfy { !$0.contains("/") })
    #expect(!core.contains("apps/v1 Deployment"))
  }

  @Test func globs() {
    #expect(gvks(.any, .any, .glob("*Set")).contains("apps/v1 StatefulSet"))
    #expect(gvks(.any, .any, .glob("*Set")).allSatisfy { $0.hasSuffix("Set") })
    #expect(gvks(.glob("rbac.*"), .any, .glob("Cluster*")).count == 2)
    #expect(gvks(.exact(""), .glob("v?"), .exact("Pod")) == ["v1 Pod"])
    #expect(gvks(.glob("*.k8s.io"), .any, .exact("Deployment")).isEmpty)
  }

  @Test(arguments: [
    ("*", "", true), ("*", "abc", true), ("a*c", "abc", true), ("a*c", "abcd", false),
    ("a?c", "abc", true), ("a?c", "ac", false), ("*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
    ("**", "x", true), ("Cron*", "CronJob", true),
  ])
  func glob(pattern: String, text: String, matches: Bool) {
    #expect(KindPattern.glob(pattern).matches(text) == matches)
  }

  @Test func gvkSpelling() {
    #expect(GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment") == deployment)
    #expect(GroupVersionKind(apiVersion: "v1", kind: "Service") == service)
    #expect(deployment.apiVersion == "apps/v1")
    #expect(service.apiVersion == "v1")
    #expect(service.description == "v1 Service")
  }
}
