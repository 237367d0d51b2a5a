import SyncImport
import SyncValue
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
    let translated = try Translated.karmada(Self.policies)
    // Translated exactly: nothing left as a comment.
    #expect(
      !translated.result.findings.contains { $0.code == .notTranslated },
      "\(translated.result.findings)")
    let deployment = try JSON.parse(
      #"""
      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w","namespace":"shop"},
       "spec":{"template":{"spec":{"containers":[
         {"name":"app","command":["/app"],"args":["--debug","serve","-v","--debug"]},
         {"name":"sidecar","args":["--debug"]}]}}}}
      """#)
    guard let rewritten = translated.rewrite(deployment) else { return }
    let containers = rewritten["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
    #expect(containers.first?["command"] == .array(["/app", "--standby"]))
    #expect(containers.first?["args"] == .array(["serve", "--region=dr"]))
    #expect(containers.last?["args"] == .array(["--debug"]))
  }
}
