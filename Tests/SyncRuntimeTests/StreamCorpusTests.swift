import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import TestSupport
import Testing

/// End-to-end cases for the pipe, one directory each under `StreamCorpus/`:
///
/// - `rules.sync` — the rules (shared ones live in `StreamCorpus/rules.sync`)
/// - `input.json` or `input.yaml` (or `input.txt`: the format is detected either way)
/// - `args` — optional flags: `-o FORMAT`, `--input-format FORMAT`, `--passthrough`, `--diff`
/// - `expected.out` — standard output, byte for byte
/// - `expected.err` — the failure messages (absent: none)
/// - `expected.report` — the text report (optional); `expected.report.json` likewise
///
/// `SYNCRULES_UPDATE_GOLDENS=1 swift test --filter StreamCorpus` rewrites the expected
/// files from the actual output; review the diff before committing.
struct StreamCorpusTests {
  static let directory = Repository.url("Tests/SyncRuntimeTests/StreamCorpus")

  static let cases = Repository.directories(in: directory)

  @Test func corpusIsNotEmpty() {
    #expect(Self.cases.count >= 20)
  }

  /// One case directory: its files, the rules it runs and its input.
  struct Case {
    let folder: URL
    let rules: String
    let inputName: String
    let input: [UInt8]

    init(_ name: String) throws {
      folder = StreamCorpusTests.directory.appendingPathComponent(name)
      let shared = try String(
        contentsOf: StreamCorpusTests.directory.appendingPathComponent("rules.sync"),
        encoding: .utf8)
      let folder = folder
      func read(_ file: String) -> String? {
        try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
      }
      rules = read("rules.sync") ?? shared
      // Inputs may hold bytes that are not UTF-8 on purpose: look for the file, not text.
      inputName = try #require(
        ["input.json", "input.yaml", "input.txt"].first {
          FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
        }, "no input file")
      input = [UInt8](try Data(contentsOf: folder.appendingPathComponent(inputName)))
    }

    /// A file of the case, nil when it has none.
    func read(_ file: String) -> String? {
      try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
    }

    func run(_ options: StreamApplier.Options) throws -> StreamRun.Result {
      try StreamRun.run(rules: rules, input: input, inputName: inputName, options: options)
    }
  }

  @Test(arguments: cases)
  func corpusCase(_ name: String) throws {
    let corpusCase = try Case(name)
    let folder = corpusCase.folder
    let read = corpusCase.read
    let result = try corpusCase.run(try Self.options(from: read("args") ?? ""))

    let output = folder.appendingPathComponent("expected.out")
    #expect(
      result.output == (try Golden.expected(result.output, at: output)), "\(name)/expected.out")
    let problems = folder.appendingPathComponent("expected.err")
    let expectedProblems = try Golden.expectedOrEmpty(result.problems, at: problems)
    #expect(result.problems == expectedProblems, "\(name)/expected.err")
    // The reports are compared where the case has them.
    let reports = [
      ("expected.report", result.report.renderText()),
      ("expected.report.json", result.report.renderJSON()),
    ]
    for (file, actual) in reports where read(file) != nil {
      let url = folder.appendingPathComponent(file)
      #expect(actual == (try Golden.expected(actual, at: url)), "\(name)/\(file)")
    }
    let expectsFailure = !expectedProblems.isEmpty
    #expect(result.hasFailures == expectsFailure, "exit status of \(name)")
  }

  /// The cases of which the parallel reader does some objects (JSON one value per line,
  /// up to where it is not); the others go to the sequential reader at once (indented
  /// JSON, YAML, output as YAML) or after the first value is found to be a List.
  static let lineCases = [
    "ndjson", "ndjson-malformed", "ndjson-to-yaml", "ndjson-mixed-shapes", "ndjson-bom-crlf",
    "ndjson-malformed-late", "watch-frames", "watch-frames-bookmarks",
    "concatenated-no-separator", "top-level-number", "ndjson-bad-lines",
  ]

  /// Every case again on two threads, cut into batches of many sizes (down to one byte,
  /// which puts a cut inside every line): output, messages, report and exit status must
  /// be the expected ones, which the sequential reader produced.
  @Test(arguments: cases)
  func corpusCaseInParallel(_ name: String) throws {
    let corpusCase = try Case(name)
    let read = corpusCase.read
    let expectedOutput = try #require(read("expected.out"))
    let expectedProblems = read("expected.err") ?? ""
    for batchBytes in [1, 7, 64, 300, 4096, 256 * 1024] {
      var options = try Self.options(from: read("args") ?? "")
      options.jobs = 2
      options.batchBytes = batchBytes
      let result = try corpusCase.run(options)
      #expect(result.output == expectedOutput, "\(name), batches of \(batchBytes) bytes")
      #expect(result.problems == expectedProblems, "\(name), batches of \(batchBytes) bytes")
      if let report = read("expected.report") {
        #expect(result.report.renderText() == report, "\(name), batches of \(batchBytes)")
      }
      #expect(result.hasFailures == !expectedProblems.isEmpty)
      let parallel = Self.lineCases.contains(name) && options.outputFormat != .yaml
      #expect(
        (result.objectsDoneInParallel > 0) == parallel,
        "\(name): \(result.objectsDoneInParallel) objects done in parallel")
    }
  }

  static func options(from args: String) throws -> StreamApplier.Options {
    var options = StreamApplier.Options(flushEachObject: false)
    var words = args.split(whereSeparator: \.isWhitespace).map(String.init)[...]
    while let word = words.popFirst() {
      switch word {
      case "-o": options.outputFormat = OutputFormat(rawValue: words.popFirst() ?? "")
      case "--input-format": options.inputFormat = InputFormat(rawValue: words.popFirst() ?? "")
      case "--passthrough": options.passthrough = true
      case "--diff": options.diff = true
      default: Issue.record("unknown flag in args: \(word)")
      }
    }
    return options
  }
}

/// Runs a ``StreamApplier`` in process, with its output in a temporary file.
enum StreamRun {
  struct Result {
    var output: String
    var problems: String
    var report: ApplyReport
    var hasFailures: Bool
    var objectsDoneInParallel = 0
  }

  static func run(
    rules: String, input: [UInt8], inputName: String, options: StreamApplier.Options
  ) throws -> Result {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    return try run(
      input: input, inputName: inputName, options: options,
      evaluator: Evaluator(program: program))
  }

  /// Runs `evaluate` on the calling thread, or an evaluator on `options.jobs` threads.
  static func run(
    input: [UInt8], inputName: String, options: StreamApplier.Options,
    evaluate: ((Value) -> Outcome)? = nil, evaluator: Evaluator? = nil
  ) throws -> Result {
    let directory = try TemporaryDirectory(prefix: "syncrules-stream")
    let url = URL(fileURLWithPath: try directory.write("output", ""))
    let handle = try FileHandle(forWritingTo: url)
    let sink = OutputSink(fileDescriptor: handle.fileDescriptor)
    var problems = ""
    let applier: StreamApplier
    if let evaluator {
      applier = StreamApplier(
        options: options, output: sink, evaluator: evaluator, problem: { problems += $0 })
    } else {
      applier = StreamApplier(
        options: options, output: sink, evaluate: try #require(evaluate),
        problem: { problems += $0 })
    }
    try applier.apply(StreamInput(bytes: input, name: inputName))
    try applier.finish()
    try handle.close()
    let output = try String(contentsOf: url, encoding: .utf8)
    return Result(
      output: output, problems: problems, report: applier.report,
      hasFailures: applier.hasFailures, objectsDoneInParallel: applier.objectsDoneInParallel)
  }
}
