import SyncValue

/// The embedded Kubernetes definitions as JSON, for tools that serve them as OpenAPI
/// documents (the test API server's `/openapi/v2` and `/openapi/v3`).
///
/// The schemas are in the trimmed form the generator writes (`Generated/generate-schemas.py`):
/// `$ref` holds a bare definition name, `type` may be a list (`["number", "string"]` for
/// quantities), and `x-syncrules-quantity` marks quantities.
public enum BuiltInDefinitions {
  /// A resource kind and the definition that describes it.
  public struct Kind: Sendable {
    public var gvk: GroupVersionKind
    public var namespaced: Bool
    /// The definition's name, such as `io.k8s.api.apps.v1.Deployment`.
    public var definition: String
  }

  /// Every kind of the embedded data.
  public static let kinds: [Kind] = BuiltInSchemaData.groups.flatMap { group in
    group.kinds.map { kind in
      Kind(
        gvk: GroupVersionKind(group: kind.group, version: kind.version, kind: kind.kind),
        namespaced: kind.namespaced, definition: kind.definition)
    }
  }

  /// Every definition by name, parsed on first use (about a megabyte of JSON).
  public static let schemas: [String: Value] = {
    var result: [String: Value] = [:]
    for group in BuiltInSchemaData.groups {
      guard let entries = try? BuiltInSchemas.entries(group.definitions) else { continue }
      for entry in entries {
        result[entry.name] = try? JSON.parse(BuiltInSchemas.bytes(group.definitions, entry.range))
      }
    }
    return result
  }()

  /// The names of the definitions `roots` refer to through `$ref`, at any depth, and the
  /// roots themselves.
  public static func reachable(from roots: [String]) -> Set<String> {
    var seen = Set<String>()
    var stack = roots
    while let name = stack.popLast() {
      guard seen.insert(name).inserted, let schema = schemas[name] else { continue }
      collectReferences(schema, into: &stack)
    }
    return seen
  }

  private static func collectReferences(_ value: Value, into names: inout [String]) {
    switch value {
    case .object(let object):
      for member in object.members {
        if member.key == "$ref", let name = member.value.stringValue {
          names.append(name)
        } else {
          collectReferences(member.value, into: &names)
        }
      }
    case .array(let items):
      for item in items { collectReferences(item, into: &names) }
    default:
      break
    }
  }
}
