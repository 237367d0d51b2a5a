import ArgumentParser
import Foundation
import SyncDriver
import SyncImport
import SyncSchema

/// `syncrules import`: another tool's configuration as a `.sync` file.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Translate Karmada policies or Velero resource modifiers into a .sync file.",
    discussion: """
      The .sync text goes to standard output (or -o FILE); warnings go to standard error, \
      each with a stable code (docs/diagnostics.md). Exit status: 0 when translated \
      (warnings allowed), 1 when a policy is malformed (nothing is written), 2 for usage \
      errors (bad flags, a path that does not exist).
      """,
    subcommands: [ImportKarmadaCommand.self, ImportVeleroCommand.self])
}

/// The options both importers share.
struct ImportOutputOptions: ParsableArguments {
  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: ArgumentHelp("Write the .sync file here instead of standard output.", valueName: "FILE"))
  var output: String?

  @Option(
    name: .customLong("crd"),
    help: ArgumentHelp(
      "A CustomResourceDefinition file or directory, for kinds the policies name; repeatable.",
      valueName: "FILE_OR_DIR"))
  var crdPaths: [String] = []

  func registry() throws -> SchemaRegistry {
    guard !crdPaths.isEmpty else { return .builtIn }
    do {
      return try SchemaRegistry.builtIn.adding(crdPaths: crdPaths)
    } catch {
      Terminal.write("\(error)\n", to: 2)
      throw ExitCode(2)
    }
  }

  /// Prints the findings, writes the text, and fails on errors: the translation's own,
  /// or the checker's on the text (a policy Kubernetes would refuse, such as a name
  /// that is not a valid object name, still translates, and `check` says where).
  func finish(
    registry: SchemaRegistry, _ translate: () throws(ImportFailure) -> ImportResult
  ) throws {
    let result: ImportResult
    do {
      result = try translate()
    } catch {
      Terminal.write(error.findings.map { "\($0)\n" }.joined(), to: 2)
      throw ExitCode(error.isUsageError ? 2 : 1)
    }
    Terminal.write(result.findings.map { "\($0)\n" }.joined(), to: 2)
    if let output {
      do {
        try result.text.write(toFile: output, atomically: true, encoding: .utf8)
      } catch {
        Terminal.write("\(output): cannot write: \(error.localizedDescription)\n", to: 2)
        throw ExitCode(1)
      }
    } else {
      Terminal.write(result.text, to: 1)
    }
    let checked = RuleSet.load(text: result.text, path: output ?? "<import>", registry: registry)
    if checked.hasErrors {
      Terminal.write(checked.renderedFailure(), to: 2)
      Terminal.write("syncrules: error: the translation does not check; see above\n", to: 2)
      throw ExitCode(1)
    }
  }
}

/// `syncrules import karmada FILE|DIR …`.
struct ImportKarmadaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "karmada",
    abstract:
      "Translate PropagationPolicies and OverridePolicies (and their Cluster forms, v1alpha1).")

  @Option(
    help: ArgumentHelp(
      "The member cluster that is the standby (default: the only one the placements name).",
      valueName: "NAME"))
  var cluster: String?

  @Option(
    name: .customLong("skipped-namespaces"),
    help: ArgumentHelp(
      "karmada-controller-manager's --skipped-propagating-namespaces value (comma-separated; default kube-.*).",
      valueName: "LIST"))
  var skippedNamespaces: String?

  @OptionGroup var options: ImportOutputOptions

  @Argument(
    help: ArgumentHelp("Policy files, or directories of YAML files.", valueName: "FILE_OR_DIR"))
  var paths: [String]

  func run() throws {
    let importer = KarmadaImporter(
      cluster: cluster,
      skippedNamespaces: skippedNamespaces.map {
        $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
          .filter { !$0.isEmpty }
      },
      registry: try options.registry())
    try options.finish(registry: importer.registry) { () throws(ImportFailure) in
      try importer.translate(paths: paths)
    }
  }
}
