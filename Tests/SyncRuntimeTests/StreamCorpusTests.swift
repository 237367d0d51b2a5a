import Foundation
import SyncRuntime
import SyncValue
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
/// `SYNCRULES_UPDATE_CORPUS=1 swift test --filter StreamCorpus` rewrites the expected
/// files from the actual output; review the diff before committing.
struct StreamCorpusTests {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("StreamCorpus")

  static let cases: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return names.filter { name in
      var isDirectory: ObjCBool = false
      let path = directory.appendingPathComponent(name).path
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }.sorted()
  }()

  @Test func corpusIsNotEmpty() {
    #expect(Self.cases.count >= 20)
  }

  @Test(arguments: cases)
  func corpusCase(_ name: String) throws {
    let folder = Self.directory.appendingPathComponent(name)
    func read(_ file: String) -> String? {
      try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
    }
    let shared = try String(
      contentsOf: Self.directory.appendingPathComponent("rules.sync"), encoding: .utf8)
    let rules = read("rules.sync") ?? shared
    let inputName = try #require(
      ["input.json", "input.yaml", "input.txt"].first { read($0) != nil }, "no input file")
    let input = try Data(contentsOf: folder.appendingPathComponent(inputName))
    let options = try Self.options(from: read("args") ?? "")

    let result = try StreamRun.run(
      rules: rules, input: [UInt8](input), inputName: inputName, options: options)

    let expectations: [(file: String, actual: String)] = [
      ("expected.out", result.output),
      ("expected.err", result.problems),
      ("expected.report", result.report.renderText()),
      ("expected.report.json", result.report.renderJSON()),
    ]
    let update = ProcessInfo.processInfo.environment["SYNCRULES_UPDATE_CORPUS"] == "1"
    for (file, actual) in expectations {
      let url = folder.appendingPathComponent(file)
      let mandatory = file == "expected.out" || file == "expected.err"
      if update && (mandatory || read(file) != nil) {
        if file == "expected.err" && actual.isEmpty {
          try? FileManager.default.removeItem(at: url)
        } else {
          try actual.write(to: url, atomically: true, encoding: .utf8)
        }
        continue
      }
      guard let expected = read(file) ?? (file == "expected.err" ? "" : nil) else { continue }
      #expect(actual == expected, "\(name)/\(file)")
    }
    let expectsFailure = !(read("expected.err") ?? "").isEmpty
    #expect(result.hasFailures == expectsFailure, "exit status of \(name)")
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
  }

  static func run(
    rules: String, input: [UInt8], inputName: String, options: StreamApplier.Options
  ) throws -> Result {
    let ruleSet = RuleSet.load(text: rules, path: "rules.sync")
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    let evaluator = Evaluator(program: program)
    return try run(
      input: input, inputName: inputName, options: options, evaluate: evaluator.evaluate)
  }

  static func run(
    input: [UInt8], inputName: String, options: StreamApplier.Options,
    evaluate: @escaping (Value) -> Outcome
  ) throws -> Result {
    let url = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-stream-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: url.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: url) }
    let handle = try FileHandle(forWritingTo: url)
    let sink = OutputSink(fileDescriptor: handle.fileDescriptor)
    var problems = ""
    let applier = StreamApplier(
      options: options, output: sink, evaluate: evaluate, problem: { problems += $0 })
    try applier.apply(StreamInput(bytes: input, name: inputName))
    try applier.finish()
    try handle.close()
    let output = try String(contentsOf: url, encoding: .utf8)
    return Result(
      output: output, problems: problems, report: applier.report,
      hasFailures: applier.hasFailures)
  }
}
