import Foundation
import KubeAPIServer
import SyncValue
import TestSupport
import Testing

/// A running `syncrules sync` serves the metrics operators chart for any Kubernetes
/// controller (controller-runtime's, client-go's work queue and REST client, `process_*`)
/// next to its own, on `/metrics`.
@Suite(.serialized)
struct MetricsEndpointTests {
  @Test func aRunningSyncServesControllerMetrics() async throws {
    let clusters = try await ClusterPair.start(
      production: .init(initialObjects: try ClusterPair.exampleObjects()))
    let (production, standby) = (clusters.production, clusters.standby)
    defer {
      Task {
        await production.shutdown()
        await standby.shutdown()
      }
    }

    let process = Process()
    process.executableURL = CLI.executable
    process.arguments =
      [
        "sync", "-f", "docs/examples/dr-standby.sync", "--metrics-address", "127.0.0.1:0",
        "--log-format", "json",
      ] + clusters.arguments
    process.currentDirectoryURL = Repository.root
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    let log = Collected()
    errors.fileHandleForReading.readabilityHandler = { log.append($0.availableData) }
    try process.run()
    defer {
      if process.isRunning { process.terminate() }
      errors.fileHandleForReading.readabilityHandler = nil
    }

    // The address is in the `serving …` event; the initial sync is done at `initial sync
    // complete`.
    let deadline = Date().addingTimeInterval(30)
    var address: String?
    while Date() < deadline, address == nil || !log.text.contains("initial sync complete") {
      for line in log.text.split(separator: "\n") where line.contains("serving /metrics") {
        address = (try? JSON.parse(String(line)))?["address"]?.stringValue
      }
      try await Task.sleep(for: .milliseconds(50))
    }
    let found = try #require(address, "no serving event in: \(log.text)")
    let port = try #require(found.split(separator: ":").last.flatMap { Int($0) })
    let metrics = try LoopbackHTTP.get(port: port, path: "/metrics")

    for expected in [
      #"controller_runtime_reconcile_total{controller="syncrules",result="success"}"#,
      #"controller_runtime_reconcile_errors_total{controller="syncrules"}"#,
      #"controller_runtime_reconcile_time_seconds_bucket{controller="syncrules""#,
      #"workqueue_depth{name="syncrules"}"#,
      #"workqueue_adds_total{name="syncrules"}"#,
      #"workqueue_retries_total{name="syncrules"}"#,
      #"workqueue_queue_duration_seconds_bucket{name="syncrules""#,
      #"workqueue_work_duration_seconds_bucket{name="syncrules""#,
      #"rest_client_requests_total{code="200",host="127.0.0.1:\#(production.port)",method="GET"}"#,
      #"rest_client_request_duration_seconds_bucket{host="127.0.0.1:\#(standby.port)",verb="PATCH""#,
      "process_cpu_seconds_total ", "process_resident_memory_bytes ", "process_open_fds ",
      "process_max_fds ", "process_start_time_seconds ", "syncrules_objects_synced_total{",
    ] {
      #expect(metrics.contains(expected), "missing \(expected)")
    }
    // Counts that must have moved: every synced object was one successful reconcile.
    let successes = metrics.split(separator: "\n").first {
      $0.hasPrefix(#"controller_runtime_reconcile_total{controller="syncrules",result="success"}"#)
    }
    #expect(successes.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0 >= 10)
    #expect(production.nonReadRequests.isEmpty)

    // Every metric the shipped Grafana dashboard queries is one syncrules exports: in
    // this scrape, or (for series that appear with their first event: prunes, failures,
    // reloads, watch restarts, the Lease) declared by the metrics code.
    var declared: Set<String> = []
    for file in ["Sources/SyncLoop/SyncMetrics.swift", "Sources/SyncLoop/ProcessMetrics.swift"] {
      let source = try String(contentsOfFile: Repository.path(file), encoding: .utf8)
      for match in source.matches(of: /"([a-z_]+)"/) { declared.insert(String(match.output.1)) }
    }
    let exported = declared.union(
      metrics.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map {
        String($0.split(separator: " ")[2])
      })
    let dashboard = try JSON.parse(
      String(contentsOfFile: Repository.path("docs/grafana-dashboard.json"), encoding: .utf8))
    var queried: Set<String> = []
    for panel in dashboard["panels"]?.arrayValue ?? [] {
      for target in panel["targets"]?.arrayValue ?? [] {
        let expression = target["expr"]?.stringValue ?? ""
        for match in expression.matches(of: /([a-z_]+)(?:_bucket)?\{/) {
          queried.insert(String(match.output.1))
        }
      }
    }
    #expect(queried.count >= 15, "\(queried.sorted())")
    let unknown = queried.filter { name in
      !exported.contains(name)
        && !exported.contains(name.replacingOccurrences(of: "_bucket", with: ""))
    }
    #expect(unknown.isEmpty, "the dashboard queries metrics nobody exports: \(unknown.sorted())")
  }
}
