import Dispatch
import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// Some shells hand out standard input non-blocking: every reader (format detection,
/// JSON, YAML, the parallel reader) must wait for data there instead of failing on
/// `EAGAIN`.
struct NonBlockingInputTests {
  static let yaml = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      replicas: 3

    """
  static let ndjson = """
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}
    {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"replicas":3}}

    """
  static let prettyJSON = """
    {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"replicas": 2}
    }

    """

  @Test(arguments: [(yaml, 1), (ndjson, 1), (ndjson, 2), (prettyJSON, 1)])
  func waitsForDataOnANonBlockingPipe(input: String, jobs: Int) throws {
    let ruleSet = RuleSet.load(
      text: "rule workload match apps/v1 Deployment { set spec.replicas = 0 }",
      path: "rules.sync")
    let evaluator = Evaluator(program: try #require(ruleSet.program))
    var options = StreamApplier.Options(flushEachObject: false)
    options.jobs = jobs
    let expected = try StreamRun.run(
      input: Array(input.utf8), inputName: "<stdin>", options: options, evaluator: evaluator)

    var fds: [Int32] = [0, 0]
    try #require(pipe(&fds) == 0)
    _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
    let output = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-nonblocking-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: output.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: output) }
    let handle = try FileHandle(forWritingTo: output)

    // Half now, the rest once the reader has had time to find the pipe empty.
    let bytes = Array(input.utf8)
    let writeEnd = fds[1]
    DispatchQueue.global().async {
      let half = bytes.count / 2
      bytes[..<half].withUnsafeBytes { _ = write(writeEnd, $0.baseAddress, $0.count) }
      usleep(50_000)
      bytes[half...].withUnsafeBytes { _ = write(writeEnd, $0.baseAddress, $0.count) }
      close(writeEnd)
    }
    var problems = ""
    let applier = StreamApplier(
      options: options, output: OutputSink(fileDescriptor: handle.fileDescriptor),
      evaluator: evaluator, problem: { problems += $0 })
    try applier.apply(StreamInput(fileDescriptor: fds[0], name: "<stdin>"))
    try applier.finish()
    close(fds[0])
    try handle.close()

    #expect(problems == "")
    #expect(!applier.hasFailures)
    #expect(try String(contentsOf: output, encoding: .utf8) == expected.output)
    #expect(expected.output.contains("replicas"))
  }
}
