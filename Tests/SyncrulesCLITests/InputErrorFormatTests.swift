import Foundation
import TestSupport
import Testing

/// Problems with the inputs themselves (a missing rule file, a CRD that does not parse
/// or is not valid) go through the chosen `--format`, like findings in rule files.
struct InputErrorFormatTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    /// Arguments after `check --format FORMAT`; `$DIR` is a scratch directory.
    var arguments: [String]
    var status: Int32
    var code: String
    /// The file the finding names, relative to `$DIR` when it starts there.
    var file: String
    /// Line and column, nil for a problem with the whole file.
    var position: (line: Int, column: Int)?
    var message: String
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "missing rule file", arguments: ["$DIR/none.sync"], status: 2, code: "E0208",
      file: "$DIR/none.sync", position: nil, message: "no such file or directory"),
    Case(
      name: "missing CRD path", arguments: ["--crd", "$DIR/none.yaml", "$DIR/ok.sync"],
      status: 2, code: "E0208", file: "$DIR/none.yaml", position: nil,
      message: "no such file or directory"),
    Case(
      name: "CRD that does not parse", arguments: ["--crd", "$DIR/syntax.yaml", "$DIR/ok.sync"],
      status: 1, code: "E0209", file: "$DIR/syntax.yaml", position: (4, 27),
      message: "did not find expected ',' or ']'"),
    Case(
      name: "CRD that is not valid", arguments: ["--crd", "$DIR/invalid.yaml", "$DIR/ok.sync"],
      status: 1, code: "E0209", file: "$DIR/invalid.yaml", position: nil,
      message: "CustomResourceDefinition ws.g: missing spec.group"),
  ]

  /// A scratch directory with a clean rule file and two broken CRDs.
  static func scratch() throws -> TemporaryDirectory {
    let directory = try TemporaryDirectory(prefix: "syncrules-input")
    let header = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    try directory.write("ok.sync", "rule a match v1 ConfigMap\n")
    try directory.write(
      "syntax.yaml", header + "metadata: {name: x.g}\nspec: {group: [g, names: x}\n")
    try directory.write(
      "invalid.yaml",
      header + "metadata: {name: ws.g}\nspec: {names: {kind: W}, versions: [{name: v1}]}\n")
    return directory
  }

  @Test(arguments: cases)
  func text(_ example: Case) throws {
    let scratch = try Self.scratch()
    let directory = scratch.path
    let result = try CLI.run(
      ["check", "--format", "text"] + example.arguments.map { expand($0, directory) })
    #expect(result.status == example.status)
    #expect(result.stdout.isEmpty)
    let place =
      expand(example.file, directory)
      + (example.position.map { ":\($0.line):\($0.column)" } ?? "")
    #expect(
      result.stderr.hasPrefix("\(place): error[\(example.code)]: \(example.message)"),
      "\(result.stderr)")
  }

  @Test(arguments: cases)
  func json(_ example: Case) throws {
    let scratch = try Self.scratch()
    let directory = scratch.path
    let result = try CLI.run(
      ["check", "--format", "json"] + example.arguments.map { expand($0, directory) })
    #expect(result.status == example.status)
    #expect(result.stderr.isEmpty, "\(result.stderr)")
    let lines = result.stdout.split(separator: "\n")
    try #require(lines.count == 1, "\(result.stdout)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
    #expect(object["code"] as? String == example.code)
    #expect(object["severity"] as? String == "error")
    #expect(object["file"] as? String == expand(example.file, directory))
    #expect((object["message"] as? String)?.contains(example.message) == true)
    if let position = example.position {
      #expect(object["line"] as? Int == position.line)
      #expect(object["column"] as? Int == position.column)
    } else {
      #expect(object["line"] is NSNull && object["column"] is NSNull)
    }
  }

  @Test(arguments: cases)
  func github(_ example: Case) throws {
    let scratch = try Self.scratch()
    let directory = scratch.path
    let result = try CLI.run(
      ["check", "--format", "github"] + example.arguments.map { expand($0, directory) })
    #expect(result.status == example.status)
    #expect(result.stderr.isEmpty, "\(result.stderr)")
    let position = example.position.map { ",line=\($0.line),col=\($0.column)" } ?? ",title"
    #expect(
      result.stdout.hasPrefix("::error file=\(expand(example.file, directory))\(position)"),
      "\(result.stdout)")
    #expect(result.stdout.contains("title=\(example.code)::\(example.message)"))
    #expect(result.stdout.split(separator: "\n").count == 1)
  }

  private func expand(_ text: String, _ directory: String) -> String {
    text.replacingOccurrences(of: "$DIR", with: directory)
  }
}
