import Foundation
import Testing

/// Runs the built `syncrules` binary the way a CI job would.
struct CheckCommandTests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test func cleanFileExitsZero() throws {
    let result = try CLI.run(["check", "Tests/SyncCheckTests/Corpus/seed-dr-standby.sync"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr.contains("1 file, 3 rules: 0 errors, 0 warnings"))
  }

  @Test func typoPointsAtTheFieldWithAHint() throws {
    let result = try CLI.run(["check", "Tests/SyncCheckTests/Corpus/unknown-field.sync"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "Tests/SyncCheckTests/Corpus/unknown-field.sync:2:12: error[E0401]: unknown field `replcas`"
      ))
    #expect(result.stderr.contains("  |            ^~~~~~~"))
    #expect(result.stderr.contains("= help: did you mean `replicas`?"))
  }

  @Test func jsonFormatIsOneObjectPerFinding() throws {
    let result = try CLI.run(
      ["check", "--format", "json", "Tests/SyncCheckTests/Corpus/unknown-field.sync"])
    #expect(result.status == 1)
    let lines = result.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    for line in lines {
      let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
      #expect(object?["code"] as? String == "E0401")
      #expect(object?["severity"] as? String == "error")
    }
  }

  @Test func githubFormatPrintsAnnotations() throws {
    let result = try CLI.run(
      ["check", "--format", "github", "Tests/SyncCheckTests/Corpus/unknown-field.sync"])
    #expect(result.status == 1)
    #expect(
      result.stdout.hasPrefix(
        "::error file=Tests/SyncCheckTests/Corpus/unknown-field.sync,line=2,col=12"))
  }

  @Test func missingFileIsAUsageError() throws {
    let result = try CLI.run(["check", "no/such/file.sync"])
    #expect(result.status == 2)
    #expect(result.stderr == "no/such/file.sync: error[E0208]: no such file or directory\n")
  }

  @Test func unknownFlagIsAUsageError() throws {
    let result = try CLI.run(["check", "--no-such-flag", "x.sync"])
    #expect(result.status == 2)
  }

  @Test func crdsAreLoadedFromFiles() throws {
    let crds = Self.repository.deletingLastPathComponent()
      .appendingPathComponent("shared/testdata/crds/argo-rollouts").path
    let result = try CLI.run(
      ["check", "--crd", crds, "Tests/SyncCheckTests/Corpus/crd-rollout.sync"])
    #expect(result.status == 1)
    #expect(
      result.stderr.contains("unknown field `replcas` in `spec` of Rollout (argoproj.io/v1alpha1)"))
  }

  @Test func explainPrintsTheProgram() throws {
    let result = try CLI.run(["explain", "Tests/SyncCheckTests/Corpus/seed-dr-standby.sync"])
    #expect(result.status == 0)
    #expect(result.stdout.contains("apps/Deployment → workload"))
  }
}

/// Runs the `syncrules` executable built next to the tests.
enum CLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// One of the package's executables, built next to the tests.
  static func executable(_ program: String) -> URL {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let beside = buildDirectory.appendingPathComponent(program)
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return CheckCommandTests.repository.appendingPathComponent(".build/debug/\(program)")
  }

  static func run(_ arguments: [String], stdin: Data? = nil, program: String = "syncrules")
    throws -> Result
  {
    let process = Process()
    process.executableURL = executable(program)
    process.arguments = arguments
    process.currentDirectoryURL = CheckCommandTests.repository
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
