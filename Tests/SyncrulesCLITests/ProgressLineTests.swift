import Foundation
import SyncRuntime
import TestSupport
import Testing

/// `apply` on a terminal shows a progress line for large inputs, and nothing of it when
/// standard error is not a terminal.
struct ProgressLineTests {
  @Test(arguments: [
    (0, 0, 0, 0.0, "0.0 MB read · 0 objects · 0 objects/s · 0 failed"),
    // The sample in docs/apply.md, "Progress".
    (12_345_678, 45_123, 2, 5.632, "12.3 MB read · 45,123 objects · 8,012 objects/s · 2 failed"),
    (
      1_000_000_000, 1_234_567, 1000, 100.0,
      "1000.0 MB read · 1,234,567 objects · 12,346 objects/s · 1,000 failed"
    ),
  ])
  func line(bytes: Int, objects: Int, failures: Int, seconds: Double, expected: String) {
    #expect(
      StreamProgress.line(bytes: bytes, objects: objects, failures: failures, seconds: seconds)
        == expected)
  }

  /// 25,000 ConfigMaps, 6.3 MB of NDJSON.
  static func largeInput(in directory: TemporaryDirectory) throws -> String {
    var text = ""
    for index in 0..<25_000 {
      text +=
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c\#(index)","#
        + #""namespace":"shop"},"data":{"k":"\#(String(repeating: "x", count: 150))"}}"# + "\n"
    }
    return try directory.write("large.ndjson", text)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
  func aTerminalSeesTheLineAndItIsErasedAtTheEnd() throws {
    let directory = try TemporaryDirectory()
    let input = try Self.largeInput(in: directory)
    let rules = try directory.write(
      "cm.sync", "rule c match v1 ConfigMap { set data.extra = \"1\" }\n")
    // The pipe stays open a second after the last byte, so the line is drawn however
    // fast the machine reads.
    let command =
      "(cat \(input); sleep 1) | \(CLI.executable.path) apply -f \(rules) > /dev/null"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let terminal = String(decoding: data, as: UTF8.self)
    #expect(terminal.contains("6.3 MB read · 25,000 objects · "), "\(terminal.prefix(400))")
    #expect(terminal.contains(" objects/s · 0 failed\u{1B}[K"))
    // Erased before the report: the report starts on a clean line.
    #expect(terminal.contains("\r\u{1B}[KKIND "), "\(terminal.prefix(400))")
  }

  @Test func noLineWhenStandardErrorIsNotATerminal() throws {
    let directory = try TemporaryDirectory()
    let input = try Self.largeInput(in: directory)
    let rules = try directory.write(
      "cm.sync", "rule c match v1 ConfigMap { set data.extra = \"1\" }\n")
    let result = try CLI.run(["apply", "-f", rules, input])
    #expect(result.status == 0)
    #expect(result.stderr.isEmpty, "\(result.stderr.prefix(200))")
  }
}
