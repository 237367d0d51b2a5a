import Foundation
import TestSupport

/// Runs a ``ConsoleSample`` in one shell, in a scratch copy of the repository's docs.
enum ConsoleSampleRunner {
  /// What the sample's commands printed.
  struct Outputs {
    /// Each command's standard output and error, merged.
    var commands: [String]
    /// What the shell itself said outside every command: a syntax error of the block.
    var shell: String
  }

  /// Runs every command of `sample`, in order, in one shell. Waits without holding a
  /// thread: a blocked thread of the test process's small pool would stall the suites
  /// that run beside this one.
  static func run(_ sample: ConsoleSample) async throws -> Outputs {
    let scratch = try TemporaryDirectory(prefix: "syncrules-doc-sample")
    for shipped in ["docs", "stdlib-rules"] {
      try FileManager.default.copyItem(
        at: Repository.url(shipped), to: scratch.url.appendingPathComponent(shipped))
    }
    // One shell for the whole block, so that `$ echo $?` sees the command before it;
    // each command's output goes to its own file.
    var script = "cd \(quoted(scratch.path)) || exit 99\n"
    for (number, command) in sample.commands.enumerated() {
      // A comment alone is not a command group; `(exit $?)` keeps the status a later
      // `echo $?` shows.
      let text = command.text.hasPrefix("#") ? "(exit $?) \(command.text)" : command.text
      script += "{\n\(text)\n} > .sample-output-\(number) 2>&1 < /dev/null\n"
    }
    // A server a sample left running (`kube-api-server … &`) goes with the sample.
    script += "kill $(jobs -p) 2>/dev/null\nwait 2>/dev/null\nexit 0\n"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = ["--noprofile", "--norc", "-c", script]
    var environment = ProcessInfo.processInfo.environment
    let binaries = CLI.executable.deletingLastPathComponent().path
    environment["PATH"] = "\(binaries):\(environment["PATH"] ?? "/usr/bin:/bin")"
    environment["NO_COLOR"] = "1"
    environment["TZ"] = "UTC"
    environment["HOME"] = scratch.path
    environment["KUBECONFIG"] = nil
    process.environment = environment
    let shellOutput = scratch.url.appendingPathComponent(".sample-shell")
    _ = FileManager.default.createFile(atPath: shellOutput.path, contents: nil)
    let shell = try FileHandle(forWritingTo: shellOutput)
    defer { try? shell.close() }
    process.standardError = shell
    process.standardOutput = shell
    process.standardInput = FileHandle.nullDevice
    // A sample that hangs (a server that never comes up) ends with the test's time
    // limit: cancelling the test terminates the shell, which resumes the wait.
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (finished: CheckedContinuation<Void, any Error>) in
        process.terminationHandler = { _ in finished.resume() }
        do {
          try process.run()
        } catch {
          process.terminationHandler = nil
          finished.resume(throwing: error)
        }
      }
    } onCancel: {
      process.terminate()
    }
    let said = (try? Data(contentsOf: shellOutput)) ?? Data()
    let outputs = sample.commands.indices.map { number in
      let file = scratch.url.appendingPathComponent(".sample-output-\(number)")
      return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }
    return Outputs(commands: outputs, shell: String(decoding: said, as: UTF8.self))
  }

  /// Whether `output` is what `expected` says: line by line, trailing blanks ignored;
  /// `…` in a line is any text, a line that is only `…` any number of lines.
  static func matches(_ output: String, _ expected: [String]) -> Bool {
    var actual = output.split(separator: "\n", omittingEmptySubsequences: false).map {
      String($0.reversed().drop { $0 == " " }.reversed())
    }
    while actual.last == "" { actual.removeLast() }
    var wanted = expected.map { String($0.reversed().drop { $0 == " " }.reversed()) }
    while wanted.last == "" { wanted.removeLast() }
    return linesMatch(actual[...], wanted[...])
  }

  private static func linesMatch(_ actual: ArraySlice<String>, _ wanted: ArraySlice<String>)
    -> Bool
  {
    guard let first = wanted.first else { return actual.isEmpty }
    if first == "…" {
      let rest = wanted.dropFirst()
      return actual.indices.contains { linesMatch(actual[$0...], rest) }
        || linesMatch(actual[actual.endIndex...], rest)
    }
    guard let line = actual.first, lineMatches(line, first) else { return false }
    return linesMatch(actual.dropFirst(), wanted.dropFirst())
  }

  /// One line against a pattern whose `…` stand for any text.
  static func lineMatches(_ line: String, _ pattern: String) -> Bool {
    let pieces = pattern.components(separatedBy: "…")
    guard pieces.count > 1 else { return line == pattern }
    guard line.hasPrefix(pieces[0]) else { return false }
    var rest = line.dropFirst(pieces[0].count)
    for piece in pieces.dropFirst().dropLast() {
      guard let found = rest.range(of: piece) else { return false }
      rest = rest[found.upperBound...]
    }
    let last = pieces[pieces.count - 1]
    return rest.count >= last.count && rest.hasSuffix(last)
  }

  private static func quoted(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
