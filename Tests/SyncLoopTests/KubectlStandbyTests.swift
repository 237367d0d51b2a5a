import Foundation
import SyncLoop
import SyncValue
import TestSupport
import Testing

/// What an operator sees on the standby after a sync, through the real kubectl: the
/// proof does not rest on our own client reading back what it wrote.
struct KubectlStandbyTests {
  @Test(.enabled(if: Kubectl.available))
  func kubectlShowsTheRewrittenDeploymentsWithOwnershipMarks() async throws {
    let rig = try await LiveSyncTests.Rig(tls: true)
    defer { Task { await rig.stop() } }
    let path = try Kubectl.writeKubeconfig(rig.standby.kubeconfig(user: .token("op")))
    defer { try? FileManager.default.removeItem(atPath: path) }

    let result = try await Kubectl(kubeconfig: path).run(
      "get", "deploy", "-n", "shop", "-o", "json")
    try #require(result.status == 0, "\(result.stderr)")
    let list = try JSON.parse(result.stdout)
    #expect(list["kind"] == "List" || list["kind"] == "DeploymentList")
    let items = try #require(list["items"]?.arrayValue)
    #expect(items.count == 1)
    let web = try #require(items.first)
    #expect(web["metadata"]?["name"] == "web")
    #expect(web["spec"]?["replicas"] == .int(0))
    #expect(
      web["spec"]?["template"]?["metadata"]?["annotations"]?["dr.example.com/standby"] == "true")
    let annotations = web["metadata"]?["annotations"]
    #expect(annotations?["syncrules.io/source"] == "production:apps/Deployment:shop/web")
    #expect(annotations?["syncrules.io/self"] == "apps/Deployment:shop/web")
    // Ownership is an annotation only: no label derived from the object's name.
    #expect(web["metadata"]?["labels"]?["syncrules.io/source"] == nil)
    #expect(rig.sourceWrites.isEmpty)
  }
}
