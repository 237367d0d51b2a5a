import SyncValue

/// Keeps credentials and Secret values out of messages and logs.
public enum Redaction {
  /// What a hidden value is replaced with.
  public static let mask = "***"

  /// `url` with the password of its user information replaced by `***`
  /// (`http://user:***@proxy:3128`), as Go's `url.Redacted` does.
  ///
  /// Works on text that does not parse as a URL too (`user:pass@proxy:3128`, a missing
  /// scheme), since that is exactly what configuration errors print.
  public static func url(_ url: String) -> String {
    let authorityStart = url.range(of: "://")?.upperBound ?? url.startIndex
    let rest = url[authorityStart...]
    let authorityEnd = rest.firstIndex(where: { "/?#".contains($0) }) ?? rest.endIndex
    let authority = rest[..<authorityEnd]
    guard let at = authority.lastIndex(of: "@") else { return url }
    let userInfo = authority[..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<userInfo.index(after: colon)]) + mask + String(url[at...])
  }

  /// `value` with the value of every member of every `data` and `stringData` map replaced
  /// by `***` (keys are kept), at any depth: a Secret, a list of them, or an answer that
  /// echoes one. A `data` that is not a map is masked whole.
  public static func secretValues(in value: Value) -> Value {
    switch value {
    case .object(let members):
      var result = ObjectValue()
      for member in members.members {
        if member.key == "data" || member.key == "stringData" {
          result[member.key] = maskedMembers(member.value)
        } else {
          result[member.key] = secretValues(in: member.value)
        }
      }
      return .object(result)
    case .array(let items):
      return .array(items.map(secretValues(in:)))
    default:
      return value
    }
  }

  private static func maskedMembers(_ value: Value) -> Value {
    guard case .object(let members) = value else {
      return value == .null ? value : .string(mask)
    }
    var result = ObjectValue()
    for member in members.members { result[member.key] = .string(mask) }
    return .object(result)
  }

  /// Whether an API path names Secrets (`/api/v1/namespaces/shop/secrets/tls`,
  /// `/api/v1/secrets`): answers to such requests are never logged.
  static func concernsSecrets(_ path: String) -> Bool {
    path.split(separator: "/").contains("secrets")
  }
}
