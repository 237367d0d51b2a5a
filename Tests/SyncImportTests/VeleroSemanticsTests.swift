import SyncValue
import Testing

/// Velero's modifiers, translated, do to objects what Velero does: conditions read the
/// object before any rule, name regexes match anywhere, a failing leading `test` skips
/// the rule's patch and keeps the object, merge patches delete with `null`, and every
/// object of the backup is restored.
struct VeleroSemanticsTests {
  static let modifiers = """
    version: v1
    resourceModifierRules:
    - conditions:
        groupResource: deployments.apps
        resourceNameRegex: "web"
        namespaces: [shop]
      patches:
      - {operation: test, path: /spec/paused, value: "false"}
      - {operation: replace, path: /spec/replicas, value: "0"}
    - conditions:
        groupResource: deployments.apps
        matches:
        - {path: /spec/replicas, value: "3"}
      mergePatches:
      - patchData: |
          metadata: {labels: {sized: "three", drop-me: null}}
    """

  static func deployment(_ name: String, replicas: Int64, paused: Bool) -> Value {
    let labels: Value = .object(
      ObjectValue(members: [.init(key: "app", value: "x"), .init(key: "drop-me", value: "y")]))
    let metadata: Value = .object(
      ObjectValue(members: [
        .init(key: "name", value: .string(name)), .init(key: "namespace", value: "shop"),
        .init(key: "labels", value: labels), .init(key: "uid", value: "1234"),
      ]))
    let spec: Value = .object(
      ObjectValue(members: [
        .init(key: "replicas", value: .int(replicas)), .init(key: "paused", value: .bool(paused)),
      ]))
    return .object(
      ObjectValue(members: [
        .init(key: "apiVersion", value: "apps/v1"), .init(key: "kind", value: "Deployment"),
        .init(key: "metadata", value: metadata), .init(key: "spec", value: spec),
      ]))
  }

  static func restored(_ object: Value) throws -> Value? {
    try Translated.velero(modifiers).rewrite(object)
  }

  @Test func aMatchingDeploymentIsPatchedAndMerged() throws {
    let result = try #require(
      try Self.restored(Self.deployment("frontend-web-1", replicas: 3, paused: false)))
    #expect(result["spec"]?["replicas"] == .int(0))
    // The merge rule's `matches` read the object before the first rule set 0 replicas.
    #expect(result["metadata"]?["labels"]?["sized"] == "three")
    #expect(result["metadata"]?["labels"]?["drop-me"] == nil)
    #expect(result["metadata"]?["labels"]?["app"] == "x")
    #expect(result["metadata"]?["uid"] == nil, "Velero restores without server-set fields")
  }

  @Test func aFailingTestSkipsThePatchAndKeepsTheObject() throws {
    let result = try #require(try Self.restored(Self.deployment("web", replicas: 2, paused: true)))
    #expect(result["spec"]?["replicas"] == .int(2))
    #expect(result["metadata"]?["labels"]?["drop-me"] == "y")
  }

  @Test func otherObjectsAreRestoredUnchanged() throws {
    let result = try #require(try Self.restored(Self.deployment("api", replicas: 2, paused: false)))
    #expect(result["spec"]?["replicas"] == .int(2))
    #expect(result["metadata"]?["name"] == "api")
  }
}
