import Foundation

/// What one request presents: an `Authorization` header and/or a client certificate.
struct RequestCredentials: Sendable, Equatable {
  var authorization: String?
  var identity: ClientIdentity?
}

/// Hands out current credentials, re-reading token files and re-running exec plugins.
///
/// One per client. Concurrent requests that find the exec credential missing or expired
/// share a single plugin run.
actor Authenticator {
  private let credentials: Credentials
  private let environment: [String: String]
  private var fileToken: (token: String, readAt: ContinuousClock.Instant)?
  private var execCredential: ExecCredential?
  private var execRun: Task<ExecCredential, any Error>?

  init(_ credentials: Credentials, environment: [String: String]) {
    self.credentials = credentials
    self.environment = environment
  }

  /// True when a 401 may be cured by fetching credentials again.
  nonisolated var refreshesOnUnauthorized: Bool {
    credentials.exec != nil || credentials.tokenFile != nil
  }

  func current() async throws(KubeError) -> RequestCredentials {
    var result = RequestCredentials(identity: credentials.clientCertificate)
    if credentials.exec != nil {
      let credential = try await execCredentialNow()
      if let identity = credential.clientIdentity { result.identity = identity }
      if let token = credential.token { result.authorization = "Bearer \(token)" }
      if result.authorization != nil { return result }
    }
    if let token = credentials.bearerToken {
      result.authorization = "Bearer \(token)"
    } else if let path = credentials.tokenFile {
      result.authorization = "Bearer \(try tokenFromFile(path))"
    } else if let basic = credentials.basic {
      let pair = Data("\(basic.username):\(basic.password)".utf8).base64EncodedString()
      result.authorization = "Basic \(pair)"
    }
    return result
  }

  /// Forgets cached credentials after the server rejected `used` with 401, so the next
  /// ``current()`` re-runs the plugin or re-reads the token file. A 401 for credentials
  /// that were already replaced by a concurrent request does not throw the new ones away.
  func unauthorized(_ used: RequestCredentials) {
    if let cached = execCredential,
      cached.token.map({ "Bearer \($0)" }) == used.authorization
        || (cached.token == nil && cached.clientIdentity == used.identity)
    {
      execCredential = nil
    }
    if let file = fileToken, "Bearer \(file.token)" == used.authorization {
      fileToken = nil
    }
  }

  private func execCredentialNow() async throws(KubeError) -> ExecCredential {
    if let cached = execCredential, !Self.isExpired(cached) { return cached }
    let task: Task<ExecCredential, any Error>
    if let running = execRun {
      task = running
    } else {
      guard let spec = credentials.exec else { throw .configuration("no exec plugin") }
      let environment = environment
      task = Task { try await ExecPlugin.run(spec, environment: environment) }
      execRun = task
    }
    do {
      let credential = try await task.value
      if execRun == task {
        execRun = nil
        execCredential = credential
      }
      return credential
    } catch {
      if execRun == task { execRun = nil }
      if let error = error as? KubeError { throw error }
      throw .execPlugin(command: credentials.exec?.config.command ?? "", message: "\(error)")
    }
  }

  private static func isExpired(_ credential: ExecCredential) -> Bool {
    guard let expiration = credential.expiration else { return false }
    return Date() >= expiration
  }

  private func tokenFromFile(_ path: String) throws(KubeError) -> String {
    let now = ContinuousClock.now
    if let cached = fileToken, now - cached.readAt < credentials.tokenFileRefresh {
      return cached.token
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      // A rotation in progress may briefly remove the file; keep the last good token.
      if let cached = fileToken { return cached.token }
      throw .configuration("cannot read token file \(path)")
    }
    let token = String(decoding: data, as: UTF8.self)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard !token.isEmpty else { throw .configuration("token file \(path) is empty") }
    fileToken = (token, now)
    return token
  }
}
