import SyncCheck
import SyncDriver
import SyncRuntime
import SyncValue
import TestSupport
import Testing

/// Which members the rules let the reader leave out of an object, per kind: only what
/// every rule that can select the kind removes on every run, and nothing else touches.
struct ProjectionAnalysisTests {
  static func projection(
    _ rules: String, apiVersion: String = "apps/v1", kind: String = "Deployment"
  ) throws -> JSONProjection {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    return Evaluator(program: program).projection(apiVersion: apiVersion, kind: kind)
  }

  static let stripped = JSONProjection.members([
    "status": .skip, "metadata": .members(["managedFields": .skip]),
  ])

  @Test func removedAndUnreadPathsAreLeftOut() throws {
    let rules = """
      rule workload match apps/v1 Deployment {
        remove status, metadata.managedFields
        set spec.replicas = 0
      }
      """
    #expect(try Self.projection(rules) == Self.stripped)
    // Another kind, which no rule selects, keeps everything.
    #expect(try Self.projection(rules, apiVersion: "v1", kind: "ConfigMap") == .keep)
    // So does another version, which the rule's kind does not match.
    #expect(try Self.projection(rules, apiVersion: "apps/v1beta1") == .keep)
  }

  /// Paths inside `edit … as yaml { }` name the document: removing `status` there does
  /// not let the reader leave out the object's status, and the string is kept.
  @Test func editsInsideADocumentDoNotProjectTheObject() throws {
    let rules = """
      rule workload match apps/v1 Deployment {
        remove metadata.managedFields
        edit metadata.annotations."example.com/config" as yaml {
          remove status
        }
      }
      """
    #expect(
      try Self.projection(rules) == .members(["metadata": .members(["managedFields": .skip])]))
  }

  @Test func theShippedDisasterRecoveryRulesLeaveOutStatusAndManagedFields() throws {
    let path = Repository.path("docs/examples/dr-standby.sync")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let ruleSet = RuleSet.load(
      text: text, path: path, stdlib: DirectoryStdlib(directory: Repository.path("stdlib-rules")))
    let evaluator = Evaluator(program: try #require(ruleSet.program))
    let deployment = evaluator.projection(apiVersion: "apps/v1", kind: "Deployment")
    guard case .members(let top) = deployment, case .members(let metadata)? = top["metadata"]
    else {
      Issue.record("no projection for Deployments: \(deployment)")
      return
    }
    #expect(top["status"] == JSONProjection.skip)
    #expect(metadata["managedFields"] == JSONProjection.skip)
    #expect(metadata["resourceVersion"] == JSONProjection.skip)
    // Read by selection, the identity check and messages.
    for kept in ["name", "namespace"] { #expect(metadata[kept] == nil) }
    #expect(top["apiVersion"] == nil && top["kind"] == nil && top["spec"] == nil)
    // A ConfigMap has no `strip-status` in its rule.
    let configMap = evaluator.projection(apiVersion: "v1", kind: "ConfigMap")
    guard case .members(let configTop) = configMap else {
      Issue.record("no projection for ConfigMaps: \(configMap)")
      return
    }
    #expect(configTop["status"] == nil)
  }

  /// Each of these touches `status` besides removing it, or does not always remove it:
  /// `status` must then be read.
  static let statusTouched: [String] = [
    // A condition reads it.
    """
    rule w match apps/v1 Deployment {
      when status.replicas > 1 { set spec.replicas = 1 }
      remove status
    }
    """,
    // A selector condition reads it.
    """
    rule w match apps/v1 Deployment when status.replicas > 1 { remove status }
    """,
    // A value reads it.
    """
    rule w match apps/v1 Deployment {
      set metadata.annotations."was" = "${status.replicas}"
      remove status
    }
    """,
    // A second rule for the kind keeps it.
    """
    rule w match apps/v1 Deployment { remove status }
    rule v match apps/v1 Deployment named web { set spec.replicas = 0 }
    """,
    // The removal is conditional.
    """
    rule w match apps/v1 Deployment {
      when spec.replicas > 1 { remove status }
    }
    """,
    // An edit after it writes it again.
    """
    rule w match apps/v1 Deployment {
      remove status
      set status.replicas = 0
    }
    """,
    // A JSON Patch removal fails when the member is missing.
    """
    rule w match apps/v1 Deployment {
      patch [{ op: "remove", path: "/status" }]
    }
    """,
    // A skip reads it.
    """
    skip match apps/v1 Deployment when status.replicas == 0
    rule w match apps/v1 Deployment { remove status }
    """,
    // A wildcard reads every member.
    """
    rule w match apps/v1 Deployment {
      set metadata.annotations."copy" = "${*.replicas}"
      remove status
    }
    """,
  ]

  @Test(arguments: statusTouched)
  func aPathTouchedOtherwiseIsKept(_ rules: String) throws {
    let projection = try Self.projection(rules)
    guard case .members(let top) = projection else { return }
    #expect(top["status"] == nil, "\(projection)")
  }

  @Test func aSelectorOnLabelsKeepsTheLabels() throws {
    let rules = """
      rule w match apps/v1 Deployment labels app = web {
        remove metadata.labels, metadata.managedFields
      }
      """
    #expect(
      try Self.projection(rules) == .members(["metadata": .members(["managedFields": .skip])]))
  }

  @Test func aRemovedMapCoversWhatRulesRemoveInsideIt() throws {
    let rules = """
      rule a match apps/v1 Deployment { remove status }
      rule b match apps/v1 Deployment named web { remove status.conditions, status }
      """
    #expect(try Self.projection(rules) == .members(["status": .skip]))
    let partial = """
      rule a match apps/v1 Deployment { remove status }
      rule b match apps/v1 Deployment named web { remove status.conditions }
      """
    // Objects only the second rule selects keep a `status` without `conditions`.
    #expect(
      try Self.projection(partial) == .members(["status": .members(["conditions": .skip])]))
  }

  @Test func theIdentityIsNeverLeftOut() throws {
    let rules = """
      rule w match apps/v1 Deployment {
        remove metadata.namespace, metadata.managedFields
      }
      """
    #expect(
      try Self.projection(rules) == .members(["metadata": .members(["managedFields": .skip])]))
  }
}

/// Whether an object's `metadata` already decides that it is not written.
struct LeftOutByMetadataTests {
  static func isLeftOut(
    _ rules: String, apiVersion: String = "apps/v1", kind: String = "Deployment",
    metadata: String
  ) throws -> Bool {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    let value = try #require(try JSONStreamReader(bytes: Array(metadata.utf8)).nextValue())
    let object = try #require(value.objectValue)
    return Evaluator(program: program).isLeftOut(
      apiVersion: apiVersion, kind: kind, metadata: object)
  }

  static let rules = """
    skip namespaces kube-system, re"tmp-.*"
    skip owned
    skip match v1 Secret when type == "kubernetes.io/service-account-token"
    rule workload match apps/v1 Deployment named web, api
    rule labelled match v1 ConfigMap labels sync = yes
    rule conditional match v1 Service when spec.type == "ClusterIP"
    rule secrets match v1 Secret
    """

  @Test(arguments: [
    // A skip by exact namespace, by pattern, by owner.
    ("apps/v1", "Deployment", #"{"name": "web", "namespace": "kube-system"}"#, true),
    ("apps/v1", "Deployment", #"{"name": "web", "namespace": "tmp-1"}"#, true),
    (
      "apps/v1", "Deployment",
      #"{"name": "web", "namespace": "a", "ownerReferences": [{"controller": true}]}"#, true
    ),
    // Selected, or not selected by any rule.
    ("apps/v1", "Deployment", #"{"name": "web", "namespace": "a"}"#, false),
    ("apps/v1", "Deployment", #"{"name": "other", "namespace": "a"}"#, true),
    ("v1", "ConfigMap", #"{"name": "c", "labels": {"sync": "yes"}}"#, false),
    ("v1", "ConfigMap", #"{"name": "c", "labels": {"sync": "no"}}"#, true),
    // A kind no rule selects.
    ("v1", "Pod", #"{"name": "p", "namespace": "a"}"#, true),
    // A rule whose condition reads the rest may select it.
    ("v1", "Service", #"{"name": "s", "namespace": "a"}"#, false),
    // A skip whose condition reads the rest: only a skip that matches decides.
    ("v1", "Secret", #"{"name": "s", "namespace": "a"}"#, false),
    ("v1", "Secret", #"{"name": "s", "namespace": "kube-system"}"#, true),
  ])
  func decidedByMetadata(
    _ apiVersion: String, _ kind: String, _ metadata: String, _ expected: Bool
  ) throws {
    #expect(
      try Self.isLeftOut(Self.rules, apiVersion: apiVersion, kind: kind, metadata: metadata)
        == expected)
  }
}
