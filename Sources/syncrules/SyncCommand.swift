import ArgumentParser
import Foundation
import KubeClient
import Logging
import SyncCommandOptions
import SyncDriver
import SyncLoop
import SyncProgram
import SyncRuntime

/// `syncrules sync`: the watch-driven loop from production to the standby.
struct SyncCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sync",
    abstract: "Keep a standby cluster equal to production after the rules, continuously.",
    discussion: """
      Lists and watches the resources the rules can select on the source cluster (read \
      only), applies the rewritten objects to the target with server-side apply, and \
      prunes the objects it created when their source goes away or stops matching. \
      Rule files are reloaded when they change. See docs/operating.md.

      Both clusters must answer discovery at the start: one that cannot be reached, \
      refuses the credentials or fails TLS verification stops the command with one error \
      naming it. Exit status: 0 when done (--once) or stopped by a signal, 1 when an \
      object failed (--once) or on errors.
      """)

  @OptionGroup var rules: RuleInputOptions
  @OptionGroup var clusters: ClusterOptions

  @Option(
    name: [.customShort("f"), .customLong("rules")], help: "Rule files or directories; repeatable.")
  var rulePaths: [String] = []

  @Flag(help: "List, apply, prune, and exit (DR drills, cron jobs).")
  var once = false

  @Flag(help: "Print what would change; write nothing.")
  var dryRun = false

  @Option(help: "Delete objects we created whose source is gone or no longer matches.")
  var prune = true

  @Option(
    help:
      "Record a Warning Event on the target for each object that fails to sync (never with --dry-run)."
  )
  var events = true

  @Option(help: "Objects applied concurrently.")
  var workers = 4

  @Option(
    help: ArgumentHelp(
      "Objects per list request to the source (limit/continue paging); 0: one response per "
        + "resource.", valueName: "N"))
  var pageSize = 500

  @Option(help: "Where to serve /metrics, /healthz and /readyz (empty: off).")
  var metricsAddress = "127.0.0.1:9090"

  @Option(help: "Log format: text or json.")
  var logFormat: LogOutput.Format = .text

  @Option(help: "Seconds between checks of the rule files for changes.")
  var reloadInterval: Double = 2

  @Option(help: "Seconds between discoveries of new resources (CRDs created at the source).")
  var rediscoverInterval: Double = 30

  @Option(help: "Seconds between full re-applies of every object (repairs a drifted target).")
  var resyncInterval: Double = 600

  @OptionGroup var leaderElection: LeaderElectionOptions

  /// The demo moved to `kube-api-server demo` so that this binary carries no test server;
  /// the flag stays, hidden, to say where.
  @Flag(help: .hidden)
  var demo = false

  mutating func validate() throws {
    if demo {
      throw ValidationError(
        "the demo moved: run `swift run kube-api-server demo [-f RULES]` from the "
          + "repository root (see docs/operating.md)")
    }
    try clusters.requireClusters()
    let targets = try clusters.targetSpecs()
    if rulePaths.isEmpty, targets.contains(where: \.rulePaths.isEmpty) {
      throw ValidationError("name the rules with -f FILE")
    }
    if targets.count > 1, leaderElection.shards > 1 {
      throw ValidationError("--shards syncs one target: run one Deployment per standby")
    }
    guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    guard pageSize >= 0 else { throw ValidationError("--page-size must be 0 or more") }
    guard reloadInterval > 0, rediscoverInterval > 0, resyncInterval > 0 else {
      throw ValidationError("intervals must be positive")
    }
  }

  func run() async throws {
    let logger = makeLogger(format: logFormat)
    // -f's rules are checked before the clusters are resolved, as they always were.
    let common = rulePaths.isEmpty ? nil : try program(paths: rulePaths, logger: logger)
    do {
      let (sourceConfig, resolved, sourceName) = try clusters.resolveTargets()
      var targets: [(name: String, paths: [String], program: PatchProgram)] = []
      for (spec, _) in resolved {
        let paths = spec.rulePaths.isEmpty ? rulePaths : spec.rulePaths
        let own = spec.rulePaths.isEmpty ? common : try program(paths: paths, logger: logger)
        guard let own else { throw ValidationError("name the rules with -f FILE") }
        targets.append((spec.name, paths, own))
      }
      try await withClients(
        source: sourceConfig, targets: resolved.map(\.configuration), targetReadOnly: false
      ) { source, clients in
        var settings = settings(sourceName: sourceName)
        settings.rules = rules.ruleSetOptions(paths: targets[0].paths)
        let session = SyncSession(
          settings: settings, program: targets[0].program, source: source,
          target: clients[0], logger: logger, print: { Terminal.write($0, to: 1) })
        if targets.count == 1 {
          if once {
            let report = try await session.runOnce()
            logDone(report, target: nil, logger: logger)
            if report.failed > 0 { throw ExitCode(1) }
            return
          }
          try await runUntilSignalled(logger: logger) { try await session.run() }
          return
        }
        let multi = MultiTargetSync(
          base: session,
          targets: zip(targets, clients).map { target, client in
            SyncTarget(
              name: target.name, client: client, program: target.program,
              rules: rules.ruleSetOptions(paths: target.paths))
          })
        if once {
          let reports = try await multi.runOnce()
          for (target, report) in zip(targets, reports) {
            logDone(report, target: target.name, logger: logger)
          }
          if reports.contains(where: { $0.failed > 0 }) { throw ExitCode(1) }
          return
        }
        try await runUntilSignalled(logger: logger) { try await multi.run() }
      }
    } catch let error as ClusterError {
      fatal("\(error)", logger: logger)
      throw ExitCode(1)
    } catch let error as KubeError {
      fatal("\(error)", logger: logger)
      throw ExitCode(1)
    } catch let error as SyncSession.InvalidSetting {
      throw ValidationError(error.description)
    } catch let lost as LeaderElector.LeadershipLost {
      // As client-go's controllers do: exit, and let the Deployment restart the pod as a
      // follower.
      fatal("\(lost)", logger: logger)
      throw ExitCode(1)
    }
  }

  /// A fatal error: a `fatal` log event in JSON (so a log pipeline sees why the process
  /// ended), the usual `syncrules: error:` line in text.
  func fatal(_ message: String, logger: Logger) {
    if logFormat == .json {
      logger.critical("\(message)")
    } else {
      Terminal.write("syncrules: error: \(message)\n", to: 2)
    }
  }

  /// The `sync done` event of a `--once` run, naming the target when there are several.
  func logDone(_ report: OnceReport, target: String?, logger: Logger) {
    var metadata: Logger.Metadata = [
      "resources": .stringConvertible(report.resources.count),
      "applied": .stringConvertible(report.applied),
      "unchanged": .stringConvertible(report.unchanged),
      "pruned": .stringConvertible(report.pruned),
      "failed": .stringConvertible(report.failed),
    ]
    if let target { metadata["target"] = "\(target)" }
    logger.info("sync done", metadata: metadata)
  }

  /// The compiled rules of `paths`: findings as log events in JSON, as `check` prints
  /// them in text.
  func program(paths: [String], logger: Logger) throws -> PatchProgram {
    logFormat == .json
      ? try loadProgram(paths: paths, logger: logger)
      : try requireProgram(try loadRuleSet(paths: paths, options: rules))
  }

  /// Loads the rules for `--log-format json`: every finding is one log event with its
  /// position as fields, and rules that do not check end the process with a `fatal` one.
  func loadProgram(paths: [String], logger: Logger) throws -> PatchProgram {
    let ruleSet: RuleSet
    do {
      ruleSet = try RuleSet.load(rules.ruleSetOptions(paths: paths))
    } catch {
      logger.critical(
        "\(error.message)", metadata: ["code": "\(error.code.rawValue)", "file": "\(error.file)"])
      throw ExitCode(error.isUsageError ? 2 : 1)
    }
    for finding in RuleReloader.findings(ruleSet) {
      let isError = finding["severity"].map { "\($0)" } == "error"
      logger.log(level: isError ? .error : .warning, "rule file finding", metadata: finding)
    }
    guard let program = ruleSet.program else {
      logger.critical("the rules do not check; nothing was synced")
      throw ExitCode(1)
    }
    return program
  }

  func settings(sourceName: String) -> SyncSession.Settings {
    func duration(_ seconds: Double) -> Duration { .milliseconds(Int(seconds * 1000)) }
    var settings = SyncSession.Settings(
      rules: rules.ruleSetOptions(paths: rulePaths), sourceName: sourceName)
    settings.prune = prune
    settings.dryRun = dryRun
    settings.events = events
    settings.workers = workers
    settings.pageSize = pageSize == 0 ? nil : pageSize
    settings.metricsAddress = metricsAddress
    settings.reloadInterval = duration(reloadInterval)
    settings.rediscoverInterval = duration(rediscoverInterval)
    settings.resyncInterval = duration(resyncInterval)
    settings.leaderElection = leaderElection.settings
    settings.shards = leaderElection.shards
    return settings
  }
}

/// `syncrules diff`: the drift between source-after-rules and the target.
struct DiffCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Show how the target differs from production after the rules.",
    discussion: """
      Prints a unified diff of YAML per object that is missing on the target, differs in \
      the fields the rules produce, or would be pruned. The values of Secrets are masked \
      (***, or *** (before) / *** (after) where they differ) unless --show-secrets.

      Exit status: 0 when the target is in sync, 1 when it drifted, 2 on errors (rules, \
      kubeconfig, a cluster that cannot be reached or refuses the credentials, an object \
      the rules fail on).
      """)

  @OptionGroup var rules: RuleInputOptions
  @OptionGroup var clusters: ClusterOptions

  @Option(
    name: [.customShort("f"), .customLong("rules")], help: "Rule files or directories; repeatable.")
  var rulePaths: [String]

  @Flag(help: "Print the values of Secrets' data and stringData (masked as *** by default).")
  var showSecrets = false

  @Option(
    name: [.customShort("o"), .customLong("output")],
    help: "Output format: text (unified diffs), json or yaml (one document).")
  var output: ResultFormat = .text

  func validate() throws {
    try clusters.requireClusters()
  }

  /// Any failure exits 2, so that a drill can tell an outage from drift (1).
  func run() async throws {
    do {
      try await diff()
    } catch let error as ExitCode {
      throw error
    } catch let error as ValidationError {
      throw error
    } catch {
      Terminal.write("syncrules: error: \(error)\n", to: 2)
      throw ExitCode(2)
    }
  }

  private func diff() async throws {
    let logger = makeLogger(format: .text)
    let program = try requireProgram(
      try loadRuleSet(paths: rulePaths, options: rules), status: 2)
    let (sourceConfig, targetConfig, sourceName) = try clusters.resolve()
    let report = try await withClients(
      source: sourceConfig, target: targetConfig, targetReadOnly: true
    ) { source, target in
      try await SyncSession(
        settings: SyncSession.Settings(
          rules: rules.ruleSetOptions(paths: rulePaths), sourceName: sourceName),
        program: program, source: source, target: target, logger: logger, print: { _ in }
      ).drift()
    }
    let drift = report.drift
    if output == .text {
      Terminal.write(DriftText.render(drift, showingSecrets: showSecrets), to: 1)
      for (source, failure) in report.failures {
        Terminal.write("failed \(source): \(failure)\n", to: 2)
      }
      Terminal.write("\(drift.count) object\(drift.count == 1 ? "" : "s") drifted\n", to: 2)
    } else {
      Terminal.write(output.render(report.document(showingSecrets: showSecrets)), to: 1)
    }
    // The copy of an object whose rules fail is kept as it is: whether it drifted is not
    // known, which is an error, not an answer.
    if !report.failures.isEmpty {
      let count = report.failures.count
      Terminal.write(
        "syncrules: error: the rules failed for \(count) object\(count == 1 ? "" : "s"); "
          + "their copies were not compared\n", to: 2)
      throw ExitCode(2)
    }
    if !drift.isEmpty { throw ExitCode(1) }
  }
}

extension LogOutput.Format: ExpressibleByArgument {}

func makeLogger(format: LogOutput.Format) -> Logger {
  LoggingSystem.bootstrap { LogOutput(label: $0, format: format) }
  return Logger(label: "syncrules")
}
