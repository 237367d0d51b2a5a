import ArgumentParser
import SyncCommandOptions
import SyncCompile
import SyncProgram
import SyncRuntime
import SyncSyntax

/// `syncrules check`: the CI gate.
struct CheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Parse and type-check rule files.",
    discussion: """
      Exit status: 0 when there is no error (warnings allowed), 1 when any finding is an \
      error, 2 for usage errors (bad flags, missing files).
      """)

  @OptionGroup var rules: RuleInputOptions

  @Option(
    name: [.customShort("o"), .customLong("output"), .customLong("format")],
    help:
      "Output format: text, json (one object per finding, one per line) or github (workflow annotations)."
  )
  var format: DiagnosticFormat = .text

  @Flag(help: "Color the text output (default: when standard error is a terminal).")
  var color = false

  @Argument(
    help: ArgumentHelp("Rule files or directories of .sync files.", valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let color = color || (format == .text && Terminal.colorsByDefault(2))
    let ruleSet = try loadRuleSet(paths: paths, options: rules, format: format, color: color)
    writeFindings(ruleSet.renderedDiagnostics(format: format, color: color), format: format)
    if format == .text { Terminal.write(ruleSet.summaryLine, to: 2) }
    if ruleSet.hasErrors { throw ExitCode(1) }
  }
}

/// `syncrules explain`: the compiled program, readably.
struct ExplainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "explain",
    abstract: "Print the compiled patch program, with the source line of each instruction.")

  @OptionGroup var rules: RuleInputOptions

  @Option(
    name: [.customShort("o"), .customLong("output")], help: "Output format: text, json or yaml.")
  var output: ResultFormat = .text

  @Argument(
    help: ArgumentHelp("Rule files or directories of .sync files.", valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let program = try requireProgram(try loadRuleSet(paths: paths, options: rules))
    let text =
      output == .text
      ? Disassembler.render(program) : output.render(Disassembler.document(program))
    Terminal.write(text, to: 1)
  }
}
