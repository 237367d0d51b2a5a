import KubeModel
import SyncValue
import Testing

@testable import KubeAPIServer

@Suite struct InternalsTests {
  @Test func labelSelectorParsing() throws {
    let selector = try LabelSelector(parsing: "app=web, tier in (a,b),!legacy,env!=prod")
    #expect(selector.requirements.count == 4)
    #expect(selector.matches(ObjectValue(["app": "web", "tier": "a"])))
    #expect(!selector.matches(ObjectValue(["app": "web", "tier": "c"])))
    #expect(!selector.matches(ObjectValue(["app": "web", "tier": "a", "legacy": "1"])))
    #expect(!selector.matches(ObjectValue(["app": "web", "tier": "a", "env": "prod"])))
    #expect(throws: APIStatus.self) { try LabelSelector(parsing: "=x") }
  }

  @Test func versionPriority() {
    let sorted = ["v1alpha1", "v2", "v1beta2", "v1", "foo", "v1beta1"].sorted(by: versionPrecedes)
    #expect(sorted == ["v2", "v1", "v1beta2", "v1beta1", "v1alpha1", "foo"])
  }

  @Test func managedFieldsRoundTrip() {
    let object: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "x", "labels": ["a": "1"]],
      "data": ["k": "v"], "status": ["ignored": true],
    ]
    let paths = ServerSideApply.leafPaths(object)
    #expect(paths == [["metadata", "labels", "a"], ["data", "k"]])
    #expect(ServerSideApply.decodeFields(ServerSideApply.encodeFields(paths)) == paths)
  }

  @Test func applyRemovesFieldsNoLongerApplied() throws {
    let first: Value = ["metadata": ["name": "x"], "data": ["a": "1", "b": "2"]]
    let live = try ServerSideApply.apply(
      first, to: nil, manager: "m", force: false, apiVersion: "v1", now: "t")
    let second: Value = ["metadata": ["name": "x"], "data": ["a": "1"]]
    let result = try ServerSideApply.apply(
      second, to: live, manager: "m", force: false, apiVersion: "v1", now: "t2")
    #expect(result["data"] == ["a": "1"])
    let again = try ServerSideApply.apply(
      second, to: result, manager: "m", force: false, apiVersion: "v1", now: "t3")
    #expect(again == result, "re-applying changes nothing, not even the managedFields time")
  }

  @Test func mergePatchFollowsRFC7386() {
    let target: Value = ["a": "b", "c": ["d": "e", "f": "g"]]
    let patch: Value = ["a": "z", "c": ["f": nil]]
    #expect(mergePatch(patch, into: target) == ["a": "z", "c": ["d": "e"]])
  }
}

@Suite struct ApplyStatusTests {
  @Test func statusIsAnOrdinaryFieldWithoutStatusSubresource() throws {
    let applied: Value = ["metadata": ["name": "x"], "status": ["phase": "Ready"]]
    let kept = try ServerSideApply.apply(
      applied, to: nil, manager: "m", force: false, apiVersion: "v1", now: "t",
      keepsStatus: false)
    #expect(kept["status"]?["phase"] == "Ready")
    let dropped = try ServerSideApply.apply(
      applied, to: nil, manager: "m", force: false, apiVersion: "v1", now: "t")
    #expect(dropped["status"] == nil)
  }
}
