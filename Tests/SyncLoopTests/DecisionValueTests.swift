import SyncLoop
import SyncValue
import Testing

/// The values the Decider works with: the dependency graph and fingerprints.
struct DecisionValueTests {
  static func configMap(_ name: String) -> ObjectKey {
    ObjectKey(group: "", kind: "ConfigMap", namespace: "shop", name: name)
  }

  static func deployment(_ name: String) -> ObjectKey {
    ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: name)
  }

  /// One update of the graph, what it reports as changed, and what is referenced after.
  struct Step: Sendable {
    var owner: ObjectKey
    var references: Set<ObjectKey>
    var changed: Set<ObjectKey>
    var referenced: Set<ObjectKey>
  }

  static let steps: [Step] = [
    Step(
      owner: deployment("web"), references: [configMap("a"), configMap("b")],
      changed: [configMap("a"), configMap("b")], referenced: [configMap("a"), configMap("b")]),
    // A second owner of `a`: nothing about `a` changes.
    Step(
      owner: deployment("api"), references: [configMap("a")], changed: [],
      referenced: [configMap("a"), configMap("b")]),
    Step(
      owner: deployment("web"), references: [configMap("a"), configMap("c")],
      changed: [configMap("b"), configMap("c")], referenced: [configMap("a"), configMap("c")]),
    // `a` stays referenced while `api` still references it.
    Step(
      owner: deployment("web"), references: [], changed: [configMap("c")],
      referenced: [configMap("a")]),
    Step(owner: deployment("api"), references: [], changed: [configMap("a")], referenced: []),
  ]

  @Test func theGraphReportsWhatChangedAndWhatIsStillReferenced() {
    var graph = DependencyGraph()
    let everything = Set(Self.steps.flatMap(\.references))
    for step in Self.steps {
      #expect(graph.update(step.owner, references: step.references) == step.changed)
      #expect(everything.filter(graph.isReferenced) == step.referenced)
      #expect(graph.dependencies(of: step.owner) == step.references)
    }
    #expect(graph == DependencyGraph())
  }

  /// The digest is the SHA-256 of the compact JSON, the same in every process (as
  /// `printf '…' | sha256sum` prints it); `hashValue` is seeded per process.
  @Test func aFingerprintIsTheSHA256OfTheCompactJSON() {
    let object: Value = [
      "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "web-config"],
      "data": ["a": "1"],
    ]
    #expect(
      Fingerprint(of: object).description
        == "4fd46814db948f053f7cd1ffe89dd28d4e8719e71bab100b5cbb180a4a6f2a9a")
    var changed = object
    if case .object(var root) = changed {
      root["data"] = ["a": "2"]
      changed = .object(root)
    }
    #expect(Fingerprint(of: changed) != Fingerprint(of: object))
    #expect(Fingerprint(of: object) == Fingerprint(of: object))
  }
}
