import Foundation
import TestSupport
import Testing

@testable import SyncValue

/// A reader with a projection must read every input exactly as one without it, except
/// that the members it skips are missing: the same values, the same errors at the same
/// lines and columns, the same duplicate keys, the same positions afterwards.
struct JSONProjectionTests {
  /// Leaves `status` and `metadata.managedFields` out of every `v1 Widget`, and
  /// everything after `metadata` out of one in the namespace `skipped`.
  final class Projector: JSONProjectionSource {
    func projection(apiVersion: String, kind: String) -> JSONProjection {
      guard apiVersion == "v1", kind == "Widget" else { return .keep }
      return .members(["status": .skip, "metadata": .members(["managedFields": .skip])])
    }

    func leavesOutTheRest(apiVersion: String, kind: String, metadata: ObjectValue) -> Bool {
      metadata["namespace"] == "skipped"
    }
  }

  /// What one read of a whole input gives: each value (or error) and duplicate key, in
  /// order, and how many values the projection left out.
  struct Reading {
    var values: [Value] = []
    var duplicates: [String] = []
    var error: JSONError?
    var skipped = 0
  }

  /// Reads every top-level value; `projecting` uses the projection.
  static func read(
    _ text: [UInt8], chunkSize: Int, projecting: Bool, limits: JSONReaderLimits = .init()
  ) -> Reading {
    let reader = JSONStreamReader(bytes: text, chunkSize: chunkSize, limits: limits)
    if projecting { reader.projection = Projector() }
    var reading = Reading()
    do {
      while try reader.peekToken() != .endOfInput {
        let value = projecting ? try reader.readObjectValue() : try reader.readValue()
        reading.values.append(value)
        reading.duplicates.append(reader.takeDuplicateKey().map { "\($0)" } ?? "")
        reading.values.append(.string("position \(reader.position)"))
      }
    } catch {
      reading.error = error
    }
    reading.skipped = reader.skippedValueCount
    return reading
  }

  /// `value` with what the projection leaves out removed: the members after both
  /// `apiVersion` and `kind` (strings, first copies) were read.
  static func projected(_ value: Value) -> Value {
    guard case .object(let object) = value else { return value }
    if object.count == 2, object.members[0].key == "type", object.members[1].key == "object",
      let type = object["type"]?.stringValue, ["ADDED", "MODIFIED", "DELETED"].contains(type)
    {
      var frame = object
      frame.members[1].value = projected(object.members[1].value)
      return .object(frame)
    }
    var apiVersion: String?
    var kind: String?
    var restLeftOut = false
    var members: [Member] = []
    for member in object.members {
      // As the reader: the first string copies, and members after both were read.
      let resolved = apiVersion != nil && kind != nil
      let known = apiVersion == "v1" && kind == "Widget"
      switch member.key {
      case "apiVersion" where apiVersion == nil: apiVersion = member.value.stringValue
      case "kind" where kind == nil: kind = member.value.stringValue
      default: break
      }
      if restLeftOut || (known && member.key == "status") { continue }
      var kept = member
      if known, member.key == "metadata", case .object(var metadata) = member.value {
        metadata.members.removeAll { $0.key == "managedFields" }
        kept.value = .object(metadata)
      }
      if resolved, member.key == "metadata", case .object(let metadata) = member.value,
        metadata["namespace"] == "skipped"
      {
        restLeftOut = true
      }
      members.append(kept)
    }
    return .object(ObjectValue(members: members))
  }

  /// Whether the projected reading is the plain one with what the projection leaves
  /// out removed. A value with a duplicate key may also come whole: telling a duplicate
  /// from a hash collision, the reader read it again without the projection.
  static func matches(_ reading: Reading, _ plain: Reading) -> Bool {
    guard reading.error == plain.error, reading.duplicates == plain.duplicates,
      reading.values.count == plain.values.count
    else { return false }
    for (index, (value, whole)) in zip(reading.values, plain.values).enumerated() {
      let duplicate = index / 2 < plain.duplicates.count && !plain.duplicates[index / 2].isEmpty
      guard value == projected(whole) || (duplicate && value == whole) else { return false }
    }
    return true
  }

  /// Reads `text` both ways at several chunk sizes and compares.
  static func expectSameReading(
    _ text: String, skipped: Int? = nil, limits: JSONReaderLimits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    expectSameReading(
      Array(text.utf8), skipped: skipped, limits: limits, sourceLocation: sourceLocation)
  }

  static func expectSameReading(
    _ bytes: [UInt8], skipped: Int? = nil, limits: JSONReaderLimits = .init(),
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    for chunkSize in [1, 7, 64, 1 << 20] {
      let plain = read(bytes, chunkSize: chunkSize, projecting: false, limits: limits)
      let reading = read(bytes, chunkSize: chunkSize, projecting: true, limits: limits)
      #expect(
        matches(reading, plain), "chunks of \(chunkSize): \(reading) against \(plain)",
        sourceLocation: sourceLocation)
      if let skipped {
        #expect(
          reading.skipped == skipped, "chunks of \(chunkSize)", sourceLocation: sourceLocation)
      }
    }
  }

  static func widget(status: String, managedFields: String = "[]") -> String {
    """
    {"apiVersion": "v1", "kind": "Widget",
     "metadata": {"name": "w", "managedFields": \(managedFields), "labels": {"a": "b"}},
     "spec": {"size": 1},
     "status": \(status)}
    """
  }

  @Test func skippedMembersAreLeftOutAndCounted() {
    let text = Self.widget(status: #"{"ready": true}"#) + "\n" + Self.widget(status: "null")
    Self.expectSameReading(text, skipped: 4)
    // Another kind is read whole.
    Self.expectSameReading(
      #"{"apiVersion": "v1", "kind": "Gadget", "status": {"ready": true}}"#, skipped: 0)
  }

  /// Every kind of token in a skipped subtree.
  static let tokens: [String] = [
    #"{}"#, #"[]"#, #"{"a": {}, "b": [], "c": [[], {}]}"#, #""""#, #""plain""#,
    #""a longer string that spans several words of eight bytes""#,
    #""escapes \" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 end""#, #""é ü 😀 utf-8""#,
    "0", "-0", "12", "-9223372036854775808", "18446744073709551616", "1.5", "-2.5e10",
    "1E-3", "1e308", "true", "false", "null",
    #"{"\u0061": 1, "b\n": [1, "two", 3.0, null, true, false, {"c": {"d": []}}]}"#,
    #"[{"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}, {"manager": "kubectl"}]"#,
  ]

  @Test(arguments: tokens)
  func everyTokenKindIsSkipped(_ status: String) {
    Self.expectSameReading(Self.widget(status: status, managedFields: status), skipped: 2)
  }

  /// Malformed text inside a skipped subtree: the same error, line and column.
  static let malformed: [String] = [
    #"{"a" 1}"#, #"{"a": 1,}"#, #"{a: 1}"#, #"[1,]"#, #"[1 2]"#, "tru", "nul", "fals",
    "01", "1.", "-", "1e", "1e+", #""\x""#, #""\u12""#, #""\ud800""#, #""\udc00x""#,
    "\"tab\there\"", "1e999", #""unterminated"#, "[", "{", #"{"a": [1, {"b": }]}"#,
    "\"\u{7f}\"",
  ]

  @Test(arguments: malformed)
  func malformedTextInsideASkippedSubtreeFailsTheSame(_ status: String) {
    Self.expectSameReading(Self.widget(status: status) + "\n{\"after\": 1}")
  }

  /// Bad UTF-8 alone, next to escapes, and before a bad escape (which is reported first).
  @Test(arguments: [
    "x", "x\\n", "\\nx", "a\\u00e9x\\tb", "x\\q", "\\u00e9x\\ud800", "\\u00c3x",
  ])
  func invalidUTF8InsideASkippedSubtreeFailsTheSame(_ string: String) {
    for bad: [UInt8] in [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xA9]] {
      let text = Array(Self.widget(status: "\"\(string)\"").utf8)
      let marker = text.lastIndex(of: UInt8(ascii: "x"))!
      var bytes = text
      bytes.replaceSubrange(marker...marker, with: bad)
      Self.expectSameReading(bytes)
    }
  }

  @Test func nestingTooDeepInsideASkippedSubtreeFailsTheSame() {
    let deep = String(repeating: "[", count: 40) + String(repeating: "]", count: 40)
    Self.expectSameReading(
      Self.widget(status: deep), limits: JSONReaderLimits(maximumDepth: 16))
    Self.expectSameReading(
      Self.widget(status: deep), skipped: 2, limits: JSONReaderLimits(maximumDepth: 64))
  }

  @Test func aDuplicateKeyInsideASkippedSubtreeIsNotedTheSame() {
    Self.expectSameReading(Self.widget(status: #"{"a": 1, "a": 2}"#))
    // The same key once escaped.
    Self.expectSameReading(Self.widget(status: #"{"a": 1, "\u0061": 2}"#))
    // Past 32 keys, where keys are looked up in a set.
    let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
    Self.expectSameReading(Self.widget(status: "{\(many), \"k3\": 0}"))
    Self.expectSameReading(Self.widget(status: "{\(many)}"), skipped: 2)
    // A duplicate outside the skipped member, after it: the first one counts.
    Self.expectSameReading(
      Self.widget(status: #"{"a": 1, "a": 2}"#).replacingOccurrences(
        of: #""size": 1"#, with: #""size": 1, "size": 2"#))
    // The skipped member itself twice.
    Self.expectSameReading(
      Self.widget(status: "1").replacingOccurrences(
        of: #""spec""#, with: #""status": 0, "spec""#))
  }

  @Test func everythingAfterTheMetadataOfAnObjectLeftOutIsSkipped() {
    let skipped = Self.widget(status: "[1]").replacingOccurrences(
      of: #""name": "w""#, with: #""name": "w", "namespace": "skipped""#)
    Self.expectSameReading(skipped, skipped: 3)
    // Another kind too: the decision is the source's.
    let gadget = skipped.replacingOccurrences(of: "Widget", with: "Gadget")
    Self.expectSameReading(gadget, skipped: 2)
    // Malformed text and duplicate keys after it are found as before.
    Self.expectSameReading(skipped.replacingOccurrences(of: #""size": 1"#, with: #""size": tru"#))
    Self.expectSameReading(
      skipped.replacingOccurrences(of: #""size": 1"#, with: #""size": 1, "size": 2"#))
    Self.expectSameReading(
      skipped.replacingOccurrences(of: #""spec""#, with: #""kind": 1, "spec""#))
    // In a watch frame.
    Self.expectSameReading(#"{"type": "ADDED", "object": \#(skipped)}"#, skipped: 3)
    // A metadata before the kind decides nothing.
    Self.expectSameReading(
      #"{"metadata": {"namespace": "skipped"}, "apiVersion": "v1", "kind": "Gadget", "spec": 1}"#,
      skipped: 0)
  }

  @Test func theKindIsOnlyKnownOnceReadAtTheTop() {
    // `status` before `kind`: read whole.
    Self.expectSameReading(
      #"{"status": {"a": 1}, "apiVersion": "v1", "kind": "Widget", "spec": {}}"#, skipped: 0)
    // A kind that is not a string, or nested: nothing is left out.
    Self.expectSameReading(#"{"apiVersion": "v1", "kind": 1, "status": {}}"#, skipped: 0)
    Self.expectSameReading(
      #"{"spec": {"apiVersion": "v1", "kind": "Widget", "status": {}}}"#, skipped: 0)
    // A metadata that is not a map.
    Self.expectSameReading(
      #"{"apiVersion": "v1", "kind": "Widget", "metadata": [1], "status": 2}"#, skipped: 1)
  }

  @Test func watchFramesAreProjectedOnlyWhenTheyAreFrames() {
    let object = Self.widget(status: #"{"a": [1, 2]}"#)
    Self.expectSameReading(#"{"type": "ADDED", "object": \#(object)}"#, skipped: 2)
    Self.expectSameReading(#"{"type": "DELETED", "object": \#(object)}"#, skipped: 2)
    // Written unchanged: never projected.
    Self.expectSameReading(#"{"type": "BOOKMARK", "object": \#(object)}"#, skipped: 0)
    // A third member: no frame; the object is read again whole.
    Self.expectSameReading(#"{"type": "ADDED", "object": \#(object), "more": 1}"#)
    Self.expectSameReading(
      #"{"type": "ADDED", "object": \#(object), "apiVersion": "v1", "kind": "Widget", "status": 1}"#
    )
    // With a duplicate key right after the object.
    Self.expectSameReading(#"{"type": "ADDED", "object": \#(object), "type": 1}"#)
    // Inside a List, items are objects, never frames.
    Self.expectSameReading(#"[{"type": "ADDED", "object": \#(object)}]"#, skipped: 0)
  }

  /// Every case of the JSON test suite, as a skipped member: read exactly the same way.
  @Test func theJSONTestSuiteInsideASkippedMember() throws {
    let directory = Repository.sharedTestData("JSONTestSuite/test_parsing")
    let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter {
      $0.hasSuffix(".json")
    }
    #expect(names.count > 300)
    for name in names.sorted() {
      let file = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
      let head = Array(#"{"apiVersion": "v1", "kind": "Widget", "status": "#.utf8)
      let tail = Array("\n, \"spec\": 1}\n{\"next\": tru}".utf8)
      let bytes = head + file + tail
      for chunkSize in [3, 1 << 20] {
        let plain = Self.read(bytes, chunkSize: chunkSize, projecting: false)
        let reading = Self.read(bytes, chunkSize: chunkSize, projecting: true)
        #expect(Self.matches(reading, plain), "\(name), chunks of \(chunkSize)")
      }
    }
  }
}
