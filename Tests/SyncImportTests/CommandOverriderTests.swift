import SyncDriver
import SyncImport
import SyncRuntime
import SyncValue
import TestSupport
import Testing

/// Karmada's command and args overriders, translated and run: `add` appends at the end,
/// `remove` takes out every equal element, only in the named container.
struct CommandOverriderTests {
  static let policies = """
    apiVersion: policy.karmada.io/v1alpha1
    kind: ClusterPropagationPolicy
    metadata: {name: apps}
    spec:
      resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
    ---
    apiVersion: policy.karmada.io/v1alpha1
    kind: ClusterOverridePolicy
    metadata: {name: flags}
    spec:
      resourceSelectors: [{apiVersion: apps/v1, kind: Deployment}]
      overrideRules:
      - overriders:
          commandOverrider:
          - {containerName: app, operator: add, value: [--standby]}
          argsOverrider:
          - {containerName: app, operator: remove, value: [--debug, -v]}
          - {containerName: app, operator: add, value: [--region=dr]}
    """

  @Test func addAppendsAndRemoveTakesOutEveryEqualElement() throws {
    let directory = try TemporaryDirectory(prefix: "command-overrider")
    let result = try KarmadaImporter().translate(
      paths: [try directory.write("policies.yaml", Self.policies)])
    #expect(result.findings.isEmpty, "\(result.findings)")
    let program = try #require(RuleSet.load(text: result.text).program, "\(result.text)")
    let deployment = try JSON.parse(
      #"""
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w","namespace":"shop"},
       "spec":{"template":{"spec":{"containers":[
         {"name":"app","command":["/app"],"args":["--debug","serve","-v","--debug"]},
         {"name":"sidecar","args":["--debug"]}]}}}}
      """#)
    guard case .rewritten(let rewritten, _) = Evaluator(program: program).evaluate(deployment)
    else {
      Issue.record("the Deployment was not rewritten")
      return
    }
    let containers = rewritten["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
    #expect(containers.first?["command"] == .array(["/app", "--standby"]))
    #expect(containers.first?["args"] == .array(["serve", "--region=dr"]))
    #expect(containers.last?["args"] == .array(["--debug"]))
  }
}
