import SyncProgram
import SyncSchema
import SyncValue
import TestSupport
import Testing

@testable import SyncCompile

/// The strategies compiled into `patch strategic` give the same result as the schema
/// they came from: every case the test API server's strategic merge patch is held to
/// (Tests/KubeAPIServerTests/StrategicMergePatchCases/cases.yaml), applied both ways.
struct PatchStrategyTreeTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var kind: GroupVersionKind
    var live: Value
    var patch: Value
    var testDescription: String { name }
  }

  static let cases: [Case] = {
    let url = Repository.url("Tests/KubeAPIServerTests/StrategicMergePatchCases/cases.yaml")
    guard let text = try? String(contentsOf: url, encoding: .utf8),
      let entries = try? YAML.parse(text).arrayValue
    else { return [] }
    return entries.map { entry in
      let kind = (entry["kind"]?.stringValue ?? "").split(separator: " ").map(String.init)
      return Case(
        name: entry["name"]?.stringValue ?? "?",
        kind: GroupVersionKind(apiVersion: kind.first ?? "", kind: kind.last ?? ""),
        live: entry["live"] ?? .null, patch: entry["patch"] ?? .null)
    }
  }()

  @Test func thereAreCases() {
    #expect(Self.cases.count >= 20)
  }

  @Test(arguments: cases)
  func compiledStrategiesMergeAsTheSchemaDoes(_ testCase: Case) throws {
    let kind = try #require(SchemaRegistry.builtIn.kind(testCase.kind))
    let tree = PatchStrategyBuilder().strategies(of: kind)
    let bySchema = Result { () throws(StrategicMergePatch.Failure) in
      try StrategicMergePatch.apply(testCase.patch, to: testCase.live, strategies: kind.schema)
    }
    let byTree = Result { () throws(StrategicMergePatch.Failure) in
      try StrategicMergePatch.apply(testCase.patch, to: testCase.live, strategies: tree)
    }
    switch (bySchema, byTree) {
    case (.success(let expected), .success(let actual)):
      #expect(actual == expected)
    case (.failure(let expected), .failure(let actual)):
      #expect(actual.message == expected.message)
    default:
      Issue.record("schema: \(bySchema), compiled: \(byTree)")
    }
  }

  /// The Deployment's tree keeps only what has a strategy: containers merge by name.
  @Test func theTreeIsPrunedToStrategies() throws {
    let kind = try #require(
      SchemaRegistry.builtIn.kind(GroupVersionKind(apiVersion: "apps/v1", kind: "Deployment")))
    let tree = PatchStrategyBuilder().strategies(of: kind)
    let containers = tree.child("spec")?.child("template")?.child("spec")?.child("containers")
    #expect(containers?.mergesList == true)
    #expect(containers?.patchMergeKey == "name")
    #expect(tree.child("spec")?.child("replicas") == nil)
    #expect(tree.child("status") == nil || tree.child("status")?.isEmpty == false)
  }
}
