import ArgumentParser
import Foundation
import SyncLoop

/// `sync`'s leader-election flags, named and defaulted as kube-controller-manager's.
struct LeaderElectionOptions: ParsableArguments {
  @Flag(help: "Run several replicas: only the holder of a Lease on the target cluster syncs.")
  var leaderElect = false

  @Option(help: "Name of the leader-election Lease (on the target cluster).")
  var leaseName = "syncrules"

  @Option(help: "Namespace of the leader-election Lease (on the target cluster).")
  var leaseNamespace = "default"

  @Option(
    help: ArgumentHelp(
      "How long a replica waits, after it last saw the Lease renewed, before taking it over.",
      valueName: "DURATION"))
  var leaderElectLeaseDuration = GoDuration(seconds: 15)

  @Option(
    help: ArgumentHelp(
      "How long the leader keeps trying to renew before it stops writing and exits.",
      valueName: "DURATION"))
  var leaderElectRenewDeadline = GoDuration(seconds: 10)

  @Option(
    help: ArgumentHelp(
      "How often replicas try to acquire or renew the Lease.", valueName: "DURATION"))
  var leaderElectRetryPeriod = GoDuration(seconds: 2)

  @Option(
    help: ArgumentHelp(
      "Split the objects into N shards by namespace, each synced by the replica holding "
        + "its Lease (NAME-shard-I); needs --leader-elect.", valueName: "N"))
  var shards = 1

  /// client-go's rules: a leader must give up (renew deadline) before anyone may take
  /// over (lease duration), and must get more than one attempt within its deadline.
  func validate() throws {
    guard (1...1024).contains(shards) else {
      throw ValidationError("--shards must be between 1 and 1024")
    }
    guard shards == 1 || leaderElect else {
      throw ValidationError(
        "--shards needs --leader-elect: replicas share the shards through Leases")
    }
    let (lease, renew, retry) = (
      leaderElectLeaseDuration.duration, leaderElectRenewDeadline.duration,
      leaderElectRetryPeriod.duration
    )
    guard lease >= .seconds(1) else {
      throw ValidationError("--leader-elect-lease-duration must be at least 1s")
    }
    guard lease > renew else {
      throw ValidationError(
        "--leader-elect-lease-duration must be greater than --leader-elect-renew-deadline")
    }
    guard retry > .zero, renew > retry * 1.2 else {
      throw ValidationError(
        "--leader-elect-renew-deadline must be greater than 1.2 × --leader-elect-retry-period")
    }
  }

  /// The elector's settings, or nil without `--leader-elect`. The identity is client-go's
  /// usual `host_pid`-like one: unique per process, readable in the Lease.
  var settings: LeaderElector.Settings? {
    guard leaderElect else { return nil }
    var settings = LeaderElector.Settings(
      name: leaseName, namespace: leaseNamespace,
      identity: "\(ProcessInfo.processInfo.hostName)_\(getpid())")
    settings.leaseDuration = leaderElectLeaseDuration.duration
    settings.renewDeadline = leaderElectRenewDeadline.duration
    settings.retryPeriod = leaderElectRetryPeriod.duration
    return settings
  }
}

/// A duration as Kubernetes components take them: Go's `time.ParseDuration` units
/// (`15s`, `500ms`, `1m30s`, `1h`), one or more number-unit pairs.
struct GoDuration: ExpressibleByArgument, CustomStringConvertible {
  var duration: Duration

  init(seconds: Int) { duration = .seconds(seconds) }

  init?(argument: String) {
    let units: [(String, Double)] = [
      ("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1),
    ]
    var rest = Substring(argument)
    var seconds = 0.0
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let number = rest.prefix { $0.isNumber || $0 == "." }
      guard let value = Double(number) else { return nil }
      rest = rest.dropFirst(number.count)
      guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
      rest = rest.dropFirst(unit.0.count)
      seconds += value * unit.1
    }
    duration = .nanoseconds(Int64((seconds * 1e9).rounded()))
  }

  /// Go's way of printing it back, enough for `--help` defaults: whole seconds or
  /// milliseconds.
  var description: String {
    let (seconds, attoseconds) = duration.components
    if attoseconds == 0 { return "\(seconds)s" }
    return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
  }

  var defaultValueDescription: String { description }
}
