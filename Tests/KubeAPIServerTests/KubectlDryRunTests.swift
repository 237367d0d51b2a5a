import Foundation
import KubeAPIServer
import TestSupport
import Testing

/// `kubectl apply --dry-run=server`, as deploy/validate.sh runs it over the rendered
/// manifests of deploy/: every kind there is served, checked strictly, answered as created,
/// and nothing is stored.
@Suite(.enabled(if: Kubectl.available), .timeLimit(.minutes(2)))
struct KubectlDryRunTests {
  private static let manifests = """
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: syncrules, namespace: shop}
    ---
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: syncrules-leader-election, namespace: shop}
    rules:
      - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, create, update]}
    ---
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: syncrules, namespace: shop}
    spec:
      minAvailable: 1
      selector: {matchLabels: {app: syncrules}}
    """

  private func withServer(_ body: (Kubectl) async throws -> Void) async throws {
    let server = try await KubeAPIServer.start(.init(initialObjects: Fixtures.production))
    let path = try Kubectl.writeKubeconfig(try server.kubeconfig())
    defer { try? FileManager.default.removeItem(atPath: path) }
    do {
      try await body(Kubectl(kubeconfig: path))
    } catch {
      await server.shutdown()
      throw error
    }
    await server.shutdown()
  }

  private func write(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "dry-run-\(UUID().uuidString).yaml"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func dryRunAnswersCreatedAndStoresNothing() async throws {
    try await withServer { kubectl in
      let file = try write(Self.manifests)
      defer { try? FileManager.default.removeItem(atPath: file) }
      let result = try await kubectl.run("apply", "--dry-run=server", "-f", file)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(
        result.stdout.split(separator: "\n") == [
          "serviceaccount/syncrules created (server dry run)",
          "role.rbac.authorization.k8s.io/syncrules-leader-election created (server dry run)",
          "poddisruptionbudget.policy/syncrules created (server dry run)",
        ])
      let stored = try await kubectl.run("get", "sa,role,pdb", "-n", "shop", "-o", "name")
      #expect(stored.status == 0, "\(stored.stderr)")
      #expect(stored.stdout.isEmpty)
    }
  }

  @Test func dryRunRejectsAnUnknownField() async throws {
    try await withServer { kubectl in
      let file = try write(
        Self.manifests.replacingOccurrences(of: "minAvailable: 1", with: "minAvailabel: 1"))
      defer { try? FileManager.default.removeItem(atPath: file) }
      let result = try await kubectl.run("apply", "--dry-run=server", "-f", file)
      #expect(result.status != 0)
      #expect(result.stderr.contains(#"unknown field "spec.minAvailabel""#), "\(result.stderr)")
      let stored = try await kubectl.run("get", "pdb", "-n", "shop", "-o", "name")
      #expect(stored.stdout.isEmpty)
    }
  }
}
