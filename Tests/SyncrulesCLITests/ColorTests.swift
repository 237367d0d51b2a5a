import Foundation
import TestSupport
import Testing

/// Colors follow the terminal, `NO_COLOR` (https://no-color.org) and `--color`. A
/// pseudo-terminal comes from util-linux's `script`, which Debian always has.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script")))
struct ColorTests {
  /// What `syncrules arguments…` prints on a terminal, with `NO_COLOR` set to `noColor`
  /// (unset when nil).
  func onTerminal(_ arguments: [String], noColor: String?) throws -> String {
    let scratch = try TemporaryDirectory()
    try scratch.write("typo.sync", "rule x match apps/v1 Deployment { set spec.replcas = 0 }\n")
    let command = ([CLI.executable.path] + arguments).joined(separator: " ")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qec", command, "/dev/null"]
    process.currentDirectoryURL = scratch.url
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = noColor
    process.environment = environment
    let output = Pipe()
    process.standardOutput = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }

  @Test(arguments: [
    ([String](), nil as String?, true),
    ([], "1", false),
    ([], "", true),  // set but empty: no-color.org says it does not count
    (["--color"], "1", true),  // a flag the user typed wins
  ])
  func checkColorsOnATerminalUnlessNoColor(flags: [String], noColor: String?, colored: Bool)
    throws
  {
    let output = try onTerminal(["check"] + flags + ["typo.sync"], noColor: noColor)
    #expect(output.contains("error"), "\(output)")
    #expect(output.contains("\u{1B}[") == colored, "\(output)")
  }
}
