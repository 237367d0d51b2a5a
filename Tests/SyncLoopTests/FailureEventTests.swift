import Foundation
import KubeAPIServer
import KubeClient
import Logging
import SyncDriver
import SyncLoop
import SyncValue
import TestSupport
import Testing

/// Warning Events on the target for objects that fail to sync, against two API servers:
/// what is written, that a repeat PATCHes rather than creates, that a storm stays within
/// the rate limit, and that nothing reaches the source.
@Suite(.serialized)
struct FailureEventTests {
  static let rules = """
    rule w match apps/v1 Deployment {
      set spec.template.metadata.annotations.dr = "standby"
    }
    """

  /// A Deployment the rules cannot rewrite when `broken`: its pod template's metadata is
  /// a string, so `set …annotations.dr` fails at run time.
  static func deployment(_ name: String, broken: Bool, replicas: Int64 = 1) -> Value {
    let template: Value =
      broken
      ? ["metadata": "broken", "spec": ["containers": [["name": "app", "image": "web:1"]]]]
      : ["spec": ["containers": [["name": "app", "image": "web:1"]]]]
    return [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": .string(name), "namespace": "shop"],
      "spec": [
        "replicas": .int(replicas), "selector": ["matchLabels": ["app": "web"]],
        "template": template,
      ],
    ]
  }

  static let shop: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shop"]]

  typealias Rig = SyncSessionTests.Rig

  /// Production holds `objects` in namespace shop; the standby has the namespace (as a
  /// namespace rule would have made it), so the Events have somewhere to live.
  static func withRig(
    _ objects: [Value], tls: Bool = false, _ body: (Rig) async throws -> Void
  ) async throws {
    let tokens = ["sync": "syncrules", "op": "operator"]
    try await SyncSessionTests.withRig(
      production: .init(
        tls: tls, tokens: tokens, readOnlyUsers: ["syncrules"], initialObjects: [shop] + objects),
      standby: .init(tls: tls, tokens: tokens, initialObjects: [shop]), rules: rules, body)
  }

  struct Failure: Sendable, CustomTestStringConvertible {
    var name: String
    var broken: Bool
    /// Applies of the Deployment the standby refuses (500) before accepting one.
    var refusedApplies = 0
    var reason: String
    /// Fragments the message must contain.
    var message: [String]
    var count: Int64
    var testDescription: String { name }
  }

  static let failures: [Failure] = [
    Failure(
      name: "a rule that cannot rewrite the object", broken: true, reason: "RuleFailed",
      message: ["rule `w` at ", ".sync:2:", "error[E06"], count: 1),
    Failure(
      name: "an apply refused twice, then accepted: one Event, counted twice", broken: false,
      refusedApplies: 2, reason: "ApplyFailed", message: ["apply failed:", "500"], count: 2),
  ]

  @Test(arguments: failures)
  func aFailingObjectLeavesOneWarningEventOnTheTarget(_ failure: Failure) async throws {
    try await Self.withRig([Self.deployment("web", broken: failure.broken)]) { rig in
      if failure.refusedApplies > 0 {
        rig.standby.failNextRequests(
          failure.refusedApplies, status: 500, method: "PATCH",
          pathPrefix: "/apis/apps/v1/namespaces/shop/deployments")
      }
      let report = try await rig.session().runOnce()
      #expect(report.failed == (failure.broken ? 1 : 0))
      let events = rig.events
      try #require(events.count == 1, "\(events)")
      let event = events[0]
      #expect(event["metadata"]?["namespace"] == "shop")
      #expect(event["type"] == "Warning")
      #expect(event["reason"] == .string(failure.reason))
      let message = try #require(event["message"]?.stringValue)
      for fragment in failure.message {
        #expect(message.contains(fragment), "\(message) lacks \(fragment)")
      }
      #expect(message.utf8.count <= 1024)
      #expect(event["count"] == .int(failure.count))
      #expect(event["involvedObject"]?["apiVersion"] == "apps/v1")
      #expect(event["involvedObject"]?["kind"] == "Deployment")
      #expect(event["involvedObject"]?["namespace"] == "shop")
      #expect(event["involvedObject"]?["name"] == "web")
      #expect(event["source"]?["component"] == "syncrules")
      #expect(event["reportingComponent"] == "syncrules.io/syncrules")
      let instance = try #require(event["reportingInstance"]?.stringValue)
      #expect(instance.hasSuffix("_\(ProcessInfo.processInfo.processIdentifier)"))
      #expect(event["firstTimestamp"]?.stringValue?.hasSuffix("Z") == true)
      #expect(rig.eventWrites("POST") == 1)
      #expect(rig.eventWrites("PATCH") == Int(failure.count) - 1)
    }
  }

  /// The continuous loop sees the same failure again (the object changed, the rules still
  /// fail on it): the Event's count goes up by a PATCH, no second Event is created.
  @Test func theSameFailureAgainIsCountedOnTheSameEvent() async throws {
    try await Self.withRig([Self.deployment("web", broken: true)]) { rig in
      let operatorClient = try KubeClient(
        try Kubeconfig.parse(try rig.production.kubeconfig(user: .token("op"))).configuration())
      defer { Task { try? await operatorClient.shutdown() } }
      let session = try rig.session()
      let running = Task { try await session.run() }
      let standby = rig.standby
      try await LiveSyncTests.eventually("the first Event") {
        !standby.objects(group: "", version: "v1", plural: "events").isEmpty
      }
      _ = try await operatorClient.apply(
        Self.deployment("web", broken: true, replicas: 2), to: LiveSyncTests.deployments,
        fieldManager: "operator")
      try await LiveSyncTests.eventually("the count to reach 2") {
        standby.objects(group: "", version: "v1", plural: "events").first?["count"] == .int(2)
      }
      running.cancel()
      _ = try? await running.value
      #expect(rig.events.count == 1)
      #expect(rig.eventWrites("POST") == 1)
      #expect(rig.eventWrites("PATCH") == 1)
    }
  }

  /// 300 objects failing at once, a shared burst of 20 that does not refill within the
  /// test: exactly 20 Events are written, the rest counted as rate-limited.
  @Test func aStormOfFailingObjectsStaysWithinTheSharedBurst() async throws {
    let objects = (0..<300).map { Self.deployment("web-\($0)", broken: true) }
    try await Self.withRig(objects) { rig in
      let metrics = SyncMetrics()
      let session = try rig.session {
        $0.eventLimits.totalBurst = 20
        $0.eventLimits.totalRefill = .seconds(3600)
      }
      let report = try await session.runOnce(metrics: metrics)
      #expect(report.failed == 300)
      #expect(rig.eventWrites("POST") == 20)
      #expect(rig.eventWrites("PATCH") == 0)
      #expect(rig.events.count == 20)
      #expect(Self.dropped(metrics, cause: "rate_limited") == 280)
    }
  }

  struct Quiet: Sendable, CustomTestStringConvertible {
    var name: String
    var configure: @Sendable (inout SyncSession.Settings) -> Void
    var testDescription: String { name }
  }

  static let quiet: [Quiet] = [
    Quiet(name: "--events=false", configure: { $0.events = false }),
    Quiet(name: "--dry-run", configure: { $0.dryRun = true }),
  ]

  @Test(arguments: quiet)
  func noEventIsWritten(_ case: Quiet) async throws {
    try await Self.withRig([Self.deployment("web", broken: true)]) { rig in
      let report = try await rig.session(`case`.configure).runOnce()
      #expect(report.failed == 1)
      _ = try await rig.session().drift()  // diff never writes either
      #expect(rig.events.isEmpty)
      #expect(rig.standby.requests.filter { $0.isWrite && $0.path.contains("/events") }.isEmpty)
    }
  }

  /// What an operator runs: `kubectl get events` on the standby shows the Event.
  @Test(.enabled(if: Kubectl.available))
  func kubectlGetEventsShowsTheFailure() async throws {
    try await Self.withRig([Self.deployment("web", broken: true)], tls: true) { rig in
      _ = try await rig.session().runOnce()
      let path = try Kubectl.writeKubeconfig(rig.standby.kubeconfig(user: .token("op")))
      defer { try? FileManager.default.removeItem(atPath: path) }
      let result = try await Kubectl(kubeconfig: path).run(
        "get", "events", "-n", "shop", "-o", "json")
      #expect(result.status == 0, "\(result.stderr)")
      let list = try JSON.parse(result.stdout)
      let items = try #require(list["items"]?.arrayValue)
      #expect(items.map { $0["reason"] } == ["RuleFailed"])
      #expect(items.first?["involvedObject"]?["name"] == "web")
      #expect(items.first?["type"] == "Warning")
    }
  }

  /// `syncrules_events_dropped_total{cause=…}` as exposed.
  static func dropped(_ metrics: SyncMetrics, cause: String) -> Double? {
    let prefix = "syncrules_events_dropped_total{cause=\"\(cause)\"} "
    return metrics.exposition().split(separator: "\n")
      .first { $0.hasPrefix(prefix) }
      .flatMap { Double($0.dropFirst(prefix.count)) }
  }
}

extension SyncSessionTests.Rig {
  var events: [Value] { standby.objects(group: "", version: "v1", plural: "events") }

  /// Writes syncrules sent to the standby's Events, by method.
  func eventWrites(_ method: String) -> Int {
    standby.requests.filter {
      $0.user == "syncrules" && $0.method == method && $0.path.contains("/events")
    }.count
  }
}
