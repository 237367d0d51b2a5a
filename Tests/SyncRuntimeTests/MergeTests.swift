import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// `merge` of large maps: as quick as the maps are long, with the result RFC 7386 and
/// `ObjectValue` define, whichever way the evaluator finds the keys.
struct MergeTests {
  /// Merges the source's `metadata.annotations` into its `metadata.labels`.
  static let rules = """
    rule r match v1 ConfigMap { merge metadata.labels metadata.annotations }
    """

  static func configMap(labels: ObjectValue, annotations: ObjectValue) -> Value {
    .object(
      ObjectValue([
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": .object(
          ObjectValue([
            "name": "c", "labels": .object(labels), "annotations": .object(annotations),
          ])),
      ]))
  }

  static func evaluator() throws -> Evaluator {
    Evaluator(program: try #require(RuleSet.load(text: rules).program))
  }

  /// The labels after the merge.
  static func merge(
    labels: ObjectValue, annotations: ObjectValue, with evaluator: Evaluator
  ) -> Value? {
    let outcome = evaluator.evaluate(configMap(labels: labels, annotations: annotations))
    guard case .rewritten(let output, _) = outcome else {
      Issue.record("not rewritten: \(outcome)")
      return nil
    }
    return output["metadata"]?["labels"]
  }

  /// Found by the evaluator fuzzer's slow inputs: each key was looked up by a scan of the
  /// target, so 10,000 keys into 10,000 took half a minute (and 20,000 two minutes). Not
  /// timed here (timed tests are flaky on shared machines): this checks the indexed path
  /// at that size against the plain reference below.
  @Test func mergingManyKeysKeepsRFC7386() throws {
    let count = 10_000
    let labels = ObjectValue(
      members: (0..<count).map { Member(key: "key-\($0)", value: .string("old")) })
    // Every other key is new; every third existing one is deleted.
    let annotations = ObjectValue(
      members: (0..<count).map { index in
        Member(
          key: "key-\(index * 2)", value: index % 3 == 0 ? .null : .string("new"))
      })
    let merged = Self.merge(labels: labels, annotations: annotations, with: try Self.evaluator())
    #expect(merged == .object(Self.reference(labels, annotations)))
  }

  struct Case: CustomTestStringConvertible, Sendable {
    var name: String
    var labels: [(String, Value)]
    var annotations: [(String, Value)]
    var testDescription: String { name }
  }

  /// `key-0` … `key-(n-1)` with string values; big enough to leave the small-map path.
  static func keys(_ count: Int, _ value: Value = "v") -> [(String, Value)] {
    (0..<count).map { ("key-\($0)", value) }
  }

  static let cases: [Case] = [
    Case(
      name: "small: replace, delete, add", labels: [("a", "1"), ("b", "2")],
      annotations: [("b", .null), ("c", "3"), ("a", "9")]),
    Case(
      name: "large: replace, delete, add", labels: keys(40),
      annotations: [("key-3", .null), ("new", "n"), ("key-39", "x"), ("key-0", .null)]),
    Case(
      name: "large: a key deleted, then added again, goes to the end",
      labels: keys(40),
      annotations: [("key-5", .null), ("key-5", "back"), ("key-6", "y")]
        + keys(30, "z")),
    Case(
      name: "large: a key added, then deleted, is gone",
      labels: keys(40), annotations: [("fresh", "1"), ("fresh", .null)] + keys(20, "z")),
    Case(
      name: "large: a key repeated in the target loses its first member, then its second",
      labels: [("dup", "1")] + keys(30) + [("dup", "2")] + keys(30).map { ("more-" + $0.0, $0.1) },
      annotations: [("dup", .null), ("dup", "again")] + keys(20, "z")),
    Case(
      name: "large: a key repeated in the target, deleted twice, then added",
      labels: [("dup", "1")] + keys(30) + [("dup", "2")],
      annotations: [("dup", .null), ("dup", .null), ("dup", "3"), ("dup", "4")] + keys(20, "z")
    ),
    Case(
      name: "large: nested maps merge key by key",
      labels: keys(30) + [("nested", .object(ObjectValue(["x": "1", "y": "2"])))],
      annotations: [("nested", .object(ObjectValue(["y": .null, "z": "3"])))] + keys(20, "z")),
    Case(
      name: "large: a map replaces a string and a string a map",
      labels: keys(30) + [("m", .object(ObjectValue(["x": "1"])))],
      annotations: [("key-1", .object(ObjectValue(["x": .null, "y": "2"]))), ("m", "s")]
        + keys(20, "z")),
  ]

  @Test(arguments: cases)
  func mergeIsRFC7386(_ testCase: Case) throws {
    let labels = ObjectValue(members: testCase.labels.map { Member(key: $0.0, value: $0.1) })
    let annotations = ObjectValue(
      members: testCase.annotations.map { Member(key: $0.0, value: $0.1) })
    let merged = Self.merge(labels: labels, annotations: annotations, with: try Self.evaluator())
    #expect(merged == .object(Self.reference(labels, annotations)))
  }

  /// RFC 7386 in its plainest form, over `ObjectValue`'s own lookups (each acts on the
  /// first member with the key; a new key goes at the end).
  static func reference(_ target: ObjectValue, _ patch: ObjectValue) -> ObjectValue {
    var result = target
    for member in patch.members {
      if case .null = member.value {
        result.removeValue(forKey: member.key)
      } else if case .object(let inner) = member.value {
        let existing = result[member.key]?.objectValue ?? ObjectValue()
        result[member.key] = .object(reference(existing, inner))
      } else {
        result[member.key] = member.value
      }
    }
    return result
  }
}
