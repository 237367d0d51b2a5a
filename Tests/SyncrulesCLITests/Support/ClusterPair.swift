import Foundation
import KubeAPIServer
import SyncValue
import TestSupport

/// Two in-memory API servers, production and a standby, with a kubeconfig file for each:
/// what every test of `sync` and `diff` as a command starts from.
struct ClusterPair {
  let production: KubeAPIServer
  let standby: KubeAPIServer
  /// Holds the kubeconfig files; removed with the pair.
  let directory: TemporaryDirectory
  let productionKubeconfig: String
  let standbyKubeconfig: String

  /// `--from-kubeconfig P --to-kubeconfig S`.
  var arguments: [String] {
    ["--from-kubeconfig", productionKubeconfig, "--to-kubeconfig", standbyKubeconfig]
  }

  /// The objects of docs/examples/production.json.
  static func exampleObjects() throws -> [Value] {
    try loadObjects(fromFile: Repository.path("docs/examples/production.json"))
  }

  /// Starts both servers; each kubeconfig holds `user`'s credentials (none when nil,
  /// the first token otherwise: see ``KubeAPIServer/kubeconfig(user:)``).
  static func start(
    production: KubeAPIServer.Configuration, standby: KubeAPIServer.Configuration = .init(),
    user: KubeAPIServer.KubeconfigUser? = nil
  ) async throws -> ClusterPair {
    let productionServer = try await KubeAPIServer.start(production)
    let standbyServer = try await KubeAPIServer.start(standby)
    let directory = try TemporaryDirectory(prefix: "clusters")
    let from = try directory.write("production", try productionServer.kubeconfig(user: user))
    let to = try directory.write("standby", try standbyServer.kubeconfig(user: user))
    return ClusterPair(
      production: productionServer, standby: standbyServer, directory: directory,
      productionKubeconfig: from, standbyKubeconfig: to)
  }

  /// Runs `body` with a started pair, and shuts both servers down after it.
  static func with<T>(
    production: KubeAPIServer.Configuration, standby: KubeAPIServer.Configuration = .init(),
    user: KubeAPIServer.KubeconfigUser? = nil, _ body: (ClusterPair) async throws -> T
  ) async throws -> T {
    let pair = try await start(production: production, standby: standby, user: user)
    defer {
      Task {
        await pair.production.shutdown()
        await pair.standby.shutdown()
      }
    }
    return try await body(pair)
  }
}
