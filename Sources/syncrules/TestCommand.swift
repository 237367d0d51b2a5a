import ArgumentParser
import SyncDriver
import SyncRuntime

/// `syncrules test`: expected-output tests for rule authors.
struct TestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "test",
    abstract: "Run the *.test.yaml rule tests under the given files and directories.",
    discussion: """
      Each test file names rule files, input objects and what must come out: the objects, \
      an outcome per object (skipped, dropped, unmatched, failed with a code) or the \
      diagnostics `check` must report. See docs/testing.md.

      Exit status: 0 when every case passes, 1 when any case fails, 2 for usage errors \
      (a missing path, a test file that is not in the format, no test files found).
      """)

  @Option(
    name: .customLong("crd"),
    help: ArgumentHelp(
      "A CustomResourceDefinition file or directory added to every test; repeatable.",
      valueName: "FILE_OR_DIR"))
  var crdPaths: [String] = []

  @Option(
    help: ArgumentHelp(
      "Read `import \"std/…\"` from this directory instead of the built-in copy.",
      valueName: "DIR"))
  var stdlib: String?

  @Flag(name: .shortAndLong, help: "Also show what happened to each object of passing cases.")
  var verbose = false

  @Flag(help: "Color the output (default: when standard output is a terminal).")
  var color = false

  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: "Output format: text (a line per case), json or yaml (one document at the end).")
  var output: ResultFormat = .text

  @Argument(
    help: ArgumentHelp(
      "Test files, or directories searched recursively for *.test.yaml.",
      valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let files: [String]
    do {
      files = try RuleTestSuite.discover(paths: paths)
    } catch {
      Terminal.write("syncrules: error: \(error.path): \(error.message)\n", to: 2)
      throw ExitCode(2)
    }
    guard !files.isEmpty else {
      Terminal.write(
        "syncrules: error: no *.test.yaml files under \(paths.joined(separator: ", "))\n", to: 2)
      throw ExitCode(2)
    }
    let runner = RuleTestRunner(
      stdlib: RuleSet.stdlib(directory: stdlib),
      crdPaths: crdPaths)
    var report = RuleTestReport(verbose: verbose, color: color || Terminal.colorsByDefault(1))
    let streaming = output == .text
    var results: [RuleTestResult] = []
    var fileErrors: [RuleTestFileError] = []
    for file in files {
      let suite: RuleTestSuite
      do {
        suite = try RuleTestSuite.load(path: file)
      } catch {
        let line = report.add(error)
        if streaming { Terminal.write(line, to: 1) } else { fileErrors.append(error) }
        continue
      }
      for result in runner.run(suite) {
        let lines = report.add(result)
        if streaming { Terminal.write(lines, to: 1) } else { results.append(result) }
      }
    }
    Terminal.write(
      streaming
        ? report.summary
        : output.render(RuleTestReport.document(results: results, fileErrors: fileErrors)),
      to: 1)
    if report.exitStatus != 0 { throw ExitCode(report.exitStatus) }
  }
}
