import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// The runner itself: what passes, what fails and how failures read.
struct RuleTestRunnerTests {
  static let rules = """
    skip namespaces kube-system
    rule scale match apps/v1 Deployment {
      set spec.replicas = 0
    }
    rule gone match v1 Secret {
      drop
    }
    """

  /// A suite from inline text whose rules are `rules`, with `cases` appended.
  static func suite(_ cases: String) throws -> RuleTestSuite {
    let indented = rules.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    let text = "source: |\n\(indented)\ncases:\n" + cases
    return try RuleTestSuite.load(text: text, path: NSTemporaryDirectory() + "inline.test.yaml")
  }

  static func run(_ cases: String) throws -> [RuleTestResult] {
    RuleTestRunner().run(try suite(cases))
  }

  static let deployment =
    "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web, namespace: shop}, "
    + "spec: {replicas: 3}}"

  @Test func passingCases() throws {
    let results = try Self.run(
      """
        - name: exact output
          input: \(Self.deployment)
          output: {apiVersion: apps/v1, kind: Deployment, \
            metadata: {namespace: shop, name: web}, spec: {replicas: 0}}
        - name: outcomes
          input:
            - \(Self.deployment)
            - {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: shop}}
            - {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: kube-system}}
            - {apiVersion: v1, kind: Pod, metadata: {name: p, namespace: shop}}
          expect:
            - {includes: {spec: {replicas: 0}}, absent: [/status]}
            - dropped: gone
            - skipped
            - unmatched
      """)
    #expect(results.map(\.passed) == [true, true], "\(results.map(\.failures))")
    #expect(results[0].name == "exact output")
  }

  @Test func failingOutputShowsAUnifiedDiff() throws {
    let results = try Self.run(
      """
        - input: \(Self.deployment)
          output: {apiVersion: apps/v1, kind: Deployment, \
            metadata: {name: web, namespace: shop}, spec: {replicas: 1}}
      """)
    let failure = try #require(results.first?.failures.first)
    #expect(results[0].name == "case 1")
    #expect(failure.summary == "the output differs from the expected objects")
    #expect(
      failure.detail == """
        --- expected
        +++ actual
        @@ -4,4 +4,4 @@ apps/v1 Deployment shop/web
           name: web
           namespace: shop
         spec:
        -  replicas: 1
        +  replicas: 0

        """)
    var report = RuleTestReport()
    let text = report.add(results[0])
    #expect(text.hasPrefix("FAIL \(NSTemporaryDirectory())inline.test.yaml:"))
    #expect(text.contains("      -  replicas: 1\n      +  replicas: 0\n"))
    #expect(report.summary == "0 passed, 1 failed\n")
    #expect(report.exitStatus == 1)
  }

  @Test func failingOutcomes() throws {
    let results = try Self.run(
      """
        - input:
            - \(Self.deployment)
            - {apiVersion: v1, kind: Secret, metadata: {name: s, namespace: shop}}
            - \(Self.deployment)
          expect:
            - {includes: {spec: {replicas: 2}}}
            - skipped
            - {absent: [/spec/replicas]}
      """)
    let summaries = results[0].failures.map(\.summary)
    #expect(
      summaries == [
        "object 1 (apps/v1 Deployment shop/web): the rewritten object lacks fields of `includes`",
        "object 2 (v1 Secret shop/s): expected skipped, but it was dropped by rule `gone`",
        "object 3 (apps/v1 Deployment shop/web): `/spec/replicas` should be absent but is 0",
      ])
    #expect(results[0].failures[0].detail?.contains("-  replicas: 2\n+  replicas: 0\n") == true)
  }

  @Test func typesAreStrictAndKeyOrderIsNot() throws {
    let results = try Self.run(
      """
        - name: a string is not a number
          input: \(Self.deployment)
          output: {apiVersion: apps/v1, kind: Deployment, \
            metadata: {name: web, namespace: shop}, spec: {replicas: "0"}}
        - name: key order is free
          input: \(Self.deployment)
          output: {spec: {replicas: 0}, metadata: {namespace: shop, name: web}, \
            kind: Deployment, apiVersion: apps/v1}
      """)
    #expect(results.map(\.passed) == [false, true])
  }

  @Test func expectedDiagnostics() throws {
    let text = """
      cases:
        - name: reported as expected
          source: |
            rule r match apps/v1 Deployment {
              set spec.replcas = 0
            }
          diagnostics:
            - {code: E0401, at: "2:12", message: "replcas"}
        - name: wrong position, and an unexpected one
          source: |
            rule r match apps/v1 Deployment {
              set spec.replcas = 0
            }
          diagnostics:
            - {code: E0401, at: "2:3"}
        - name: rules that do not check fail an output case
          source: |
            rule r match apps/v1 Deployment { set spec.replcas = 0 }
          input: {apiVersion: apps/v1, kind: Deployment, metadata: {name: a}}
          output: []
      """
    let suite = try RuleTestSuite.load(text: text, path: NSTemporaryDirectory() + "d.test.yaml")
    let results = RuleTestRunner().run(suite)
    #expect(results.map(\.passed) == [true, false, false])
    #expect(
      results[1].failures.map(\.summary).first
        == "expected diagnostic E0401 at 2:3 was not reported")
    #expect(results[1].failures.count == 2)
    #expect(results[2].failures.first?.summary == "the rules do not check: 1 error")
  }

  struct Malformed: CustomTestStringConvertible, Sendable {
    var text: String
    /// `line:column: message fragment`.
    var error: String
    var testDescription: String { error }
  }

  static let malformed: [Malformed] = [
    Malformed(text: "cases: [\n", error: "2:1: did not find expected node content"),
    Malformed(text: "- a\n", error: "1:1: expected a test file (a map), found array"),
    Malformed(text: "source: x\n", error: "1:1: a test file needs `cases:`"),
    Malformed(text: "source: x\ncases: []\n", error: "2:8: `cases` is empty"),
    Malformed(
      text: "source: x\ncases:\n  - name: a\n    inptu: {}\n",
      error: "4:5: unknown key `inptu` in a test case; expected `name`, `rules`, `source`, "
        + "`crds`, `input`, `output`, `expect`, `diagnostics` (did you mean `input`?)"),
    Malformed(
      text: "source: x\ncases:\n  - name: a\n    input: {kind: A}\n",
      error: "3:5: case `a` checks nothing"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    output: []\n    expect: skipped\n",
      error:
        "5:5: a case takes one of `output`, `expect` and `diagnostics`, not `output` and `expect`"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    expect: [skipped, dropped]\n",
      error: "4:13: `expect` has 2 entries but the input has 1 object"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    expect: skiped\n",
      error: "4:13: unknown outcome `skiped`"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    expect: {failed: E9999}\n",
      error: "4:22: unknown run-time error code `E9999`"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    expect: {failed: E0401}\n",
      error: "4:22: `E0401` is a finding of `check`, which an object cannot fail with"),
    Malformed(
      text: "source: x\ncases:\n  - name: a\n    diagnostics: [{code: E0602}]\n",
      error: "4:26: `E0602` is an object's run-time error; expect it under `failed:`"),
    Malformed(
      text: "source: x\ncases:\n  - name: a\n    diagnostics: [{code: E9999}]\n",
      error: "4:26: unknown diagnostic code `E9999`"),
    Malformed(
      text: "source: x\ncases:\n  - input: {kind: A}\n    expect: {absent: [spec]}\n",
      error: "4:23: `spec` is not a JSON pointer"),
    Malformed(
      text: "source: x\ncases:\n  - input: [3]\n    output: []\n",
      error: "3:13: expected an object (a map) or a file path, found integer"),
    Malformed(
      text: "source: x\ncases:\n  - input: missing.yaml\n    output: []\n",
      error: "3:12: no such file `"),
    Malformed(
      text: "rules: missing.sync\ncases:\n  - input: {kind: A}\n    output: []\n",
      error: "1:8: no such file or directory `"),
    Malformed(
      text: "cases:\n  - input: {kind: A}\n    output: []\n",
      error: "2:5: case `case 1` has no rules"),
    Malformed(
      text: "source: x\ncases:\n  - diagnostics: [{code: E0401, at: 3}]\n",
      error: "3:37: `at` is LINE:COLUMN"),
    Malformed(
      text: "source: x\ncases:\n  - input: []\n    output: []\n",
      error: "3:12: the input holds no objects"),
  ]

  @Test(arguments: malformed)
  func malformedTestFiles(_ example: Malformed) {
    let path = NSTemporaryDirectory() + "malformed.test.yaml"
    #expect {
      _ = try RuleTestSuite.load(text: example.text, path: path)
    } throws: { error in
      guard let error = error as? RuleTestFileError else { return false }
      let found = "\(error.line):\(error.column): \(error.message)"
      #expect(found.hasPrefix(example.error), "\(found)")
      return error.path == path
    }
  }

  @Test func fileErrorsExitWithStatus2() {
    var report = RuleTestReport()
    let line = report.add(RuleTestFileError(path: "a.test.yaml", line: 3, column: 5, message: "x"))
    #expect(line == "ERROR a.test.yaml:3:5: x\n")
    #expect(report.exitStatus == 2)
    #expect(report.summary == "0 passed, 0 failed, 1 test file with errors\n")
  }

  @Test func discoveryFindsTestFilesRecursively() throws {
    let directory = NSTemporaryDirectory() + "ruletest-discovery-\(getpid())"
    try FileManager.default.createDirectory(
      atPath: directory + "/nested", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    for name in ["b.test.yaml", "nested/a.test.yml", "c.yaml", "nested/d.sync"] {
      FileManager.default.createFile(atPath: directory + "/" + name, contents: Data())
    }
    let found = try RuleTestSuite.discover(paths: [directory])
    #expect(found == [directory + "/b.test.yaml", directory + "/nested/a.test.yml"])
    #expect(throws: RuleTestFileError.self) {
      try RuleTestSuite.discover(paths: [directory + "/none"])
    }
    let empty = NSTemporaryDirectory() + "ruletest-empty-\(getpid())"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: empty) }
    #expect(try RuleTestSuite.discover(paths: [empty]).isEmpty)
  }

  @Test func objectFilesAreReadAsApplyReadsThem() throws {
    let directory = NSTemporaryDirectory() + "ruletest-files-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let list = """
      {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]}
      {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}}
      """
    let yaml = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: a}
      spec: {replicas: 0}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: b}
      spec: {replicas: 0}
      """
    FileManager.default.createFile(atPath: directory + "/in.json", contents: Data(list.utf8))
    FileManager.default.createFile(atPath: directory + "/out.yaml", contents: Data(yaml.utf8))
    let text = """
      source: |
        rule scale match apps/v1 Deployment { set spec.replicas = 0 }
        rule gone match v1 Secret { drop }
      cases:
        - input: in.json
          output: out.yaml
        - input: in.json
          expect: [rewritten, dropped, rewritten]
      """
    let suite = try RuleTestSuite.load(text: text, path: directory + "/files.test.yaml")
    #expect(suite.cases[0].inputs.count == 3)
    let results = RuleTestRunner().run(suite)
    #expect(results.map(\.passed) == [true, true], "\(results.map(\.failures))")
  }
}

/// What the RFC 6902 corpus cannot see through `syncrules test`: key order (the
/// comparison ignores it) and the document after a failed patch (the object fails).
struct RuleTestPatchTests {
  @Test func replaceKeepsTheMemberWhereItIs() throws {
    var document: Value = ["baz": "qux", "foo": "bar"]
    let patch = try JSONPatch([["op": "replace", "path": "/baz", "value": "boo"]])
    try patch.apply(to: &document)
    #expect(document.objectValue?.keys == ["baz", "foo"])
    #expect(document["baz"] == "boo")
  }

  @Test func aFailedPatchLeavesTheDocumentUntouched() throws {
    let original: Value = ["foo": "bar"]
    var document = original
    let patch = try JSONPatch([
      ["op": "add", "path": "/added", "value": "yes"],
      ["op": "remove", "path": "/missing"],
    ])
    #expect(throws: JSONPatch.Failure.self) { try patch.apply(to: &document) }
    #expect(document == original)
  }
}
