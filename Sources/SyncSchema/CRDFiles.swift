import SyncValue

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Finding and reading CRD files.
enum CRDFiles {
  static let extensions: Set<String> = ["yaml", "yml", "json"]

  /// `path` itself when it is a file; the YAML and JSON files below it, sorted, when
  /// it is a directory.
  static func expand(_ path: String) throws(SchemaLoadError) -> [String] {
    guard let isDirectory = kind(of: path) else {
      throw SchemaLoadError(file: path, message: "no such file or directory", isUnreadable: true)
    }
    guard isDirectory else { return [path] }
    var files: [String] = []
    try collect(in: path, into: &files)
    return files.sorted()
  }

  private static func collect(in directory: String, into files: inout [String])
    throws(SchemaLoadError)
  {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw SchemaLoadError(file: directory, message: "cannot list directory", isUnreadable: true)
    }
    for name in names where !name.hasPrefix(".") {
      // Hidden entries (.git, editor swap files) are not CRDs to load.
      let full = directory.hasSuffix("/") ? directory + name : directory + "/" + name
      switch kind(of: full) {
      case true?:
        try collect(in: full, into: &files)
      case false?:
        if let dot = name.lastIndex(of: "."),
          extensions.contains(name[name.index(after: dot)...].lowercased())
        {
          files.append(full)
        }
      case nil:
        continue
      }
    }
  }

  /// True for a directory, false for anything else that exists, nil when missing.
  private static func kind(of path: String) -> Bool? {
    // attributesOfItem follows a final symlink like stat(2); it is spelled the same
    // in Foundation and FoundationEssentials, unlike fileExists(atPath:isDirectory:).
    guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
      return nil
    }
    return attributes[.type] as? FileAttributeType == .typeDirectory
  }

  /// The documents of one file: JSON when it ends in `.json`, YAML otherwise.
  static func documents(in file: String) throws(SchemaLoadError) -> [Value] {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw SchemaLoadError(file: file, message: "cannot read file", isUnreadable: true)
    }
    let bytes = [UInt8](data)
    if file.lowercased().hasSuffix(".json") {
      do {
        return [try JSON.parse(bytes)]
      } catch {
        throw SchemaLoadError(
          file: file, line: error.line, column: error.column, message: error.message)
      }
    }
    do {
      return try YAML.parseAll(String(decoding: bytes, as: UTF8.self))
    } catch let error as YAMLError {
      throw SchemaLoadError(
        file: file, line: error.line, column: error.column, message: error.message)
    } catch {
      throw SchemaLoadError(file: file, message: "\(error)")
    }
  }
}
