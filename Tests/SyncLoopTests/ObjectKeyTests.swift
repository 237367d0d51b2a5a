import SyncLoop
import SyncValue
import Testing

/// An object's identity splits its `apiVersion` by the one rule of `GroupVersion`.
@Suite struct ObjectKeyTests {
  static func object(apiVersion: String) -> Value {
    ["apiVersion": .string(apiVersion), "kind": "Widget", "metadata": ["name": "w"]]
  }

  @Test(arguments: [("v1", ""), ("apps/v1", "apps"), ("example.com/v1beta1", "example.com")])
  func groupOfValidAPIVersion(apiVersion: String, group: String) {
    #expect(ObjectKey(of: Self.object(apiVersion: apiVersion))?.group == group)
  }

  /// These name nothing a cluster serves: such an object has no identity (the loop
  /// leaves it out) instead of a group made up from part of the text.
  @Test(arguments: ["a/b/v1", "/v1", "apps/", ""])
  func noIdentityForInvalidAPIVersion(apiVersion: String) {
    #expect(ObjectKey(of: Self.object(apiVersion: apiVersion)) == nil)
  }
}
