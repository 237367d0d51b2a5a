import Foundation

/// Expected-output files compared with what the code produces now.
///
/// `SYNCRULES_UPDATE_GOLDENS=1 swift test` rewrites every golden file from the actual
/// output instead of comparing; review the diff before committing.
public enum Golden {
  /// The variable that turns comparing into rewriting.
  public static let updateVariable = "SYNCRULES_UPDATE_GOLDENS"

  /// Whether this run rewrites golden files.
  public static var isUpdating: Bool {
    ProcessInfo.processInfo.environment[updateVariable] == "1"
  }

  /// The golden file's text, or nil when it does not exist.
  public static func read(_ url: URL) -> String? {
    try? String(contentsOf: url, encoding: .utf8)
  }

  /// The expected text at `url`; when updating, writes `actual` there first. Nil when the
  /// file is missing (and not being written).
  public static func expected(_ actual: String, at url: URL) throws -> String? {
    if isUpdating {
      try actual.write(to: url, atomically: true, encoding: .utf8)
    }
    return read(url)
  }

  /// The expected text of an optional golden file, whose absence means "": when updating,
  /// an empty `actual` removes the file instead of writing it.
  public static func expectedOrEmpty(_ actual: String, at url: URL) throws -> String {
    if isUpdating && actual.isEmpty {
      try? FileManager.default.removeItem(at: url)
      return ""
    }
    return try expected(actual, at: url) ?? ""
  }
}
