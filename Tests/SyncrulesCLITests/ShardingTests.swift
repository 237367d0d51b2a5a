import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// `sync --leader-elect --shards 6` with three replicas: they share the shards, the
/// standby ends up exactly as one `sync --once` makes it, each object is written by one
/// replica, and a killed replica's shards are taken over with nothing pruned.
@Suite(.serialized, .enabled(if: Kubectl.available, "needs kubectl to change production"))
struct ShardingTests {
  static let shards = 6
  static let flags = [
    "--leader-elect", "--shards", "6", "--leader-elect-lease-duration", "3s",
    "--leader-elect-renew-deadline", "2s", "--leader-elect-retry-period", "250ms",
  ]

  /// docs/examples/production.json and twelve more namespaces, each with a Deployment,
  /// a Secret and four ConfigMaps, so every shard has objects.
  static func sourceObjects() throws -> [Value] {
    var objects = try ClusterPair.exampleObjects()
    for team in 0..<12 {
      let namespace = Value.string(String(format: "team-%02d", team))
      objects.append(["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": namespace]])
      for index in 0..<4 {
        objects.append([
          "apiVersion": "v1", "kind": "ConfigMap",
          "metadata": ["name": .string("settings-\(index)"), "namespace": namespace],
          "data": ["index": .string("\(index)")],
        ])
      }
      objects.append([
        "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": ["name": "credentials", "namespace": namespace], "data": ["k": "dg=="],
      ])
      objects.append([
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": "app", "namespace": namespace],
        "spec": [
          "replicas": 3, "selector": ["matchLabels": ["app": "app"]],
          "template": [
            "metadata": ["labels": ["app": "app"]],
            "spec": ["containers": [["name": "app", "image": "registry.example/app:1"]]],
          ],
        ],
      ])
    }
    return objects
  }

  /// The resources the rules can put on a standby.
  static let resources: [(group: String, version: String, plural: String)] = [
    ("", "v1", "namespaces"), ("", "v1", "configmaps"), ("", "v1", "secrets"),
    ("", "v1", "services"), ("", "v1", "serviceaccounts"), ("", "v1", "persistentvolumeclaims"),
    ("apps", "v1", "deployments"), ("apps", "v1", "statefulsets"),
    ("networking.k8s.io", "v1", "ingresses"), ("networking.k8s.io", "v1", "ingressclasses"),
  ]

  static let builtInNamespaces: Set = ["default", "kube-system", "kube-public", "kube-node-lease"]
  static let serverFields = [
    "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields",
  ]

  /// Every synced object on `server` without the fields each server fills in itself,
  /// by `plural:namespace/name`.
  static func snapshot(_ server: KubeAPIServer) -> [String: Value] {
    var result: [String: Value] = [:]
    for resource in resources {
      for object in server.objects(
        group: resource.group, version: resource.version, plural: resource.plural)
      {
        guard case .object(var root) = object, case .object(var metadata)? = root["metadata"]
        else { continue }
        let name = metadata["name"]?.stringValue ?? ""
        let namespace = metadata["namespace"]?.stringValue ?? ""
        if resource.plural == "namespaces", builtInNamespaces.contains(name) { continue }
        for field in serverFields { metadata[field] = nil }
        root["metadata"] = .object(metadata)
        root["status"] = nil
        result["\(resource.plural):\(namespace)/\(name)"] = sortingKeys(.object(root))
      }
    }
    return result
  }

  @Test func threeReplicasOverSixShardsMakeWhatOneProcessMakes() async throws {
    let users = ["a", "b", "c"]
    let source = try Self.sourceObjects()
    let clusters = try await ClusterPair.start(
      production: .init(
        tls: true, tokens: ["sync": "syncrules", "op": "operator"], readOnlyUsers: ["syncrules"],
        initialObjects: source),
      standby: .init(
        tokens: Dictionary(uniqueKeysWithValues: users.map { ("token-\($0)", "replica-\($0)") })),
      user: .token("sync"))
    let reference = try await KubeAPIServer.start(.init(tokens: ["ref": "reference"]))
    let (production, standby) = (clusters.production, clusters.standby)
    let kubectl = Kubectl(
      kubeconfig: try clusters.directory.write(
        "operator", try production.kubeconfig(user: .token("op"))))
    var replicas: [Replica] = []
    defer {
      for replica in replicas { replica.stop() }
      Task {
        await production.shutdown()
        await standby.shutdown()
        await reference.shutdown()
      }
    }
    let rules = ["-f", "docs/examples/dr-standby.sync"]
    let referenceConfig = try clusters.directory.write("reference", try reference.kubeconfig())
    func syncReference() async throws {
      let once = try await CLI.runAsync(
        ["sync", "--once"] + rules
          + [
            "--from-kubeconfig", clusters.productionKubeconfig, "--to-kubeconfig", referenceConfig,
          ])
      #expect(once.status == 0, "\(once.stderr)")
    }
    try await syncReference()
    let expected = Self.snapshot(reference)
    #expect(expected.count > 80)

    for user in users {
      let kubeconfig = try clusters.directory.write(
        "standby-\(user)", try standby.kubeconfig(user: .token("token-\(user)")))
      replicas.append(
        try Replica(
          user: "replica-\(user)",
          arguments: ["sync"] + rules + ["--metrics-address", "127.0.0.1:0"] + Self.flags
            + ["--from-kubeconfig", clusters.productionKubeconfig, "--to-kubeconfig", kubeconfig]))
    }

    // The replicas share the shards two each, and the standby is the reference.
    try await HighAvailabilityTests.eventually("two shards per replica") {
      Self.holders(standby, replicas).values.sorted() == [2, 2, 2]
    }
    try? await HighAvailabilityTests.eventually("the standby equal to the reference") {
      Self.snapshot(standby) == expected
    }
    let settled = Self.difference(Self.snapshot(standby), expected)
    #expect(settled.isEmpty, "the standby differs from the reference: \(settled)")
    var writers: [String: Set<String>] = [:]
    for write in Self.objectWrites(standby) { writers[write.path, default: []].insert(write.user) }
    let shared = writers.filter { $0.value.count > 1 }
    #expect(shared.isEmpty, "objects written by more than one replica: \(shared)")
    #expect(Set(writers.values.flatMap { $0 }) == Set(users.map { "replica-\($0)" }))

    // A replica dies: its shards' Leases expire and the other two take them, three each.
    let victim = replicas[0]
    let victimShards = Self.shardsHeld(by: victim, standby)
    victim.send(SIGKILL)
    let killed = ContinuousClock.now
    for team in 0..<12 {
      let namespace = String(format: "team-%02d", team)
      let patch = try await kubectl.run(
        "patch", "configmap", "settings-0", "-n", namespace, "--type", "merge",
        "-p", #"{"data":{"index":"moved"}}"#)
      #expect(patch.status == 0, "\(patch.stderr)")
    }
    let survivors = Array(replicas.dropFirst())
    try await HighAvailabilityTests.eventually("the victim's shards taken over") {
      Self.holders(standby, survivors).values.sorted() == [3, 3]
    }
    // When each of the victim's Leases was first written by a survivor (the request log,
    // not this task's polling, which shares a loaded machine with kubectl).
    let survivorUsers = Set(survivors.map(\.user))
    let takeovers = victimShards.map { lease in
      standby.requests.first {
        $0.time > killed && survivorUsers.contains($0.user) && $0.status < 300
          && $0.isWrite && $0.path.hasSuffix("/leases/\(lease)")
      }.map { $0.time - killed }
    }
    #expect(victimShards.count == 2)
    for (lease, takeover) in zip(victimShards, takeovers) {
      let elapsed = try #require(takeover, "no survivor wrote \(lease)")
      #expect(
        elapsed < HighAvailabilityTests.leaseDuration * 2 + .seconds(2),
        "\(lease) taken over \(elapsed) after the kill")
    }
    try await syncReference()
    let changed = Self.snapshot(reference)
    try? await HighAvailabilityTests.eventually("the changes on the standby") {
      Self.snapshot(standby) == changed
    }
    let moved = Self.difference(Self.snapshot(standby), changed)
    #expect(moved.isEmpty, "the standby differs from the reference: \(moved)")
    let deletes = standby.requests.filter {
      $0.method == "DELETE" && !$0.path.contains("/leases")
    }
    #expect(deletes.isEmpty, "pruned while shards moved: \(deletes.map(\.path))")

    // A replica stopped by SIGTERM (a rollout, a drain) releases its shards and deletes
    // its member Lease: the last one takes all six without waiting for expiry.
    let (leaving, staying) = (survivors[0], survivors[1])
    let stopped = ContinuousClock.now
    leaving.send(SIGTERM)
    try await HighAvailabilityTests.eventually("all shards on the last replica") {
      Self.holders(standby, [staying]).values.sorted() == [6]
    }
    let handover = ContinuousClock.now - stopped
    #expect(
      handover < HighAvailabilityTests.leaseDuration + .seconds(2),
      "the last replica took the shards \(handover) after SIGTERM")
    #expect(leaving.waitForExit(), "the replica did not stop on SIGTERM")
    #expect(leaving.status == 0, "\(leaving.log.text)")
    let members = standby.objects(group: "coordination.k8s.io", version: "v1", plural: "leases")
      .compactMap { $0["metadata"]?["name"]?.stringValue }.filter { $0.contains("-member-") }
    #expect(
      !members.contains { $0.hasSuffix("-\(leaving.pid)") },
      "the stopped replica's member Lease is left: \(members)")
    #expect(production.nonReadRequests.filter { $0.user == "syncrules" }.isEmpty)
  }

  /// `value` with every object's keys sorted: who applied a field first decides where
  /// the server put it (a namespace created for an object in it, then applied), which is
  /// no difference.
  static func sortingKeys(_ value: Value) -> Value {
    switch value {
    case .object(let object):
      return .object(
        ObjectValue(
          members: object.members.sorted { $0.key < $1.key }.map {
            Member(key: $0.key, value: sortingKeys($0.value))
          }))
    case .array(let items): return .array(items.map(sortingKeys))
    default: return value
    }
  }

  /// What differs between a standby and the reference, for a failure message; empty
  /// when nothing does.
  static func difference(_ actual: [String: Value], _ expected: [String: Value]) -> String {
    let missing = Set(expected.keys).subtracting(actual.keys).sorted()
    let extra = Set(actual.keys).subtracting(expected.keys).sorted()
    let changed = Set(actual.keys).intersection(expected.keys).filter {
      actual[$0] != expected[$0]
    }.sorted().map { "\($0): \(JSON.serialize(actual[$0]!)) ≠ \(JSON.serialize(expected[$0]!))" }
    if missing.isEmpty, extra.isEmpty, changed.isEmpty { return "" }
    return "missing \(missing); extra \(extra); different \(changed.prefix(3))"
  }

  /// Successful writes to objects (the Leases and Events aside), by method and path.
  static func objectWrites(_ server: KubeAPIServer) -> [RecordedRequest] {
    server.requests.filter {
      ["PATCH", "PUT", "DELETE"].contains($0.method) && $0.status < 300
        && !$0.path.contains("/leases") && !$0.path.contains("/events")
    }
  }

  /// Shard Leases held, by replica user, for the replicas given.
  static func holders(_ standby: KubeAPIServer, _ replicas: [Replica]) -> [String: Int] {
    var counts: [String: Int] = [:]
    for lease in shardLeases(standby) {
      let pid = lease.holder.split(separator: "_").last.flatMap { Int32($0) }
      guard let replica = replicas.first(where: { $0.pid == pid }) else { return [:] }
      counts[replica.user, default: 0] += 1
    }
    return counts
  }

  static func shardsHeld(by replica: Replica, _ standby: KubeAPIServer) -> [String] {
    shardLeases(standby).filter { $0.holder.hasSuffix("_\(replica.pid)") }.map(\.name)
  }

  /// The six shard Leases with their holders; fewer than six until all exist.
  static func shardLeases(_ standby: KubeAPIServer) -> [(name: String, holder: String)] {
    standby.objects(group: "coordination.k8s.io", version: "v1", plural: "leases").compactMap {
      guard let name = $0["metadata"]?["name"]?.stringValue, name.contains("-shard-") else {
        return nil
      }
      return (name, $0["spec"]?["holderIdentity"]?.stringValue ?? "")
    }
  }
}
