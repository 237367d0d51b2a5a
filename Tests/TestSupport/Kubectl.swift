import Foundation

/// Runs the real kubectl against a test server, bounded in time, with no configuration or
/// cache of the user's (`KUBECONFIG` unset, `HOME` a scratch folder).
public struct Kubectl: Sendable {
  /// The kubeconfig file every command is given.
  public var kubeconfig: String

  public init(kubeconfig: String) {
    self.kubeconfig = kubeconfig
  }

  /// What a finished run left behind.
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// Writes `text` to a new file in the temporary directory and returns its path.
  public static func writeKubeconfig(_ text: String) throws -> String {
    let path = NSTemporaryDirectory() + "kubeconfig-\(UUID().uuidString)"
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  /// Whether kubectl is installed where the tests look for it.
  public static var available: Bool {
    FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")
  }

  private func process(_ arguments: [String], stdout: URL, stderr: URL) throws -> Process {
    _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
    _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/kubectl")
    process.arguments = ["--kubeconfig", kubeconfig, "--request-timeout=20s"] + arguments
    var environment = ProcessInfo.processInfo.environment
    environment["KUBECONFIG"] = nil
    environment["HOME"] = NSTemporaryDirectory()
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: stdout)
    process.standardError = try FileHandle(forWritingTo: stderr)
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
  }

  /// Runs to completion (killed after `timeout`).
  public func run(_ arguments: String..., timeout: Duration = .seconds(30)) async throws -> Result {
    try await run(arguments, timeout: timeout)
  }

  /// Runs kubectl with `arguments` given as an array.
  public func run(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> Result {
    let base = NSTemporaryDirectory() + "kubectl-\(UUID().uuidString)"
    let out = URL(fileURLWithPath: base + ".out")
    let err = URL(fileURLWithPath: base + ".err")
    let process = try process(arguments, stdout: out, stderr: err)
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(20))
    }
    if process.isRunning {
      process.terminate()
      process.waitUntilExit()
    }
    defer {
      try? FileManager.default.removeItem(at: out)
      try? FileManager.default.removeItem(at: err)
    }
    return Result(
      status: process.terminationStatus,
      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
  }

  /// Starts kubectl and lets the caller poll its output; `stop()` kills it.
  public final class Running: @unchecked Sendable {
    let process: Process
    let out: URL

    init(process: Process, out: URL) {
      self.process = process
      self.out = out
    }

    /// What kubectl has written to standard output so far.
    public var stdout: String { (try? String(contentsOf: out, encoding: .utf8)) ?? "" }

    /// Waits until stdout satisfies `condition`, or `timeout` passes.
    public func waitFor(timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async
      -> Bool
    {
      let deadline = ContinuousClock.now + timeout
      while ContinuousClock.now < deadline {
        if condition(stdout) { return true }
        try? await Task.sleep(for: .milliseconds(50))
      }
      return condition(stdout)
    }

    /// Kills kubectl if it still runs and removes its output files.
    public func stop() {
      if process.isRunning {
        process.terminate()
        process.waitUntilExit()
      }
      try? FileManager.default.removeItem(at: out)
      try? FileManager.default.removeItem(
        at: out.deletingPathExtension().appendingPathExtension("err"))
    }
  }

  /// Starts kubectl with `arguments` without waiting for it.
  public func start(_ arguments: String...) throws -> Running {
    let base = NSTemporaryDirectory() + "kubectl-\(UUID().uuidString)"
    let out = URL(fileURLWithPath: base + ".out")
    let process = try process(arguments, stdout: out, stderr: URL(fileURLWithPath: base + ".err"))
    return Running(process: process, out: out)
  }
}
