import Foundation
import TestSupport

/// Locates and reads the parser corpus (no SwiftPM resources needed).
enum CorpusFile {
  static let directory = Repository.path("Tests/SyncSyntaxTests/Corpus")

  static func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
  }

  /// The `.sync` files of a corpus folder, sorted by name.
  static func files(in folder: String) -> [String] {
    Repository.files(in: URL(fileURLWithPath: directory + "/" + folder))
  }
}
