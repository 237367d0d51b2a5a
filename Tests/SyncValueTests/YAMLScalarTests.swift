import Testing

@testable import SyncValue

/// Plain scalars must type exactly as kubectl's go-yaml v2 types them; each row was
/// checked against `kubectl annotate --local -f FILE x=y -o json` (kubectl v1.32).
@Suite struct YAMLScalarTests {
  static let plainScalars: [(String, Value)] = [
    ("true", true), ("True", true), ("TRUE", true), ("false", false), ("FALSE", false),
    ("yes", true), ("Yes", true), ("YES", true), ("no", false), ("No", false), ("NO", false),
    ("on", true), ("On", true), ("ON", true), ("off", false), ("Off", false), ("OFF", false),
    ("y", true), ("Y", true), ("n", false), ("N", false),
    ("tRUE", "tRUE"), ("yES", "yES"), ("nO", "nO"), ("oN", "oN"),
    ("null", nil), ("Null", nil), ("NULL", nil), ("~", nil), ("nULL", "nULL"),
    ("0", 0), ("-0", 0), ("+0", 0), ("42", 42), ("-17", -17), ("+12", 12),
    ("1_000", 1000), ("0x1F", 31), ("0X1f", 31), ("-0x1F", -31), ("0o17", 15),
    ("017", 15), ("0b101", 5), ("-0b101", -5), ("0B11", 3),
    ("9223372036854775807", .int(Int64.max)), ("-9223372036854775808", .int(Int64.min)),
    ("9223372036854775808", .double(9_223_372_036_854_775_808)),
    ("-9223372036854775809", .double(-9_223_372_036_854_775_809)),
    ("08", .double(8)), ("09.5", .double(9.5)), ("0x", "0x"), ("0xG", "0xG"),
    ("1.5", 1.5), ("-1.5", -1.5), ("1.", 1.0), (".5", 0.5), ("+.5", 0.5), ("-.5", -0.5),
    ("1e3", .double(1000)), ("1E3", .double(1000)), ("1e+3", .double(1000)),
    ("1.5e-3", 0.0015), (".5e1", 5.0), ("1_0.5", 10.5), ("1e400", "1e400"),
    ("1e", "1e"), ("e3", "e3"), (".", "."), ("._5", "._5"), (".e1", ".e1"),
    ("-", "-"), ("+", "+"), ("1.2.3", "1.2.3"), ("1:30", "1:30"), ("12:30:00", "12:30:00"),
    ("2024-01-02", "2024-01-02"), ("2001-12-14t21:59:43.10-05:00", "2001-12-14t21:59:43.10-05:00"),
    ("0.1.2", "0.1.2"), ("v1", "v1"), ("1Gi", "1Gi"), ("100m", "100m"), ("inf", "inf"),
    ("nan", "nan"), ("Infinity", "Infinity"), ("NaN", "NaN"), ("0755", 493), ("1__0", 10),
    ("yess", "yess"), ("truex", "truex"), ("<<", "<<"), ("", nil),
  ]

  @Test(arguments: plainScalars)
  func plainScalarResolvesLikeKubectl(text: String, expected: Value) {
    #expect(YAMLScalar.resolvePlain(text) ?? .string(text) == expected)
  }

  static let nonFinite: [String] = [
    ".inf", ".Inf", ".INF", "+.inf", "-.inf", "-.Inf", ".nan", ".NaN", ".NAN",
  ]

  @Test(arguments: nonFinite)
  func nonFiniteFloatsResolveButAreRejectedOnRead(text: String) throws {
    guard case .double(let number) = YAMLScalar.resolvePlain(text) else {
      Issue.record("\(text) should resolve to a float")
      return
    }
    #expect(!number.isFinite)
    #expect(throws: YAMLError.self) { try YAML.parse("a: \(text)") }
  }

  @Test(arguments: ["'true'", "\"1\"", "'null'", "\"\"", "''", "'~'", "\"0x1F\""])
  func quotedScalarsAreStrings(text: String) throws {
    let value = try YAML.parse("a: \(text)")
    #expect(value["a"]?.stringValue != nil)
  }

  static let blockScalars: [(String, String)] = [
    ("a: |\n  x\n  y\n", "x\ny\n"),
    ("a: |-\n  x\n  y\n", "x\ny"),
    ("a: |+\n  x\n\n\nb: 1\n", "x\n\n\n"),
    ("a: >\n  x\n  y\n\n  z\n", "x y\nz\n"),
    ("a: |\n  true\n", "true\n"),
    ("a: |-\n  123\n", "123"),
    ("a: |2\n    indented\n", "  indented\n"),
  ]

  @Test(arguments: blockScalars)
  func blockScalarsKeepTheirText(yaml: String, expected: String) throws {
    #expect(try YAML.parse(yaml)["a"] == .string(expected))
  }

  static let taggedScalars: [(String, Value)] = [
    ("!!str 1", "1"), ("!!str true", "true"), ("!!str", ""), ("! 12", "12"),
    ("!!int 12", 12), ("!!int \"12\"", 12), ("!!int 0x10", 16), ("!!float 1", 1.0),
    ("!!float '2.5'", 2.5), ("!!bool yes", true), ("!!bool 'false'", false), ("!!null ~", nil),
    ("!!null", nil), ("!<tag:yaml.org,2002:str> 5", "5"),
  ]

  @Test(arguments: taggedScalars)
  func standardTagsAreHonoured(text: String, expected: Value) throws {
    #expect(try YAML.parse("a: \(text)")["a"] == expected)
  }
}
