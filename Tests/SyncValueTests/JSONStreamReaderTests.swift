import Foundation
import Testing

@testable import SyncValue

@Suite struct JSONStreamReaderTests {
  static let listText = """
    {
        "apiVersion": "v1",
        "items": [
            {
                "kind": "Pod",
                "metadata": {
                    "name": "a",
                    "labels": {"app": "x\\ny"}
                }
            },
            {"kind": "Pod", "metadata": {"name": "b"}, "spec": {"n": [1, 2.5, -3e2]}},
            {"kind": "Pod", "metadata": {"name": "\\u00e9"}}
        ],
        "kind": "List",
        "metadata": {
            "resourceVersion": ""
        }
    }
    """

  static func values(_ reader: JSONStreamReader) throws -> [Value] {
    var values: [Value] = []
    while let value = try reader.nextValue() { values.append(value) }
    return values
  }

  @Test(arguments: [1, 2, 3, 5, 8, 13, 64, 100_000])
  func readsConcatenatedAndNewlineDelimitedValues(chunkSize: Int) throws {
    let text = "{\"a\":1}{\"b\":[true,false]}[3]\"x\"4 5 -6.5\nnull\n\n{\"c\":\"\\\"\"}\n"
    let reader = JSONStreamReader(bytes: Array(text.utf8), chunkSize: chunkSize)
    let expected: [Value] = [
      ["a": 1], ["b": [true, false]], [3], "x", 4, 5, -6.5, nil, ["c": "\""],
    ]
    #expect(try Self.values(reader) == expected)
    #expect(try reader.nextValue() == nil)
    // A number or literal ending exactly at EOF, after a refill that found nothing.
    let tail = JSONStreamReader(bytes: Array("{\"b\": \"s\"}  42 true".utf8), chunkSize: chunkSize)
    #expect(try Self.values(tail) == [["b": "s"], 42, true])
  }

  @Test(arguments: [1, 2, 3, 4, 7, 16, 1 << 20])
  func readsListMemberByMember(chunkSize: Int) throws {
    let reader = JSONStreamReader(bytes: Array(Self.listText.utf8), chunkSize: chunkSize)
    var envelope: [String] = []
    var items: [Value] = []
    var metadata: Value?
    #expect(try reader.peekToken() == .beginObject)
    try reader.beginObject()
    while let key = try reader.nextKey() {
      envelope.append(key)
      switch key {
      case "items":
        #expect(try reader.peekToken() == .beginArray)
        try reader.beginArray()
        while try reader.nextElement() { items.append(try reader.readValue()) }
      case "metadata":
        metadata = try reader.readValue()
      default:
        try reader.skipValue()
      }
    }
    #expect(envelope == ["apiVersion", "items", "kind", "metadata"])
    #expect(items.map { $0["metadata"]?["name"] } == ["a", "b", "é"])
    #expect(items[0]["metadata"]?["labels"]?["app"] == "x\ny")
    #expect(items[1]["spec"]?["n"] == [1, 2.5, -300.0])
    #expect(metadata == ["resourceVersion": ""])
    #expect(try reader.peekToken() == .endOfInput)
    #expect(try reader.nextValue() == nil)
  }

  @Test func skipsMembersTheCallerDoesNotRead() throws {
    let reader = JSONStreamReader(bytes: Array(Self.listText.utf8))
    try reader.beginObject()
    var keys: [String] = []
    while let key = try reader.nextKey() { keys.append(key) }
    #expect(keys == ["apiVersion", "items", "kind", "metadata"])
    // Nested: open the items array, read one element partly, leave the rest.
    let again = JSONStreamReader(bytes: Array(Self.listText.utf8), chunkSize: 3)
    try again.beginObject()
    #expect(try again.nextKey() == "apiVersion")
    #expect(try again.nextKey() == "items")
    try again.beginArray()
    #expect(try again.nextElement())
    try again.beginObject()
    #expect(try again.nextKey() == "kind")
    #expect(try again.readValue() == "Pod")
    #expect(try again.nextKey() == "metadata")
    #expect(try again.nextKey() == nil)
    #expect(try again.nextElement())
    #expect(try again.nextElement())
    #expect(try again.readValue()["metadata"]?["name"] == "é")
    #expect(try again.nextElement() == false)
    #expect(try again.nextKey() == "kind")
    #expect(try again.readValue() == "List")
  }

  @Test func reportsErrorsInsideStreamedItemsAndStaysFailed() throws {
    let text = "{\"items\": [{\"a\": 1},\n {\"a\": 2,}]}"
    let reader = JSONStreamReader(bytes: Array(text.utf8), chunkSize: 4)
    try reader.beginObject()
    #expect(try reader.nextKey() == "items")
    try reader.beginArray()
    #expect(try reader.nextElement())
    #expect(try reader.readValue() == ["a": 1])
    #expect(try reader.nextElement())
    let error = #expect(throws: JSONError.self) { try reader.readValue() }
    #expect(error?.line == 2 && error?.column == 10)
    let again = #expect(throws: JSONError.self) { try reader.nextElement() }
    #expect(again == error)
  }

  @Test func rejectsMisuse() throws {
    let reader = JSONStreamReader(bytes: Array("[1]".utf8))
    #expect(throws: JSONError.self) { try reader.beginObject() }
    let other = JSONStreamReader(bytes: Array("{\"a\":1}".utf8))
    #expect(throws: JSONError.self) { try other.nextElement() }
  }

  @Test func readsFromAFile() throws {
    let path = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-json-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    var text = ""
    for index in 0..<2000 { text += "{\"index\": \(index), \"name\": \"item-\(index)\"}\n" }
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let descriptor = open(path, O_RDONLY)
    try #require(descriptor >= 0)
    defer { close(descriptor) }
    let reader = JSONStreamReader(fileDescriptor: descriptor, chunkSize: 1000)
    let values = try Self.values(reader)
    #expect(values.count == 2000)
    #expect(values.last == ["index": 1999, "name": "item-1999"])
  }

  /// A complete value must come out of a pipe while the writer is still open: the reader
  /// must not wait for the next value, EOF, or a full buffer.
  @Test func deliversValuesFromAnOpenPipeAsSoonAsTheyAreComplete() throws {
    var ends: [Int32] = [0, 0]
    try #require(pipe(&ends) == 0)
    let (readEnd, writeEnd) = (ends[0], ends[1])
    defer { close(readEnd) }
    func send(_ text: String) {
      _ = Array(text.utf8).withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
    }
    let got = Mutex<[Value]>([])
    let firstArrived = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    let thread = Thread {
      let reader = JSONStreamReader(fileDescriptor: readEnd)
      while let value = try? reader.nextValue() {
        got.withLock { $0.append(value) }
        firstArrived.signal()
      }
      done.signal()
    }
    send("{\"a\": [1, 2]}\n{\"b\":")
    thread.start()
    let first = firstArrived.wait(timeout: .now() + 10)
    #expect(first == .success, "the first value was not delivered while the pipe was open")
    #expect(got.withLock { $0 } == [["a": [1, 2]]])
    send(" \"split\"}  4")  // the number is complete only once EOF or a delimiter comes
    #expect(firstArrived.wait(timeout: .now() + 10) == .success)
    #expect(got.withLock { $0 }.count == 2)
    close(writeEnd)
    #expect(done.wait(timeout: .now() + 10) == .success)
    #expect(got.withLock { $0 } == [["a": [1, 2]], ["b": "split"], 4])
  }

  /// A reader that resumes where another stopped names lines and columns of the whole
  /// input, and a reused reader forgets what it read before.
  @Test func resumedAndReusedReadersCountFromTheStartOfTheInput() throws {
    let text = "{\"a\":1}\n{\"b\":2}\n  {\"c\":}\n"
    let bytes = Array(text.utf8)
    let secondLine = JSONPosition(offset: 8, line: 2, lineStart: 8)
    let resumed = JSONStreamReader(bytes: Array(bytes[8...]), resumingAt: secondLine)
    #expect(try resumed.nextValue() == .object(ObjectValue(["b": .int(2)])))
    #expect(
      throws: JSONError(message: "expected a value, found '}'", line: 3, column: 8, offset: 23)
    ) {
      _ = try resumed.nextValue()
    }

    let reused = JSONStreamReader(reusable: .init())
    bytes.withUnsafeBufferPointer {
      reused.load(
        UnsafeBufferPointer(rebasing: $0[16...]),
        at: JSONPosition(offset: 16, line: 3, lineStart: 16))
    }
    #expect(try reused.peekToken() == .beginObject)
    #expect(reused.position == JSONPosition(offset: 18, line: 3, lineStart: 16))
    #expect(throws: JSONError.self) { _ = try reused.readValue() }
    bytes.withUnsafeBufferPointer {
      reused.load(UnsafeBufferPointer(rebasing: $0[..<16]), at: .start)
    }
    #expect(try reused.readValue() == .object(ObjectValue(["a": .int(1)])))
    #expect(reused.position == JSONPosition(offset: 7, line: 1, lineStart: 0))
    #expect(try reused.peekToken() == .beginObject)
    #expect(reused.position == JSONPosition(offset: 8, line: 2, lineStart: 8))
  }
}

/// A minimal lock for sharing test results with the reader thread.
final class Mutex<State>: @unchecked Sendable {
  private let lock = NSLock()
  private var state: State

  init(_ state: State) { self.state = state }

  func withLock<Result>(_ body: (inout State) -> Result) -> Result {
    lock.lock()
    defer { lock.unlock() }
    return body(&state)
  }
}

extension JSONStreamReaderTests {
  /// A key written once plainly and once with escapes is one key written twice.
  @Test(arguments: [
    (#"{"a": 1, "\u0061": 2}"#, "a"), (#"{"\u0061": 1, "a": 2}"#, "a"),
    (#"{"x": {"\n": 1, "\u000a": 2}}"#, "\n"), (#"{"é": 1, "\u00e9": 2}"#, "é"),
  ])
  func aKeyWithEscapesIsTheSameKeyWithout(_ text: String, _ key: String) throws {
    let reader = JSONStreamReader(bytes: Array(text.utf8))
    _ = try reader.nextValue()
    #expect(reader.takeDuplicateKey()?.key == key)
    // Read member by member, at the top.
    let members = JSONStreamReader(bytes: Array(text.utf8))
    try members.beginObject()
    while try members.nextKey() != nil { _ = try members.readValue() }
    #expect(members.takeDuplicateKey()?.key == key)
  }
}
