import SyncLoop
import SyncValue
import Testing

struct ShardFilterTests {
  static func key(_ kind: String, namespace: String = "", name: String, group: String = "")
    -> ObjectKey
  {
    ObjectKey(group: group, kind: kind, namespace: namespace, name: name)
  }

  /// The assignment is part of the deployment contract: replicas of different releases
  /// must agree during a rolling update. These values are 64-bit FNV-1a (the published
  /// test vectors: "" → cbf29ce484222325, "a" → af63dc4c8601ec8c, "foobar" →
  /// 85944171f73967e8) modulo the count, and must never change.
  static let fnv1a: [(namespace: String, hash: UInt64)] = [
    ("a", 0xaf63_dc4c_8601_ec8c), ("foobar", 0x8594_4171_f739_67e8),
  ]

  @Test func theShardOfANamespaceIsItsPinnedHash() {
    for (namespace, hash) in Self.fnv1a {
      for count in [1, 2, 6, 7] {
        let key = Self.key("ConfigMap", namespace: namespace, name: "x")
        #expect(ShardFilter.shard(of: key, count: count) == Int(hash % UInt64(count)))
      }
    }
  }

  @Test func aNamespaceGoesWithItsObjectsAndOtherClusterScopedObjectsToShardZero() {
    for namespace in ["shop", "team-01", "team-02", "payments", "a"] {
      let inside = ShardFilter.shard(
        of: Self.key("Deployment", namespace: namespace, name: "web", group: "apps"), count: 6)
      #expect(ShardFilter.shard(of: Self.key("Namespace", name: namespace), count: 6) == inside)
    }
    for clusterScoped in [
      Self.key("IngressClass", name: "nginx", group: "networking.k8s.io"),
      Self.key("ClusterRole", name: "view", group: "rbac.authorization.k8s.io"),
      Self.key("Namespace", name: "x", group: "example.com"),
    ] {
      #expect(ShardFilter.shard(of: clusterScoped, count: 6) == 0)
    }
  }

  /// Every key has exactly one owner among the shards, and namespaces spread over all.
  @Test func everyKeyHasOneShardAndNamespacesSpread() {
    let filters = (0..<6).map { ShardFilter(index: $0, count: 6) }
    var perShard = [Int](repeating: 0, count: 6)
    for team in 0..<600 {
      let key = Self.key("ConfigMap", namespace: "team-\(team)", name: "settings")
      let owners = filters.filter { $0.contains(key) }
      #expect(owners.count == 1)
      perShard[owners.first?.index ?? 0] += 1
    }
    #expect(perShard.allSatisfy { $0 > 60 }, "\(perShard)")
  }

  /// A sharded engine syncs its shard's objects only, and its prune leaves the other
  /// shards' copies alone although it never saw their sources.
  @Test func aShardSyncsAndPrunesOnlyItsOwnObjects() async throws {
    let source = FakeCluster()
    let namespaces = (0..<12).map { "team-\($0)" }
    for namespace in namespaces {
      source.put(SyncEngineTests.deployment("web", namespace: namespace))
    }
    let target = FakeCluster()
    for index in 0..<3 {
      let engine = SyncEngine(
        source: source, target: target, program: try SyncEngineTests.program(),
        ownership: SyncEngineTests.ownership,
        options: SyncOptions(shard: .init(index: index, count: 3)))
      let report = try await engine.runOnce()
      let expected = namespaces.filter {
        ShardFilter.shard(
          of: Self.key("Deployment", namespace: $0, name: "web", group: "apps"), count: 3)
          == index
      }
      #expect(report.applied == expected.count)
      #expect(report.pruned == 0, "shard \(index) pruned another shard's copies")
    }
    let copies = target.keys.filter { $0.kind == "Deployment" }
    #expect(copies.count == namespaces.count)
    #expect(source.writes.isEmpty)
  }
}
