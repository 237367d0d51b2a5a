/// Kubernetes' validation rules for names, label keys and values, in one place so the
/// checker and the runtime agree.
public enum NameRules {
  /// Why `key` is not a valid label key or annotation key (a qualified name), or nil.
  public static func qualifiedNameProblem(_ key: String) -> String? {
    let parts = key.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2 else { return "a key may contain at most one `/`" }
    let name = String(parts.last!)
    if parts.count == 2 {
      let prefix = String(parts[0])
      if prefix.isEmpty { return "the prefix before `/` must not be empty" }
      if let problem = dnsSubdomainProblem(prefix) { return "the prefix \(problem)" }
    }
    if name.isEmpty { return "the name part must not be empty" }
    if name.utf8.count > 63 {
      return "the name part is \(name.utf8.count) characters long; at most 63 are allowed"
    }
    if let problem = labelCharactersProblem(name) { return "the name part \(problem)" }
    return nil
  }

  /// Why `value` is not a valid label value, or nil.
  public static func labelValueProblem(_ value: String) -> String? {
    if value.isEmpty { return nil }
    if value.utf8.count > 63 {
      return "it is \(value.utf8.count) characters long; at most 63 are allowed"
    }
    return labelCharactersProblem(value)
  }

  /// Why `name` is not a DNS-1123 subdomain (most object names), or nil.
  public static func dnsSubdomainProblem(_ name: String) -> String? {
    if name.utf8.count > 253 { return "is longer than 253 characters" }
    for label in name.split(separator: ".", omittingEmptySubsequences: false) {
      if label.isEmpty { return "must not have empty parts between dots" }
      for scalar in label.unicodeScalars where !isLowerAlphanumeric(scalar) && scalar != "-" {
        return "may contain only lowercase letters, digits, `-` and `.` (found `\(scalar)`)"
      }
      if label.first == "-" || label.last == "-" {
        return "must start and end with a lowercase letter or digit"
      }
    }
    return nil
  }

  private static func labelCharactersProblem(_ text: String) -> String? {
    let scalars = Array(text.unicodeScalars)
    for scalar in scalars where !isAlphanumeric(scalar) && !"-_.".unicodeScalars.contains(scalar) {
      return "may contain only letters, digits, `-`, `_` and `.` (found `\(scalar)`)"
    }
    if !isAlphanumeric(scalars.first!) || !isAlphanumeric(scalars.last!) {
      return "must start and end with a letter or digit"
    }
    return nil
  }

  private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
  }

  private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
    isLowerAlphanumeric(scalar) || ("A"..."Z").contains(scalar)
  }
}
