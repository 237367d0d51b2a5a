import ArgumentParser
import Foundation
import KubeAPIServer
import SyncValue

/// The in-memory API server's command line: `serve` (the default) and `demo`.
@main
struct KubeAPIServerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "kube-api-server",
    abstract: "An in-memory Kubernetes API server for tests and demos (127.0.0.1 only).",
    subcommands: [ServeCommand.self, DemoCommand.self],
    defaultSubcommand: ServeCommand.self)
}

/// Runs the in-memory Kubernetes API server until interrupted.
struct ServeCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "serve",
    abstract: "Serve the API until interrupted (the default command).",
    discussion: """
      Faults can also be injected while it runs through /_admin/ (see docs/test-apiserver.md).
      """)

  @Option(help: "Port on 127.0.0.1 (0 picks a free one).")
  var port = 6443

  @Flag(help: "Serve HTTPS with a CA and serving certificate generated at start-up.")
  var tls = false

  @Option(help: "Write a kubeconfig for kubectl to this path.")
  var kubeconfigOut: String?

  @Option(help: "Accept this bearer token (as user 'admin'); repeatable. Also TOKEN=USER.")
  var token: [String] = []

  @Option(help: "Objects to preload: a JSON or YAML List (or stream of objects); repeatable.")
  var load: [String] = []

  @Option(help: "Users that may only read (others' writes answered 403); repeatable.")
  var readOnlyUser: [String] = []

  @Option(help: "Watch history length; resumes from before it get 410 Expired.")
  var watchHistory = 10_000

  @Flag(help: "Refuse watches resuming from trimmed history with HTTP 410, not an ERROR event.")
  var expiredWatchHTTP410 = false

  @Option(help: "Seconds between watch BOOKMARK frames.")
  var bookmarkSeconds = 1.0

  @Option(help: "Latency added to every request, in milliseconds.")
  var latencyMs = 0

  @Option(help: "Answer the first N requests with --fail-status.")
  var failFirst = 0

  @Option(help: "HTTP status for --fail-first (429 carries Retry-After).")
  var failStatus = 429

  @Option(help: "Only requests whose path starts with this count for --fail-first.")
  var failPath: String?

  @Option(help: "Write the CA certificate (PEM) to this path (with --tls).")
  var caOut: String?

  func run() async throws {
    var tokens: [String: String] = [:]
    for entry in token {
      let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
      tokens[parts[0]] = parts.count > 1 ? parts[1] : "admin"
    }
    var objects: [Value] = []
    for path in load { objects += try loadObjects(fromFile: path) }
    let server = try await KubeAPIServer.start(
      KubeAPIServer.Configuration(
        port: port, tls: tls, tokens: tokens, readOnlyUsers: Set(readOnlyUser),
        initialObjects: objects, watchHistoryLimit: watchHistory,
        bookmarkInterval: .milliseconds(Int(bookmarkSeconds * 1000)),
        expiredWatchesGetHTTPStatus: expiredWatchHTTP410))
    server.latency = .milliseconds(latencyMs)
    if failFirst > 0 {
      server.failNextRequests(failFirst, status: failStatus, pathPrefix: failPath)
    }
    if let kubeconfigOut {
      try server.kubeconfig().write(toFile: kubeconfigOut, atomically: true, encoding: .utf8)
    }
    if let caOut, let pem = server.caCertificatePEM {
      try pem.write(toFile: caOut, atomically: true, encoding: .utf8)
    }
    say("kube-api-server: serving \(server.url) with \(objects.count) preloaded objects")
    if let kubeconfigOut { say("kube-api-server: kubectl --kubeconfig \(kubeconfigOut) get ns") }
    while !Task.isCancelled {
      try await Task.sleep(for: .seconds(3600))
    }
    await server.shutdown()
  }
}

/// Writes a line unbuffered, so a script waiting for the banner sees it through a pipe.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
