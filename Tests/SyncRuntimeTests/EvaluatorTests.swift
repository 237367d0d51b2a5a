import SyncCompile
import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// Semantics of the evaluator, one rule and one object per case, as JSON.
struct EvaluatorTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var rules: String
    var input: String
    /// The expected output object, or "skipped", "dropped", "unmatched", "failed:E0601".
    var expected: String
    var testDescription: String { name }
  }

  static let deployment = """
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop",
     "labels":{"app":"web","tier":"front"}},
     "spec":{"replicas":3,"template":{"metadata":{"labels":{"app":"web"}},
     "spec":{"containers":[{"name":"app","image":"registry.prod.example/web:1.2"},
                           {"name":"sidecar","image":"registry.prod.example/proxy:latest"}]}}}}
    """

  static let cases: [Case] = [
    Case(
      name: "[= value] removes every equal element, and nothing else",
      rules: """
        rule r match apps/v1 Deployment {
          remove spec.template.spec.containers[name: app].args[= "--debug"]
          set spec.template.spec.containers[name: app].args[= "-v"] = "--quiet"
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"app","args":["--debug","x","--debug","-v",1],"ports":[{"containerPort":80}]},{"name":"b","args":["--debug"]}]}}}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"app","args":["x","--quiet",1],"ports":[{"containerPort":80}]},{"name":"b","args":["--debug"]}]}}}}"#
    ),
    Case(
      name: "edit as yaml: the document in the string is edited and written back",
      rules: """
        rule r match v1 ConfigMap {
          edit data."config.yaml" as yaml {
            set database.host = "db.dr"
            set database.owner = metadata.name
            remove debug
          }
        }
        """,
      input:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"config.yaml":"database:\n  host: db.prod\n  port: 5432\ndebug: true\n"}}"#,
      expected:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"config.yaml":"database:\n  host: db.dr\n  port: 5432\n  owner: app\n"}}"#
    ),
    Case(
      name: "edit as json: compact stays compact, nested documents work",
      rules: """
        rule r match v1 ConfigMap {
          edit data.settings as json {
            patch [{ op: replace, path: "/mode", value: "standby" }]
            edit inner as yaml { set a = 2 }
          }
        }
        """,
      input:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"settings":"{\"mode\":\"active\",\"inner\":\"a: 1\\n\"}"}}"#,
      expected:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"settings":"{\"mode\":\"standby\",\"inner\":\"a: 2\\n\"}"}}"#
    ),
    Case(
      name: "edit as yaml: an absent string skips the block",
      rules: """
        rule r match v1 ConfigMap {
          edit data."config.yaml" as yaml { set a = 1 }
          set data.after = "yes"
        }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"}}"#,
      expected:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"after":"yes"}}"#
    ),
    Case(
      name: "edit as yaml: text that is not YAML fails the object",
      rules: """
        rule r match v1 ConfigMap { edit data.c as yaml { set a = 1 } }
        """,
      input:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app"},"data":{"c":"a: [1,"}}"#,
      expected: "failed:E0603"
    ),
    Case(
      name: "edit as json: a value that is not a string fails the object",
      rules: """
        rule r match example.com/v1 Widget { edit spec.config as json { set a = 1 } }
        """,
      input:
        #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"config":{"a":0}}}"#,
      expected: "failed:E0601"
    ),
    Case(
      name: "patch strategic: containers merge by name, $patch delete removes one",
      rules: """
        rule r match apps/v1 Deployment {
          patch strategic { spec: { template: { spec: { containers: [
            { name: "app", image: "dr/app:1" }, { name: "debug", "$patch": "delete" }
          ] } } } }
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"prod/app:1","args":["-v"]},{"name":"debug","image":"busybox"}]}}}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"dr/app:1","args":["-v"]}]}}}}"#
    ),
    Case(
      name: "patch strategic: an item without its merge key fails the object",
      rules: """
        rule r match apps/v1 Deployment {
          patch strategic { spec: { template: { spec: { containers: [{ image: "x" }] } } } }
        }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#,
      expected: "failed:E0602"
    ),
    Case(
      name: "patch strategic: another version of the kind has no strategies compiled",
      rules: """
        rule r match apps/v1 Deployment, apps/v1 StatefulSet {
          patch strategic { metadata: { labels: { a: "b" } } }
        }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"a"}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"a","labels":{"a":"b"}}}"#
    ),
    Case(
      name: "image: a registry is set as container runtimes read the image",
      rules: """
        rule r match apps/v1 Deployment {
          image spec.template.spec.containers[*].image set registry = "registry.dr:5000"
          image spec.template.spec.containers[name: b].image append tag "-dr"
          image spec.template.spec.containers[name: c].image remove tag
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"nginx"},{"name":"b","image":"team/app:1.0"},{"name":"c","image":"quay.io/x/y:2"}]}}}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"registry.dr:5000/library/nginx"},{"name":"b","image":"registry.dr:5000/team/app:1.0-dr"},{"name":"c","image":"registry.dr:5000/x/y"}]}}}}"#
    ),
    Case(
      name: "image: a result that is not a valid reference fails the object",
      rules: """
        rule r match apps/v1 Deployment {
          image spec.template.spec.containers[*].image set repository = metadata.labels.repo
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"repo":"Not/Valid"}},"spec":{"template":{"spec":{"containers":[{"name":"a","image":"nginx"}]}}}}"#,
      expected: "failed:E0603"
    ),
    Case(
      name: "merge at the root: maps merge, null removes, identity untouched",
      rules: """
        rule r match apps/v1 Deployment {
          merge { metadata: { labels: { tier: "standby" } }, spec: { paused: null, replicas: 0 } }
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"app":"x"}},"spec":{"replicas":3,"paused":true}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"app":"x","tier":"standby"}},"spec":{"replicas":0}}"#
    ),
    Case(
      name: "merge at the root may not rename the object",
      rules: """
        rule r match apps/v1 Deployment { merge { metadata: { name: "other" } } }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#,
      expected: "failed:E0604"
    ),
    Case(
      name: "patch if tests pass: a failing test keeps the object as it was",
      rules: """
        rule r match apps/v1 Deployment {
          set metadata.labels.before = "yes"
          patch [
            { op: replace, path: "/spec/replicas", value: 0 },
            { op: test, path: "/spec/paused", value: false }
          ] if tests pass
          set metadata.labels.after = "yes"
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3,"paused":true}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"before":"yes","after":"yes"}},"spec":{"replicas":3,"paused":true}}"#
    ),
    Case(
      name: "patch if tests pass: a test of a missing path fails the same way",
      rules: """
        rule r match apps/v1 Deployment {
          patch [{ op: test, path: "/spec/paused", value: false }, { op: remove, path: "/spec/replicas" }] if tests pass
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3}}"#
    ),
    Case(
      name: "patch if tests pass: passing tests apply the patch",
      rules: """
        rule r match apps/v1 Deployment {
          patch [{ op: test, path: "/spec/paused", value: false }, { op: remove, path: "/spec/replicas" }] if tests pass
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3,"paused":false}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"paused":false}}"#
    ),
    Case(
      name: "patch if tests pass: another failing operation still fails the object",
      rules: """
        rule r match apps/v1 Deployment {
          patch [{ op: test, path: "/spec/paused", value: false }, { op: remove, path: "/spec/minReadySeconds" }] if tests pass
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"paused":false}}"#,
      expected: "failed:E0602"
    ),
    Case(
      name: "set creates missing parents",
      rules: """
        rule r match apps/v1 Deployment { set spec.template.metadata.annotations."a.b/c" = "x" }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"metadata":{"annotations":{"a.b/c":"x"}}}}}"#
    ),
    Case(
      name: "keyed element is never created, and leaves no empty parents",
      rules: """
        rule r match apps/v1 Deployment { set spec.template.spec.containers[name: app].image = "x" }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#,
      expected: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#
    ),
    Case(
      name: "replace prefix in every container, key order kept",
      rules: """
        rule r match apps/v1 Deployment {
          replace spec.template.spec.containers[*].image prefix "registry.prod.example/" -> "registry.dr.example/"
        }
        """,
      input: deployment,
      expected: deployment.replacingAll("registry.prod.example/", "registry.dr.example/")
    ),
    Case(
      name: "regex replace with captures",
      rules: """
        rule r match apps/v1 Deployment {
          replace spec.template.spec.containers[name: sidecar].image re"^(.*):latest$" -> "$1:stable"
        }
        """,
      input: deployment,
      expected: deployment.replacingAll("proxy:latest", "proxy:stable")
    ),
    Case(
      name: "values read the source, not the partly rewritten object",
      rules: """
        rule r match apps/v1 Deployment {
          set spec.replicas = 0
          set metadata.annotations.was = "${spec.replicas}"
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","annotations":{"was":"3"}},"spec":{"replicas":0}}"#
    ),
    Case(
      name: "append if absent compares list-map keys",
      rules: """
        rule r match apps/v1 Deployment {
          append spec.template.spec.containers { name: "app", image: "other" } if absent
        }
        """,
      input: deployment,
      expected: deployment
    ),
    Case(
      name: "append creates the list",
      rules: """
        rule r match apps/v1 Deployment {
          append spec.template.spec.tolerations { key: "k", operator: "Exists" } if absent
        }
        """,
      input: #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"template":{"spec":{"tolerations":[{"key":"k","operator":"Exists"}]}}}}"#
    ),
    Case(
      name: "merge is RFC 7386",
      rules: """
        rule r match apps/v1 Deployment { merge metadata.labels { tier: null, dr: "yes" } }
        """,
      input: deployment,
      expected: deployment.replacingAll(#""tier":"front""#, #""dr":"yes""#)
    ),
    Case(
      name: "default writes only where absent",
      rules: """
        rule r match apps/v1 Deployment {
          default spec.replicas = 1
          default spec.paused = true
        }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a"},"spec":{"replicas":3,"paused":true}}"#
    ),
    Case(
      name: "skip wins over rules",
      rules: """
        skip namespaces "sh*"
        rule r match apps/v1 Deployment
        """,
      input: deployment, expected: "skipped"
    ),
    Case(
      name: "skip owned",
      rules: """
        skip owned by apps/v1 ReplicaSet
        rule r match v1 Pod
        """,
      input:
        #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"1","controller":true}]}}"#,
      expected: "skipped"
    ),
    Case(
      name: "label selector notin matches when the label is absent",
      rules: """
        rule r match apps/v1 Deployment labels env notin (prod), app=web { set spec.replicas = 1 }
        """,
      input:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"app":"web"}}}"#,
      expected:
        #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","labels":{"app":"web"}},"spec":{"replicas":1}}"#
    ),
    Case(
      name: "no rule matches",
      rules: "rule r match apps/v1 Deployment named api",
      input: deployment, expected: "unmatched"
    ),
    Case(
      name: "when else drops",
      rules: """
        rule r match apps/v1 Deployment {
          when spec.replicas > 2 { drop } else { set spec.replicas = 0 }
        }
        """,
      input: deployment, expected: "dropped"
    ),
    Case(
      name: "a path crossing a string fails the object",
      rules: "rule r match example.com/v1 Widget { set spec.size.value = 1 }",
      input:
        #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"size":"big"}}"#,
      expected: "failed:E0601"
    ),
    Case(
      name: "interpolating a map fails the object",
      rules: #"rule r match example.com/v1 Widget { set metadata.labels.x = "${spec}" }"#,
      input: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{}}"#,
      expected: "failed:E0603"
    ),
    Case(
      name: "a failing patch fails the object and leaves nothing half applied",
      rules: """
        rule r match v1 ConfigMap { patch [ { op: "add", path: "/data/a", value: "1" }, { op: "remove", path: "/data/missing" } ] }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#,
      expected: "failed:E0602"
    ),
    Case(
      name: "remove is silent when absent, wildcard keys",
      rules: """
        rule r match v1 ConfigMap, apps/v1 Deployment { remove metadata.uid, metadata.annotations.*, status }
        """,
      input:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"a":"1","b":"2"}}}"#,
      expected: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{}}}"#
    ),
    // A patch's values read the source object like every other value. Before, a path or
    // `${…}` in a patch value crashed `check` and `apply` (SIGILL in the compiler).
    Case(
      name: "patch values interpolate and read the source",
      rules: """
        rule r match v1 ConfigMap { patch [
          { op: add, path: "/data/source", value: "${metadata.namespace}/${metadata.name}" },
          { op: add, path: "/data/copy", value: data.a } ] }
        """,
      input:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"shop"},"data":{"a":"1"}}"#,
      expected:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"shop"},"data":{"a":"1","source":"shop/c","copy":"1"}}"#
    ),
    Case(
      name: "a patch whose value reads an absent path does nothing",
      rules: """
        rule r match v1 ConfigMap { patch [
          { op: add, path: "/data/x", value: "1" }, { op: add, path: "/data/y", value: data.missing } ] }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#,
      expected: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#
    ),
    // An edit never changes what identifies an object unless it names that field.
    Case(
      name: "a patch replacing metadata may not rename the object",
      rules: """
        rule r match v1 ConfigMap { patch [ { op: replace, path: "/metadata", value: { name: "x" } } ] }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{}}"#,
      expected: "failed:E0604"
    ),
    Case(
      name: "a wildcard set may not change the kind",
      rules: #"rule r match example.com/v1 Widget { set * = "premium" }"#,
      input: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"}}"#,
      expected: "failed:E0604"
    ),
    Case(
      name: "a patch removing the namespace may not move the object",
      rules: """
        rule r match v1 ConfigMap { patch [ { op: remove, path: "/metadata" }, { op: add, path: "/metadata", value: { name: "c" } } ] }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"shop"}}"#,
      expected: "failed:E0604"
    ),
    Case(
      name: "an edit that names the field may rename",
      rules: #"rule r match v1 ConfigMap { replace metadata.name prefix "prod-" -> "dr-" }"#,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"prod-c"}}"#,
      expected: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dr-c"}}"#
    ),
    Case(
      name: "a rule that renames in one rule and a later rule that does not touch identity",
      rules: """
        rule a match v1 ConfigMap { patch [ { op: replace, path: "/metadata/namespace", value: "dr" } ] }
        rule b match v1 ConfigMap { set metadata.labels = { moved: "true" } }
        """,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"shop"}}"#,
      expected:
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"dr","labels":{"moved":"true"}}}"#
    ),
    Case(
      name: "an object without a name is never synced",
      rules: #"rule r match v1 ConfigMap { set data.a = "1" }"#,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"namespace":"shop"}}"#,
      expected: "failed:E0604"
    ),
    Case(
      name: "removing the name, even by naming it, leaves an object that is never synced",
      rules: #"rule r match v1 ConfigMap { remove metadata.name }"#,
      input: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#,
      expected: "failed:E0604"
    ),
  ]

  @Test(arguments: cases)
  func evaluates(_ testCase: Case) throws {
    let ruleSet = RuleSet.load(text: testCase.rules)
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    let input = try JSON.parse(testCase.input)
    let outcome = Evaluator(program: program).evaluate(input)
    switch outcome {
    case .rewritten(let output, _):
      let expected = try JSON.parse(testCase.expected)
      #expect(JSON.serialize(output) == JSON.serialize(expected))
    case .skipped: #expect(testCase.expected == "skipped")
    case .dropped: #expect(testCase.expected == "dropped")
    case .unmatched: #expect(testCase.expected == "unmatched")
    case .failed(let failure):
      #expect(testCase.expected == "failed:\(failure.code.rawValue)", "\(failure)")
    }
  }
}

extension String {
  fileprivate func replacingAll(_ target: String, _ replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}
