import Testing

@testable import SyncValue

@Suite struct YAMLWriterTests {
  /// Text → how it is written as a map value. Every row must also read back unchanged.
  static let quoting: [(String, String)] = [
    ("plain", "plain"), ("two words", "two words"), ("", "''"), ("true", "'true'"),
    ("yes", "'yes'"), ("y", "'y'"), ("N", "'N'"), ("off", "'off'"), ("null", "'null'"),
    ("~", "'~'"), ("0", "'0'"), ("-1", "'-1'"), ("1e3", "'1e3'"), ("0x1F", "'0x1F'"),
    ("0o17", "'0o17'"), ("1_000", "'1_000'"), (".5", "'.5'"), (".inf", "'.inf'"),
    ("1:30", "'1:30'"), ("2024-01-02", "'2024-01-02'"), ("<<", "'<<'"), ("=", "'='"),
    ("1.2.3", "1.2.3"), ("v1", "v1"), ("100m", "100m"), ("1e400", "1e400"),
    (" lead", "' lead'"), ("trail ", "'trail '"), ("a: b", "'a: b'"), ("a:", "'a:'"),
    ("a:b", "a:b"), ("http://x/y", "http://x/y"), ("a #b", "'a #b'"), ("a#b", "a#b"),
    ("-", "'-'"), ("- a", "'- a'"), ("-Xmx512m", "-Xmx512m"), ("--flag=1", "--flag=1"),
    ("---", "'---'"), ("--- a", "'--- a'"), ("...", "'...'"), ("?", "'?'"), ("?a", "'?a'"),
    (":a", "':a'"), (",a", "',a'"), ("[a]", "'[a]'"), ("{a}", "'{a}'"), ("#a", "'#a'"),
    ("&a", "'&a'"), ("*a", "'*a'"), ("!a", "'!a'"), ("|a", "'|a'"), (">a", "'>a'"),
    ("'a", "'''a'"), ("\"a", "'\"a'"), ("%a", "'%a'"), ("@a", "'@a'"), ("`a", "'`a'"),
    ("it's", "it's"), ("a,b[c]{d}", "a,b[c]{d}"), ("tab\there", "'tab\there'"),
    ("é ü 日本 🎉", "é ü 日本 🎉"), ("bell\u{7}", "\"bell\\x07\""), ("nul\u{0}", "\"nul\\0\""),
    ("cr\r", "\"cr\\r\""), ("esc\u{1B}", "\"esc\\e\""), ("del\u{7F}", "\"del\\x7F\""),
    ("nel\u{85}", "\"nel\\x85\""), ("c1\u{90}", "\"c1\\x90\""), ("ls\u{2028}", "\"ls\\L\""),
    ("ps\u{2029}", "\"ps\\P\""), ("bom\u{FEFF}", "\"bom\\uFEFF\""),
    ("nonchar\u{FFFF}", "\"nonchar\\uFFFF\""), ("back\\slash", "back\\slash"),
    ("line\n", "|\n  line"), ("a\nb", "|-\n  a\n  b"), ("a\nb\n\n", "|+\n  a\n  b\n"),
    ("\na", "|-\n\n  a"), ("a\n\nb\n", "|\n  a\n\n  b"), ("a\n  b\n", "|\n  a\n    b"),
    (" a\nb", "\" a\\nb\""), ("\tx\ny", "\"\\tx\\ny\""), ("a \nb", "\"a \\nb\""),
    ("a\nb ", "\"a\\nb \""), ("\n", "\"\\n\""), ("\n\n", "\"\\n\\n\""),
    ("say \"hi\"\n", "|\n  say \"hi\""), ("a\r\nb", "\"a\\r\\nb\""), ("a\n\tb", "|-\n  a\n  \tb"),
    ("---\nx", "|-\n  ---\n  x"),
  ]

  @Test(arguments: quoting)
  func stringsAreQuotedOnlyWhenNeeded(text: String, written: String) throws {
    let yaml = YAML.serialize(["k": .string(text)])
    #expect(yaml == "k: \(written)\n")
    #expect(try YAML.parse(yaml) == ["k": .string(text)])
  }

  @Test(arguments: quoting)
  func trickyStringsRoundTripAsKeysAndItems(text: String, written: String) throws {
    let value: Value = [text: [.string(text)], "n": [[text: .string(text)]]]
    let yaml = YAML.serialize(value)
    #expect(try YAML.parse(yaml) == value, "\(yaml)")
    #expect(try YAML.parse(YAML.serialize(.string(text))) == .string(text))
  }

  /// Every reserved word and number-like text from the resolution table stays a string.
  @Test(arguments: YAMLScalarTests.plainScalars.map(\.0) + YAMLScalarTests.nonFinite)
  func reservedAndNumberLikeTextRoundTrips(text: String) throws {
    let value: Value = [text: .string(text), "list": [.string(text)]]
    #expect(try YAML.parse(YAML.serialize(value)) == value)
  }

  static let scalars: [(Value, String)] = [
    (nil, "null"), (true, "true"), (false, "false"), (0, "0"), (7, "7"), (-7, "-7"),
    (1_234_567_890, "1234567890"), (.int(Int64.max), "9223372036854775807"),
    (.int(Int64.min), "-9223372036854775808"), (1.5, "1.5"), (1000.0, "1000.0"),
    (-0.0, "-0.0"), (1e16, "1e+16"), (0.1, "0.1"), (5e-324, "5e-324"),
    (.double(.greatestFiniteMagnitude), "1.7976931348623157e+308"), ([], "[]"), ([:], "{}"),
  ]

  @Test(arguments: scalars)
  func scalarsKeepTheirType(value: Value, written: String) throws {
    let yaml = YAML.serialize(["k": value])
    #expect(yaml == "k: \(written)\n")
    let back = try YAML.parse(yaml)["k"]
    #expect(back == value)
    if case .double(let number) = value, case .double(let read)? = back {
      #expect(number.sign == read.sign)
    }
  }

  @Test func nonFiniteDoublesAreWrittenInYAMLSpelling() {
    #expect(
      YAML.serialize([.double(.infinity), .double(-.infinity), .double(.nan)])
        == "- .inf\n- -.inf\n- .nan\n")
  }

  @Test func layoutMatchesKubectl() {
    let value: Value = [
      "apiVersion": "v1",
      "metadata": ["name": "x", "labels": ["app": "web"], "annotations": [:]],
      "spec": [
        "containers": [
          ["name": "app", "args": ["-c", "echo hi\n"], "ports": [["containerPort": 80]]],
          ["name": "side", "env": []],
        ],
        "matrix": [[1, 2], [], [["a": 1]]],
      ],
    ]
    #expect(
      YAML.serialize(value) == """
        apiVersion: v1
        metadata:
          name: x
          labels:
            app: web
          annotations: {}
        spec:
          containers:
          - name: app
            args:
            - -c
            - |
              echo hi
            ports:
            - containerPort: 80
          - name: side
            env: []
          matrix:
          - - 1
            - 2
          - []
          - - a: 1

        """)
  }

  @Test func rootScalarsAndBlocks() throws {
    #expect(YAML.serialize("text") == "text\n")
    #expect(YAML.serialize("a\nb\n") == "|\n  a\n  b\n")
    #expect(YAML.serialize([:]) == "{}\n")
    #expect(try YAML.parse(YAML.serialize("a\nb\n")) == "a\nb\n")
  }

  @Test func multipleDocumentsAreSeparated() throws {
    let documents: [Value] = [["a": 1], "keep\n\n", [1], ["b": "x\n\n"], nil, [:]]
    let yaml = YAML.serializeAll(documents)
    #expect(yaml.hasPrefix("a: 1\n---\n|+\n  keep\n\n---\n- 1\n---\n"))
    #expect(try YAML.parseAll(yaml) == documents)
  }

  @Test func veryLongKeysUseTheExplicitForm() throws {
    let key = String(repeating: "k", count: 2000)
    let value: Value = [key: ["a": 1, "b": [1, 2]], "next": [key: "v"]]
    let yaml = YAML.serialize(value)
    #expect(yaml.hasPrefix("? kkk"))
    #expect(try YAML.parse(yaml) == value)
  }

  @Test func writeAppendsToExistingOutput() {
    var output = Array("# header\n".utf8)
    YAMLWriter().write(["a": 1], to: &output)
    YAMLWriter().write(documents: [["b": 2], ["c": 3]], to: &output)
    #expect(String(decoding: output, as: UTF8.self) == "# header\na: 1\nb: 2\n---\nc: 3\n")
  }

  /// A deterministic fuzz over strings built from the characters that matter to YAML.
  @Test func randomStringsRoundTrip() throws {
    let pieces = [
      "a", "1", " ", "  ", ":", "#", "-", "?", "'", "\"", "\\", "\n", "\t", "\r", ".", "0x",
      "e", "true", "é", "\u{2028}", "\u{85}", "---", "|", ">", "&", "*", "!", "[", "{", ",",
    ]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func nextRandom(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    for _ in 0..<3000 {
      var text = ""
      for _ in 0..<nextRandom(8) { text += pieces[nextRandom(pieces.count)] }
      let value: Value = [
        text: .string(text), "l": [.string(text), [.string(text)], [text: [.string(text)]]],
      ]
      let yaml = YAML.serialize(value)
      #expect(try YAML.parse(yaml) == value, "\(yaml)")
    }
  }
}
