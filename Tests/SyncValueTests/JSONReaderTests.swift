import Testing

@testable import SyncValue

@Suite struct JSONReaderTests {
  struct BrokenInput: Sendable, CustomTestStringConvertible {
    var text: String
    var line: Int
    var column: Int
    var message: String
    var testDescription: String { message }
  }

  static let brokenInputs: [BrokenInput] = [
    BrokenInput(
      text: "{\n  \"a\": 1\n  \"b\": 2\n}", line: 3, column: 3,
      message: "expected ',' or '}' after object member, found '\"'"),
    BrokenInput(
      text: "[1, 2,]", line: 1, column: 7, message: "expected a value, found ']'"),
    BrokenInput(
      text: "{\"a\":tru}", line: 1, column: 9,
      message: "invalid literal, expected 'true', found '}'"),
    BrokenInput(
      text: "{\"a\": [1, 2", line: 1, column: 12,
      message: "unexpected end of input: expected ',' or ']' after array element"),
    BrokenInput(
      text: "{\r\n\"key\" 1}", line: 2, column: 7,
      message: "expected ':' after object key, found '1'"),
    BrokenInput(
      text: "\n\n   [\"tab\there\"]", line: 3, column: 9,
      message: "control character byte 0x09 in string must be escaped"),
    BrokenInput(
      text: "[01]", line: 1, column: 3, message: "invalid number"),
    BrokenInput(
      text: "[1.]", line: 1, column: 4, message: "expected a digit after '.' in number, found ']'"),
    BrokenInput(
      text: "[\"\\x\"]", line: 1, column: 3, message: "invalid escape sequence in string"),
    BrokenInput(
      text: "[\"\\uD800\"]", line: 1, column: 3,
      message: "invalid \\u escape: high surrogate without a low surrogate"),
    BrokenInput(
      text: "{} x", line: 1, column: 4,
      message: "expected end of input after the JSON value, found 'x'"),
    BrokenInput(
      text: "[1e999]", line: 1, column: 2, message: "number out of range"),
    BrokenInput(text: "", line: 1, column: 1, message: "unexpected end of input: expected a value"),
    BrokenInput(
      text: "{\"unterminated", line: 1, column: 15, message: "unexpected end of input in string"),
  ]

  @Test(arguments: brokenInputs)
  func reportsExactPosition(_ input: BrokenInput) {
    let error = #expect(throws: JSONError.self) { try JSON.parse(input.text) }
    #expect(error?.message == input.message)
    #expect(error?.line == input.line)
    #expect(error?.column == input.column)
    // The streaming reader, refilling every 2 bytes, must agree on the position.
    let reader = JSONStreamReader(bytes: Array(input.text.utf8), chunkSize: 2)
    let streamed = #expect(throws: JSONError.self) {
      // An empty stream is simply over; only a parse of exactly one value rejects it.
      guard try reader.nextValue() != nil else {
        throw JSONError(message: "empty", line: 1, column: 1, offset: 0)
      }
      if try reader.peekToken() != .endOfInput {
        throw JSONError(
          message: "expected end of input after the JSON value, found 'x'", line: 1, column: 4,
          offset: 3)
      }
    }
    #expect(streamed?.line == input.line)
    #expect(streamed?.column == input.column)
  }

  @Test(arguments: [7, 64, 4096, 1 << 20])
  func countsLinesAcrossManyRefills(chunkSize: Int) {
    var text = "[\n"
    for index in 0..<1000 {
      text += "    {\"a\": \(index), \"b\": \"\(String(repeating: "x", count: index % 37))\"},\n"
    }
    text += "    {\"a\": 1000 \"b\": 2}\n]\n"
    let reader = JSONStreamReader(bytes: Array(text.utf8), chunkSize: chunkSize)
    let error = #expect(throws: JSONError.self) { try reader.nextValue() }
    #expect(error?.line == 1002)
    #expect(error?.column == 16)
    #expect(error?.message == "expected ',' or '}' after object member, found '\"'")
  }

  @Test func describesErrorWithPosition() {
    let error = JSONError(
      message: "expected ',' or '}' after object member", line: 3, column: 14,
      offset: 40)
    #expect(error.description == "line 3, column 14: expected ',' or '}' after object member")
  }

  @Test func invalidUTF8IsReportedAtTheBadByte() {
    let bytes: [UInt8] = [0x5B, 0x22, 0x61, 0x62, 0xFF, 0x22, 0x5D]
    let error = #expect(throws: JSONError.self) { try JSON.parse(bytes) }
    #expect(error?.column == 5)
    #expect(error?.message == "invalid UTF-8 in string")
  }

  @Test func limitsNestingDepth() throws {
    let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
    #expect(try JSON.parse(deepest).arrayValue?.count == 1)
    let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
    let error = #expect(throws: JSONError.self) { try JSON.parse(tooDeep) }
    #expect(error?.message == "nesting deeper than 512 levels")
    #expect(error?.column == 513)
    let limited = JSONReaderLimits(maximumDepth: 2)
    #expect(throws: JSONError.self) { try JSON.parse("[[[]]]", limits: limited) }
    #expect(try JSON.parse("[[]]", limits: limited) == [[]])
    // 100,000 levels must fail cleanly, not overflow the stack.
    #expect(throws: JSONError.self) { try JSON.parse(String(repeating: "[", count: 100_000)) }
  }

  @Test(arguments: [
    ("0", Value.int(0)),
    ("-0", .int(0)),
    ("-0.0", .double(-0.0)),
    ("9223372036854775807", .int(.max)),
    ("-9223372036854775808", .int(.min)),
    ("9223372036854775808", .double(9_223_372_036_854_775_808)),
    ("-9223372036854775809", .double(-9_223_372_036_854_775_809)),
    ("18446744073709551616", .double(18_446_744_073_709_551_616)),
    ("1E2", .double(100)),
    ("1.5e-3", .double(0.0015)),
    ("123.456e-789", .double(0)),
    ("12", .int(12)),
    ("1.0", .double(1)),
  ])
  func readsNumbers(_ text: String, _ expected: Value) throws {
    let value = try JSON.parse(text)
    #expect(value == expected)
    if case .double(let number) = value, case .double(let wanted) = expected {
      #expect(number.sign == wanted.sign)
    }
  }

  @Test func readsStringsWithEscapesAndUnicode() throws {
    let text = #"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d\uD834\uDD1E", "é中𝄞", "\u0000"]"#
    let value = try JSON.parse(text)
    #expect(value == ["a\"b\\c/d\u{8}\u{c}\n\r\t", "é中𝄞", "é中𝄞", "\u{0}"])
  }

  @Test(arguments: [1, 2, 3, 5, 11, 4096])
  func decodesEscapedStringsAcrossRefills(chunkSize: Int) throws {
    // Escapes of every length (2, 6 and 12 bytes) at every offset from a refill, and a
    // string longer than the scratch space it is decoded into.
    let piece = #"{\"k\":\"v\"}\n\u00e9\uD834\uDD1E/\/\\"#
    let decoded = "{\"k\":\"v\"}\né𝄞//\\"
    let long = String(repeating: piece, count: 400)
    let text = "[\"\(piece)\", \"é\(piece)x\", \"\(long)\"]"
    let reader = JSONStreamReader(bytes: Array(text.utf8), chunkSize: chunkSize)
    let value = try reader.nextValue()
    #expect(
      value == [
        .string(decoded), .string("é" + decoded + "x"),
        .string(String(repeating: decoded, count: 400)),
      ])
  }

  @Test func keepsKeyOrderAndDuplicates() throws {
    let value = try JSON.parse(#"{"z": 1, "a": 2, "m": {"y": 1, "b": 2}, "z": 3}"#)
    #expect(value.objectValue?.keys == ["z", "a", "m", "z"])
    #expect(value["m"]?.objectValue?.keys == ["y", "b"])
  }

  @Test func internedKeysAreCorrectForManyDistinctKeys() throws {
    // More distinct keys than the intern table holds, each seen twice, with escapes and
    // long keys mixed in.
    var text = "{"
    var expected: [String] = []
    for round in 0..<2 {
      for index in 0..<3000 {
        let key =
          index % 7 == 0 ? "long-key-\(String(repeating: "x", count: 60))-\(index)" : "k\(index)"
        if round > 0 || index > 0 { text += "," }
        text += "\"\(key)\":\(index)"
        expected.append(key)
      }
    }
    text += ",\"k\\u0031\":1}"
    expected.append("k1")
    let keys = try JSON.parse(text).objectValue?.keys
    #expect(keys == expected)
  }

  @Test(arguments: [5, 1 << 20])
  func cachedValueStringsAreCorrectForManyDistinctValues(chunkSize: Int) throws {
    // More distinct short values than the cache has slots, repeated in a different order,
    // so slots are replaced while values come back; lengths around the cache's limit.
    var expected: [Value] = []
    for round in 0..<3 {
      for index in 0..<6000 {
        let number = round == 1 ? 5999 - index : index
        let text = String(repeating: "v", count: number % 40) + "é\(number)"
        expected.append(.string(text))
      }
    }
    let text = JSON.serialize(.array(expected))
    let reader = JSONStreamReader(bytes: Array(text.utf8), chunkSize: chunkSize)
    #expect(try reader.nextValue() == .array(expected))
    #expect(try JSON.parse(text) == .array(expected))
  }

  @Test func skipsByteOrderMarkOnlyAtTheStart() throws {
    #expect(try JSON.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object(ObjectValue()))
    #expect(throws: JSONError.self) { try JSON.parse(Array(" ".utf8) + [0xEF, 0xBB, 0xBF, 0x31]) }
  }
}
