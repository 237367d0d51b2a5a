import SyncProgram
import SyncValue

/// The parts of an object that selection looks at, read once per object.
struct ObjectFacts {
  let object: Value
  let group: String
  let version: String
  let kind: String
  let namespace: String?
  let name: String
  let metadata: ObjectValue

  init?(_ object: Value) {
    guard case .object(let root) = object, case .string(let apiVersion)? = root["apiVersion"],
      case .string(let kind)? = root["kind"]
    else { return nil }
    self.object = object
    (group, version) = Self.split(apiVersion)
    self.kind = kind
    metadata = root["metadata"]?.objectValue ?? ObjectValue()
    if case .string(let namespace)? = metadata["namespace"], !namespace.isEmpty {
      self.namespace = namespace
    } else {
      namespace = nil
    }
    name = metadata["name"]?.stringValue ?? ""
  }

  func matches(_ skip: CompiledSkip, evaluator: Evaluator) -> Bool {
    switch skip {
    case .namespaces(let matchers):
      guard let namespace else { return false }
      return matchers.contains { $0.matches(namespace) }
    case .names(let matchers):
      return matchers.contains { $0.matches(name) }
    case .kinds(let matchers):
      return matchers.contains { $0.matches(group: group, version: version, kind: kind) }
    case .groups(let matchers):
      return matchers.contains { $0.matches(group) }
    case .owned(let owners):
      guard case .array(let references)? = metadata["ownerReferences"] else { return false }
      return references.contains { reference in
        guard case .object(let fields) = reference, fields["controller"] == .bool(true) else {
          return false
        }
        guard let owners else { return true }
        let apiVersion = fields["apiVersion"]?.stringValue ?? ""
        let ownerKind = fields["kind"]?.stringValue ?? ""
        let (ownerGroup, ownerVersion) = Self.split(apiVersion)
        return owners.contains {
          $0.matches(group: ownerGroup, version: ownerVersion, kind: ownerKind)
        }
      }
    case .match(let selector):
      return matches(selector, evaluator: evaluator)
    }
  }

  func matches(_ selector: CompiledSelector, evaluator: Evaluator) -> Bool {
    guard selector.kinds.contains(where: { $0.matches(group: group, version: version, kind: kind) })
    else { return false }
    if let namespaced = selector.namespaced, namespaced != (namespace != nil) { return false }
    for clause in selector.namespaces {
      guard let namespace, clause.contains(where: { $0.matches(namespace) }) else { return false }
    }
    for clause in selector.names where !clause.contains(where: { $0.matches(name) }) {
      return false
    }
    if !selector.labels.isEmpty,
      !Self.satisfies(selector.labels, metadata["labels"]?.objectValue)
    {
      return false
    }
    if !selector.annotations.isEmpty,
      !Self.satisfies(selector.annotations, metadata["annotations"]?.objectValue)
    {
      return false
    }
    for condition in selector.conditions where !evaluator.test(condition, source: object) {
      return false
    }
    return true
  }

  /// Kubernetes label-selector semantics: `!=` and `notin` also match when the key is absent.
  static func satisfies(_ requirements: [CompiledRequirement], _ map: ObjectValue?) -> Bool {
    requirements.allSatisfy { requirement in
      let value = map?[requirement.key]?.stringValue
      switch requirement.test {
      case .equals(let wanted): return value == wanted
      case .notEquals(let unwanted): return value != unwanted
      case .oneOf(let values): return value.map(values.contains) ?? false
      case .noneOf(let values): return value.map { !values.contains($0) } ?? true
      case .exists: return value != nil
      case .absent: return value == nil
      }
    }
  }

  static func split(_ apiVersion: String) -> (group: String, version: String) {
    guard let slash = apiVersion.lastIndex(of: "/") else { return ("", apiVersion) }
    return (
      String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...])
    )
  }
}
