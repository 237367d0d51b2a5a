import SyncRuntime
import SyncValue
import Testing

/// `kubectl diff`'s masking: values hidden, whether each changed still visible.
@Suite struct SecretMaskTests {
  static func secret(_ data: Value?, stringData: Value? = nil) -> Value {
    var object = ObjectValue()
    object["apiVersion"] = "v1"
    object["kind"] = "Secret"
    object["metadata"] = ["name": "db"]
    if let data { object["data"] = data }
    if let stringData { object["stringData"] = stringData }
    return .object(object)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var before: Value?
    var after: Value?
    var maskedBefore: Value?
    var maskedAfter: Value?
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "changed, equal, removed and added keys",
      before: secret(["same": "YQ==", "changed": "Yg==", "removed": "Yw=="]),
      after: secret(["same": "YQ==", "changed": "ZA==", "added": "ZQ=="]),
      maskedBefore: secret(["same": "***", "changed": "*** (before)", "removed": "***"]),
      maskedAfter: secret(["same": "***", "changed": "*** (after)", "added": "***"])),
    Case(
      name: "created: only an after",
      before: nil, after: secret(["k": "dg=="], stringData: ["plain": "text"]),
      maskedBefore: nil, maskedAfter: secret(["k": "***"], stringData: ["plain": "***"])),
    Case(
      name: "deleted: only a before",
      before: secret(["k": "dg=="]), after: nil, maskedBefore: secret(["k": "***"]),
      maskedAfter: nil),
    Case(
      name: "data added where there was none",
      before: secret(nil), after: secret(["k": "dg=="]), maskedBefore: secret(nil),
      maskedAfter: secret(["k": "***"])),
    Case(
      name: "a data that is not a map is masked whole",
      before: secret("c2VjcmV0"), after: secret("c2VjcmV0"), maskedBefore: secret("***"),
      maskedAfter: secret("***")),
    Case(
      name: "a ConfigMap is left alone",
      before: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["k": "v"]],
      after: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["k": "w"]],
      maskedBefore: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["k": "v"]],
      maskedAfter: ["apiVersion": "v1", "kind": "ConfigMap", "data": ["k": "w"]]),
  ]

  @Test(arguments: cases)
  func masking(_ example: Case) {
    let masked = SecretMask.masking(before: example.before, after: example.after)
    #expect(masked.before == example.maskedBefore)
    #expect(masked.after == example.maskedAfter)
  }
}
