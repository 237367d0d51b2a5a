import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// `sync --leader-elect` replicas under the faults a node meets: the leader killed in
/// the middle of the initial sync, cut off from the target, and paused past its lease.
/// At no time do two replicas write, no change made at the source during a failover is
/// lost, a follower takes over within a lease duration, and the Lease (like every
/// write) is on the target only.
@Suite(.serialized, .enabled(if: Kubectl.available, "needs kubectl to change production"))
struct HighAvailabilityTests {
  // Short, for a quick test, yet with a second and more between a renewal and the
  // renew deadline, so that a loaded CI machine does not depose a healthy leader.
  static let leaseDuration = Duration.seconds(3)
  static let retryPeriod = Duration.milliseconds(250)
  static let election = [
    "--leader-elect", "--leader-elect-lease-duration", "3s",
    "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "250ms",
  ]
  static let rules = """
    rule namespaces match v1 Namespace named ha {
      set metadata.labels.dr = "standby"
    }
    rule config match v1 ConfigMap in ha {
      set metadata.labels.dr = "standby"
    }
    """
  static let configMapCount = 400

  /// A source with enough ConfigMaps that the initial sync, slowed by the standby's
  /// latency, is still running when the leader is killed.
  static func sourceObjects() -> [Value] {
    let configMaps = (0..<configMapCount).map { index -> Value in
      [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": .string(name(index)), "namespace": "ha"],
        "data": ["value": .string("\(index)")],
      ]
    }
    return [["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "ha"]]] + configMaps
  }

  static func name(_ index: Int) -> String { "cm-" + String(1000 + index).dropFirst() }

  @Test func failoverUnderFaultsNeverHasTwoWriters() async throws {
    let users = ["a", "b", "c", "d"]
    let clusters = try await ClusterPair.start(
      production: .init(
        tls: true, tokens: ["sync": "syncrules", "op": "operator"], readOnlyUsers: ["syncrules"],
        initialObjects: Self.sourceObjects()),
      standby: .init(
        tokens: Dictionary(uniqueKeysWithValues: users.map { ("token-\($0)", "replica-\($0)") })),
      user: .token("sync"))
    let (production, standby) = (clusters.production, clusters.standby)
    let rules = try clusters.directory.write("rules.sync", Self.rules)
    let operatorConfig = try clusters.directory.write(
      "operator", try production.kubeconfig(user: .token("op")))
    let kubectl = Kubectl(kubeconfig: operatorConfig)
    var replicas: [Replica] = []
    defer {
      for replica in replicas { replica.stop() }
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }
    func start(_ user: String) throws -> Replica {
      let kubeconfig = try clusters.directory.write(
        "standby-\(user)", try standby.kubeconfig(user: .token("token-\(user)")))
      let replica = try Replica(
        user: "replica-\(user)",
        arguments: ["sync", "-f", rules, "--metrics-address", "127.0.0.1:0", "--workers", "2"]
          + Self.election
          + ["--from-kubeconfig", clusters.productionKubeconfig, "--to-kubeconfig", kubeconfig])
      replicas.append(replica)
      return replica
    }
    standby.latency = .milliseconds(20)
    for user in users.prefix(3) { _ = try start(user) }

    // 1. The leader is killed in the middle of the initial sync.
    let first = try await Self.leader(among: replicas, on: standby)
    try await Self.eventually("the first leader half-way") {
      Self.writes(by: first.user, on: standby).count >= 40
    }
    first.send(SIGKILL)
    let killed = ContinuousClock.now
    #expect(
      standby.objects(group: "", version: "v1", plural: "configmaps").count < Self.configMapCount,
      "the initial sync was over before the leader was killed")
    try await Self.change(kubectl, "failover")
    let second = try await Self.leader(among: replicas, on: standby, other: first)
    let takeover = try #require(
      standby.requests.first { $0.time > killed && $0.user == second.user && Self.isLeaseWrite($0) }
    ).time
    let lastRenewal = try #require(
      standby.requests.last { $0.user == first.user && Self.isLeaseWrite($0) }
    ).time
    // Takeover waits for the lease to expire as the follower saw it: up to a retry period
    // to notice the last renewal, the lease duration, and a retry period to try again
    // (plus client-go's jitter); the second is an allowance for a loaded machine.
    #expect(
      takeover - lastRenewal < Self.leaseDuration + Self.retryPeriod * 3 + .seconds(1),
      "took over \(takeover - lastRenewal) after the last renewal")
    try await Self.expectSynced("failover", standby)

    // 2. The leader is cut off from the target: it stops and exits before its lease
    // expires, and the last replica takes over.
    standby.latency = .zero
    standby.failNextRequests(1_000_000, status: 503, user: second.user, retryAfterSeconds: 0)
    try await Self.change(kubectl, "partition")
    let third = try await Self.leader(among: replicas, on: standby, other: second)
    try await Self.expectSynced("partition", standby)
    #expect(second.waitForExit(), "the partitioned leader still runs")
    #expect(second.status == 1)
    #expect(second.log.text.contains("lost the leader lease"), "\(second.log.text)")
    standby.clearFaults()

    // 3. The leader is paused past its lease; a restarted replica takes over. Resumed,
    // the old leader finds changes it has not written in its watch, refuses to write
    // them, and exits.
    let fourth = try start("d")
    third.send(SIGSTOP)
    try await Self.change(kubectl, "pause")
    _ = try await Self.leader(among: [fourth], on: standby)
    try await Self.expectSynced("pause", standby)
    try await Task.sleep(for: Self.leaseDuration)
    try await Self.change(kubectl, "resume")
    third.send(SIGCONT)
    #expect(third.waitForExit(), "the resumed leader still runs")
    #expect(third.status == 1)
    #expect(third.log.text.contains("lost the leader lease"), "\(third.log.text)")
    try await Self.expectSynced("resume", standby)

    // Writers took turns: each replica's writes form one run, never resumed after
    // another replica's.
    var turns: [String] = []
    for write in standby.requests where write.isWrite && write.status < 300 {
      if Self.isLeaseWrite(write) || turns.last == write.user { continue }
      #expect(!turns.contains(write.user), "\(write.user) wrote again after \(turns)")
      turns.append(write.user)
    }
    #expect(turns == [first, second, third, fourth].map(\.user))
    #expect(production.nonReadRequests.filter { $0.user == "syncrules" }.isEmpty)
    #expect(
      production.objects(group: "coordination.k8s.io", version: "v1", plural: "leases").isEmpty)
  }

  /// Durations are Go's (`15s`, `500ms`, `1m30s`), and the timings must let a leader
  /// give up before anyone may take over: refused as usage errors, before any cluster
  /// is contacted.
  @Test(arguments: [
    (["--leader-elect-lease-duration", "15"], "--leader-elect-lease-duration"),
    (["--leader-elect-retry-period", "2x"], "--leader-elect-retry-period"),
    (["--leader-elect-lease-duration", "500ms"], "must be at least 1s"),
    (
      ["--leader-elect-lease-duration", "10s", "--leader-elect-renew-deadline", "10s"],
      "must be greater than --leader-elect-renew-deadline"
    ),
    (
      ["--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "1m30s"],
      "greater than 1.2 × --leader-elect-retry-period"
    ),
    (["--shards", "0"], "--shards must be between 1 and 1024"),
  ])
  func electionTimingsAreChecked(_ flags: [String], _ message: String) throws {
    let result = try CLI.run(
      ["sync", "-f", "docs/examples/dr-standby.sync", "--leader-elect"] + flags
        + ["--from-context", "a", "--to-context", "b"])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains(message), "\(result.stderr)")
  }

  @Test func shardsNeedLeaderElection() throws {
    let result = try CLI.run(
      ["sync", "-f", "docs/examples/dr-standby.sync", "--shards", "3"]
        + ["--from-context", "a", "--to-context", "b"])
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stderr.contains("--shards needs --leader-elect"), "\(result.stderr)")
  }

  static func isLeaseWrite(_ request: RecordedRequest) -> Bool {
    request.isWrite && request.status < 300 && request.path.contains("/leases")
  }

  /// Successful writes by `user`, the Lease aside.
  static func writes(by user: String, on server: KubeAPIServer) -> [RecordedRequest] {
    server.requests.filter {
      $0.user == user && $0.isWrite && $0.status < 300 && !isLeaseWrite($0)
    }
  }

  /// The replica named as holder of the Lease (identity `host_pid`), once one is and it
  /// is not `other`.
  static func leader(
    among replicas: [Replica], on standby: KubeAPIServer, other: Replica? = nil
  ) async throws -> Replica {
    var found: Replica?
    try await eventually("a new leader") {
      let lease = standby.objects(group: "coordination.k8s.io", version: "v1", plural: "leases")
        .first
      let holder = lease?["spec"]?["holderIdentity"]?.stringValue ?? ""
      let pid = holder.split(separator: "_").last.flatMap { Int32($0) }
      found = replicas.first { $0.pid == pid && $0 !== other }
      return found != nil
    }
    return try #require(found)
  }

  /// Creates ConfigMap `<step>` at the source and changes `cm-000` to `<step>`, through
  /// kubectl as an operator would.
  static func change(_ kubectl: Kubectl, _ step: String) async throws {
    let create = try await kubectl.run(
      "create", "configmap", step, "-n", "ha", "--from-literal=value=\(step)")
    #expect(create.status == 0, "\(create.stderr)")
    let patch = try await kubectl.run(
      "patch", "configmap", "cm-000", "-n", "ha", "--type", "merge",
      "-p", #"{"data":{"value":"\#(step)"}}"#)
    #expect(patch.status == 0, "\(patch.stderr)")
  }

  /// Every source ConfigMap, the one `step` created and `step`'s change are on the
  /// standby, labelled by the rules.
  static func expectSynced(_ step: String, _ standby: KubeAPIServer) async throws {
    try await eventually("the changes of step \(step) on the standby") {
      let copies = standby.objects(group: "", version: "v1", plural: "configmaps", namespace: "ha")
      let byName = Dictionary(
        copies.map { ($0["metadata"]?["name"]?.stringValue ?? "", $0) },
        uniquingKeysWith: { first, _ in first })
      return byName[step] != nil
        && byName["cm-000"]?["data"]?["value"]?.stringValue == step
        && byName.count >= configMapCount + 1
        && copies.allSatisfy { $0["metadata"]?["labels"]?["dr"]?.stringValue == "standby" }
    }
  }

  struct TimedOut: Error, CustomStringConvertible {
    var description: String
  }

  static func eventually(
    _ what: String, timeout: Duration = .seconds(60), _ condition: () async -> Bool
  ) async throws {
    let deadline = ContinuousClock.now + timeout
    while !(await condition()) {
      guard ContinuousClock.now < deadline else {
        throw TimedOut(description: "waited for \(what)")
      }
      try await Task.sleep(for: .milliseconds(20))
    }
  }
}

/// One `syncrules sync` process, its log, and the user its standby kubeconfig names.
final class Replica: @unchecked Sendable {
  let user: String
  let process = Process()
  let log = Collected()
  private let errors = Pipe()

  init(user: String, arguments: [String]) throws {
    self.user = user
    process.executableURL = CLI.executable
    process.arguments = arguments
    process.currentDirectoryURL = Repository.root
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    let log = self.log
    errors.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
    try process.run()
  }

  var pid: Int32 { process.processIdentifier }
  var status: Int32 { process.terminationStatus }

  func send(_ signal: Int32) { _ = kill(pid, signal) }

  /// Waits up to 20 seconds for the process to end.
  func waitForExit() -> Bool {
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    return !process.isRunning
  }

  /// Kills the process whatever `isRunning` says: Foundation's view of a child lags (a
  /// replica it took for ended outlived a test run, still syncing an hour later).
  func stop() {
    // Never kill(0, …): that is this whole process group.
    guard pid > 0 else { return }
    send(SIGCONT)
    send(SIGKILL)
    process.waitUntilExit()
    errors.fileHandleForReading.readabilityHandler = nil
  }
}
