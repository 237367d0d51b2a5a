import ArgumentParser
import SyncCheck
import SyncCompile
import SyncRuntime
import SyncSyntax

/// `syncrules check`: the CI gate.
struct Check: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Parse and type-check rule files.",
    discussion: """
      Exit status: 0 when there is no error (warnings allowed), 1 when any finding is an \
      error, 2 for usage errors (bad flags, missing files).
      """)

  @OptionGroup var rules: RuleInputOptions

  @Option(help: "Output format: text, json (one object per line) or github (workflow annotations).")
  var format: DiagnosticFormat = .text

  @Flag(help: "Color the text output (default: when standard error is a terminal).")
  var color = false

  @Argument(
    help: ArgumentHelp("Rule files or directories of .sync files.", valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let color = color || (format == .text && Terminal.isTTY(2))
    let ruleSet = try loadRuleSet(paths: paths, options: rules, format: format, color: color)
    let renderer = DiagnosticRenderer(files: ruleSet.files, format: format, color: color)
    let output = renderer.render(ruleSet.diagnostics)
    if !output.isEmpty { Terminal.write(output, to: format == .text ? 2 : 1) }
    if format == .text {
      Terminal.write(Summary.line(for: ruleSet), to: 2)
    }
    if ruleSet.hasErrors { throw ExitCode(1) }
  }
}

/// `syncrules explain`: the compiled program, readably.
struct Explain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Print the compiled patch program, with the source line of each instruction.")

  @OptionGroup var rules: RuleInputOptions

  @Argument(
    help: ArgumentHelp("Rule files or directories of .sync files.", valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let ruleSet = try loadRuleSet(paths: paths, options: rules)
    guard let program = ruleSet.program else {
      let renderer = DiagnosticRenderer(
        files: ruleSet.files, format: .text, color: Terminal.isTTY(2))
      Terminal.write(renderer.render(ruleSet.diagnostics), to: 2)
      Terminal.write(Summary.line(for: ruleSet), to: 2)
      throw ExitCode(1)
    }
    Terminal.write(Disassembler.render(program), to: 1)
  }
}

/// Loads rules for a command, turning input problems into the right exit code.
///
/// A problem with the inputs (a missing rule file, a CRD that does not parse) is
/// printed like any finding, in `format`: JSON and GitHub output go to standard output
/// with the findings, text to standard error.
func loadRuleSet(
  paths: [String], options: RuleInputOptions, format: DiagnosticFormat = .text,
  color: Bool = Terminal.isTTY(2)
) throws -> RuleSet {
  let stdlib: any StdlibSource =
    options.stdlib.map { DirectoryStdlib(directory: $0) } ?? EmbeddedStdlib()
  do {
    return try RuleSet.load(
      RuleSet.Options(
        rulePaths: paths, crdPaths: options.crdPaths, strict: options.strict, stdlib: stdlib))
  } catch {
    let (files, diagnostic) = error.diagnostic()
    let renderer = DiagnosticRenderer(files: files, format: format, color: color)
    Terminal.write(renderer.render([diagnostic]), to: format == .text ? 2 : 1)
    throw ExitCode(error.isUsageError ? 2 : 1)
  }
}

extension DiagnosticFormat: ExpressibleByArgument {}

/// The closing line of `check`: what was checked and what was found.
enum Summary {
  static func line(for ruleSet: RuleSet) -> String {
    let errors = ruleSet.diagnostics.filter { $0.severity == .error }.count
    let warnings = ruleSet.diagnostics.filter { $0.severity == .warning }.count
    let files = ruleSet.files.files.count
    let rules = ruleSet.checked.rules.count
    func plural(_ count: Int, _ word: String) -> String {
      "\(count) \(word)\(count == 1 ? "" : "s")"
    }
    return "\(plural(files, "file")), \(plural(rules, "rule")): "
      + "\(plural(errors, "error")), \(plural(warnings, "warning"))\n"
  }
}
