import Dispatch
import Foundation
import SyncRuntime
import SyncValue
import Testing

/// The parallel reader on file descriptors: pipes that deliver bytes in odd pieces, and a
/// pipe that pauses, where each object must come out before the next arrives.
struct ParallelApplyTests {
  static let rules = """
    rule workload match apps/v1 Deployment { set spec.replicas = 0 }
    rule widget match example.com/v1 Widget { set spec.size.value = 1 }
    """

  static func deployment(_ name: String) -> String {
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},"spec":{"replicas":2}}"#
  }

  static func evaluator() throws -> Evaluator {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    return Evaluator(program: try #require(ruleSet.program))
  }

  /// Runs `apply` over the read end of a pipe on another thread; returns what it wrote,
  /// its messages and whether it failed, once the input is closed and everything is read.
  final class PipeRun: @unchecked Sendable {
    let input: (read: Int32, write: Int32)
    let output: (read: Int32, write: Int32)
    let finished = DispatchSemaphore(value: 0)
    var problems = ""
    var hasFailures = false
    var objectsDoneInParallel = 0

    init(evaluator: Evaluator, jobs: Int) throws {
      var fds: [Int32] = [0, 0]
      try #require(pipe(&fds) == 0)
      input = (fds[0], fds[1])
      try #require(pipe(&fds) == 0)
      output = (fds[0], fds[1])
      DispatchQueue.global().async { [self] in
        let applier = StreamApplier(
          options: .init(jobs: jobs), output: OutputSink(fileDescriptor: output.write),
          evaluator: evaluator, problem: { self.problems += $0 })
        _ = try? applier.apply(StreamInput(fileDescriptor: input.read, name: "<stdin>"))
        try? applier.finish()
        hasFailures = applier.hasFailures
        objectsDoneInParallel = applier.objectsDoneInParallel
        close(input.read)
        close(output.write)
        finished.signal()
      }
    }

    func send<Text: StringProtocol>(_ text: Text) {
      let bytes = Array(text.utf8)
      bytes.withUnsafeBytes { _ = write(input.write, $0.baseAddress, $0.count) }
    }

    /// Reads from the output until it holds `lines` line feeds, waiting at most 30 s for
    /// each piece (the test fails instead of hanging when output is held back).
    func readLines(_ lines: Int, into text: inout String) -> Bool {
      var buffer = [UInt8](repeating: 0, count: 64 * 1024)
      while text.filter({ $0 == "\n" }).count < lines {
        var request = pollfd(fd: output.read, events: Int16(POLLIN), revents: 0)
        guard poll(&request, 1, 30_000) > 0 else { return false }
        let count = read(output.read, &buffer, buffer.count)
        if count <= 0 { return false }
        text += String(decoding: buffer[..<count], as: UTF8.self)
      }
      return true
    }

    func finish(into text: inout String) -> Bool {
      close(input.write)
      guard finished.wait(timeout: .now() + 30) == .success else { return false }
      var buffer = [UInt8](repeating: 0, count: 64 * 1024)
      while true {
        let count = read(output.read, &buffer, buffer.count)
        if count <= 0 { break }
        text += String(decoding: buffer[..<count], as: UTF8.self)
      }
      close(output.read)
      return true
    }
  }

  @Test func objectsComeOutBeforeTheNextArrives() throws {
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2)
    var text = ""
    for index in 0..<3 {
      run.send(Self.deployment("web-\(index)") + "\n")
      #expect(run.readLines(index + 1, into: &text), "object \(index) was held back")
    }
    #expect(run.finish(into: &text))
    let expected = (0..<3).map { index in
      Self.deployment("web-\(index)").replacingOccurrences(of: "2}}", with: "0}}") + "\n"
    }
    #expect(text == expected.joined())
    #expect(run.objectsDoneInParallel == 3)
  }

  /// A whole line is written out while the line after it is still incomplete.
  @Test func lineComesOutWhileTheNextIsHalfWritten() throws {
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2)
    let second = Self.deployment("web-1")
    let half = second.index(second.startIndex, offsetBy: second.count / 2)
    run.send(Self.deployment("web-0") + "\n" + second[..<half])
    var text = ""
    #expect(run.readLines(1, into: &text), "the first object waited for the second")
    run.send(second[half...] + "\n")
    #expect(run.readLines(2, into: &text))
    #expect(run.finish(into: &text))
    #expect(text.split(separator: "\n").count == 2)
  }

  /// A pipe fed in pieces that cut lines anywhere, with failures, a value spanning lines
  /// and a malformed line: the same output and messages as one thread.
  @Test(arguments: [1, 5, 333, 65_536])
  func pipeFedInPiecesMatchesOneThread(pieceSize: Int) throws {
    var lines: [String] = []
    for index in 0..<400 {
      lines.append(Self.deployment("d\(index)"))
      if index % 50 == 7 {
        lines.append(
          #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w\#(index)"},"spec":{"size":"s"}}"#
        )
      }
    }
    lines.append(
      "{\n  \"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\",\n  \"metadata\": {}\n}")
    lines.append(Self.deployment("after-pretty"))
    lines.append(#"{"apiVersion":"apps/v1",}"#)
    lines.append(Self.deployment("never"))
    let input = lines.joined(separator: "\n") + "\n"

    var results: [(text: String, problems: String, failed: Bool, parallel: Int)] = []
    for jobs in [1, 2] {
      let run = try PipeRun(evaluator: try Self.evaluator(), jobs: jobs)
      let bytes = Array(input.utf8)
      let feeder = DispatchQueue(label: "feeder")
      feeder.async {
        var next = 0
        while next < bytes.count {
          let end = min(next + pieceSize, bytes.count)
          bytes[next..<end].withUnsafeBytes { _ = write(run.input.write, $0.baseAddress, $0.count) }
          next = end
        }
      }
      var text = ""
      feeder.sync {}
      #expect(run.finish(into: &text))
      results.append((text, run.problems, run.hasFailures, run.objectsDoneInParallel))
    }
    #expect(results[0].text == results[1].text)
    #expect(results[0].problems == results[1].problems)
    #expect(results[0].problems.contains("<stdin>:414:25: malformed JSON"))
    #expect(results[0].problems.contains("object 9 (example.com/v1 Widget w7)"))
    #expect(results[0].failed && results[1].failed)
    #expect(results[0].parallel == 0 && results[1].parallel > 0)
    #expect(results[1].text.split(separator: "\n").count == 402)
  }
}
