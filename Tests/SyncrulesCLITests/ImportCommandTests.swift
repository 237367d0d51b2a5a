import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// `syncrules import` as a command: the seed operator's Karmada policies become a file
/// that syncs what docs/examples/dr-standby.sync syncs.
@Suite(.serialized)
struct ImportCommandTests {
  static let skippedNamespaces = "velero,prometheus,default,kube-system,kube-public,kube-node-lease"

  /// The resources the example data has, and what `sync` could write.
  static let resources: [(group: String, version: String, plural: String)] = [
    ("", "v1", "namespaces"), ("apps", "v1", "deployments"), ("apps", "v1", "statefulsets"),
    ("", "v1", "services"), ("", "v1", "persistentvolumeclaims"), ("", "v1", "configmaps"),
    ("", "v1", "secrets"), ("", "v1", "serviceaccounts"),
    ("networking.k8s.io", "v1", "ingresses"), ("networking.k8s.io", "v1", "ingressclasses"),
  ]

  /// What `sync --once` with `rules` writes to a standby from the example production.
  static func standbyObjects(rules: String) async throws -> [String: Value] {
    try await ClusterPair.with(
      production: .init(initialObjects: try ClusterPair.exampleObjects())
    ) { clusters in
      let once = try await CLI.runAsync(["sync", "--once", "-f", rules] + clusters.arguments)
      #expect(once.status == 0, "\(once.stderr)")
      var found: [String: Value] = [:]
      for resource in Self.resources {
        for object in clusters.standby.objects(
          group: resource.group, version: resource.version, plural: resource.plural)
        {
          let metadata = object["metadata"]
          let key = [
            resource.plural, metadata?["namespace"]?.stringValue ?? "",
            metadata?["name"]?.stringValue ?? "",
          ].joined(separator: "/")
          found[key] = Self.withoutServerFields(object)
        }
      }
      #expect(clusters.production.nonReadRequests.isEmpty)
      return found
    }
  }

  /// The standby's own fields (uid, resourceVersion, timestamps, managedFields) differ
  /// between any two writes.
  static func withoutServerFields(_ object: Value) -> Value {
    guard case .object(var root) = object, case .object(var metadata)? = root["metadata"] else {
      return object
    }
    for field in ["uid", "resourceVersion", "creationTimestamp", "generation", "managedFields"] {
      metadata.removeValue(forKey: field)
    }
    root["metadata"] = .object(metadata)
    return .object(root)
  }

  @Test func theSeedPoliciesSyncWhatTheHandWrittenFileSyncs() async throws {
    let directory = try TemporaryDirectory(prefix: "import")
    let imported = directory.file("imported.sync")
    let translation = try await CLI.runAsync([
      "import", "karmada", "--skipped-namespaces", Self.skippedNamespaces, "-o", imported,
      "docs/examples/karmada/policies.yaml",
    ])
    #expect(translation.status == 0, "\(translation.stderr)")
    #expect(translation.stdout.isEmpty)
    for code in ["W0803", "W0804", "W0805", "W0807"] {
      #expect(translation.stderr.contains("[\(code)]"), "\(translation.stderr)")
    }
    let check = try await CLI.runAsync(["check", "--strict", imported])
    #expect(check.status == 0, "\(check.stderr)")
    #expect(check.stderr.contains("0 errors, 0 warnings"), "\(check.stderr)")

    let byHand = try await Self.standbyObjects(rules: "docs/examples/dr-standby.sync")
    let byImport = try await Self.standbyObjects(rules: imported)
    #expect(byHand.keys.contains("deployments/shop/api"))
    #expect(byHand.keys.contains("configmaps/shop/web-config"))
    #expect(Set(byImport.keys) == Set(byHand.keys))
    for (key, object) in byHand {
      #expect(byImport[key] == object, "\(key) differs")
    }
  }

  @Test func aMalformedPolicyWritesNothingAndNamesTheLine() throws {
    let directory = try TemporaryDirectory(prefix: "import")
    let policy = try directory.write(
      "bad.yaml",
      """
      apiVersion: policy.karmada.io/v1alpha1
      kind: ClusterOverridePolicy
      metadata: {name: broken}
      spec:
        resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
        overrideRules:
        - overriders:
            plaintext:
            - {path: /spec/replicas, operator: substitute, value: 0}
      """)
    let output = directory.file("out.sync")
    let result = try CLI.run(["import", "karmada", "-o", output, policy])
    #expect(result.status == 1)
    #expect(result.stderr.contains("bad.yaml:9:"), "\(result.stderr)")
    #expect(result.stderr.contains("error[E0801]"), "\(result.stderr)")
    #expect(result.stderr.contains("`substitute`"), "\(result.stderr)")
    #expect(!FileManager.default.fileExists(atPath: output))
  }

  /// `import` checks what it writes: a source the tool itself would refuse (here a
  /// regex that does not compile) still translates, and the checker's error says where.
  @Test func aTranslationThatDoesNotCheckFailsWithTheCheckersError() throws {
    let directory = try TemporaryDirectory(prefix: "import")
    let modifiers = try directory.write(
      "modifiers.yaml",
      """
      version: v1
      resourceModifierRules:
      - conditions: {groupResource: pods, resourceNameRegex: "(unclosed"}
        patches: [{operation: remove, path: /spec/nodeName}]
      """)
    let output = directory.file("restore.sync")
    let result = try CLI.run(["import", "velero", "-o", output, modifiers])
    #expect(result.status == 1)
    #expect(result.stderr.contains("restore.sync:"), "\(result.stderr)")
    #expect(result.stderr.contains("error[E0301]"), "\(result.stderr)")
    #expect(
      result.stderr.hasSuffix("syncrules: error: the translation does not check; see above\n"))
    #expect(FileManager.default.fileExists(atPath: output), "written, so it can be fixed")
  }

  @Test func aMissingFileIsAnError() throws {
    let result = try CLI.run(["import", "velero", "no/such/modifiers.yaml"])
    #expect(result.status == 2, "a usage error, as for `check`")
    #expect(result.stderr.contains("no/such/modifiers.yaml"), "\(result.stderr)")
  }
}
