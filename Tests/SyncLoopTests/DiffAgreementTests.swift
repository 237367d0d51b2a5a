import SyncCompile
import SyncLoop
import SyncRuntime
import SyncValue
import Testing

/// `syncrules diff` must say what `syncrules sync --once` would do to the same target:
/// what it reports missing is what the sync creates, what it reports orphaned is what the
/// sync prunes, and after the sync it reports nothing.
struct DiffAgreementTests {
  /// Source and target states built afresh for each side of the comparison.
  struct Scenario: Sendable, CustomTestStringConvertible {
    var name: String
    var rules: String
    var source: @Sendable () -> FakeCluster
    var target: @Sendable () -> FakeCluster
    /// Objects whose rules fail: `--once` reports them, and the diff leaves them out.
    var failures = 0

    var testDescription: String { name }
  }

  static let web = ObjectKey(group: "apps", kind: "Deployment", namespace: "shop", name: "web")
  static let config = ObjectKey(group: "", kind: "ConfigMap", namespace: "shop", name: "web-config")

  static let podSpec: Value = [
    "containers": [
      ["name": "app", "image": "web:1", "envFrom": [["configMapRef": ["name": "web-config"]]]]
    ]
  ]

  static func workload(template: Value) -> Value {
    LoopSafetyTests.workload(template: template)
  }

  static let configMap: Value = [
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": ["name": "web-config", "namespace": "shop"], "data": ["a": "1"],
  ]

  static let annotatingRules = """
    rule w match apps/v1 Deployment {
      set spec.template.metadata.annotations.dr = "standby"
      dependencies configmaps
    }
    """

  /// A target holding the namespace (created by an earlier run) and `copies`, marked as
  /// the loop marks what it writes.
  static func target(_ copies: [(Value, source: ObjectKey)]) -> FakeCluster {
    let target = FakeCluster()
    target.put(LoopSafetyTests.shop)
    for (copy, source) in copies {
      target.put(SyncEngineTests.ownership.marking(copy, source: source))
    }
    return target
  }

  static let scenarios: [Scenario] = [
    Scenario(
      name: "a ConfigMap pulled in by `dependencies`",
      rules: annotatingRules,
      source: {
        let source = FakeCluster()
        source.put(workload(template: ["spec": podSpec]))
        source.put(configMap)
        return source
      },
      target: { target([]) }),
    Scenario(
      name: "a copy kept after its rules failed",
      rules: annotatingRules,
      source: {
        let source = FakeCluster()
        source.put(workload(template: ["metadata": "broken", "spec": podSpec]))
        return source
      },
      target: { target([(SyncEngineTests.deployment("web"), source: web)]) },
      failures: 1),
    Scenario(
      name: "the ConfigMap of a workload whose rules failed",
      rules: annotatingRules,
      source: {
        let source = FakeCluster()
        source.put(workload(template: ["metadata": "broken", "spec": podSpec]))
        source.put(configMap)
        return source
      },
      target: {
        target([
          (SyncEngineTests.deployment("web"), source: web), (configMap, source: config),
        ])
      },
      failures: 1),
    Scenario(
      name: "a copy of a kind whose discovery failed at the source",
      rules: "rule w match apps/v1 Deployment { set spec.replicas = 0 }",
      source: {
        let source = FakeCluster()
        source.put(SyncEngineTests.deployment("web"))
        source.hiddenKinds = ["Deployment"]
        return source
      },
      target: { target([(SyncEngineTests.deployment("web"), source: web)]) }),
    Scenario(
      name: "a copy whose source is gone",
      rules: "rule w match apps/v1 Deployment { set spec.replicas = 0 }",
      source: { FakeCluster() },
      target: { target([(SyncEngineTests.deployment("web"), source: web)]) }),
    Scenario(
      name: "a copy whose source is now skipped",
      rules: """
        skip namespaces shop
        rule w match apps/v1 Deployment { set spec.replicas = 0 }
        """,
      source: {
        let source = FakeCluster()
        source.put(SyncEngineTests.deployment("web"))
        return source
      },
      target: { target([(SyncEngineTests.deployment("web"), source: web)]) }),
    Scenario(
      name: "a copy under a name a rule no longer gives",
      rules: "rule w match apps/v1 Deployment { set metadata.name = \"web-dr\" }",
      source: {
        let source = FakeCluster()
        source.put(SyncEngineTests.deployment("web"))
        return source
      },
      target: { target([(SyncEngineTests.deployment("web"), source: web)]) }),
  ]

  static func drift(_ source: FakeCluster, _ target: FakeCluster, rules: String) async throws
    -> (
      missing: Set<ObjectKey>, orphaned: Set<ObjectKey>, different: Set<ObjectKey>,
      failed: Set<ObjectKey>
    )
  {
    let engine = SyncEngine(
      source: source, target: target, program: try SyncEngineTests.program(rules),
      ownership: SyncEngineTests.ownership)
    let report = try await engine.drift()
    var result:
      (
        missing: Set<ObjectKey>, orphaned: Set<ObjectKey>, different: Set<ObjectKey>,
        failed: Set<ObjectKey>
      ) = ([], [], [], Set(report.failures.map(\.source)))
    for drift in report.drift {
      switch drift {
      case .missing(let key, _): result.missing.insert(key)
      case .orphaned(let key, _): result.orphaned.insert(key)
      case .different(let key, _, _): result.different.insert(key)
      }
    }
    return result
  }

  @Test(arguments: scenarios)
  func diffReportsWhatSyncOnceDoes(_ scenario: Scenario) async throws {
    let before = try await Self.drift(scenario.source(), scenario.target(), rules: scenario.rules)

    let source = scenario.source()
    let target = scenario.target()
    let existing = Set(target.keys)
    let engine = SyncEngine(
      source: source, target: target, program: try SyncEngineTests.program(scenario.rules),
      ownership: SyncEngineTests.ownership, options: SyncOptions(maximumAttempts: 1))
    let report = try await engine.runOnce()
    #expect(report.failed == scenario.failures)
    #expect(before.failed.count == scenario.failures)
    let deleted = Set(
      target.writes.filter { $0.hasPrefix("delete ") }.map { String($0.dropFirst(7)) })
    let created = Set(
      target.writes.filter { $0.hasPrefix("apply ") }.map { String($0.dropFirst(6)) }
    )
    .subtracting(existing.map(\.description))

    #expect(Set(before.orphaned.map(\.description)) == deleted)
    #expect(Set(before.missing.map(\.description)) == created)
    let after = try await Self.drift(source, target, rules: scenario.rules)
    #expect(after.missing.isEmpty && after.orphaned.isEmpty && after.different.isEmpty)
    #expect(source.writes.isEmpty)
  }
}
