import ArgumentParser
import SyncCommandOptions
import SyncCompile
import SyncDriver
import SyncProgram
import SyncRuntime
import SyncSyntax

// How every command loads rules and shows their findings: one place, so a missing file,
// a CRD that does not parse and a rule error look the same whichever command met them.

/// Loads rules for a command, turning input problems into the right exit code.
///
/// A problem with the inputs (a missing rule file, a CRD that does not parse) is
/// printed like any finding, in `format`: JSON and GitHub output go to standard output
/// with the findings, text to standard error.
func loadRuleSet(
  paths: [String], options: RuleInputOptions, format: DiagnosticFormat = .text,
  color: Bool = Terminal.colorsByDefault(2)
) throws -> RuleSet {
  do {
    return try RuleSet.load(options.ruleSetOptions(paths: paths))
  } catch {
    writeFindings(error.renderedDiagnostic(format: format, color: color), format: format)
    throw ExitCode(error.isUsageError ? 2 : 1)
  }
}

/// The compiled program; when the rules have errors, prints the findings and the
/// summary line on standard error and exits with `status`.
///
/// - Parameter showingWarnings: also print the findings when the rules compiled
///   (`apply` shows warnings before its output).
func requireProgram(_ ruleSet: RuleSet, status: Int32 = 1, showingWarnings: Bool = false)
  throws -> PatchProgram
{
  let color = Terminal.colorsByDefault(2)
  guard let program = ruleSet.program else {
    Terminal.write(ruleSet.renderedFailure(color: color), to: 2)
    throw ExitCode(status)
  }
  if showingWarnings { Terminal.write(ruleSet.renderedDiagnostics(color: color), to: 2) }
  return program
}

/// Findings in text go to standard error; JSON and GitHub annotations are the output.
func writeFindings(_ text: String, format: DiagnosticFormat) {
  if !text.isEmpty { Terminal.write(text, to: format == .text ? 2 : 1) }
}

extension DiagnosticFormat: ExpressibleByArgument {}
