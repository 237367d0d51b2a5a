import Foundation
import SyncRuntime
import SyncValue
import Testing

@testable import SyncRuntime

/// One rule decides which top-level objects are Lists, for JSON and YAML alike: an `items`
/// array makes a List unless a `kind` that does not end in `List` comes before it.
struct ListShapeTests {
  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    /// The top-level object as JSON, members in the order written.
    var json: String
    var isList: Bool
    var testDescription: String { name }
  }

  static let item = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}"#

  static let cases: [Case] = [
    Case(
      name: "kubectl's List: kind after items",
      json: #"{"apiVersion":"v1","items":[\#(item)],"kind":"List"}"#, isList: true),
    Case(
      name: "kind before items, ending in List",
      json: #"{"kind":"ConfigMapList","items":[\#(item)]}"#, isList: true),
    Case(name: "no kind at all", json: #"{"items":[\#(item)]}"#, isList: true),
    Case(
      name: "another kind before items",
      json: #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"items":[1]}"#,
      isList: false),
    Case(
      name: "items that are not an array",
      json: #"{"apiVersion":"v1","kind":"List","metadata":{"name":"l"},"items":{"a":1}}"#,
      isList: false),
    Case(
      name: "no items", json: #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}"#,
      isList: false),
  ]

  @Test(arguments: cases)
  func theRuleOnWholeObjects(_ example: Case) throws {
    let value = try JSON.parse(example.json)
    #expect((ListShape.split(value) != nil) == example.isList)
  }

  /// The same text as JSON (streamed member by member) and as YAML (read whole): the same
  /// objects come out, item by item or as one object.
  @Test(arguments: cases)
  func jsonAndYAMLAgree(_ example: Case) throws {
    let rules = "rule all match *"
    let value = try JSON.parse(example.json)
    var yaml: [UInt8] = []
    YAMLWriter().write(value, to: &yaml)
    var outputs: [String] = []
    for (input, name) in [(Array(example.json.utf8), "input.json"), (yaml, "input.yaml")] {
      let result = try StreamRun.run(
        rules: rules, input: input, inputName: name,
        options: .init(outputFormat: .ndjson, passthrough: true, flushEachObject: false))
      outputs.append(result.output)
    }
    #expect(outputs[0] == outputs[1])
    let lines = outputs[0].split(separator: "\n")
    if example.isList {
      // The items, one per line (NDJSON leaves the envelope out).
      #expect(lines == [Substring(Self.item)])
    } else {
      try #require(lines.count == 1)
      #expect(try JSON.parse(String(lines[0])) == value)
    }
  }
}
