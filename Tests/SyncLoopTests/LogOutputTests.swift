import Logging
import SyncLoop
import SyncValue
import Testing

/// The lines `--log-format` writes: zap's shape in JSON, one line per event in both.
struct LogOutputTests {
  static let time = "2025-01-31T09:12:03.412Z"

  @Test(arguments: [
    (
      Logger.Level.error, "apply failed: api(409 Conflict)",
      ["object": "apps/Deployment:shop/web"] as Logger.Metadata,
      #"{"level":"error","ts":"2025-01-31T09:12:03.412Z","logger":"syncrules","msg":"apply failed: api(409 Conflict)","object":"apps/Deployment:shop/web"}"#
    ),
    (
      .info, "initial sync complete",
      ["objects": .stringConvertible(7), "dryRun": .stringConvertible(false)],
      #"{"level":"info","ts":"2025-01-31T09:12:03.412Z","logger":"syncrules","msg":"initial sync complete","dryRun":false,"objects":7}"#
    ),
    (
      .warning, "two\nlines",
      ["notes": .array(["a", "b"]), "where": .dictionary(["line": .stringConvertible(3)])],
      #"{"level":"warn","ts":"2025-01-31T09:12:03.412Z","logger":"syncrules","msg":"two\nlines","notes":["a","b"],"where":{"line":3}}"#
    ),
    (
      .critical, "cannot reach the target cluster", [:],
      #"{"level":"fatal","ts":"2025-01-31T09:12:03.412Z","logger":"syncrules","msg":"cannot reach the target cluster"}"#
    ),
  ])
  func jsonLine(level: Logger.Level, message: String, metadata: Logger.Metadata, expected: String)
    throws
  {
    let output = LogOutput(label: "syncrules", format: .json)
    let line = output.line(level: level, message: message, metadata: metadata, time: Self.time)
    #expect(line == expected + "\n")
    #expect(line.dropLast().contains("\n") == false, "one event, one line")
    #expect(try JSON.parse(String(line.dropLast())).objectValue != nil)
  }

  @Test func textLineKeepsOneEventOnOneLine() {
    let output = LogOutput(label: "syncrules", format: .text)
    let line = output.line(
      level: .warning, message: "rules not reloaded\n  --> dr.sync:3:1",
      metadata: ["errors": .stringConvertible(1)], time: Self.time)
    #expect(
      line == "2025-01-31T09:12:03.412Z WARN rules not reloaded\\n  --> dr.sync:3:1 errors=1\n")
  }
}
