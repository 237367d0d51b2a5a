import Foundation

/// A scratch directory that removes itself when the last reference goes: keep the value
/// in a local for as long as its files are used.
public final class TemporaryDirectory: @unchecked Sendable {
  /// The directory's absolute path.
  public let path: String

  /// The directory as a file URL.
  public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

  /// Creates an empty directory whose name starts with `prefix`.
  public init(prefix: String = "syncrules-test") throws {
    path = (NSTemporaryDirectory() as NSString).appendingPathComponent(
      "\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes `text` to `name` (subdirectories created) and returns the absolute path.
  @discardableResult
  public func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
    try write(name, Data(text.utf8), executable: executable)
  }

  /// Writes `data` to `name` (subdirectories created) and returns the absolute path.
  @discardableResult
  public func write(_ name: String, _ data: Data, executable: Bool = false) throws -> String {
    let file = self.file(name)
    try FileManager.default.createDirectory(
      atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try data.write(to: URL(fileURLWithPath: file))
    if executable {
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
    }
    return file
  }

  /// The absolute path of `name` inside the directory (the file need not exist).
  public func file(_ name: String) -> String {
    (path as NSString).appendingPathComponent(name)
  }

  /// The text of `name`, or "" when it cannot be read.
  public func read(_ name: String) -> String {
    (try? String(contentsOfFile: file(name), encoding: .utf8)) ?? ""
  }
}
