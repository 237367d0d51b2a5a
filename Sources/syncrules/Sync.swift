import ArgumentParser
import Foundation
import KubeClient
import Logging
import SyncCheck
import SyncCompile
import SyncLoop
import SyncRuntime
import SyncSyntax

/// Where the two clusters are: kubeconfig files and contexts for each side.
struct ClusterOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Kubeconfig of the source (production) cluster.", valueName: "FILE"))
  var fromKubeconfig: String?

  @Option(help: ArgumentHelp("Context of the source cluster.", valueName: "NAME"))
  var fromContext: String?

  @Option(help: ArgumentHelp("Kubeconfig of the target (standby) cluster.", valueName: "FILE"))
  var toKubeconfig: String?

  @Option(help: ArgumentHelp("Context of the target cluster.", valueName: "NAME"))
  var toContext: String?

  @Option(
    help: ArgumentHelp(
      "Name of the source cluster in ownership annotations (default: the source context).",
      valueName: "NAME"))
  var sourceName: String?

  /// Both clusters must be named (not checked by `validate()`: `--demo` needs neither).
  func requireClusters() throws {
    if fromKubeconfig == nil && fromContext == nil && toKubeconfig == nil && toContext == nil {
      throw ValidationError(
        "name the two clusters: --from-context/--to-context (one kubeconfig) or "
          + "--from-kubeconfig/--to-kubeconfig (two files)")
    }
  }

  /// The resolved client configurations; refuses one cluster as both source and target.
  func resolve() throws -> (source: ClientConfiguration, target: ClientConfiguration, name: String)
  {
    let source = try ClientConfiguration.resolve(kubeconfig: fromKubeconfig, context: fromContext)
    let target = try ClientConfiguration.resolve(kubeconfig: toKubeconfig, context: toContext)
    if source.server == target.server {
      throw ValidationError(
        "the source and the target are the same API server (\(Redaction.url(source.server))); "
          + "syncrules never writes to the source cluster")
    }
    return (source, target, sourceName ?? fromContext ?? "source")
  }
}

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

  @Option(help: "Objects applied concurrently.")
  var workers = 4

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

  @Flag(help: "Run several replicas: only the holder of a Lease on the target cluster syncs.")
  var leaderElect = false

  @Option(help: "Name of the leader-election Lease (on the target cluster).")
  var leaseName = "syncrules"

  @Option(help: "Namespace of the leader-election Lease (on the target cluster).")
  var leaseNamespace = "default"

  @Flag(help: "Run against two in-process API servers loaded with the shipped example data.")
  var demo = false

  mutating func validate() throws {
    if !demo {
      if rulePaths.isEmpty { throw ValidationError("name the rules with -f FILE") }
      try clusters.requireClusters()
    }
    guard workers >= 1 else { throw ValidationError("--workers must be at least 1") }
    guard reloadInterval > 0, rediscoverInterval > 0, resyncInterval > 0 else {
      throw ValidationError("intervals must be positive")
    }
  }

  func run() async throws {
    if demo {
      try await Demo.run(rules: rulePaths, options: rules, logFormat: logFormat)
      return
    }
    let logger = makeLogger(format: logFormat)
    let ruleSet = try loadRuleSet(paths: rulePaths, options: rules)
    guard let program = ruleSet.program else {
      printDiagnostics(ruleSet)
      throw ExitCode(1)
    }
    do {
      let (sourceConfig, targetConfig, sourceName) = try clusters.resolve()
      try await withClients(source: sourceConfig, target: targetConfig, targetReadOnly: false) {
        sourceClient, targetClient in
        try await sync(
          program: program, sourceClient: sourceClient, targetClient: targetClient,
          sourceName: sourceName, logger: logger)
      }
    } catch let error as ClusterError {
      Terminal.write("syncrules: error: \(error)\n", to: 2)
      throw ExitCode(1)
    } catch let error as KubeError {
      Terminal.write("syncrules: error: \(error)\n", to: 2)
      throw ExitCode(1)
    }
  }

  private func sync(
    program: PatchProgram, sourceClient: KubeClient, targetClient: KubeClient,
    sourceName: String, logger: Logger
  ) async throws {
    let metrics = SyncMetrics()
    let isDryRun = dryRun
    let report: @Sendable (SyncAction) -> Void = { action in
      guard isDryRun else { return }
      switch action {
      case .applied, .pruned, .createdNamespace: Terminal.write("would \(action)\n", to: 1)
      case .failed: Terminal.write("\(action)\n", to: 1)
      case .unchanged: break
      }
    }
    let source = try KubeSourceCluster(client: sourceClient, logger: logger)
    let target = KubeTargetCluster(client: targetClient, logger: logger)
    let engine = SyncEngine(
      source: source, target: target, program: program,
      ownership: Ownership(sourceCluster: sourceName),
      options: SyncOptions(prune: prune, dryRun: dryRun, workers: workers),
      metrics: metrics, logger: logger, onAction: report)
    if once {
      let report = try await engine.runOnce()
      Terminal.write(
        "synced \(report.resources.count) resource types: \(report.failed) failed\n", to: 2)
      if report.failed > 0 { throw ExitCode(1) }
      return
    }
    let elector =
      leaderElect
      ? LeaderElector(
        client: targetClient,
        settings: LeaderElector.Settings(
          name: leaseName, namespace: leaseNamespace,
          identity: "\(ProcessInfo.processInfo.hostName)_\(getpid())"),
        metrics: metrics, logger: logger) : nil
    let health = try await startHealthServer(
      metrics: metrics, engine: engine, elector: elector, logger: logger)
    let reloader = RuleReloader(
      options: RuleSet.Options(
        rulePaths: rulePaths, crdPaths: rules.crdPaths, strict: rules.strict,
        stdlib: stdlibSource(rules)),
      interval: .milliseconds(Int(reloadInterval * 1000)))
    let sync: @Sendable () async throws -> Void = {
      async let reloading: Void = reloader.watch(engine: engine, metrics: metrics, logger: logger)
      try await engine.run(
        rediscoverEvery: .milliseconds(Int(rediscoverInterval * 1000)),
        resyncEvery: .milliseconds(Int(resyncInterval * 1000)))
      await reloading
    }
    do {
      try await runUntilSignalled(logger: logger) {
        if let elector { try await elector.run(sync) } else { try await sync() }
      }
    } catch {
      await health?.shutdown()
      throw error
    }
    await health?.shutdown()
  }

  /// `/readyz` is 200 once the first full sync completed, and on a replica waiting for
  /// the lease (it is healthy, just not leading).
  func startHealthServer(
    metrics: SyncMetrics, engine: SyncEngine, elector: LeaderElector?, logger: Logger
  ) async throws -> HealthServer? {
    guard !metricsAddress.isEmpty else { return nil }
    let parts = metricsAddress.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let port = Int(parts[1]) else {
      throw ValidationError("--metrics-address must be HOST:PORT, e.g. 0.0.0.0:9090")
    }
    let host = parts[0].isEmpty ? "0.0.0.0" : String(parts[0])
    let server = try await HealthServer.start(
      host: host, port: port, metrics: metrics,
      isReady: {
        if let elector, !(await elector.isLeader) { return true }
        return await engine.isReady
      })
    logger.info(
      "serving /metrics, /healthz and /readyz", metadata: ["address": "\(host):\(server.port)"])
    return server
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
    let ruleSet = try loadRuleSet(paths: rulePaths, options: rules)
    guard let program = ruleSet.program else {
      printDiagnostics(ruleSet)
      throw ExitCode(2)
    }
    let (sourceConfig, targetConfig, sourceName) = try clusters.resolve()
    let report = try await withClients(
      source: sourceConfig, target: targetConfig, targetReadOnly: true
    ) { sourceClient, targetClient in
      let engine = SyncEngine(
        source: try KubeSourceCluster(client: sourceClient, logger: logger),
        target: KubeTargetCluster(client: targetClient, logger: logger),
        program: program, ownership: Ownership(sourceCluster: sourceName), logger: logger)
      return try await engine.drift()
    }
    let drift = report.drift
    Terminal.write(DriftText.render(drift, showingSecrets: showSecrets), to: 1)
    for (source, failure) in report.failures {
      Terminal.write("failed \(source): \(failure)\n", to: 2)
    }
    Terminal.write("\(drift.count) object\(drift.count == 1 ? "" : "s") drifted\n", to: 2)
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

/// Makes the source client (read-only) and the target client, runs `body`, and shuts both
/// down on every path, errors included: a client dropped without `shutdown()` traps in
/// debug builds ("Client not shut down before the deinit").
func withClients<T>(
  source: ClientConfiguration, target: ClientConfiguration, targetReadOnly: Bool,
  _ body: (KubeClient, KubeClient) async throws -> T
) async throws -> T {
  let sourceClient: KubeClient
  do {
    sourceClient = try KubeClient(source, readOnly: true)
  } catch {
    throw ClusterError(side: .source, cluster: source.clusterLabel, underlying: error)
  }
  let targetClient: KubeClient
  do {
    targetClient = try KubeClient(target, readOnly: targetReadOnly)
  } catch {
    try? await sourceClient.shutdown()
    throw ClusterError(side: .target, cluster: target.clusterLabel, underlying: error)
  }
  let result: Result<T, any Error>
  do {
    result = .success(try await body(sourceClient, targetClient))
  } catch {
    result = .failure(error)
  }
  try? await sourceClient.shutdown()
  try? await targetClient.shutdown()
  return try result.get()
}

extension LogOutput.Format: ExpressibleByArgument {}

func makeLogger(format: LogOutput.Format) -> Logger {
  LoggingSystem.bootstrap { LogOutput(label: $0, format: format) }
  return Logger(label: "syncrules")
}

func stdlibSource(_ options: RuleInputOptions) -> any StdlibSource {
  options.stdlib.map { DirectoryStdlib(directory: $0) } ?? EmbeddedStdlib()
}

func printDiagnostics(_ ruleSet: RuleSet) {
  let renderer = DiagnosticRenderer(files: ruleSet.files, format: .text, color: Terminal.isTTY(2))
  Terminal.write(renderer.render(ruleSet.diagnostics), to: 2)
  Terminal.write(Summary.line(for: ruleSet), to: 2)
}

/// Runs `body` until it returns or SIGTERM/SIGINT arrives; a signal cancels it, which
/// the engine turns into a graceful stop.
func runUntilSignalled(logger: Logger, _ body: @escaping @Sendable () async throws -> Void)
  async throws
{
  let task = Task { try await body() }
  let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler {
      logger.info("signal received: finishing in-flight writes, then stopping")
      task.cancel()
    }
    source.resume()
    return source
  }
  defer { for source in signals { source.cancel() } }
  try await task.value
}
