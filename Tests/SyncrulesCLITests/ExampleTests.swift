import Foundation
import TestSupport
import Testing

/// The seed's scenario end to end, on the shipped data: `syncrules apply` with
/// docs/examples/dr-standby.sync prints the standby stream recorded next to it, in JSON
/// and in YAML, and every shipped rule file's tests pass through `syncrules test`.
struct ExampleTests {
  static func fixture(_ path: String) throws -> String {
    try String(
      contentsOf: Repository.root.appendingPathComponent(path), encoding: .utf8)
  }

  @Test func drStandbyOnProductionJSON() throws {
    let result = try CLI.run(
      ["apply", "-f", "docs/examples/dr-standby.sync", "docs/examples/production.json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == (try Self.fixture("docs/examples/dr-standby.expected.json")))
  }

  @Test func drStandbyOnProductionYAML() throws {
    let result = try CLI.run(
      [
        "apply", "-f", "docs/examples/dr-standby.sync", "docs/examples/production.yaml", "-o",
        "yaml",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == (try Self.fixture("docs/examples/dr-standby.expected.yaml")))
  }

  @Test func shippedRuleTestsPass() throws {
    let result = try CLI.run(["test", "stdlib-rules", "docs/examples"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(!result.stdout.contains("FAIL "), "\(result.stdout)")
    let summary = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    let match = summary.wholeMatch(of: /(\d+) passed, 0 failed/)
    #expect(match != nil, "last line: \(summary)")
    if let match { #expect(Int(match.1)! >= 30, "\(summary)") }
  }
}
