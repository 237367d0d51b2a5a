import SyncValue
import Testing

@testable import SyncSchema

/// Which versions a registry knows for a group and kind, in Kubernetes' order of
/// preference, and which one a CRD stores.
@Suite struct VersionTests {
  @Test(arguments: [
    (["v1alpha1", "v1", "v1beta1"], ["v1", "v1beta1", "v1alpha1"]),
    (["v1beta1", "v2beta2", "v2", "v1"], ["v2", "v1", "v2beta2", "v1beta1"]),
    (["v1beta10", "v1beta2", "v10"], ["v10", "v1beta10", "v1beta2"]),
    (["v1alpha2", "v2alpha1", "v1alpha10"], ["v2alpha1", "v1alpha10", "v1alpha2"]),
    (["stable", "v1", "alpha", "v0"], ["v1", "alpha", "stable", "v0"]),
  ])
  func versionsSortByKubernetesPriority(_ input: [String], _ expected: [String]) {
    #expect(input.sorted(by: GroupVersionKind.versionPriority) == expected)
  }

  @Test func builtInKindHasItsVersionsInOrder() {
    let versions = SchemaRegistry.builtIn.versions(
      group: "autoscaling", kind: "HorizontalPodAutoscaler")
    #expect(versions.map(\.gvk.version) == ["v2", "v1"])
    #expect(versions.allSatisfy { !$0.isStorageVersion })
    #expect(SchemaRegistry.builtIn.versions(group: "apps", kind: "Widget").isEmpty)
  }

  @Test func crdMarksItsStorageVersionAndLeavesOutUnservedOnes() throws {
    let registry = try SchemaRegistry.builtIn.adding(
      crd: try YAML.parse(widgetCRD), source: "widget.yaml")
    let versions = registry.versions(group: "example.com", kind: "Widget")
    #expect(versions.map(\.gvk.version) == ["v1", "v1beta1"])
    #expect(versions.map(\.isStorageVersion) == [true, false])
  }
}
