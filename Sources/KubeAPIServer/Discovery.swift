import KubeModel
import SyncValue

/// The resources served right now: the built-ins plus every served version of every CRD.
struct Catalog: Sendable {
  private(set) var resources: [ResourceType] = BuiltinResources.all
  /// CRD name → the resource types it added, so deleting the CRD removes exactly those.
  private(set) var customResources: [String: [ResourceType]] = [:]

  func resource(group: String, version: String, plural: String) -> ResourceType? {
    resources.first { $0.group == group && $0.version == version && $0.plural == plural }
  }

  /// Whether a CRD serves `resource` (rather than the server knowing it from the start).
  func isCustom(_ resource: ResourceType) -> Bool {
    customResources.values.contains { $0.contains(resource) }
  }

  /// Any served version of a group/plural, for reaching objects stored under it.
  func anyVersion(storageKey: String) -> ResourceType? {
    resources.first { $0.storageKey == storageKey }
  }

  func resource(forAPIVersion apiVersion: String, kind: String) -> ResourceType? {
    resources.first { $0.apiVersion == apiVersion && $0.kind == kind }
  }

  /// Replaces what the CRD named `name` serves; an empty list removes it.
  mutating func setCustomResources(_ types: [ResourceType], forCRD name: String) {
    let old = Set(customResources[name] ?? [])
    resources.removeAll { old.contains($0) }
    customResources[name] = types.isEmpty ? nil : types
    resources.append(contentsOf: types)
  }

  /// Group names in the order `/apis` lists them, each with its versions, preferred first.
  var groups: [(name: String, versions: [String])] {
    var order: [String] = []
    var versions: [String: [String]] = [:]
    for resource in resources where !resource.group.isEmpty {
      if versions[resource.group] == nil { order.append(resource.group) }
      if !(versions[resource.group]?.contains(resource.version) ?? false) {
        versions[resource.group, default: []].append(resource.version)
      }
    }
    return order.map { ($0, versions[$0]!.sorted(by: versionPrecedes)) }
  }

  func resources(group: String, version: String) -> [ResourceType] {
    resources.filter { $0.group == group && $0.version == version }
  }
}

/// The resource types a CustomResourceDefinition serves, one per served version.
///
/// Throws 422 Invalid when the fields discovery needs are missing, the only validation of
/// CRDs this server does.
func customResourceTypes(of crd: Value) throws(APIStatus) -> [ResourceType] {
  let name = crd["metadata"]?["name"]?.stringValue ?? ""
  guard let spec = crd["spec"], let group = spec["group"]?.stringValue,
    let names = spec["names"], let plural = names["plural"]?.stringValue,
    let kind = names["kind"]?.stringValue, let versions = spec["versions"]?.arrayValue
  else {
    throw .invalid(
      nil, name: name,
      "spec.group, spec.names.plural, spec.names.kind and spec.versions are required")
  }
  guard name == "\(plural).\(group)" else {
    throw .invalid(nil, name: name, "metadata.name: must be spec.names.plural+\".\"+spec.group")
  }
  let strings = { (value: Value?) in value?.arrayValue?.compactMap(\.stringValue) ?? [] }
  return versions.compactMap { version in
    guard let versionName = version["name"]?.stringValue, version["served"] != .bool(false) else {
      return nil
    }
    return ResourceType(
      group: group, version: versionName, kind: kind, plural: plural,
      singular: names["singular"]?.stringValue ?? kind.lowercased(),
      listKind: names["listKind"]?.stringValue, namespaced: spec["scope"] != "Cluster",
      shortNames: strings(names["shortNames"]), categories: strings(names["categories"]),
      hasStatus: version["subresources"]?["status"] != nil)
  }
}

/// The discovery documents, classic and aggregated, built from a catalog.
enum DiscoveryDocuments {
  /// The media type a client names in `Accept` to get aggregated discovery, and that the
  /// answer must carry in `Content-Type` for client-go to read it as such.
  static let aggregatedMediaType =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

  static func version() -> Value {
    [
      "major": "1", "minor": "32", "gitVersion": "v1.32.0-syncrules-test",
      "gitCommit": "0000000000000000000000000000000000000000", "gitTreeState": "clean",
      "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
      "platform": "linux/amd64",
    ]
  }

  static func coreVersions() -> Value {
    [
      "kind": "APIVersions", "versions": ["v1"],
      "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"]],
    ]
  }

  static func groupList(_ catalog: Catalog) -> Value {
    .object(
      ObjectValue([
        "kind": "APIGroupList", "apiVersion": "v1",
        "groups": .array(catalog.groups.map { group(name: $0.name, versions: $0.versions) }),
      ]))
  }

  static func group(name: String, versions: [String]) -> Value {
    let entries = versions.map { version -> Value in
      ["groupVersion": .string("\(name)/\(version)"), "version": .string(version)]
    }
    return .object(
      ObjectValue([
        "kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(entries),
        "preferredVersion": entries[0],
      ]))
  }

  static func resourceList(_ catalog: Catalog, group: String, version: String) -> Value? {
    let resources = catalog.resources(group: group, version: version)
    guard !resources.isEmpty else { return nil }
    var items: [Value] = []
    for resource in resources {
      var item = ObjectValue([
        "name": .string(resource.plural), "singularName": .string(resource.singular),
        "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
        "verbs": .array(resource.verbs.map(Value.string)),
      ])
      if !resource.shortNames.isEmpty {
        item["shortNames"] = .array(resource.shortNames.map(Value.string))
      }
      if !resource.categories.isEmpty {
        item["categories"] = .array(resource.categories.map(Value.string))
      }
      items.append(.object(item))
      if resource.hasStatus {
        items.append(
          .object(
            ObjectValue([
              "name": .string(resource.plural + "/status"), "singularName": "",
              "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
              "verbs": ["get", "patch", "update"],
            ])))
      }
      if resource.hasScale {
        items.append(
          .object(
            ObjectValue([
              "name": .string(resource.plural + "/scale"), "singularName": "",
              "namespaced": .bool(resource.namespaced), "group": "autoscaling",
              "version": "v1", "kind": "Scale", "verbs": ["get", "patch", "update"],
            ])))
      }
    }
    return .object(
      ObjectValue([
        "kind": "APIResourceList", "apiVersion": "v1",
        "groupVersion": .string(resources[0].apiVersion), "resources": .array(items),
      ]))
  }

  /// `/api` (core only) or `/apis` (every named group) as an `APIGroupDiscoveryList`.
  static func aggregated(_ catalog: Catalog, core: Bool) -> Value {
    let groups: [(name: String, versions: [String])] =
      core ? [("", ["v1"])] : catalog.groups
    let items = groups.map { group -> Value in
      let versions = group.versions.map { version -> Value in
        let resources = catalog.resources(group: group.name, version: version).map(
          aggregatedResource)
        return .object(
          ObjectValue([
            "version": .string(version), "resources": .array(resources), "freshness": "Current",
          ]))
      }
      var metadata = ObjectValue()
      if !group.name.isEmpty { metadata["name"] = .string(group.name) }
      return .object(ObjectValue(["metadata": .object(metadata), "versions": .array(versions)]))
    }
    return .object(
      ObjectValue([
        "kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": .object(ObjectValue()), "items": .array(items),
      ]))
  }

  private static func aggregatedResource(_ resource: ResourceType) -> Value {
    let responseKind: Value = [
      "group": .string(resource.group), "version": .string(resource.version),
      "kind": .string(resource.kind),
    ]
    var item = ObjectValue([
      "resource": .string(resource.plural), "responseKind": responseKind,
      "scope": resource.namespaced ? "Namespaced" : "Cluster",
      "singularResource": .string(resource.singular),
      "verbs": .array(resource.verbs.map(Value.string)),
    ])
    if !resource.shortNames.isEmpty {
      item["shortNames"] = .array(resource.shortNames.map(Value.string))
    }
    if !resource.categories.isEmpty {
      item["categories"] = .array(resource.categories.map(Value.string))
    }
    var subresources: [Value] = []
    if resource.hasStatus {
      subresources.append(
        [
          "subresource": "status", "responseKind": responseKind,
          "verbs": ["get", "patch", "update"],
        ])
    }
    if resource.hasScale {
      subresources.append(
        [
          "subresource": "scale",
          "responseKind": ["group": "autoscaling", "version": "v1", "kind": "Scale"],
          "verbs": ["get", "patch", "update"],
        ])
    }
    if !subresources.isEmpty { item["subresources"] = .array(subresources) }
    return .object(item)
  }
}
