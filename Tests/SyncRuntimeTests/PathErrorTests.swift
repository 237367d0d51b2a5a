import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// The path an edit could not cross, as the failure message names it.
struct PathErrorTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var edit: String
    var spec: String
    var message: String
    var testDescription: String { edit }
  }

  static let cases: [Case] = [
    Case(
      edit: "set spec.size.value = 1", spec: #"{"size":"big"}"#,
      message: "`spec.size` is a string, so it has no field `value`"),
    Case(
      edit: "set spec.items[*].value.x = 1", spec: #"{"items":[{"value":{}},{"value":3}]}"#,
      message: "`spec.items[1].value` is an integer, so it has no field `x`"),
    Case(
      edit: "set spec.list[0] = 1", spec: #"{"list":"text"}"#,
      message: "`spec.list` is a string, not a list, so `[…]` cannot select in it"),
    Case(
      edit: "set spec.a[name: x].b[0].c = 1",
      spec: #"{"a":[{"name":"x","b":[{"c":1}]},{"name":"x","b":[true]}]}"#,
      message: "`spec.a[1].b[0]` is a boolean, so it has no field `c`"),
    Case(
      edit: "set spec.x = 1", spec: "2.5",
      message: "`spec` is a number, so it has no field `x`"),
  ]

  @Test(arguments: cases)
  func namesThePathUpToTheValue(_ testCase: Case) throws {
    let ruleSet = RuleSet.load(text: "rule r match example.com/v1 Widget { \(testCase.edit) }")
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    let object = try JSON.parse(
      #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":\#(testCase.spec)}"#
    )
    guard case .failed(let failure) = Evaluator(program: program).evaluate(object) else {
      Issue.record("expected a failure")
      return
    }
    #expect(failure.message == testCase.message)
  }
}
