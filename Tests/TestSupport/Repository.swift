import Foundation

/// Where the checkout lives, found from this file's path (no SwiftPM resources needed).
public enum Repository {
  /// The repository's root: the folder holding Package.swift.
  public static let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // TestSupport
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

  /// `relative` resolved against the repository root.
  public static func url(_ relative: String) -> URL {
    root.appendingPathComponent(relative)
  }

  /// The absolute path of `relative` inside the repository.
  public static func path(_ relative: String) -> String {
    url(relative).path
  }

  /// Test data shared with the other checkouts (CRDs of real projects), beside the
  /// repository rather than inside it.
  public static func sharedTestData(_ relative: String) -> String {
    root.deletingLastPathComponent().appendingPathComponent("shared/testdata")
      .appendingPathComponent(relative).path
  }

  /// The `.sync` files (or other files ending in `suffix`) directly in `folder`, sorted.
  public static func files(in folder: URL, endingWith suffix: String = ".sync") -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { $0.hasSuffix(suffix) }.sorted()
  }

  /// The subdirectories of `folder`, sorted by name.
  public static func directories(in folder: URL) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
    return names.filter { name in
      var isDirectory: ObjCBool = false
      let path = folder.appendingPathComponent(name).path
      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        && isDirectory.boolValue
    }.sorted()
  }
}
