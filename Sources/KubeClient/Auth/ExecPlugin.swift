import Dispatch
import Foundation
import SyncValue

/// What an exec credential plugin printed: a token and/or a client certificate.
public struct ExecCredential: Sendable, Equatable {
  public var token: String?
  public var clientIdentity: ClientIdentity?
  /// When the credential stops being valid; nil means until the server answers 401.
  public var expiration: Date?
}

/// Runs exec credential plugins (`users[].user.exec`) the way client-go does.
public enum ExecPlugin {
  public static let supportedVersions = [
    "client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1",
  ]

  /// Runs the plugin once and reads its `ExecCredential`.
  ///
  /// The plugin gets our environment plus its `env` entries and `KUBERNETES_EXEC_INFO`;
  /// stdin is empty because we are never interactive. A non-zero exit, a timeout or an
  /// unusable answer throws ``KubeError/execPlugin(command:message:)``. What the plugin
  /// printed (stdout or stderr) is never put in the error: a plugin that fails half way
  /// may already have printed the token, and errors end up in logs. The message says to
  /// run the command by hand instead, where its explanation can be read.
  public static func run(
    _ spec: ExecPluginSpec,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) async throws(KubeError) -> ExecCredential {
    let config = spec.config
    if config.interactiveMode == "Always" {
      throw .execPlugin(
        command: config.command,
        message: "interactiveMode is Always but syncrules never has a terminal")
    }
    var env = environment
    for variable in config.env { env[variable.name] = variable.value }
    env["KUBERNETES_EXEC_INFO"] = execInfo(spec)
    let output: ProcessOutput
    do {
      output = try await runProcess(
        command: config.command, arguments: config.args, environment: env,
        timeout: spec.timeout)
    } catch {
      var message = "could not start: \(error)"
      if let hint = config.installHint { message += "\n\(hint)" }
      throw .execPlugin(command: config.command, message: message)
    }
    if output.timedOut {
      throw .execPlugin(
        command: config.command,
        message: "no answer after \(spec.timeout); killed. \(runItYourself)")
    }
    guard output.status == 0 else {
      var message = "exited with status \(output.status)"
      // 127 is env(1) (or a shell) saying the command does not exist.
      if output.status == 127, let hint = config.installHint {
        message += "\n\(hint)"
      } else {
        message += ". \(runItYourself)"
      }
      throw .execPlugin(command: config.command, message: message)
    }
    do {
      return try parseCredential(output.stdout, apiVersion: config.apiVersion)
    } catch {
      throw .execPlugin(command: config.command, message: error.message)
    }
  }

  static let runItYourself =
    "What it printed is not shown, since it can hold credentials: run the command with the "
    + "args and env of the kubeconfig's exec section yourself to see its messages"

  /// The `KUBERNETES_EXEC_INFO` JSON for `spec`.
  static func execInfo(_ spec: ExecPluginSpec) -> String {
    var info = ObjectValue()
    info["interactive"] = .bool(false)
    if spec.config.provideClusterInfo, let cluster = spec.cluster { info["cluster"] = cluster }
    let credential: Value = [
      "apiVersion": .string(spec.config.apiVersion), "kind": "ExecCredential",
      "spec": .object(info),
    ]
    return JSON.serialize(credential)
  }

  struct ParseError: Error {
    var message: String
  }

  /// Reads the plugin's stdout.
  static func parseCredential(
    _ bytes: [UInt8], apiVersion: String
  ) throws(ParseError) -> ExecCredential {
    let document: Value
    do {
      document = try JSON.parse(bytes)
    } catch {
      throw ParseError(message: "printed something that is not JSON: \(error)")
    }
    guard document["kind"]?.stringValue == "ExecCredential" else {
      throw ParseError(message: "printed JSON that is not an ExecCredential")
    }
    let version = document["apiVersion"]?.stringValue ?? ""
    guard version == apiVersion else {
      throw ParseError(
        message: "answered with apiVersion '\(version)' but was configured with '\(apiVersion)'")
    }
    guard let status = document["status"]?.objectValue else {
      throw ParseError(message: "ExecCredential has no status")
    }
    var credential = ExecCredential()
    if let token = status["token"]?.stringValue, !token.isEmpty { credential.token = token }
    let certificate = status["clientCertificateData"]?.stringValue
    let key = status["clientKeyData"]?.stringValue
    switch (certificate, key) {
    case (let certificate?, let key?) where !certificate.isEmpty && !key.isEmpty:
      credential.clientIdentity = ClientIdentity(
        certificateChain: Array(certificate.utf8), privateKey: Array(key.utf8))
    case (nil, nil): break
    default:
      throw ParseError(
        message: "ExecCredential must set both clientCertificateData and clientKeyData")
    }
    if credential.token == nil, credential.clientIdentity == nil {
      throw ParseError(message: "ExecCredential has neither a token nor a client certificate")
    }
    if let text = status["expirationTimestamp"]?.stringValue {
      guard let date = parseTimestamp(text) else {
        throw ParseError(message: "expirationTimestamp '\(text)' is not RFC 3339")
      }
      credential.expiration = date
    }
    return credential
  }

  static func parseTimestamp(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
  }
}

struct ProcessOutput: Sendable {
  var status: Int32
  var stdout: [UInt8]
  var timedOut: Bool
}

/// Runs a command to completion off the cooperative pool: `Process` and pipe reads block.
func runProcess(
  command: String, arguments: [String], environment: [String: String], timeout: Duration
) async throws -> ProcessOutput {
  try await withCheckedThrowingContinuation { continuation in
    DispatchQueue.global().async {
      do {
        continuation.resume(
          returning: try runProcessBlocking(
            command: command, arguments: arguments, environment: environment, timeout: timeout))
      } catch {
        continuation.resume(throwing: error)
      }
    }
  }
}

private func runProcessBlocking(
  command: String, arguments: [String], environment: [String: String], timeout: Duration
) throws -> ProcessOutput {
  let process = Process()
  if command.contains("/") {
    process.executableURL = URL(fileURLWithPath: command)
    process.arguments = arguments
  } else {
    // Let env(1) search PATH as a shell would, with the plugin's own PATH if it set one.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [command] + arguments
  }
  process.environment = environment
  let stdout = Pipe()
  process.standardOutput = stdout
  // Never read, so never shown: it can hold the credential (see `ExecPlugin.run`).
  process.standardError = FileHandle.nullDevice
  process.standardInput = FileHandle.nullDevice
  try process.run()
  let killed = LockedFlag()
  let killer = DispatchWorkItem {
    if process.isRunning {
      killed.set()
      process.terminate()
    }
  }
  let seconds = Double(timeout.components.seconds)
  DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: killer)
  let outputBytes = [UInt8](stdout.fileHandleForReading.readDataToEndOfFile())
  process.waitUntilExit()
  killer.cancel()
  return ProcessOutput(
    status: process.terminationStatus, stdout: outputBytes, timedOut: killed.value)
}

private final class LockedFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var flag = false

  func set() { lock.withLock { flag = true } }
  var value: Bool { lock.withLock { flag } }
}
