import Testing

@testable import SyncValue

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

@Suite struct YAMLReaderTests {
  @Test func readsNestedStructureInOrder() throws {
    let value = try YAML.parse(
      """
      b: 1
      a:
        - x
        - {c: d, e: [1, 2]}
      empty: {}
      none: []
      nothing:
      """)
    let expected: Value = [
      "b": 1, "a": ["x", ["c": "d", "e": [1, 2]]], "empty": [:], "none": [], "nothing": nil,
    ]
    #expect(value == expected)
    #expect(value.objectValue?.keys == ["b", "a", "empty", "none", "nothing"])
  }

  static let streams: [(String, [Value])] = [
    ("a: 1\n---\nb: 2\n", [["a": 1], ["b": 2]]),
    ("---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n", [["a": 1], ["b": 2]]),
    ("", []),
    ("# nothing\n", []),
    ("--- ~\n--- null\n", [nil, nil]),
    ("--- 1\n--- text\n--- [1]\n", [1, "text", [1]]),
    ("a: &x 1\n---\nb: 2\n", [["a": 1], ["b": 2]]),
  ]

  @Test(arguments: streams)
  func multiDocumentStreamsSkipEmptyDocuments(text: String, expected: [Value]) throws {
    #expect(try YAML.parseAll(text) == expected)
  }

  @Test func parseWantsExactlyOneDocument() {
    #expect(throws: YAMLError(message: "expected a YAML document, found none", line: 1, column: 1))
    {
      try YAML.parse("# just a comment\n")
    }
    let error = #expect(throws: YAMLError.self) { try YAML.parse("a: 1\n---\nb: 2\n") }
    #expect(error?.line == 2)
    #expect(error?.column == 1)
  }

  @Test func quotedAndTaggedKeysAreStrings() throws {
    let value = try YAML.parse("'1': a\n\"true\": b\n!!str y: c\n? |\n  block\n: d\n")
    #expect(value == ["1": "a", "true": "b", "y": "c", "block\n": "d"])
  }

  @Test func aliasesCopyTheAnchoredValue() throws {
    let value = try YAML.parse(
      """
      base: &labels
        app: web
        tier: front
      copy: *labels
      list: &l [1, 2]
      again: *l
      name: &n web
      names: [*n, *n]
      """)
    #expect(value["copy"] == ["app": "web", "tier": "front"])
    #expect(value["again"] == [1, 2])
    #expect(value["names"] == ["web", "web"])
  }

  /// As kubectl (go-yaml v2) applies them, checked with `kubectl annotate --local`.
  @Test func mergeKeysFollowKubectl() throws {
    let value = try YAML.parse(
      """
      a: &a {p: 1, q: 1}
      b: &b {q: 2, r: 2}
      c:
        w: 0
        <<: [*a, *b]
        p: 9
      d:
        p: 0
        <<: *a
      """)
    #expect(value["c"] == ["w": 0, "p": 9, "q": 1, "r": 2])
    #expect(value["d"] == ["p": 1, "q": 1])
    #expect(throws: YAMLError(message: "duplicate key 'p' (first at 2:5)", line: 2, column: 19)) {
      try YAML.parse("x: &x {p: 1}\nz: {<<: *x, p: 2, p: 3}\n")
    }
    #expect(throws: YAMLError.self) { try YAML.parse("x: &x {p: 1}\nz: {<<: *x, <<: *x}\n") }
    #expect(throws: YAMLError.self) { try YAML.parse("z: {<<: 1}\n") }
  }

  @Test func aliasBombIsRejected() {
    var text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for level in 1...9 {
      let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "a\(level): &a\(level) [\(refs)]\n"
    }
    let error = #expect(throws: YAMLError.self) { try YAML.parse(text) }
    #expect(error?.message.contains("aliases expand to more than") == true)
  }

  @Test func smallAliasBudgetIsEnforced() throws {
    let text = "a: &a [1, 2, 3]\nb: *a\nc: *a\n"
    #expect(throws: YAMLError.self) {
      try YAML.parse(text, limits: YAMLReaderLimits(maxAliasExpansion: 7))
    }
    _ = try YAML.parse(text, limits: YAMLReaderLimits(maxAliasExpansion: 8))
  }

  @Test func nestingUpToTheLimitIsRead() throws {
    let text = String(repeating: "{a: [", count: 255) + "1" + String(repeating: "]}", count: 255)
    var value = try YAML.parse(text)
    var depth = 0
    while case .object(let object) = value, case .array(let items)? = object["a"] {
      value = items[0]
      depth += 1
    }
    #expect(depth == 255)
    #expect(value == 1)
  }

  @Test func deepNestingIsRejected() {
    let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    let error = #expect(throws: YAMLError.self) { try YAML.parse(text) }
    #expect(
      error?.message == "nesting is deeper than 512 levels; the rest of the input is not read")
  }

  static let rejections: [(String, YAMLError)] = [
    (
      "a: 1\nb:\n  1: x\n",
      YAMLError(
        message: "map key '1' reads as the integer 1, but keys must be strings; quote it",
        line: 3, column: 3)
    ),
    (
      "true: x\n",
      YAMLError(
        message: "map key 'true' reads as the boolean true, but keys must be strings; quote it",
        line: 1, column: 1)
    ),
    (
      "a:\n  y: 1\n",
      YAMLError(
        message: "map key 'y' reads as the boolean true, but keys must be strings; quote it",
        line: 2, column: 3)
    ),
    (
      "~: x\n",
      YAMLError(
        message: "map key '~' reads as null, but keys must be strings; quote it", line: 1,
        column: 1)
    ),
    (
      "a: 1\n? [a]\n: b\n",
      YAMLError(message: "map keys must be strings, not a sequence", line: 2, column: 3)
    ),
    (
      "? [a]: b\n",
      YAMLError(message: "map keys must be strings, not a mapping", line: 1, column: 3)
    ),
    (
      "{a: 1}: b\n",
      YAMLError(message: "map keys must be strings, not a mapping", line: 1, column: 1)
    ),
    (
      "a: 1\nb: 2\na: 3\n",
      YAMLError(message: "duplicate key 'a' (first at 1:1)", line: 3, column: 1)
    ),
    (
      "a: 1\n'a': 3\n",
      YAMLError(message: "duplicate key 'a' (first at 1:1)", line: 2, column: 1)
    ),
    (
      "a:\n  b: !custom x\n",
      YAMLError(
        message: "tag !custom is not supported on a scalar (accepted: !!str, !!int, !!float, "
          + "!!bool, !!null on scalars, !!map and !!seq on collections)",
        line: 2, column: 6)
    ),
    (
      "a: !!binary aGVsbG8=\n",
      YAMLError(
        message: "tag !!binary is not supported on a scalar (accepted: !!str, !!int, !!float, "
          + "!!bool, !!null on scalars, !!map and !!seq on collections)",
        line: 1, column: 4)
    ),
    (
      "a: !!seq {b: 1}\n",
      YAMLError(
        message: "tag !!seq is not supported on a mapping (accepted: !!str, !!int, !!float, "
          + "!!bool, !!null on scalars, !!map and !!seq on collections)",
        line: 1, column: 4)
    ),
    (
      "a: !!int abc\n",
      YAMLError(message: "cannot read 'abc' as !!int", line: 1, column: 4)
    ),
    (
      "a: *nope\n",
      YAMLError(message: "unknown anchor 'nope'", line: 1, column: 4)
    ),
    (
      "a:\n  - .inf\n",
      YAMLError(
        message: ".inf is not a JSON number (kubectl rejects it); quote it if it is text",
        line: 2, column: 5)
    ),
  ]

  @Test(arguments: rejections)
  func rejectsWhatKubernetesCannotRepresent(text: String, expected: YAMLError) {
    #expect(throws: expected) { try YAML.parse(text) }
  }

  static let syntaxErrors: [(String, YAMLError)] = [
    (
      "a: 1\nb: c: d\n",
      YAMLError(message: "mapping values are not allowed in this context", line: 2, column: 5)
    ),
    (
      "a:\n  - 1\n  b: 2\n",
      YAMLError(
        message:
          "did not find expected '-' indicator (while parsing a block collection at line 2, "
          + "column 3)",
        line: 3, column: 3)
    ),
    (
      "a: [1, 2\n",
      YAMLError(
        message:
          "did not find expected ',' or ']' (while parsing a flow sequence at line 1, column 4)",
        line: 2, column: 1)
    ),
    (
      "a: 'open\n",
      YAMLError(
        message:
          "found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)",
        line: 2, column: 1)
    ),
    (
      "a:\n\tb: 1\n",
      YAMLError(
        message:
          "found character that cannot start any token (while scanning for the next token at "
          + "line 2, column 1)",
        line: 2, column: 1)
    ),
  ]

  @Test(arguments: syntaxErrors)
  func syntaxErrorsNameLineAndColumn(text: String, expected: YAMLError) {
    #expect(throws: expected) { try YAML.parse(text) }
  }

  @Test func errorDescriptionLeadsWithPosition() {
    let error = YAMLError(
      message: "mapping values are not allowed in this context", line: 4, column: 3)
    #expect(
      error.description == "line 4, column 3: mapping values are not allowed in this context")
  }

  @Test func invalidUTF8IsReportedWithPosition() {
    let bytes = Array("a: 1\nb: ".utf8) + [0xFF, 0x0A]
    let reader = YAMLStreamReader(bytes: bytes)
    let error = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    #expect(error?.line == 2)
    #expect(error?.column == 4)
  }

  @Test func readerResumesAfterAnErrorInsideADocument() throws {
    let reader = YAMLStreamReader(string: "a: 1\n---\nb: 1\nb: 2\nc: [x]\n---\nd: 4\n")
    #expect(try reader.nextDocument() == ["a": 1])
    #expect(throws: YAMLError(message: "duplicate key 'b' (first at 3:1)", line: 4, column: 1)) {
      try reader.nextDocument()
    }
    #expect(try reader.nextDocument() == ["d": 4])
    #expect(try reader.nextDocument() == nil)
  }

  @Test func syntaxErrorsAreSticky() throws {
    let reader = YAMLStreamReader(string: "a: 1\n---\nb: [\n---\nc: 3\n")
    #expect(try reader.nextDocument() == ["a": 1])
    let first = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    let second = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    #expect(first == second)
  }

  @Test func readsUTF16WithByteOrderMark() throws {
    var bytes: [UInt8] = [0xFF, 0xFE]
    for unit in "a: é\n".utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    #expect(try YAMLStreamReader(bytes: bytes).nextDocument() == ["a": "é"])
  }

  /// The byte order mark may come from the caller's prefix, from the descriptor, or be
  /// cut between the two; the text after it is UTF-16 in every case.
  @Test(arguments: 0...3) func readsUTF16FromADescriptorAfterAPrefixOf(_ split: Int) throws {
    var bytes: [UInt8] = [0xFE, 0xFF]
    for unit in "a: é\n".utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]) }
    let rest = Array(bytes[split...])
    #expect(rest.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == rest.count)
    close(fds[1])
    let reader = YAMLStreamReader(fileDescriptor: fds[0], prefix: Array(bytes[..<split]))
    #expect(try reader.nextDocument() == ["a": "é"])
    #expect(try reader.nextDocument() == nil)
  }

  /// Each document must come out as soon as the next `---` arrives, with the writer
  /// still holding the pipe open.
  @Test(.timeLimit(.minutes(1))) func streamsDocumentsFromAPipe() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]) }
    let reader = YAMLStreamReader(fileDescriptor: fds[0])
    func send(_ text: String) {
      let bytes = Array(text.utf8)
      #expect(bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) } == bytes.count)
    }
    for index in 0..<200 {
      send("kind: Item\nindex: \(index)\nlist:\n- a\n---\n")
      #expect(
        try reader.nextDocument() == ["kind": "Item", "index": .int(Int64(index)), "list": ["a"]])
    }
    send("last: true\n")
    close(fds[1])
    #expect(try reader.nextDocument() == ["last": true])
    #expect(try reader.nextDocument() == nil)
    #expect(try reader.nextDocument() == nil)
  }

  @Test func reportsReadFailures() {
    let reader = YAMLStreamReader(fileDescriptor: -1)
    let error = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    #expect(error?.message.hasPrefix("cannot read input:") == true)
  }
}
