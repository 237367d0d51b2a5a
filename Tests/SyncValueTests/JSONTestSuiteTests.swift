import Foundation
import TestSupport
import Testing

@testable import SyncValue

/// The JSONTestSuite corpus lives in `shared/`, a sibling of the repository clone.
private let suiteDirectory = URL(
  fileURLWithPath: Repository.sharedTestData("JSONTestSuite/test_parsing"))

private func suiteFiles(_ prefix: String) -> [String] {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: suiteDirectory.path)) ?? []
  return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
}

private func suiteBytes(_ name: String) throws -> [UInt8] {
  [UInt8](try Data(contentsOf: suiteDirectory.appendingPathComponent(name)))
}

/// Parses exactly one value through the streaming reader, one refill every `chunkSize`
/// bytes, the way a pipe delivers them.
private func parseStreamed(_ bytes: [UInt8], chunkSize: Int) throws -> Value {
  let reader = JSONStreamReader(bytes: bytes, chunkSize: chunkSize)
  guard let value = try reader.nextValue() else {
    throw JSONError(message: "no value", line: 1, column: 1, offset: 0)
  }
  guard try reader.peekToken() == .endOfInput else {
    throw JSONError(message: "more than one value", line: 1, column: 1, offset: 0)
  }
  return value
}

/// How this reader decides the implementation-defined `i_` cases; docs/formats-json.md
/// explains each decision.
let implementationDefinedDecisions: [String: Bool] = [
  "i_number_double_huge_neg_exp.json": true,  // underflows to 0.0
  "i_number_huge_exp.json": false,  // beyond Double: cannot be written back
  "i_number_neg_int_huge_exp.json": false,
  "i_number_pos_double_huge_exp.json": false,
  "i_number_real_neg_overflow.json": false,
  "i_number_real_pos_overflow.json": false,
  "i_number_real_underflow.json": true,
  "i_number_too_big_neg_int.json": true,  // becomes .double
  "i_number_too_big_pos_int.json": true,
  "i_number_very_big_negative_int.json": true,
  "i_object_key_lone_2nd_surrogate.json": false,  // a String cannot hold a lone surrogate
  "i_string_1st_surrogate_but_2nd_missing.json": false,
  "i_string_1st_valid_surrogate_2nd_invalid.json": false,
  "i_string_UTF-16LE_with_BOM.json": false,  // only UTF-8 input
  "i_string_UTF-8_invalid_sequence.json": false,
  "i_string_UTF8_surrogate_U+D800.json": false,
  "i_string_incomplete_surrogate_and_escape_valid.json": false,
  "i_string_incomplete_surrogate_pair.json": false,
  "i_string_incomplete_surrogates_escape_valid.json": false,
  "i_string_invalid_lonely_surrogate.json": false,
  "i_string_invalid_surrogate.json": false,
  "i_string_invalid_utf-8.json": false,
  "i_string_inverted_surrogates_U+1D11E.json": false,
  "i_string_iso_latin_1.json": false,
  "i_string_lone_second_surrogate.json": false,
  "i_string_lone_utf8_continuation_byte.json": false,
  "i_string_not_in_unicode_range.json": false,
  "i_string_overlong_sequence_2_bytes.json": false,
  "i_string_overlong_sequence_6_bytes.json": false,
  "i_string_overlong_sequence_6_bytes_null.json": false,
  "i_string_truncated-utf-8.json": false,
  "i_string_utf16BE_no_BOM.json": false,
  "i_string_utf16LE_no_BOM.json": false,
  "i_structure_500_nested_arrays.json": true,  // within the 512 limit
  "i_structure_UTF-8_BOM_empty_object.json": true,  // a leading UTF-8 BOM is skipped
]

@Suite struct JSONTestSuiteTests {
  @Test func corpusIsPresent() {
    #expect(suiteFiles("y_").count >= 95)
    #expect(suiteFiles("n_").count >= 188)
    #expect(Set(suiteFiles("i_")) == Set(implementationDefinedDecisions.keys))
  }

  @Test(arguments: suiteFiles("y_"))
  func accepts(_ name: String) throws {
    let bytes = try suiteBytes(name)
    let value = try JSON.parse(bytes)
    // The same value must come out however the input is split into reads.
    for chunkSize in [1, 2, 3, 7] {
      #expect(try parseStreamed(bytes, chunkSize: chunkSize) == value, "chunk size \(chunkSize)")
    }
    // And what we write must read back as the same value.
    #expect(try JSON.parse(JSON.serialize(value)) == value)
    #expect(try JSON.parse(JSON.serialize(value, pretty: true)) == value)
  }

  @Test(arguments: suiteFiles("n_"))
  func rejects(_ name: String) throws {
    let bytes = try suiteBytes(name)
    let error = #expect(throws: JSONError.self) { try JSON.parse(bytes) }
    if let error {
      #expect(error.line >= 1 && error.column >= 1, "\(error)")
      #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
    }
    for chunkSize in [1, 3] {
      #expect(throws: JSONError.self, "chunk size \(chunkSize)") {
        try parseStreamed(bytes, chunkSize: chunkSize)
      }
    }
  }

  @Test(arguments: suiteFiles("i_"))
  func decides(_ name: String) throws {
    let bytes = try suiteBytes(name)
    let accepted = (try? JSON.parse(bytes)) != nil
    #expect(accepted == implementationDefinedDecisions[name], "\(name)")
    let streamed = (try? parseStreamed(bytes, chunkSize: 2)) != nil
    #expect(streamed == accepted)
  }
}
