import Testing

@testable import SyncValue

/// Strings with escapes are decoded into a scratch buffer that grows as it fills; the
/// fast loop copies eight bytes at a time and may fill it to the last byte. Every length
/// around the buffer's first sizes (256 bytes in memory, 4 KB when streaming), with the
/// escape early and late, must decode exactly (a fuzzer found a write one byte past the
/// buffer here; debug builds check the bound).
@Suite struct JSONEscapedStringTests {
  static let lengths = Array(240...272) + Array(4080...4112)

  /// `lead` plain letters, `\n`, then plain letters up to `length` decoded bytes, and
  /// an escape of a character outside the BMP at the end.
  static func example(length: Int, lead: Int) -> (json: String, decoded: String) {
    let tail = length - lead - 1 - 4
    let plainA = String(repeating: "a", count: lead)
    let plainB = String(repeating: "b", count: max(0, tail))
    return ("\"\(plainA)\\n\(plainB)\\ud83d\\ude00\"", "\(plainA)\n\(plainB)😀")
  }

  @Test(arguments: [0, 7, 100])
  func decodesEveryLengthAroundTheScratchSize(lead: Int) throws {
    for length in Self.lengths {
      let (json, decoded) = Self.example(length: length, lead: lead)
      #expect(try JSON.parse(Array(json.utf8)) == .string(decoded), "length \(length)")
      for chunkSize in [1, 64, 1 << 16] {
        let reader = JSONStreamReader(bytes: Array(json.utf8), chunkSize: chunkSize)
        #expect(try reader.nextValue() == .string(decoded), "length \(length), chunks \(chunkSize)")
      }
    }
  }

  /// The fuzzer's input: seven letters, `\n`, 301 letters.
  @Test func theFuzzersInput() throws {
    let json = "\"aaaaaaa\\n" + String(repeating: "a", count: 301) + "\""
    let expected = "aaaaaaa\n" + String(repeating: "a", count: 301)
    #expect(try JSON.parse(Array(json.utf8)) == .string(expected))
  }
}
