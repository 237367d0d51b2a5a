import Foundation

/// Runs the package's executables (`syncrules`, `kube-api-server`) built next to the
/// tests, from the repository root.
public enum CLI {
  /// What a run left behind.
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// `program` with `arguments`, to run from the repository root.
  static func process(_ program: String, _ arguments: [String]) -> Process {
    let process = Process()
    process.executableURL = executable(program)
    process.arguments = arguments
    process.currentDirectoryURL = Repository.root
    return process
  }

  /// The built `syncrules`.
  public static var executable: URL { executable("syncrules") }

  /// A built executable of the package: beside the test bundle, else in `.build/debug`.
  public static func executable(_ program: String) -> URL {
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    let beside = buildDirectory.appendingPathComponent(program)
    if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
    return Repository.url(".build/debug/\(program)")
  }

  /// Runs `program` (`syncrules` unless said) with `arguments`, `stdin` on its standard
  /// input (closed at once when nil), and waits for it to exit. `environment` is added to
  /// (and overrides) the test process's own.
  public static func run(
    _ arguments: [String], stdin: Data? = nil, program: String = "syncrules",
    environment: [String: String] = [:]
  ) throws -> Result {
    let process = process(program, arguments)
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(stdin) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}

extension CLI {
  /// ``run(_:stdin:program:environment:)`` without holding a thread of the test process's
  /// small pool while the program runs: tests that start in-process API servers and then
  /// a `syncrules` process talking to them must not block the threads those servers'
  /// handlers need.
  public static func runAsync(
    _ arguments: [String], program: String = "syncrules", environment: [String: String] = [:]
  ) async throws -> Result {
    let process = process(program, arguments)
    if !environment.isEmpty {
      process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    process.standardInput = FileHandle.nullDevice
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdout = Collected()
    let stderr = Collected()
    let finished = DispatchGroup()
    for (pipe, collected) in [(out, stdout), (err, stderr)] {
      finished.enter()
      DispatchQueue.global().async {
        collected.append(pipe.fileHandleForReading.readDataToEndOfFile())
        finished.leave()
      }
    }
    finished.enter()
    process.terminationHandler = { _ in finished.leave() }
    do {
      try process.run()
    } catch {
      process.terminationHandler = nil
      try? out.fileHandleForWriting.close()
      try? err.fileHandleForWriting.close()
      throw error
    }
    // The child holds its own copies; ours must close for the readers to see the end.
    try? out.fileHandleForWriting.close()
    try? err.fileHandleForWriting.close()
    await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
      finished.notify(queue: .global()) { done.resume() }
    }
    return Result(status: process.terminationStatus, stdout: stdout.text, stderr: stderr.text)
  }
}

/// Output gathered from a pipe on another thread.
public final class Collected: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()

  public init() {}

  /// Adds bytes that arrived.
  public func append(_ more: Data) {
    lock.withLock { data.append(more) }
  }

  /// Everything so far, as UTF-8.
  public var text: String {
    lock.withLock { String(decoding: data, as: UTF8.self) }
  }

  /// Waits up to 10 seconds for `count` complete lines.
  public func waitForLines(_ count: Int) -> Bool {
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      if text.filter({ $0 == "\n" }).count >= count { return true }
      Thread.sleep(forTimeInterval: 0.01)
    }
    return false
  }
}
