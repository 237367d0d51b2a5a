import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// One object may take at most `maximumObjectBytes` (64 MiB by default; `--max-object-size`):
/// a larger one is reported and skipped, in bounded memory, and the objects around it
/// still go through. Before, a 1 GiB string in one value took 4 GB of memory.
struct ObjectSizeLimitTests {
  static let rules = "rule workload match apps/v1 Deployment { set spec.replicas = 0 }"

  static func deployment(_ name: String) -> String {
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},"spec":{"replicas":2}}"#
  }

  static let limit = 64 << 10

  /// Runs `apply` over `text` read from a file (the limit is checked as the reader
  /// refills its buffer, which in-memory input never does).
  static func apply(_ text: String, jobs: Int = 1) throws -> (output: String, problems: String) {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-size-\(UUID().uuidString)")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let input = try FileHandle(forReadingFrom: url)
    defer { try? input.close() }
    let program = try #require(RuleSet.load(text: rules, path: "rules.sync").program)
    let output = OutputSink.inMemory()
    var problems = ""
    let applier = StreamApplier(
      options: .init(jobs: jobs, batchBytes: 4096, maximumObjectBytes: limit), output: output,
      evaluator: Evaluator(program: program), problem: { problems += $0 })
    try applier.apply(StreamInput(fileDescriptor: input.fileDescriptor, name: "input"))
    return (String(decoding: output.takeBytes(), as: UTF8.self), problems)
  }

  @Test(arguments: [1, 2])
  func anOversizedLineIsSkippedAndTheRestGoesThrough(jobs: Int) throws {
    let huge =
      #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":""#
      + String(repeating: "a", count: 1 << 20) + "\"}}"
    let text = [Self.deployment("before"), huge, Self.deployment("after")].joined(separator: "\n")
    let (output, problems) = try Self.apply(text + "\n", jobs: jobs)
    #expect(output.contains(#""name":"before""#))
    #expect(output.contains(#""name":"after""#))
    #expect(!output.contains(#""name":"big""#))
    #expect(
      problems
        == "error[E0701]: input:2:1: malformed JSON: the value that starts here is larger than "
        + "64 KiB, the most one object may take (Kubernetes keeps none above 1.5 MB)\n")
  }

  /// A List is not bounded as a whole, only each of its items.
  @Test func aListLargerThanTheLimitIsReadItemByItem() throws {
    let items = (0..<2_000).map { Self.deployment("d\($0)") }
    let text = #"{"apiVersion":"v1","kind":"List","items":["# + items.joined(separator: ",") + "]}"
    #expect(text.utf8.count > 2 * Self.limit)
    let (output, problems) = try Self.apply(text)
    #expect(problems.isEmpty)
    #expect(output.contains(#""name":"d1999""#))
  }

  @Test func anOversizedListItemIsReported() throws {
    let big =
      #"{"kind":"ConfigMap","data":{"x":""# + String(repeating: "a", count: 1 << 20) + "\"}}"
    let text =
      #"{"apiVersion":"v1","kind":"List","items":["# + Self.deployment("first") + "," + big + "]}"
    let (output, problems) = try Self.apply(text)
    #expect(output.contains(#""name":"first""#))
    #expect(problems.contains("input:1:") && problems.contains("larger than 64 KiB"))
  }

  /// A value over the limit but shorter than a read is caught where it ends, so that
  /// one and two threads report the same.
  @Test(arguments: [1, 2])
  func aValueJustOverTheLimitIsCaughtWhereItEnds(jobs: Int) throws {
    let over =
      #"{"kind":"ConfigMap","data":{"x":""# + String(repeating: "a", count: Self.limit) + "\"}}"
    let text = [Self.deployment("before"), over, Self.deployment("after")].joined(separator: "\n")
    let (output, problems) = try Self.apply(text + "\n", jobs: jobs)
    #expect(output.contains(#""name":"after""#))
    #expect(
      problems.hasPrefix("error[E0701]: input:2:1: malformed JSON: the value that starts here"))
  }

  @Test func anOversizedYAMLDocumentEndsTheStreamAfterTheOnesBefore() throws {
    let text =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: before}\n---\n"
      + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "
      + String(repeating: "a", count: 1 << 20) + "\n"
    let (output, problems) = try Self.apply(text)
    #expect(output.contains("name: before"))
    #expect(problems.contains("a single document is larger than 64 KiB"))
    #expect(problems.contains("the document it is in is left out"))
  }
}
