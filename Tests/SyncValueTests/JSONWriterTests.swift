import Foundation
import Testing

@testable import SyncValue

@Suite struct JSONWriterTests {
  static let list: Value = [
    "apiVersion": "v1",
    "items": [
      ["kind": "Pod", "metadata": ["name": "a", "labels": [:]], "spec": ["containers": []]]
    ],
    "kind": "List",
    "metadata": ["resourceVersion": ""],
  ]

  @Test func writesKubectlStylePrettyOutput() {
    let expected = """
      {
          "apiVersion": "v1",
          "items": [
              {
                  "kind": "Pod",
                  "metadata": {
                      "name": "a",
                      "labels": {}
                  },
                  "spec": {
                      "containers": []
                  }
              }
          ],
          "kind": "List",
          "metadata": {
              "resourceVersion": ""
          }
      }
      """
    #expect(JSON.serialize(Self.list, pretty: true) == expected)
    #expect(JSON.serialize(["a": [1, 2]], indent: 2) == "{\n  \"a\": [\n    1,\n    2\n  ]\n}")
  }

  @Test func writesCompactOutput() {
    #expect(
      JSON.serialize(Self.list)
        == #"{"apiVersion":"v1","items":[{"kind":"Pod","metadata":{"name":"a","labels":{}},"#
        + #""spec":{"containers":[]}}],"kind":"List","metadata":{"resourceVersion":""}}"#)
    #expect(JSON.serialize([]) == "[]")
    #expect(JSON.serialize(nil) == "null")
  }

  @Test func escapesOnlyWhatRFC8259Requires() {
    let text = "a\"b\\c/d\u{1}\u{1f}\n\t\r\u{8}\u{c}\u{7f}é中𝄞"
    #expect(JSON.serialize(.string(text)) == #""a\"b\\c/d\u0001\u001f\n\t\r\b\f"# + "\u{7f}é中𝄞\"")
  }

  @Test(arguments: [
    (Value.int(0), "0"),
    (.int(7), "7"),
    (.int(-7), "-7"),
    (.int(1_234_567_890), "1234567890"),
    (.int(.max), "9223372036854775807"),
    (.int(.min), "-9223372036854775808"),
    (.double(0.1), "0.1"),
    (.double(5), "5.0"),
    (.double(-0.0), "-0.0"),
    (.double(1e20), "1e+20"),
    (.double(1.5e-7), "1.5e-07"),
    (.double(.infinity), "null"),
    (.double(.nan), "null"),
  ])
  func writesNumbers(_ value: Value, _ expected: String) throws {
    #expect(JSON.serialize(value) == expected)
    if case .double(let number) = value, number.isFinite {
      #expect(try JSON.parse(expected) == value)
    }
  }

  @Test func streamsAListEnvelopePieceByPiece() {
    for style in [JSONWriter.Style.compact, .pretty(indent: 4)] {
      var writer = JSONWriter(style: style)
      writer.beginObject()
      writer.key("apiVersion")
      writer.write("v1")
      writer.key("items")
      writer.beginArray()
      for item in Self.list["items"]!.arrayValue! { writer.write(item) }
      writer.endArray()
      writer.key("kind")
      writer.write("List")
      writer.key("metadata")
      writer.beginObject()
      writer.key("resourceVersion")
      writer.write("")
      writer.endObject()
      writer.endObject()
      let indent: Int? = style == .compact ? nil : 4
      #expect(
        String(decoding: writer.bytes, as: UTF8.self) == JSON.serialize(Self.list, indent: indent))
    }
    var empty = JSONWriter(style: .pretty(indent: 4))
    empty.beginArray()
    empty.endArray()
    empty.beginObject()
    empty.endObject()
    #expect(String(decoding: empty.bytes, as: UTF8.self) == "[]{}")
  }

  @Test func roundTripsGeneratedValues() throws {
    var generator = ValueGenerator(seed: 42)
    for _ in 0..<300 {
      let value = generator.value(depth: 0)
      for indent in [nil, 0, 2, 4] {
        let text = JSON.serialize(value, indent: indent)
        #expect(try JSON.parse(text) == value, "\(text)")
      }
      let reader = JSONStreamReader(bytes: Array(JSON.serialize(value).utf8), chunkSize: 5)
      #expect(try reader.nextValue() == value)
    }
  }

  @Test func sinkWritesEverythingToTheDescriptor() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-sink-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    try #require(descriptor >= 0)
    let sink = OutputSink(fileDescriptor: descriptor, bufferSize: 100)
    var writer = JSONWriter()
    var expected = ""
    for index in 0..<500 {
      let value: Value = [
        "index": .int(Int64(index)), "pad": .string(String(repeating: "p", count: index % 300)),
      ]
      writer.write(value)
      writer.newline()
      try sink.take(from: &writer)
      #expect(writer.bytes.isEmpty)
      expected += JSON.serialize(value) + "\n"
    }
    try sink.write(Array("end".utf8))
    try sink.flush()
    close(descriptor)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == expected + "end")
  }

  @Test func sinkReportsWriteFailures() throws {
    let sink = OutputSink(fileDescriptor: -1, bufferSize: 4)
    let error = #expect(throws: OutputSinkError.self) { try sink.write(Array("hello".utf8)) }
    #expect(error?.code == EBADF)
  }
}

/// Deterministic random values covering every case, odd strings and odd numbers.
struct ValueGenerator {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next(_ bound: Int) -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int((state >> 33) % UInt64(bound))
  }

  mutating func string() -> String {
    let pieces = ["a", "Z", " ", "\"", "\\", "/", "\n", "\u{0}", "\u{1f}", "é", "中", "𝄞", "key"]
    return (0..<next(6)).map { _ in pieces[next(pieces.count)] }.joined()
  }

  mutating func value(depth: Int) -> Value {
    switch next(depth > 3 ? 6 : 8) {
    case 0: return nil
    case 1: return .bool(next(2) == 0)
    case 2: return .int([0, -1, 42, .max, .min, 1 << 53][next(6)])
    case 3: return .double([0.5, -2.25, 1e300, 5e-324, 0.1, 1e21, 123_456.789][next(7)])
    case 4, 5: return .string(string())
    case 6: return .array((0..<next(5)).map { _ in value(depth: depth + 1) })
    default:
      return .object(
        ObjectValue(
          members: (0..<next(5)).map { _ in Member(key: string(), value: value(depth: depth + 1)) })
      )
    }
  }
}
