import Foundation

/// Locates and reads the corpus beside this file (no SwiftPM resources needed).
enum CorpusFile {
  static let directory: String = {
    let here = URL(fileURLWithPath: #filePath)
    return here.deletingLastPathComponent().appendingPathComponent("Corpus").path
  }()

  static func read(_ path: String) throws -> String {
    try String(contentsOfFile: path, encoding: .utf8)
  }

  /// The `.sync` files of a corpus folder, sorted by name.
  static func files(in folder: String) -> [String] {
    let path = directory + "/" + folder
    let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
    return names.filter { $0.hasSuffix(".sync") }.sorted()
  }
}
