import ArgumentParser
import Foundation
import KubeClient

/// Where the two clusters are: kubeconfig files and contexts for each side.
struct ClusterOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Kubeconfig for both clusters, unless --from-kubeconfig or --to-kubeconfig says "
        + "otherwise (default: KUBECONFIG, then ~/.kube/config).", valueName: "FILE"))
  var kubeconfig: String?

  @Option(help: ArgumentHelp("Kubeconfig of the source (production) cluster.", valueName: "FILE"))
  var fromKubeconfig: String?

  @Option(help: ArgumentHelp("Context of the source cluster.", valueName: "NAME"))
  var fromContext: String?

  @Option(
    help: ArgumentHelp(
      "Kubeconfig of the target (standby) cluster; `sync` takes several (FILE[=RULES]: that "
        + "standby's own rules).", valueName: "FILE"))
  var toKubeconfig: [String] = []

  @Option(
    help: ArgumentHelp(
      "Context of the target cluster; `sync` takes several (NAME[=RULES]: that standby's "
        + "own rules).", valueName: "NAME"))
  var toContext: [String] = []

  @Option(
    help: ArgumentHelp(
      "Name of the source cluster in ownership annotations (default: the source context).",
      valueName: "NAME"))
  var sourceName: String?

  /// Both clusters must be named.
  func requireClusters() throws {
    if fromKubeconfig == nil && fromContext == nil && toKubeconfig.isEmpty && toContext.isEmpty {
      throw ValidationError(
        "name the two clusters: --from-context/--to-context (one kubeconfig: KUBECONFIG, "
          + "~/.kube/config or --kubeconfig) or --from-kubeconfig/--to-kubeconfig (two files)")
    }
  }

  /// One target as named on the command line: a kubeconfig and/or context, and the
  /// rules given after `=`, if any.
  struct TargetSpec {
    var kubeconfig: String?
    var context: String?
    var rulePaths: [String]

    /// Its name in metrics and logs: the context, else the kubeconfig file's name.
    var name: String {
      context ?? kubeconfig.map {
        URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent
      }
        ?? "target"
    }
  }

  /// `VALUE[=RULES]`.
  private static func split(_ argument: String) -> (String, [String]) {
    guard let equals = argument.firstIndex(of: "=") else { return (argument, []) }
    return (String(argument[..<equals]), [String(argument[argument.index(after: equals)...])])
  }

  /// The targets named: one (`--to-kubeconfig F --to-context C` name one cluster
  /// together), or several, by repeating one of the two flags.
  func targetSpecs() throws -> [TargetSpec] {
    for argument in toContext + toKubeconfig
    where argument.hasSuffix("=") || argument.hasPrefix("=") {
      throw ValidationError("\(argument): write NAME=RULES, or NAME alone for -f's rules")
    }
    if toKubeconfig.count > 1 && !toContext.isEmpty || toContext.count > 1 && toKubeconfig.count > 1
    {
      throw ValidationError(
        "several targets: repeat --to-context (one kubeconfig) or --to-kubeconfig (one "
          + "file each), not both")
    }
    if toContext.count > 1 {
      return toContext.map {
        let (context, rules) = Self.split($0)
        return TargetSpec(
          kubeconfig: toKubeconfig.first ?? kubeconfig, context: context, rulePaths: rules)
      }
    }
    if toKubeconfig.count > 1 {
      return toKubeconfig.map {
        let (file, rules) = Self.split($0)
        return TargetSpec(kubeconfig: file, context: nil, rulePaths: rules)
      }
    }
    let file = toKubeconfig.first.map(Self.split)
    let context = toContext.first.map(Self.split)
    return [
      TargetSpec(
        kubeconfig: file?.0 ?? kubeconfig, context: context?.0,
        rulePaths: (file?.1 ?? []) + (context?.1 ?? []))
    ]
  }

  /// The resolved source and targets; refuses a target that is the source, and two
  /// targets that are one cluster.
  func resolveTargets() throws -> (
    source: ClientConfiguration, targets: [(spec: TargetSpec, configuration: ClientConfiguration)],
    name: String
  ) {
    let source = try ClientConfiguration.resolve(
      kubeconfig: fromKubeconfig ?? kubeconfig, context: fromContext)
    var targets: [(spec: TargetSpec, configuration: ClientConfiguration)] = []
    for spec in try targetSpecs() {
      let target = try ClientConfiguration.resolve(
        kubeconfig: spec.kubeconfig, context: spec.context)
      if source.server == target.server {
        throw ValidationError(
          "the source and the target are the same API server (\(Redaction.url(source.server))); "
            + "syncrules never writes to the source cluster")
      }
      if let twin = targets.first(where: { $0.configuration.server == target.server }) {
        throw ValidationError(
          "targets \(twin.spec.name) and \(spec.name) are the same API server "
            + "(\(Redaction.url(target.server)))")
      }
      if targets.contains(where: { $0.spec.name == spec.name }) {
        throw ValidationError("two targets are named \(spec.name): name them by context or file")
      }
      targets.append((spec, target))
    }
    return (source, targets, sourceName ?? fromContext ?? "source")
  }

  /// The source and the one target of `diff` (and of `sync` into one standby).
  func resolve() throws -> (source: ClientConfiguration, target: ClientConfiguration, name: String)
  {
    let (source, targets, name) = try resolveTargets()
    guard targets.count == 1 else {
      throw ValidationError(
        "compare one target at a time: name one --to-context or --to-kubeconfig")
    }
    guard targets[0].spec.rulePaths.isEmpty else {
      throw ValidationError("the rules come from -f here, not from --to-…=RULES")
    }
    return (source, targets[0].configuration, name)
  }
}
