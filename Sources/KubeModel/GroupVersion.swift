/// An API group and version, as an object's `apiVersion` names them: `apps/v1` is group
/// `apps` at version `v1`; `v1` alone is the core group (`""`) at `v1`.
///
/// This is the one place an `apiVersion` is split. A value with more than one `/`, or an
/// empty group or version (`/v1`, `apps/`, ``), names nothing a server can serve and is
/// refused rather than split some arbitrary way.
public struct GroupVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The API group; empty for the core group (`/api/v1`).
  public var group: String
  /// The version, such as `v1` or `v1beta1`.
  public var version: String

  /// Creates a group version from its parts.
  public init(group: String, version: String) {
    self.group = group
    self.version = version
  }

  /// Splits an `apiVersion` field value; nil when it has more than one `/` or an empty
  /// group or version.
  public init?(apiVersion: String) {
    let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts.contains(where: \.isEmpty) else { return nil }
    if parts.count == 2 {
      group = String(parts[0])
      version = String(parts[1])
    } else {
      group = ""
      version = apiVersion
    }
  }

  /// The `apiVersion` field value: `apps/v1`, or `v1` for the core group.
  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// The URL path the group version is served at: `/api/v1` or `/apis/apps/v1`.
  public var path: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

  /// The `apiVersion` form.
  public var description: String { apiVersion }

  public static func < (lhs: GroupVersion, rhs: GroupVersion) -> Bool {
    (lhs.group, lhs.version) < (rhs.group, rhs.version)
  }
}
