import ArgumentParser
import Foundation
import Logging
import SyncCommandOptions
import SyncDemo
import SyncDriver
import SyncLoop
import SyncRuntime

/// `kube-api-server demo`: two in-process API servers and the loop between them, loaded
/// with the shipped example data (see ``DemoScenario``).
struct DemoCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run syncrules' loop between two in-process API servers with the example data.",
    discussion: """
      Production is loaded with docs/examples/production.json and the standby starts \
      empty; the loop copies it, follows a Deployment an operator creates and prunes it \
      when it is deleted. Run it from the repository root. Exit status: 0 when the demo \
      ran and production received no write from syncrules, 1 when the rules have errors \
      or production was written to, 2 when the demo could not run.
      """)

  @Option(
    name: [.customShort("f"), .customLong("rules")],
    help: "Rule files or directories; repeatable (default: docs/examples/dr-standby.sync).")
  var rulePaths: [String] = []

  @OptionGroup var ruleInput: RuleInputOptions

  @Option(help: "Log format: text or json.")
  var logFormat: LogOutput.Format = .text

  func run() async throws {
    let paths = rulePaths.isEmpty ? [DemoScenario.defaultRules] : rulePaths
    let ruleSet: RuleSet
    do {
      ruleSet = try RuleSet.load(ruleInput.ruleSetOptions(paths: paths))
    } catch {
      FileHandle.standardError.write(Data(error.renderedDiagnostic().utf8))
      throw ExitCode(error.isUsageError ? 2 : 1)
    }
    guard let program = ruleSet.program else {
      FileHandle.standardError.write(Data(ruleSet.renderedFailure().utf8))
      throw ExitCode(1)
    }
    let format = logFormat
    LoggingSystem.bootstrap { LogOutput(label: $0, format: format) }
    let writes: Int
    do {
      writes = try await DemoScenario(program: program, rulePaths: paths)
        .run(logger: Logger(label: "syncrules"), say: say)
    } catch let failure as DemoScenario.Failure {
      FileHandle.standardError.write(Data("kube-api-server: error: \(failure)\n".utf8))
      throw ExitCode(2)
    }
    if writes > 0 { throw ExitCode(1) }
  }
}

extension LogOutput.Format: ExpressibleByArgument {}
