import Foundation
import SyncValue
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// YAML streams that used to lose documents, report the wrong place, pass a cut document
/// as whole, or take minutes.
struct YAMLHostileInputTests {
  static let good = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: good\n"

  /// Every document before a refused byte, however many, then the byte's position.
  /// Before, libyaml failed the stream as soon as the byte entered its read-ahead
  /// buffer, so the documents in that buffer were lost, and a pipe said 1:1.
  static let refusedBytes: [(name: String, bytes: [UInt8], message: String, column: Int)] = [
    ("NUL", [0x00], "control character 0x00", 9),
    ("0xFF", [0xFF], "byte 0xFF is not UTF-8", 9),
    ("C1 control", [0xC2, 0x81], "character U+81 is not allowed", 9),
    ("U+FFFE", [0xEF, 0xBF, 0xBE], "character U+FFFE is not allowed", 9),
    ("overlong", [0xC0, 0xAF], "byte 0xC0 is not UTF-8", 9),
    ("surrogate", [0xED, 0xA0, 0x80], "invalid UTF-8 sequence", 9),
    ("cut sequence", [0xE2, 0x28], "cut short", 9),
    ("DEL", [0x7F], "control character 0x7F", 9),
  ]

  @Test(arguments: refusedBytes, [true, false])
  func documentsBeforeARefusedByteAreRead(
    _ example: (name: String, bytes: [UInt8], message: String, column: Int), fromPipe: Bool
  ) throws {
    let count = 2_000
    var text = Array(repeating: Self.good, count: count).joined(separator: "---\n")
    text += "---\nkind: Bad\nvalue: x"
    let bytes = Array(text.utf8) + example.bytes + Array("y\n---\n\(Self.good)".utf8)
    let documents = try Self.readAll(bytes, fromPipe: fromPipe, pieceSize: 4_093)
    #expect(documents.values.count == count)
    let error = try #require(documents.error)
    #expect(error.message.contains(example.message), "\(error)")
    #expect(error.message.contains("the document it is in is left out"))
    // Each document is 4 lines and a `---`; then `kind: Bad` and the line with the byte.
    #expect(error.line == 5 * count + 2)
    #expect(error.column == example.column)
  }

  /// A syntax error before a refused byte is the error reported, from memory as from a
  /// pipe: the first error in the text wins (found by the yaml fuzzer: memory, which
  /// checks the whole text first, named the later byte instead).
  @Test(arguments: [true, false])
  func aSyntaxErrorBeforeARefusedByteWins(fromPipe: Bool) throws {
    let text = Array("\(Self.good)---\na: b: c\n---\nkind: Bad\nvalue: x".utf8) + [0x08]
    let documents = try Self.readAll(text, fromPipe: fromPipe)
    #expect(documents.values.count == 1)
    let error = try #require(documents.error)
    #expect(error.message.contains("mapping values are not allowed"), "\(error)")
    #expect(error.line == 6)
  }

  /// A character cut by the end of every read is put together again, not refused.
  @Test func charactersSplitAcrossReadsAreWhole() throws {
    let text = "a: \"é€😀\"\n---\nb: ok\n"
    let documents = try Self.readAll(Array(text.utf8), fromPipe: true, pieceSize: 1)
    #expect(documents.error == nil)
    #expect(documents.values == [["a": "é€😀"], ["b": "ok"]])
  }

  @Test func theInputEndingInsideACharacterIsRefused() throws {
    let documents = try Self.readAll(Array("a: 1\n---\nb: x".utf8) + [0xE2, 0x82], fromPipe: true)
    #expect(documents.values == [["a": 1]])
    #expect(documents.error?.message.contains("ends inside a UTF-8 sequence") == true)
  }

  /// 100,000 nested `[`: stops at the depth limit instead of having libyaml parse the
  /// rest (quadratic: minutes), and does not go on to later documents.
  @Test func deepFlowNestingStopsAtTheFirstDepthError() throws {
    let text =
      Self.good + "---\nx: " + String(repeating: "[", count: 100_000)
      + String(repeating: "]", count: 100_000) + "\n---\n" + Self.good
    let documents = try Self.readAll(Array(text.utf8), fromPipe: false)
    #expect(documents.values.count == 1)
    let error = try #require(documents.error)
    #expect(error.message.hasPrefix("nesting is deeper than 512 levels"))
    #expect((error.line, error.column) == (6, 515))
  }

  /// At the end of a stream, a document that ends on `key:` or `-` with no value was cut
  /// (kubectl never writes one); refused when the caller asks, as `apply` does.
  static let cutDocuments: [(text: String, line: Int, column: Int)] = [
    ("kind: Deployment\nspec:\n  replicas: 3\n  template:\n", 6, 12),
    ("kind: Deployment\nmetadata:\n", 4, 10),
    ("kind: Pod\nspec:\n  containers:\n  -\n", 6, 4),
  ]

  @Test(arguments: cutDocuments)
  func aLastDocumentEndingOnAMissingValueIsRefused(
    _ example: (text: String, line: Int, column: Int)
  )
    throws
  {
    let reader = YAMLStreamReader(string: "a: 1\n---\n" + example.text)
    reader.refusesCutLastDocument = true
    #expect(try reader.nextDocument() == ["a": 1])
    let error = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    #expect(error?.message.contains("looks cut off") == true)
    #expect(error?.line == example.line)
    #expect(error?.column == example.column)
  }

  @Test func aMissingValueIsFineBeforeTheEndOrWhenNotAsked() throws {
    let text = "kind: A\nmetadata:\n---\nkind: B\n"
    let reader = YAMLStreamReader(string: text)
    reader.refusesCutLastDocument = true
    #expect(try reader.nextDocument() == ["kind": "A", "metadata": .null])
    #expect(try reader.nextDocument() == ["kind": "B"])
    #expect(try reader.nextDocument() == nil)
    // Rule literals and test files may mean null.
    #expect(try YAML.parse("a:\n") == ["a": .null])
    // Later values, empty collections and aliases count as values.
    for whole in ["a:\nb: []\n", "- \n- {}\n", "a: &x 1\nb:\nc: *x\n", "a: ''\n"] {
      let reader = YAMLStreamReader(string: whole)
      reader.refusesCutLastDocument = true
      #expect(throws: Never.self) { _ = try reader.nextDocument() }
    }
  }

  @Test func aDuplicateKeyNamesBothCopies() throws {
    let reader = YAMLStreamReader(
      string: "metadata:\n  namespace: shop\n  namespace: kube-system\n")
    let error = #expect(throws: YAMLError.self) { try reader.nextDocument() }
    #expect(error?.message == "duplicate key 'namespace' (first at 2:3)")
    #expect(error?.line == 3)
    #expect(error?.column == 3)
  }

  // MARK: - Reading

  struct Documents {
    var values: [Value] = []
    var error: YAMLError?
  }

  /// Reads every document, from memory or through a pipe written `pieceSize` bytes at a
  /// time by another thread.
  static func readAll(_ bytes: [UInt8], fromPipe: Bool, pieceSize: Int = 65_536) throws
    -> Documents
  {
    var documents = Documents()
    var fds: [Int32] = [0, 0]
    let reader: YAMLStreamReader
    if fromPipe {
      try #require(pipe(&fds) == 0)
      let writeEnd = fds[1]
      Thread {
        var next = 0
        while next < bytes.count {
          let end = min(next + pieceSize, bytes.count)
          let written = bytes[next..<end].withUnsafeBytes {
            write(writeEnd, $0.baseAddress, $0.count)
          }
          if written <= 0 { break }
          next += written
        }
        close(writeEnd)
      }.start()
      reader = YAMLStreamReader(fileDescriptor: fds[0])
    } else {
      reader = YAMLStreamReader(bytes: bytes)
    }
    defer { if fromPipe { close(fds[0]) } }
    do {
      while let document = try reader.nextDocument() { documents.values.append(document) }
    } catch let error as YAMLError {
      documents.error = error
      // The pipe's writer may still be writing: drain it so it can finish.
      if fromPipe {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Glibc.read(fds[0], &buffer, buffer.count) > 0 {}
      }
    }
    return documents
  }
}
