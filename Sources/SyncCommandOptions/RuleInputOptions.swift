import ArgumentParser
import SyncDriver

/// Options every command that reads rules shares (`syncrules check`, `apply`, `sync`, …
/// and `kube-api-server demo`), declared once so their flags and help stay the same.
public struct RuleInputOptions: ParsableArguments {
  public init() {}

  @Option(
    name: .customLong("crd"),
    help: ArgumentHelp(
      "A CustomResourceDefinition file or directory (YAML or JSON); repeatable.",
      valueName: "FILE_OR_DIR"))
  public var crdPaths: [String] = []

  @Flag(help: "Treat kinds without a known schema as errors.")
  public var strict = false

  @Option(
    help: ArgumentHelp(
      "Read `import \"std/…\"` from this directory instead of the built-in copy.",
      valueName: "DIR"))
  public var stdlib: String?

  /// Where `paths` and their imports and CRDs are read from.
  public func ruleSetOptions(paths: [String]) -> RuleSet.Options {
    RuleSet.Options(
      rulePaths: paths, crdPaths: crdPaths, strict: strict,
      stdlib: RuleSet.stdlib(directory: stdlib))
  }
}
