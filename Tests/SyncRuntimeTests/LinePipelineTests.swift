import SyncValue
import Testing

@testable import SyncRuntime

/// The line pipeline cuts input into batches of whole lines for the workers; every
/// batch must end after a line feed (but the last), the batches must cover the input in
/// order without gaps, and each must know where it starts (offset, line, line start).
struct LinePipelineTests {
  /// Every batch of `text` read from memory in batches of `batchBytes`.
  static func batches(_ bytes: [UInt8], batchBytes: Int) -> (
    batches: [LineBatch], handOver: JSONPosition?
  ) {
    var pipeline = LinePipeline(
      source: ChunkSource(RawInput(prefix: bytes, descriptor: nil)), batchBytes: batchBytes,
      interactive: false, limits: JSONReaderLimits())
    var batches: [LineBatch] = []
    while true {
      switch pipeline.nextBatch(mayWait: true) {
      case .batch(let batch): batches.append(batch)
      case .handOver(let position): return (batches, position)
      case .end, .waitsForInput: return (batches, nil)
      }
    }
  }

  static let inputs: [(name: String, text: [UInt8])] = [
    ("lines", Array("{\"a\":1}\n{\"b\":22}\n{\"c\":333}\n".utf8)),
    ("a last line without a line feed", Array("{\"a\":1}\n{\"b\":2}".utf8)),
    ("empty lines and CRLF", Array("{\"a\":1}\r\n\r\n\n{\"b\":2}\r\n".utf8)),
    ("a byte order mark", [0xEF, 0xBB, 0xBF] + Array("{\"a\":1}\n{\"b\":2}\n".utf8)),
    (
      "a line longer than a batch",
      Array(("{\"a\":\"" + String(repeating: "x", count: 300) + "\"}\n{\"b\":2}\n").utf8)
    ),
    ("multi-byte text", Array("{\"é\":\"😀\"}\n{\"ü\":1}\n".utf8)),
  ]

  @Test(arguments: inputs, [1, 2, 3, 7, 64, 4096])
  func batchesAreWholeLinesCoveringTheInput(
    _ input: (name: String, text: [UInt8]), batchBytes: Int
  ) {
    let (batches, handOver) = Self.batches(input.text, batchBytes: batchBytes)
    #expect(handOver == nil)
    #expect(batches.flatMap(\.bytes) == input.text, "the batches cover the input")
    var expected = JSONPosition.start
    for (index, batch) in batches.enumerated() {
      #expect(batch.position == expected, "batch \(index) of \(input.name)")
      let isLast = index == batches.count - 1
      if !isLast { #expect(batch.bytes.last == 0x0A, "batch \(index) ends after a line feed") }
      expected = batch.bytes.withUnsafeBufferPointer { expected.advanced(over: $0) }
    }
  }

  @Test func positionsCountLinesAndLineStarts() {
    let text = Array("{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n".utf8)
    let (batches, _) = Self.batches(text, batchBytes: 9)
    #expect(
      batches.map(\.position) == [
        JSONPosition(offset: 0, line: 1, lineStart: 0),
        JSONPosition(offset: 8, line: 2, lineStart: 8),
        JSONPosition(offset: 16, line: 3, lineStart: 16),
      ])
  }

  /// A line still without its line feed after 4 MB goes to the sequential reader, at
  /// its first byte.
  @Test func aVeryLongLineIsHandedOver() {
    let long = "{\"a\":\"" + String(repeating: "x", count: maximumLineBytes + 200_000) + "\"}\n"
    let text = Array(("{\"b\":1}\n" + long).utf8)
    let (batches, handOver) = Self.batches(text, batchBytes: 64 * 1024)
    // Counted, not compared: a failed comparison of 4 MB arrays takes minutes to print.
    #expect(batches.map(\.bytes.count) == [8])
    #expect(handOver == JSONPosition(offset: 8, line: 2, lineStart: 8))
  }

  /// On a pipe with nothing more for now, a part of a line that already holds a whole
  /// value (JSON without line feeds), or that can never become one, goes to the
  /// sequential reader at once; a bare word may still grow, so it waits.
  @Test(arguments: [
    ("{\"a\":1}", true), ("{\"a\":1}{\"b\":", true), ("{\"a\":", false), ("[1, 2", false),
    ("] nonsense", true), ("nonsense", false), ("", false),
  ])
  func aPartHoldsAValue(_ example: (text: String, holds: Bool)) {
    let bytes = Array(example.text.utf8)
    #expect(bytes.withUnsafeBufferPointer { LinePipeline.holdsValue($0) } == example.holds)
  }
}
