import SyncCompile
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

/// The Decider on its own, without any cluster: source objects, rules and target objects
/// in, the desired set and the actions out.
struct DeciderTests {
  /// One table row. `target` holds what the target cluster has (copies marked by
  /// ``copy(_:of:cluster:)``, and foreign objects); `actions` are in plan order: the
  /// source objects by key, then the target's copies by key.
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var rules = replicasToZero
    var source: [Value] = []
    /// Source kinds whose listing is missing (discovery failed for their group).
    var unlisted: Set<GroupKind> = []
    var target: [Value] = []
    var desired: Set<String>
    var actions: [String]

    var testDescription: String { name }
  }

  static let replicasToZero = "rule w match apps/v1 Deployment { set spec.replicas = 0 }"

  static let followingConfigMaps = """
    rule w match apps/v1 Deployment {
      set spec.replicas = 0
      set spec.template.metadata.annotations.dr = "standby"
      dependencies configmaps
    }
    """

  static let ownership = Ownership(sourceCluster: "prod")

  static func deployment(
    _ name: String, replicas: Int64 = 3, templateMetadata: Value = ["labels": ["app": "web"]],
    config: String? = nil
  ) -> Value {
    var container: Value = ["name": "app", "image": "web:1"]
    if let config, case .object(var fields) = container {
      fields["envFrom"] = [["configMapRef": ["name": .string(config)]]]
      container = .object(fields)
    }
    return [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": .string(name), "namespace": "shop", "resourceVersion": "7"],
      "spec": [
        "replicas": .int(replicas),
        "template": ["metadata": templateMetadata, "spec": ["containers": [container]]],
      ],
      "status": ["readyReplicas": .int(replicas)],
    ]
  }

  static func configMap(_ name: String, data: String = "1") -> Value {
    [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": .string(name), "namespace": "shop"], "data": ["a": .string(data)],
    ]
  }

  /// `object` as a copy on the target: marked as synced from `source` (by default the
  /// object of the same identity) by the loop syncing from `cluster`, with what the
  /// server adds (uid, status, a defaulted field).
  static func copy(_ object: Value, of source: Value? = nil, cluster: String = "prod") -> Value {
    let marked = Ownership(sourceCluster: cluster).marking(
      object, source: ObjectKey(of: source ?? object)!)
    guard case .object(var root) = marked, case .object(var metadata)? = root["metadata"]
    else { return marked }
    metadata["uid"] = "target-uid"
    metadata["resourceVersion"] = "41"
    root["metadata"] = .object(metadata)
    if case .object(var spec)? = root["spec"] {
      spec["progressDeadlineSeconds"] = 600
      root["spec"] = .object(spec)
    }
    return .object(root)
  }

  static let cases: [Case] = [
    Case(
      name: "a selected object the target lacks is created",
      source: [deployment("web")],
      desired: ["apps/Deployment:shop/web"],
      actions: ["create apps/Deployment:shop/web"]),
    Case(
      name: "a copy equal on the fields the rules produce is kept (server defaults ignored)",
      source: [deployment("web")],
      target: [copy(deployment("web", replicas: 0))],
      desired: ["apps/Deployment:shop/web"],
      actions: ["keep apps/Deployment:shop/web (inSync)"]),
    Case(
      name: "a copy that differs is updated",
      source: [deployment("web")],
      target: [copy(deployment("web", replicas: 3))],
      desired: ["apps/Deployment:shop/web"],
      actions: ["update apps/Deployment:shop/web"]),
    Case(
      name: "a copy whose source is gone is pruned",
      target: [copy(deployment("web"))],
      desired: [],
      actions: ["prune apps/Deployment:shop/web"]),
    Case(
      name: "an object no rule matches is skipped, and its copy pruned",
      source: [configMap("settings")],
      target: [copy(configMap("settings"))],
      desired: [],
      actions: ["skip /ConfigMap:shop/settings (unmatched)", "prune /ConfigMap:shop/settings"]),
    Case(
      name: "skip namespaces: the object is skipped, and its copy pruned",
      rules: "skip namespaces shop\n" + replicasToZero,
      source: [deployment("web")],
      target: [copy(deployment("web", replicas: 0))],
      desired: [],
      actions: ["skip apps/Deployment:shop/web (skipped)", "prune apps/Deployment:shop/web"]),
    Case(
      name: "a dropped object is not synced",
      rules: """
        rule w match apps/v1 Deployment {
          when metadata.name == "web" { drop }
        }
        """,
      source: [deployment("web"), deployment("api")],
      desired: ["apps/Deployment:shop/api"],
      actions: ["create apps/Deployment:shop/api", "skip apps/Deployment:shop/web (dropped)"]),
    Case(
      name: "a rule renaming the object: the new name is created, the old copy pruned",
      rules: "rule w match apps/v1 Deployment { set metadata.name = \"web-dr\" }",
      source: [deployment("web")],
      target: [copy(deployment("web"))],
      desired: ["apps/Deployment:shop/web-dr"],
      actions: ["create apps/Deployment:shop/web-dr", "prune apps/Deployment:shop/web"]),
    Case(
      name: "dependencies pull in a ConfigMap no rule selects",
      rules: followingConfigMaps,
      source: [deployment("web", config: "web-config"), configMap("web-config")],
      desired: ["apps/Deployment:shop/web", "/ConfigMap:shop/web-config"],
      actions: ["create /ConfigMap:shop/web-config", "create apps/Deployment:shop/web"]),
    Case(
      name: "a ConfigMap no synced workload references any more is pruned",
      rules: followingConfigMaps,
      source: [deployment("web"), configMap("web-config")],
      target: [copy(configMap("web-config"))],
      desired: ["apps/Deployment:shop/web"],
      actions: [
        "skip /ConfigMap:shop/web-config (unmatched)", "create apps/Deployment:shop/web",
        "prune /ConfigMap:shop/web-config",
      ]),
    Case(
      name: "a skip wins over dependencies",
      rules: "skip names web-config\n" + followingConfigMaps,
      source: [deployment("web", config: "web-config"), configMap("web-config")],
      desired: ["apps/Deployment:shop/web"],
      actions: ["skip /ConfigMap:shop/web-config (skipped)", "create apps/Deployment:shop/web"]),
    Case(
      name: "a failed rewrite keeps its copy, and the ConfigMap it references stays synced",
      rules: followingConfigMaps,
      source: [
        deployment("web", templateMetadata: "broken", config: "web-config"),
        configMap("web-config", data: "2"),
      ],
      target: [copy(deployment("web")), copy(configMap("web-config", data: "1"))],
      desired: ["/ConfigMap:shop/web-config"],
      actions: [
        "update /ConfigMap:shop/web-config", "fail apps/Deployment:shop/web",
        "keep apps/Deployment:shop/web (sourceFailed)",
      ]),
    Case(
      name: "a copy whose source kind could not be listed is kept",
      unlisted: [GroupKind(group: "apps", kind: "Deployment")],
      target: [copy(deployment("web"))],
      desired: [],
      actions: ["keep apps/Deployment:shop/web (sourceUnlisted)"]),
    Case(
      name: "a copy of a kind the rules no longer select is pruned, listed or not",
      rules: "rule c match v1 ConfigMap { }",
      unlisted: [GroupKind(group: "apps", kind: "Deployment")],
      target: [copy(deployment("web"))],
      desired: [],
      actions: ["prune apps/Deployment:shop/web"]),
    Case(
      name: "foreign objects are untouched: unmarked, another loop's, or copied by hand",
      target: [
        deployment("mine-not"),
        copy(deployment("staging-web"), cluster: "staging"),
        // `kubectl get -o yaml`, renamed, applied: the marks name another object.
        copy(deployment("web")).renamed("web-copy"),
      ],
      desired: [],
      actions: []),
    Case(
      name: "namespaces and CRDs are never swept",
      target: [
        copy(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]),
        copy([
          "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
          "metadata": ["name": "widgets.example.com"],
        ]),
      ],
      desired: [],
      actions: []),
  ]

  static let allKinds = Set(FakeCluster.standardResources.map(\.groupKind))

  @Test(arguments: cases)
  func plan(_ row: Case) throws {
    let decider = Decider(
      program: try SyncEngineTests.program(row.rules), ownership: Self.ownership)
    let plan = decider.plan(
      SourceSnapshot(objects: row.source, listedKinds: Self.allKinds.subtracting(row.unlisted)),
      against: TargetSnapshot(objects: row.target))
    #expect(Set(plan.desired.keys.map(\.description)) == row.desired)
    #expect(plan.actions.map(\.description) == row.actions)
  }

  @Test func aDesiredCopyIsMarkedAndFreeOfServerOwnedFields() throws {
    let decider = Decider(
      program: try SyncEngineTests.program(Self.replicasToZero), ownership: Self.ownership)
    let web = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
    let decision = decider.decide(Self.deployment("web"), source: web, isReferenced: false)
    guard case .desired(let copy) = decision.verdict else {
      Issue.record("expected a desired copy, got \(decision.verdict)")
      return
    }
    #expect(copy.object["status"] == nil)
    #expect(copy.object["metadata"]?["resourceVersion"] == nil)
    #expect(Self.ownership.source(of: copy.object) == web)
    #expect(copy.object["spec"]?["replicas"] == .int(0))
  }
}

extension Value {
  /// The object under another `metadata.name`, its annotations left as they were.
  fileprivate func renamed(_ name: String) -> Value {
    guard case .object(var root) = self, case .object(var metadata)? = root["metadata"] else {
      return self
    }
    metadata["name"] = .string(name)
    root["metadata"] = .object(metadata)
    return .object(root)
  }
}
