import SyncProgram
import SyncValue

/// An object a workload references by name: what `dependencies` follows.
public struct DependencyReference: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var kind: DependencyKind
  public var namespace: String
  public var name: String

  public var description: String { "\(kind.rawValue) \(namespace)/\(name)" }

  public static func < (lhs: Self, rhs: Self) -> Bool {
    (lhs.kind, lhs.namespace, lhs.name) < (rhs.kind, rhs.namespace, rhs.name)
  }

  /// The references of the wanted kinds in an object's pod template (workloads,
  /// CronJobs, Pods, CRDs that embed a template) and an Ingress's TLS secrets, the
  /// sources Karmada's `propagateDeps` follows. The `default` ServiceAccount is left
  /// out: every namespace makes its own.
  public static func references(
    in object: Value, kinds: Set<DependencyKind>, namespace: String?
  ) -> [DependencyReference] {
    guard let namespace else { return [] }
    var found: Set<DependencyReference> = []
    func add(_ kind: DependencyKind, _ name: Value?) {
      guard kinds.contains(kind), case .string(let name)? = name, !name.isEmpty else { return }
      found.insert(DependencyReference(kind: kind, namespace: namespace, name: name))
    }
    if object["kind"] == "Ingress" {
      for tls in object["spec"]?["tls"]?.arrayValue ?? [] { add(.secret, tls["secretName"]) }
      return found.sorted()
    }
    let podSpec =
      object["kind"] == "Pod"
      ? object["spec"]
      : object["spec"]?["template"]?["spec"]
        ?? object["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]
    guard let podSpec else { return [] }
    if let account = podSpec["serviceAccountName"]?.stringValue, account != "default" {
      add(.serviceAccount, .string(account))
    }
    for secret in podSpec["imagePullSecrets"]?.arrayValue ?? [] { add(.secret, secret["name"]) }
    for volume in podSpec["volumes"]?.arrayValue ?? [] {
      add(.configMap, volume["configMap"]?["name"])
      add(.secret, volume["secret"]?["secretName"])
      add(.persistentVolumeClaim, volume["persistentVolumeClaim"]?["claimName"])
      for source in volume["projected"]?["sources"]?.arrayValue ?? [] {
        add(.configMap, source["configMap"]?["name"])
        add(.secret, source["secret"]?["name"])
      }
    }
    for list in ["initContainers", "containers", "ephemeralContainers"] {
      for container in podSpec[list]?.arrayValue ?? [] {
        for variable in container["env"]?.arrayValue ?? [] {
          add(.configMap, variable["valueFrom"]?["configMapKeyRef"]?["name"])
          add(.secret, variable["valueFrom"]?["secretKeyRef"]?["name"])
        }
        for source in container["envFrom"]?.arrayValue ?? [] {
          add(.configMap, source["configMapRef"]?["name"])
          add(.secret, source["secretRef"]?["name"])
        }
      }
    }
    return found.sorted()
  }
}
