import SyncValue

/// Something in the CRD files worth telling the user that did not stop loading.
public struct SchemaLoadWarning: CustomStringConvertible, Sendable, Hashable {
  /// The file or directory the warning is about.
  public var file: String
  public var message: String

  public init(file: String, message: String) {
    self.file = file
    self.message = message
  }

  /// `crds/extra.yaml: no CustomResourceDefinition`.
  public var description: String { "\(file): \(message)" }
}

extension SchemaRegistry {
  /// A new registry with the CRDs found in the given files and directories added.
  ///
  /// Files may be YAML (several documents allowed) or JSON; a `kind: List` of CRDs
  /// works too. Directories are searched recursively for `.yaml`, `.yml` and `.json`
  /// files, skipping hidden entries. Every served version of each CRD becomes a kind
  /// with that version's `openAPIV3Schema` and the scope from `spec.scope`. Documents
  /// that are not CRDs are ignored. A CRD read later replaces an earlier one with the
  /// same group, version and kind.
  public func adding(crdPaths: [String]) throws(SchemaLoadError) -> SchemaRegistry {
    try addingCRDs(from: crdPaths).registry
  }

  /// Like ``adding(crdPaths:)``, also returning what was ignored or overridden.
  public func addingCRDs(
    from paths: [String]
  ) throws(SchemaLoadError) -> (registry: SchemaRegistry, warnings: [SchemaLoadWarning]) {
    var warnings: [SchemaLoadWarning] = []
    var added: [KindInfo] = []
    var origin: [GroupVersionKind: String] = [:]
    for path in paths {
      let files = try CRDFiles.expand(path)
      if files.isEmpty {
        warnings.append(SchemaLoadWarning(file: path, message: "no .yaml, .yml or .json files"))
      }
      for file in files {
        let documents = try CRDFiles.documents(in: file)
        var crdCount = 0
        for document in documents {
          for crd in Self.crdObjects(in: document) {
            crdCount += 1
            let kinds = try Self.kinds(fromCRD: crd, source: file, objectMeta: objectMeta)
            for info in kinds {
              if let earlier = origin.updateValue(file, forKey: info.gvk) {
                warnings.append(
                  SchemaLoadWarning(
                    file: file, message: "\(info.gvk) replaces the definition from \(earlier)"))
              }
              added.append(info)
            }
          }
        }
        if crdCount == 0 {
          warnings.append(SchemaLoadWarning(file: file, message: "no CustomResourceDefinition"))
        }
      }
    }
    return (adding(added), warnings)
  }

  /// A new registry with the kinds of one CRD (or a `kind: List` of CRDs) added.
  ///
  /// - Parameter source: Names where the CRD came from in ``KindInfo/source`` and in
  ///   errors: a file path, or `cluster` for one read from a server.
  public func adding(crd: Value, source: String) throws(SchemaLoadError) -> SchemaRegistry {
    let crds = Self.crdObjects(in: crd)
    if crds.isEmpty {
      throw SchemaLoadError(file: source, message: "not a CustomResourceDefinition")
    }
    var added: [KindInfo] = []
    for crd in crds {
      added += try Self.kinds(fromCRD: crd, source: source, objectMeta: objectMeta)
    }
    return adding(added)
  }

  /// The CRDs in one document: itself, or the CRD items of a `kind: List`.
  static func crdObjects(in document: Value) -> [Value] {
    if isCRD(document) { return [document] }
    if document["kind"] == "List", let items = document["items"]?.arrayValue {
      return items.filter(isCRD)
    }
    return []
  }

  private static func isCRD(_ document: Value) -> Bool {
    document["kind"] == "CustomResourceDefinition"
      && document["apiVersion"]?.stringValue?.hasPrefix("apiextensions.k8s.io/") == true
  }

  /// One ``KindInfo`` per served version of `crd`.
  static func kinds(
    fromCRD crd: Value, source: String, objectMeta: SchemaNode?
  ) throws(SchemaLoadError) -> [KindInfo] {
    let name = crd["metadata"]?["name"]?.stringValue ?? "(unnamed)"
    func failure(_ message: String) -> SchemaLoadError {
      SchemaLoadError(file: source, message: "CustomResourceDefinition \(name): \(message)")
    }
    guard let spec = crd["spec"]?.objectValue else { throw failure("missing spec") }
    guard let group = spec["group"]?.stringValue, !group.isEmpty else {
      throw failure("missing spec.group")
    }
    guard let kind = spec["names"]?["kind"]?.stringValue, !kind.isEmpty else {
      throw failure("missing spec.names.kind")
    }
    let namespaced: Bool
    switch spec["scope"]?.stringValue {
    case "Cluster": namespaced = false
    case "Namespaced", nil: namespaced = true
    case let other?: throw failure("spec.scope must be Namespaced or Cluster, not \(other)")
    }
    // apiextensions.k8s.io/v1beta1 (removed in Kubernetes 1.22, still found in old
    // repositories) could give one schema for all versions in spec.validation.
    let sharedSchema = spec["validation"]?["openAPIV3Schema"]
    var versions: [(name: String, schema: Value?, path: String, storage: Bool)] = []
    if let list = spec["versions"]?.arrayValue, !list.isEmpty {
      for (index, version) in list.enumerated() {
        guard let versionName = version["name"]?.stringValue else {
          throw failure("spec.versions[\(index)] has no name")
        }
        if version["served"] == .bool(false) { continue }
        let storage = version["storage"] == .bool(true)
        if let own = version["schema"]?["openAPIV3Schema"] {
          versions.append(
            (versionName, own, "spec.versions[\(index)].schema.openAPIV3Schema", storage))
        } else {
          versions.append((versionName, sharedSchema, "spec.validation.openAPIV3Schema", storage))
        }
      }
    } else if let versionName = spec["version"]?.stringValue {
      // The one version of the old form is both served and stored.
      versions.append((versionName, sharedSchema, "spec.validation.openAPIV3Schema", true))
    } else {
      throw failure("missing spec.versions")
    }
    let builder = SchemaBuilder(definitions: nil, objectMeta: objectMeta)
    var kinds: [KindInfo] = []
    for version in versions {
      var facets: Facets
      if let schema = version.schema {
        do {
          facets = try builder.node(from: schema, path: version.path).own
        } catch {
          throw failure("\(error.path): \(error.message)")
        }
      } else {
        // No schema: the server keeps whatever is sent.
        facets = Facets()
        facets.preservesUnknownFields = true
      }
      if facets.types == .any { facets.types = .object }
      builder.addResourceFields(to: &facets)
      let gvk = GroupVersionKind(group: group, version: version.name, kind: kind)
      kinds.append(
        KindInfo(
          gvk: gvk, namespaced: namespaced, schema: SchemaNode(facets), source: source,
          isStorageVersion: version.storage))
    }
    return kinds
  }
}
