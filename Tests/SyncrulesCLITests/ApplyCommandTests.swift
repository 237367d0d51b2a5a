import Foundation
import TestSupport
import Testing

/// `syncrules apply` as operators run it: files, pipes, exit codes.
struct ApplyCommandTests {
  static let corpus = "Tests/SyncRuntimeTests/StreamCorpus"
  static let rules = "\(corpus)/rules.sync"

  static func expected(_ name: String) throws -> String {
    try String(
      contentsOf: Repository.root.appendingPathComponent(
        "\(corpus)/\(name)/expected.out"),
      encoding: .utf8)
  }

  static func input(_ path: String) throws -> Data {
    try Data(contentsOf: Repository.root.appendingPathComponent("\(corpus)/\(path)"))
  }

  @Test func listFileIsRewrittenAndExitsZero() throws {
    let result = try CLI.run(["apply", "-f", Self.rules, "\(Self.corpus)/list-json/input.json"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == (try Self.expected("list-json")))
  }

  @Test func objectFailureIsReportedTheRestWrittenAndExitsOne() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules, "\(Self.corpus)/list-json-failure-midstream/input.json"])
    #expect(result.status == 1)
    #expect(result.stdout == (try Self.expected("list-json-failure-midstream")))
    #expect(
      result.stderr.contains(
        "error[E0601]: \(Self.corpus)/list-json-failure-midstream/input.json: object 2 "
          + "(example.com/v1 Widget w)"))
    #expect(result.stderr.contains("--> \(Self.rules):10:43 in rule `widget`"))
  }

  /// `--max-object-size` takes Kubernetes-style binary sizes; an object past it is
  /// reported at its start and skipped, the rest goes through, and the exit status is 1.
  @Test func maxObjectSizeBoundsOneObject() throws {
    let big =
      #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":""#
      + String(repeating: "a", count: 2048) + "\"}}\n"
    let small =
      #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":3}}"#
    let result = try CLI.run(
      ["apply", "-f", Self.rules, "--max-object-size", "1Ki", "-j", "1"],
      stdin: Data((big + small + "\n").utf8))
    #expect(result.status == 1)
    #expect(result.stdout.contains(#""name":"web""#))
    #expect(
      result.stderr.contains(
        "error[E0701]: <stdin>:1:1: malformed JSON: the value that starts here is larger than 1 KiB"
      ))
    for bad in ["12x", "0", "-1Mi", "Mi"] {
      let usage = try CLI.run(["apply", "-f", Self.rules, "--max-object-size", bad])
      #expect(usage.status == 2, "\(bad)")
    }
  }

  @Test func malformedStdinWritesWhatCameBeforeAndExitsOne() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules], stdin: try Self.input("ndjson-malformed/input.json"))
    #expect(result.status == 1)
    #expect(result.stdout == (try Self.expected("ndjson-malformed")))
    #expect(result.stderr.contains("error[E0701]: <stdin>:3:30: malformed JSON"))
  }

  @Test func yamlOnStdinIsDetectedAndWrittenAsYAML() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules, "-"], stdin: try Self.input("yaml-multidoc/input.yaml"))
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == (try Self.expected("yaml-multidoc")))
  }

  @Test func malformedYAMLExitsOne() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules], stdin: try Self.input("yaml-malformed/input.yaml"))
    #expect(result.status == 1)
    #expect(result.stderr.contains("error[E0702]: <stdin>:23:1: malformed YAML"))
  }

  @Test func jsonReportGoesToStandardError() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules, "--report-format", "json", "-o", "ndjson"],
      stdin: try Self.input("list-json/input.json"))
    #expect(result.status == 0)
    #expect(result.stdout.split(separator: "\n").count == 2)
    let report = try #require(result.stderr.split(separator: "\n").last)
    let object = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
    let total = object?["total"] as? [String: Any]
    #expect(total?["rewritten"] as? Int == 2)
    #expect(total?["skipped"] as? Int == 1)
  }

  @Test func textReportOnRequest() throws {
    let result = try CLI.run(
      ["apply", "-f", Self.rules, "--report", "\(Self.corpus)/list-json/input.json"])
    #expect(
      result.stderr.contains("KIND                REWRITTEN  DROPPED  SKIPPED  UNMATCHED  FAILED"))
    #expect(
      result.stderr.contains("total                       2        1        1          1       0"))
  }

  @Test func filesAreReadInOrder() throws {
    let result = try CLI.run([
      "apply", "-f", Self.rules, "\(Self.corpus)/single-object-json/input.json",
      "\(Self.corpus)/concatenated-pretty/input.json",
    ])
    #expect(result.status == 0)
    #expect(
      result.stdout
        == (try Self.expected("single-object-json")) + (try Self.expected("concatenated-pretty")))
  }

  @Test func ruleErrorsRunNothing() throws {
    let directory = try TemporaryDirectory(prefix: "syncrules-apply")
    let bad = directory.url.appendingPathComponent("bad.sync")
    try "rule r match apps/v1 Deployment { set spec.replcas = 0 }\n"
      .write(to: bad, atomically: true, encoding: .utf8)
    let result = try CLI.run(
      ["apply", "-f", bad.path], stdin: try Self.input("list-json/input.json"))
    #expect(result.status == 1)
    #expect(result.stdout.isEmpty)
    #expect(result.stderr.contains("error[E0401]: unknown field `replcas`"))
  }

  @Test(arguments: [
    ["apply", "Tests/SyncRuntimeTests/StreamCorpus/list-json/input.json"],
    ["apply", "-f", rules, "--no-such-flag"],
    ["apply", "-f", rules, "-o", "xml"],
    ["apply", "-f", rules, "--input-format", "toml"],
    ["apply", "-f", rules, "no/such/input.json"],
    ["apply", "-f", "no/such/rules.sync"],
    ["apply", "-f", rules, "-j", "0"],
    ["apply", "-f", rules, "--jobs", "many"],
  ])
  func usageErrorsExitTwo(_ arguments: [String]) throws {
    let result = try CLI.run(arguments, stdin: Data())
    #expect(result.status == 2, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
  }

  /// A file of one value per line read on three threads: the same bytes, messages and
  /// exit status as on one thread, through every shape that hands over to one thread.
  @Test(arguments: ["ndjson-mixed-shapes", "ndjson-malformed-late", "watch-frames-bookmarks"])
  func jobsDoNotChangeTheResult(_ name: String) throws {
    let path = "\(Self.corpus)/\(name)/input.json"
    let one = try CLI.run(["apply", "-f", Self.rules, "-j", "1", path])
    let three = try CLI.run(["apply", "-f", Self.rules, "--jobs", "3", path])
    #expect(one.stdout == (try Self.expected(name)))
    #expect(three.stdout == one.stdout)
    #expect(three.stderr == one.stderr)
    #expect(three.status == 1 && one.status == 1)
  }

  /// Objects come out while the input is still open: what `kubectl get -w` needs.
  @Test func openPipeIsProcessedObjectByObject() throws {
    let process = Process()
    process.executableURL = CLI.executable("syncrules")
    process.arguments = ["apply", "-f", Self.rules]
    process.currentDirectoryURL = Repository.root
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let collected = Collected()
    output.fileHandleForReading.readabilityHandler = { handle in
      collected.append(handle.availableData)
    }
    try process.run()
    defer { if process.isRunning { process.terminate() } }

    let first = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"one"}}"#
    let second = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"two"}}"#
    input.fileHandleForWriting.write(Data((first + "\n").utf8))
    #expect(collected.waitForLines(1), "no output for the first object while the pipe is open")
    input.fileHandleForWriting.write(Data((second + "\n").utf8))
    #expect(collected.waitForLines(2), "no output for the second object while the pipe is open")
    #expect(process.isRunning)
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    output.fileHandleForReading.readabilityHandler = nil
    #expect(process.terminationStatus == 0)
    let lines = collected.text.split(separator: "\n")
    #expect(lines.count == 2)
    #expect(lines.first?.contains(#""name":"one""#) == true)
    #expect(lines.last?.contains(#""standby":"yes""#) == true)
  }
}
