import ArgumentParser
import SyncDriver
import SyncRuntime

/// The `syncrules` command: rule files in, Kubernetes objects rewritten.
@main
struct Syncrules: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "syncrules",
    abstract: "Select and rewrite Kubernetes objects for a disaster-recovery standby.",
    discussion: """
      Rule files (.sync) are parsed, type-checked against Kubernetes OpenAPI schemas, \
      compiled, and run over objects from `kubectl get -o json` or YAML.
      """,
    version: "0.1.0 (commit \(buildCommit))",
    subcommands: [
      CheckCommand.self, ExplainCommand.self, ApplyCommand.self, TestCommand.self,
      SyncCommand.self, DiffCommand.self, ImportCommand.self,
    ]
  )

  /// Parses and runs, mapping argument errors to exit status 2 (usage error), which is
  /// what `check` documents, instead of the parser's default 64.
  static func main() async {
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      let code = exitCode(for: error)
      if code == .validationFailure {
        Terminal.write(fullMessage(for: error) + "\n", to: 2)
        Terminal.write("Run `syncrules help` for usage.\n", to: 2)
        exit(withError: ExitCode(2))
      }
      exit(withError: error)
    }
  }
}
