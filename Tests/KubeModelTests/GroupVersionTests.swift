import KubeModel
import SyncValue
import Testing

@Suite struct GroupVersionTests {
  /// Every `apiVersion` the code reads is split by this one rule.
  @Test(arguments: [
    ("v1", GroupVersion(group: "", version: "v1")),
    ("apps/v1", GroupVersion(group: "apps", version: "v1")),
    ("networking.k8s.io/v1", GroupVersion(group: "networking.k8s.io", version: "v1")),
    ("example.com/v1beta2", GroupVersion(group: "example.com", version: "v1beta2")),
  ])
  func splitsValidAPIVersions(apiVersion: String, expected: GroupVersion) {
    #expect(GroupVersion(apiVersion: apiVersion) == expected)
    #expect(expected.apiVersion == apiVersion)
    #expect(expected.description == apiVersion)
  }

  /// More than one `/`, or an empty part, names nothing a server serves.
  @Test(arguments: ["", "/", "/v1", "apps/", "a/b/v1", "apps//v1", "apps/v1/"])
  func refusesInvalidAPIVersions(apiVersion: String) {
    #expect(GroupVersion(apiVersion: apiVersion) == nil)
  }

  @Test(arguments: [
    (GroupVersion(group: "", version: "v1"), "/api/v1"),
    (GroupVersion(group: "apps", version: "v1"), "/apis/apps/v1"),
  ])
  func servedPath(groupVersion: GroupVersion, path: String) {
    #expect(groupVersion.path == path)
  }
}

@Suite struct ResourceTypeTests {
  static let deployments = ResourceType(
    group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
  static let pods = ResourceType(
    group: "", version: "v1", kind: "Pod", plural: "pods", namespaced: true)

  @Test func namesWithAndWithoutVersion() {
    #expect(Self.deployments.description == "deployments.apps")
    #expect(Self.deployments.versionedName == "deployments.v1.apps")
    #expect(Self.deployments.apiVersion == "apps/v1")
    #expect(Self.pods.description == "pods")
    #expect(Self.pods.versionedName == "pods.v1")
    #expect(Self.pods.apiVersion == "v1")
  }

  @Test func derivesSingularAndListKind() {
    #expect(Self.deployments.singular == "deployment")
    #expect(Self.deployments.listKind == "DeploymentList")
    #expect(Self.deployments.verbs == ResourceType.standardVerbs)
  }

  /// A resource built by hand equals the one discovery reports with other verbs.
  @Test func identityIgnoresDescriptiveFields() {
    var discovered = Self.deployments
    discovered.verbs = ["get", "list"]
    discovered.shortNames = ["deploy"]
    discovered.hasStatus = true
    #expect(discovered == Self.deployments)
    #expect(Set([discovered, Self.deployments]).count == 1)
    var otherVersion = Self.deployments
    otherVersion.version = "v1beta1"
    #expect(otherVersion != Self.deployments)
  }
}

@Suite struct APIStatusTests {
  @Test func describesCodeReasonMessageAndCauses() {
    let status = APIStatus(
      code: 409, reason: "Conflict", message: "Apply failed with 1 conflict",
      details: ["causes": [["field": ".spec.replicas", "message": "conflict with kubectl"]]])
    #expect(status.causeFields == [".spec.replicas"])
    #expect(
      status.description
        == "409 Conflict: Apply failed with 1 conflict (.spec.replicas: conflict with kubectl)")
    #expect(APIStatus(code: 500, reason: "", message: "").description == "500")
  }
}

@Suite struct WatchEventTests {
  @Test func resourceVersionOfEachEvent() {
    let object: Value = ["metadata": ["resourceVersion": "7"]]
    #expect(WatchEvent.added(object).resourceVersion == "7")
    #expect(WatchEvent.deleted(object).object == object)
    #expect(WatchEvent.bookmark(resourceVersion: "9").resourceVersion == "9")
    #expect(WatchEvent.bookmark(resourceVersion: "9").object == nil)
  }
}
