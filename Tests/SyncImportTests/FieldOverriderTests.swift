import SyncDriver
import SyncImport
import SyncRuntime
import SyncValue
import TestSupport
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
    let directory = try TemporaryDirectory(prefix: "field-overrider")
    let result = try KarmadaImporter().translate(
      paths: [try directory.write("policies.yaml", Self.policies)])
    #expect(result.findings.isEmpty, "\(result.findings)")
    let program = try #require(RuleSet.load(text: result.text).program, "\(result.text)")
    let configMap = try JSON.parse(
      #"""
      {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app","namespace":"shop"},
       "data":{"config.yaml":"database:\n  host: db.prod\ndebug: true\n",
               "settings.json":"{\"mode\":\"on\"}"}}
      """#)
    guard case .rewritten(let rewritten, _) = Evaluator(program: program).evaluate(configMap)
    else {
      Issue.record("the ConfigMap was not rewritten")
      return
    }
    #expect(rewritten["data"]?["config.yaml"] == "database:\n  host: db.standby\n")
    #expect(rewritten["data"]?["settings.json"] == #"{"mode":"on","replicas":1}"#)
  }
}
