import KubeClient

/// A failure reading one of the two clusters, said in terms of that cluster: which side,
/// which context and server, what went wrong and what to check. Discovery failing this way
/// at start-up stops `sync` and `diff` with this one error instead of a failure per object.
public struct ClusterError: Error, CustomStringConvertible {
  /// The side of the sync the cluster is on.
  public enum Side: String, Sendable {
    case source
    case target
  }

  public var side: Side
  /// `context `standby`, https://127.0.0.1:6443`.
  public var cluster: String
  public var underlying: any Error

  public init(side: Side, cluster: String, underlying: any Error) {
    self.side = side
    self.cluster = cluster
    self.underlying = underlying
  }

  /// Runs `body`, wrapping what it throws (once) in a `ClusterError` for `client`'s cluster.
  static func naming<T>(
    _ side: Side, _ client: KubeClient, _ body: () async throws -> T
  ) async throws -> T {
    do {
      return try await body()
    } catch let error as ClusterError {
      throw error
    } catch is CancellationError {
      throw CancellationError()
    } catch {
      throw ClusterError(side: side, cluster: client.configuration.clusterLabel, underlying: error)
    }
  }

  public var description: String {
    let name = "the \(side.rawValue) cluster"
    guard let error = underlying as? KubeError else { return "\(name) (\(cluster)): \(underlying)" }
    switch error {
    case .unreachable(let failure):
      return failure.message(naming: name)
    case .api(let status) where status.code == 401:
      return "\(name) (\(cluster)) refused the credentials (401 Unauthorized) — check the "
        + "user of the kubeconfig context: its token, client certificate or exec plugin may "
        + "be wrong or expired"
    case .api(let status) where status.code == 403:
      return "\(name) (\(cluster)) refused access (\(status)) — the user syncrules connects "
        + "as needs the RBAC rules in docs/operating.md (RBAC on each cluster)"
    case .execPlugin:
      return "cannot get credentials for \(name) (\(cluster)): \(error)"
    default:
      return "\(name) (\(cluster)): \(error)"
    }
  }
}
