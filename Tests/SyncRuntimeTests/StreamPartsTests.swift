import SyncRuntime
import SyncValue
import Testing

/// The pieces of the pipe that need no rules: format detection, the diff, the report.
struct FormatDetectionTests {
  @Test(arguments: [
    ("{\n    \"apiVersion\": \"v1\"", InputFormat.json, true),
    ("{\"apiVersion\":\"v1\"}", .json, false),
    ("  \n\t[\n", .json, true),
    ("[{\"a\":1}]", .json, false),
    ("{ \"a\": 1 }", .json, false),
    ("\u{FEFF}{\n", .json, true),
    ("apiVersion: v1\n", .yaml, false),
    ("---\napiVersion: v1\n", .yaml, false),
    ("# {comment}\n", .yaml, false),
    ("", .yaml, false),
    ("   \n", .yaml, false),
  ])
  func detects(_ text: String, _ format: InputFormat, _ isPretty: Bool) {
    let detected = DetectedFormat.detect(Array(text.utf8))
    #expect(
      detected == DetectedFormat(format: format, isPretty: isPretty), "\(text.debugDescription)")
  }
}

struct LineDiffTests {
  static func text(_ lines: String...) -> [UInt8] {
    Array(lines.map { $0 + "\n" }.joined().utf8)
  }

  static func unified(_ old: [UInt8], _ new: [UInt8]) -> String {
    String(
      decoding: LineDiff.unified(old: old, new: new, oldName: "a/x", newName: "b/x"), as: UTF8.self)
  }

  @Test func equalTextsHaveNoDiff() {
    let text = Self.text("a", "b")
    #expect(LineDiff.unified(old: text, new: text, oldName: "a", newName: "b").isEmpty)
  }

  // Expected outputs are what GNU `diff -u` prints for the same files.
  @Test func distantChangesMakeTwoHunks() {
    let old = Self.text("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m")
    let new = Self.text("a", "B", "c", "d", "e", "f", "g", "h", "i", "j", "k", "m", "n")
    #expect(
      Self.unified(old, new) == """
        --- a/x
        +++ b/x
        @@ -1,5 +1,5 @@
         a
        -b
        +B
         c
         d
         e
        @@ -9,5 +9,5 @@
         i
         j
         k
        -l
         m
        +n

        """)
  }

  @Test func insertionIntoEmptyText() {
    #expect(Self.unified([], Self.text("x")) == "--- a/x\n+++ b/x\n@@ -0,0 +1 @@\n+x\n")
  }

  @Test func appendAtTheEnd() {
    let old = Self.text("a", "b", "c", "d", "e", "f", "g", "h")
    let new = Self.text("a", "b", "c", "d", "e", "f", "g", "h", "X")
    #expect(Self.unified(old, new) == "--- a/x\n+++ b/x\n@@ -6,3 +6,4 @@\n f\n g\n h\n+X\n")
  }

  @Test func changesSixLinesApartShareAHunk() {
    let old = Self.text("1", "2", "3", "4", "5", "6", "7", "8")
    let new = Self.text("X", "2", "3", "4", "5", "6", "7", "Y")
    #expect(
      Self.unified(old, new)
        == "--- a/x\n+++ b/x\n@@ -1,8 +1,8 @@\n-1\n+X\n 2\n 3\n 4\n 5\n 6\n 7\n-8\n+Y\n")
  }

  /// The script must be a shortest one and must rebuild both sides.
  @Test(arguments: [
    ("abcabba", "cbabac", 5),
    ("", "abc", 3),
    ("abc", "", 3),
    ("abc", "abc", 0),
    ("kitten", "sitting", 5),
    ("aaaaaaaab", "baaaaaaaa", 2),
  ])
  func editScriptIsMinimalAndConsistent(_ old: String, _ new: String, _ distance: Int) {
    let a = Array(old)
    let b = Array(new)
    let script = LineDiff.edits(from: a, to: b)
    var rebuiltOld: [Character] = []
    var rebuiltNew: [Character] = []
    var changes = 0
    for edit in script {
      switch edit {
      case .equal(let x, let y):
        #expect(a[x] == b[y])
        rebuiltOld.append(a[x])
        rebuiltNew.append(b[y])
      case .delete(let x):
        rebuiltOld.append(a[x])
        changes += 1
      case .insert(let y):
        rebuiltNew.append(b[y])
        changes += 1
      }
    }
    #expect(rebuiltOld == a)
    #expect(rebuiltNew == b)
    #expect(changes == distance)
  }
}

struct ApplyReportTests {
  static var sample: ApplyReport {
    var report = ApplyReport()
    report.record(apiVersion: "v1", kind: "Service", .unmatched)
    report.record(apiVersion: "apps/v1", kind: "Deployment", .rewritten)
    report.record(apiVersion: "apps/v1", kind: "Deployment", .rewritten)
    report.record(apiVersion: "apps/v1", kind: "Deployment", .skipped)
    report.record(apiVersion: "", kind: "", .failed)
    report.record(apiVersion: "v1", kind: "ConfigMap", .dropped)
    return report
  }

  @Test func countsPerKindAndInTotal() {
    let report = Self.sample
    #expect(report.rows.count == 4)
    #expect(report.total.total == 6)
    #expect(report.total.rewritten == 2)
    #expect(report.rows.first { $0.kind == "Deployment" }?.counts.skipped == 1)
  }

  @Test func textTableIsSortedAndAligned() {
    #expect(
      Self.sample.renderText() == """
        KIND                REWRITTEN  DROPPED  SKIPPED  UNMATCHED  FAILED
        (not an object)             0        0        0          0       1
        apps/v1/Deployment          2        0        1          0       0
        v1/ConfigMap                0        1        0          0       0
        v1/Service                  0        0        0          1       0
        total                       2        1        1          1       1

        """)
  }

  @Test func jsonIsOneLineThatReadsBack() throws {
    let text = Self.sample.renderJSON()
    #expect(text.hasSuffix("}\n"))
    #expect(text.dropLast().contains("\n") == false)
    let value = try JSON.parse(text)
    #expect(value["total"]?["rewritten"] == .int(2))
    #expect(value["kinds"]?.arrayValue?.count == 4)
    #expect(value["kinds"]?.arrayValue?[1]["kind"] == "Deployment")
    #expect(value["kinds"]?.arrayValue?[1]["skipped"] == .int(1))
  }
}
