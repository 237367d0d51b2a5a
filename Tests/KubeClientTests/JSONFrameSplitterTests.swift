import Testing

@testable import SyncValue

@Suite struct JSONFrameSplitterTests {
  static let stream = """
    {"type":"ADDED","object":{"s":"a } ] { [ brace","q":"say \\"hi\\" \\\\","n":[1,{"x":null}]}}
    {"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"12"}}}{"type":"DELETED","object":{"u":"\\u00e9\\"}"}}\r
    \t  ["top", "level", "array"] "bare string with } and \\" inside" 42 true
    """

  static let expected: [Value] = [
    [
      "type": "ADDED",
      "object": [
        "s": "a } ] { [ brace", "q": "say \"hi\" \\", "n": [1, ["x": nil]],
      ],
    ],
    ["type": "BOOKMARK", "object": ["metadata": ["resourceVersion": "12"]]],
    ["type": "DELETED", "object": ["u": "é\"}"]],
    ["top", "level", "array"],
    "bare string with } and \" inside",
    42,
    true,
  ]

  private static func split(_ bytes: [UInt8], cuts: [Int]) throws -> [Value] {
    var splitter = JSONFrameSplitter()
    var values: [Value] = []
    var start = 0
    for cut in cuts + [bytes.count] {
      splitter.append(bytes[start..<cut])
      start = cut
      while let value = try splitter.nextValue() { values.append(value) }
    }
    if let last = try splitter.finish() { values.append(last) }
    return values
  }

  @Test func wholeInputAtOnce() throws {
    #expect(try Self.split(Array(Self.stream.utf8), cuts: []) == Self.expected)
  }

  @Test func splitAtEveryByteBoundary() throws {
    let bytes = Array(Self.stream.utf8)
    for cut in 1..<bytes.count {
      #expect(try Self.split(bytes, cuts: [cut]) == Self.expected, "cut at \(cut)")
    }
  }

  @Test func oneByteAtATime() throws {
    let bytes = Array(Self.stream.utf8)
    #expect(try Self.split(bytes, cuts: Array(1..<bytes.count)) == Self.expected)
  }

  @Test func partialFrameIsReportedAndFinishThrows() throws {
    var splitter = JSONFrameSplitter()
    splitter.append(Array(#"{"a":"}"#.utf8))
    #expect(try splitter.nextValue() == nil)
    #expect(splitter.hasPartialFrame)
    #expect(throws: JSONError.self) { try splitter.finish() }
  }

  @Test func strayClosingBracketIsAnError() throws {
    var splitter = JSONFrameSplitter()
    splitter.append(Array("{} }".utf8))
    #expect(try splitter.nextValue() == [:])
    #expect(throws: JSONError.self) { try splitter.nextValue() }
  }

  @Test func invalidFrameReportsStreamOffset() throws {
    var splitter = JSONFrameSplitter()
    splitter.append(Array(#"{"a":1} {"b":tru}"#.utf8))
    #expect(try splitter.nextValue() == ["a": 1])
    #expect {
      try splitter.nextValue()
    } throws: { error in
      (error as? JSONError).map { $0.offset >= 8 } ?? false
    }
  }

  @Test func oversizedFrameIsRejected() {
    var splitter = JSONFrameSplitter(maximumFrameSize: 16)
    splitter.append(Array(#"{"long":"0123456789abcdef"}"#.utf8))
    #expect(throws: JSONError.self) { try splitter.nextValue() }
  }

  @Test func longStreamCompactsItsBuffer() throws {
    var splitter = JSONFrameSplitter()
    let frame = Array(#"{"type":"MODIFIED","object":{"k":"v"}}"#.utf8)
    var count = 0
    for _ in 0..<5000 {
      splitter.append(frame)
      while try splitter.nextValue() != nil { count += 1 }
    }
    #expect(count == 5000)
  }
}
