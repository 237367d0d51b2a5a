import Dispatch
import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import Testing

/// The parallel reader on file descriptors: pipes that deliver bytes in odd pieces, and
/// pipes that pause, where each object must come out before the next arrives.
struct ParallelApplyTests {
  static let rules = """
    rule workload match apps/v1 Deployment { set spec.replicas = 0 }
    rule widget match example.com/v1 Widget { set spec.size.value = 1 }
    """

  static func deployment(_ name: String) -> String {
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)"},"spec":{"replicas":2}}"#
  }

  static func rewritten(_ name: String) -> String {
    deployment(name).replacingOccurrences(of: "2}}", with: "0}}") + "\n"
  }

  static func widget(_ name: String) -> String {
    #"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"\#(name)"},"spec":{"size":"s"}}"#
  }

  static func evaluator() throws -> Evaluator {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    return Evaluator(program: try #require(ruleSet.program))
  }

  /// Runs `apply` over the read end of a pipe on another thread, and reads what it writes
  /// on a third, so that neither side can block the other.
  final class PipeRun: @unchecked Sendable {
    let input: (read: Int32, write: Int32)
    let output: (read: Int32, write: Int32)
    private let finished = DispatchSemaphore(value: 0)
    private let drained = DispatchSemaphore(value: 0)
    private let lock = NSCondition()
    private var collected: [UInt8] = []
    private(set) var problems = ""
    private(set) var hasFailures = false
    private(set) var objectsDoneInParallel = 0

    /// - Parameter messagesToOutput: write failure messages into the output pipe too, as a
    ///   terminal shows standard output and error together.
    init(
      evaluator: Evaluator, jobs: Int, batchBytes: Int = 256 * 1024,
      messagesToOutput: Bool = false
    ) throws {
      // A write into a pipe whose reader has gone must fail, not end the test process.
      signal(SIGPIPE, SIG_IGN)
      var fds: [Int32] = [0, 0]
      try #require(pipe(&fds) == 0)
      input = (fds[0], fds[1])
      try #require(pipe(&fds) == 0)
      output = (fds[0], fds[1])
      DispatchQueue.global().async { [self] in
        let applier = StreamApplier(
          options: .init(jobs: jobs, batchBytes: batchBytes),
          output: OutputSink(fileDescriptor: output.write), evaluator: evaluator,
          problem: { message in
            self.problems += message
            if messagesToOutput {
              Array(message.utf8).withUnsafeBytes {
                _ = write(self.output.write, $0.baseAddress, $0.count)
              }
            }
          })
        _ = try? applier.apply(StreamInput(fileDescriptor: input.read, name: "<stdin>"))
        try? applier.finish()
        hasFailures = applier.hasFailures
        objectsDoneInParallel = applier.objectsDoneInParallel
        close(input.read)
        close(output.write)
        finished.signal()
      }
      DispatchQueue.global().async { [self] in
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
          let count = read(output.read, &buffer, buffer.count)
          if count <= 0 { break }
          lock.lock()
          collected += buffer[..<count]
          lock.broadcast()
          lock.unlock()
        }
        close(output.read)
        drained.signal()
      }
    }

    func send<Text: StringProtocol>(_ text: Text) {
      let bytes = Array(text.utf8)
      bytes.withUnsafeBytes { _ = write(input.write, $0.baseAddress, $0.count) }
    }

    /// Everything written so far.
    var text: String {
      lock.lock()
      defer { lock.unlock() }
      return String(decoding: collected, as: UTF8.self)
    }

    /// Waits until the output holds `lines` line feeds; false after 30 s without them
    /// (the test fails instead of hanging when output is held back).
    func waitForLines(_ lines: Int) -> Bool {
      let deadline = Date().addingTimeInterval(30)
      lock.lock()
      defer { lock.unlock() }
      while collected.count(where: { $0 == 0x0A }) < lines {
        if !lock.wait(until: deadline) { return false }
      }
      return true
    }

    /// Closes the input and waits for the applier to finish and its output to be read.
    func finish() -> Bool {
      close(input.write)
      return finished.wait(timeout: .now() + 30) == .success
        && drained.wait(timeout: .now() + 30) == .success
    }
  }

  @Test func objectsComeOutBeforeTheNextArrives() throws {
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2)
    for index in 0..<3 {
      run.send(Self.deployment("web-\(index)") + "\n")
      #expect(run.waitForLines(index + 1), "object \(index) was held back")
    }
    #expect(run.finish())
    #expect(run.text == (0..<3).map { Self.rewritten("web-\($0)") }.joined())
    #expect(run.objectsDoneInParallel == 3)
  }

  /// A whole line is written out while the line after it is still incomplete.
  @Test func lineComesOutWhileTheNextIsHalfWritten() throws {
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2)
    let second = Self.deployment("web-1")
    let half = second.index(second.startIndex, offsetBy: second.count / 2)
    run.send(Self.deployment("web-0") + "\n" + second[..<half])
    #expect(run.waitForLines(1), "the first object waited for the second")
    run.send(second[half...] + "\n")
    #expect(run.waitForLines(2))
    #expect(run.finish())
    #expect(run.text == Self.rewritten("web-0") + Self.rewritten("web-1"))
  }

  /// Batches already done are written out while the reader waits for the rest of a
  /// line that was cut where a batch ends (so some of it is read before the wait).
  @Test func finishedBatchesDoNotWaitForAHalfLineAfterThem() throws {
    let lines = (0..<40).map { Self.deployment("web-\($0)") + "\n" }.joined()
    let batchBytes = lines.utf8.count + 10
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2, batchBytes: batchBytes)
    let last = Self.deployment("last")
    let half = last.index(last.startIndex, offsetBy: 40)
    run.send(lines + last[..<half])
    #expect(run.waitForLines(40), "finished objects waited for the half line")
    run.send(last[half...] + "\n")
    #expect(run.waitForLines(41))
    #expect(run.finish())
    #expect(run.text.hasSuffix(Self.rewritten("last")))
  }

  /// JSON values one after another without line feeds come out one by one.
  @Test func valuesWithoutLineFeedsComeOutAsTheyArrive() throws {
    let run = try PipeRun(evaluator: try Self.evaluator(), jobs: 2)
    run.send(Self.deployment("first"))
    #expect(run.waitForLines(1), "a whole value waited for a line feed")
    run.send(Self.deployment("second"))
    #expect(run.waitForLines(2))
    #expect(run.finish())
    #expect(run.text == Self.rewritten("first") + Self.rewritten("second"))
  }

  /// On a pipe, a failure's message comes after the objects before it and before the
  /// objects after it, as on one thread.
  @Test func messagesKeepTheirPlaceAmongObjects() throws {
    let input =
      [Self.deployment("a"), Self.widget("w"), Self.deployment("b")].joined(separator: "\n")
      + "\n"
    var texts: [String] = []
    for jobs in [1, 2] {
      let run = try PipeRun(evaluator: try Self.evaluator(), jobs: jobs, messagesToOutput: true)
      run.send(input)
      #expect(run.finish())
      texts.append(run.text)
    }
    #expect(texts[0] == texts[1])
    let lines = texts[1].split(separator: "\n")
    #expect(lines.count == 4)
    #expect(lines.first?.contains(#""name":"a""#) == true)
    #expect(lines.dropFirst().first?.hasPrefix("error[E0601]: <stdin>: object 2") == true)
    #expect(lines.last?.contains(#""name":"b""#) == true)
  }

  /// A pipe fed in pieces that cut lines anywhere, with failures, a value spanning lines
  /// and a malformed line: the same output and messages as one thread.
  @Test(arguments: [1, 5, 333, 65_536])
  func pipeFedInPiecesMatchesOneThread(pieceSize: Int) throws {
    var lines: [String] = []
    for index in 0..<400 {
      lines.append(Self.deployment("d\(index)"))
      if index % 50 == 7 { lines.append(Self.widget("w\(index)")) }
    }
    lines.append(
      "{\n  \"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\",\n  \"metadata\": {\"name\": \"pretty\"}\n}"
    )
    lines.append(Self.deployment("after-pretty"))
    lines.append(#"{"apiVersion":"apps/v1",}"#)
    // Lines are independent: the one after a malformed line is read.
    lines.append(Self.deployment("after-malformed"))
    let input = Array((lines.joined(separator: "\n") + "\n").utf8)

    var results: [(text: String, problems: String, failed: Bool, parallel: Int)] = []
    for jobs in [1, 2] {
      let run = try PipeRun(evaluator: try Self.evaluator(), jobs: jobs)
      var next = 0
      while next < input.count {
        let end = min(next + pieceSize, input.count)
        input[next..<end].withUnsafeBytes { _ = write(run.input.write, $0.baseAddress, $0.count) }
        next = end
      }
      #expect(run.finish())
      results.append((run.text, run.problems, run.hasFailures, run.objectsDoneInParallel))
    }
    #expect(results[0].text == results[1].text)
    #expect(results[0].problems == results[1].problems)
    #expect(results[0].problems.contains("<stdin>:414:25: malformed JSON"))
    #expect(results[0].problems.contains("object 9 (example.com/v1 Widget w7)"))
    #expect(results[0].failed && results[1].failed)
    #expect(results[0].parallel == 0 && results[1].parallel > 0)
    #expect(results[1].text.split(separator: "\n").count == 403)
    #expect(results[1].text.contains("after-malformed"))
  }

  /// One bad line in 20,000 loses nothing else, and the workers go on past it: before,
  /// the stream ended there (9,999 objects lost), and with two threads the rest of the
  /// input went to one thread.
  @Test func aMalformedLineIsSkippedOnTheWorkers() throws {
    var lines: [String] = []
    for index in 0..<20_000 {
      lines.append(index == 10_000 ? #"{"apiVersion":"apps/v1",}"# : Self.deployment("d\(index)"))
    }
    let input = Array((lines.joined(separator: "\n") + "\n").utf8)
    var outputs: [String] = []
    for jobs in [1, 2] {
      let run = try PipeRun(evaluator: try Self.evaluator(), jobs: jobs)
      input.withUnsafeBytes { bytes in
        var next = 0
        while next < bytes.count {
          let count = write(run.input.write, bytes.baseAddress! + next, bytes.count - next)
          guard count > 0 else { break }
          next += count
        }
      }
      #expect(run.finish())
      #expect(
        run.problems
          == "error[E0701]: <stdin>:10001:25: malformed JSON: expected '\"' to begin an object key, found '}'\n"
      )
      #expect(run.hasFailures)
      #expect(run.objectsDoneInParallel == (jobs == 1 ? 0 : 19_999))
      outputs.append(run.text)
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0].split(separator: "\n").count == 19_999)
    #expect(outputs[0].hasSuffix(Self.rewritten("d19999")))
  }
}
