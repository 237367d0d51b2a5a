import SyncImport
import SyncValue
import Testing

/// Karmada's field overrider, translated and run: the JSON Patch applies to the document
/// inside the string, which is written back in its format.
struct FieldOverriderTests {
  static let policies = """
    apiVersion: policy.karmada.io/v1alpha1
    kind: ClusterPropagationPolicy
    metadata: {name: config}
    spec:
      resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]
    ---
    apiVersion: policy.karmada.io/v1alpha1
    kind: ClusterOverridePolicy
    metadata: {name: config}
    spec:
      resourceSelectors: [{apiVersion: v1, kind: ConfigMap}]
      overrideRules:
      - overriders:
          fieldOverrider:
          - fieldPath: /data/config.yaml
            yaml:
            - {subPath: /database/host, operator: replace, value: db.standby}
            - {subPath: /debug, operator: remove}
          - fieldPath: /data/settings.json
            json:
            - {subPath: /replicas, operator: add, value: 1}
    """

  @Test func theDocumentsInsideTheStringsAreEdited() throws {
    let translated = try Translated.karmada(Self.policies)
    // Translated exactly: nothing left as a comment.
    #expect(
      !translated.result.findings.contains { $0.code == .notTranslated },
      "\(translated.result.findings)")
    let configMap = try JSON.parse(
      #"""
      {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","namespace":"shop"},
       "data":{"config.yaml":"database:\n  host: db.prod\ndebug: true\n",
               "settings.json":"{\"mode\":\"on\"}"}}
      """#)
    guard let rewritten = translated.rewrite(configMap) else { return }
    #expect(rewritten["data"]?["config.yaml"] == "database:\n  host: db.standby\n")
    #expect(rewritten["data"]?["settings.json"] == #"{"mode":"on","replicas":1}"#)
  }
}
