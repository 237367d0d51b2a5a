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
    version: "0.1.0",
    subcommands: [
      CheckCommand.self, ExplainCommand.self, ApplyCommand.self, TestCommand.self,
      SyncCommand.self, DiffCommand.self,
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

/// Options every command that reads rules shares.
struct RuleInputOptions: ParsableArguments {
  @Option(
    name: .customLong("crd"),
    help: ArgumentHelp(
      "A CustomResourceDefinition file or directory (YAML or JSON); repeatable.",
      valueName: "FILE_OR_DIR"))
  var crdPaths: [String] = []

  @Flag(help: "Treat kinds without a known schema as errors.")
  var strict = false

  @Option(
    help: ArgumentHelp(
      "Read `import \"std/…\"` from this directory instead of the built-in copy.",
      valueName: "DIR"))
  var stdlib: String?

  /// Where `paths` and their imports and CRDs are read from.
  func ruleSetOptions(paths: [String]) -> RuleSet.Options {
    RuleSet.Options(
      rulePaths: paths, crdPaths: crdPaths, strict: strict,
      stdlib: RuleSet.stdlib(directory: stdlib))
  }
}
