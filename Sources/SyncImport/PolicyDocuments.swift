import Foundation
import SyncValue

/// The YAML documents of the files given to `import`, each with a way back to the line
/// and column of any field in it.
struct PolicyDocuments {
  struct Document {
    var file: String
    var index: Int
    var value: Value
    var text: String
    /// For a document embedded in a block scalar of another file (a ConfigMap's data
    /// entry): where its first line is in that file, and its indentation there.
    var embedding: (line: Int, indent: Int)? = nil

    /// Where the value at `path` (map keys and decimal indices) starts.
    func location(of path: [String]) -> YAMLSourceMap.Location {
      var location = YAMLSourceMap(text: text, document: index).location(of: path)
      if let embedding {
        location.line += embedding.line - 1
        location.column += embedding.indent
      }
      return location
    }

    /// The document held by the string at `node` (a block scalar `|` or `>`: positions
    /// map back into this file; any other string: to where it starts).
    func embedded(_ text: String, at path: [String]) throws -> Document {
      let start = location(of: path)
      let lines = self.text.split(separator: "\n", omittingEmptySubsequences: false)
      var embedding: (line: Int, indent: Int)?
      if start.line - 1 < lines.count {
        let line = lines[start.line - 1].dropFirst(start.column - 1)
        if line.hasPrefix("|") || line.hasPrefix(">"),
          let first = lines.dropFirst(start.line).first(where: { !$0.allSatisfy(\.isWhitespace) })
        {
          embedding = (start.line + 1, first.prefix { $0 == " " }.count)
        }
      }
      var document = Document(
        file: file, index: 0, value: try YAML.parse(text), text: text, embedding: embedding)
      if embedding == nil {
        // Not mappable line by line: every position is the string's own.
        document.embedding = (start.line, start.column - 1)
        document.text = ""
      }
      return document
    }
  }

  var documents: [Document] = []
  /// The paths as named on the command line.
  var paths: [String] = []

  /// Reads files, and the `.yaml`, `.yml` and `.json` files under directories (sorted by
  /// path). A file that does not parse is an error naming its line and column.
  static func read(paths: [String]) throws(ImportFailure) -> PolicyDocuments {
    var result = PolicyDocuments(paths: paths)
    for file in try expand(paths) {
      guard let bytes = readFile(file) else {
        throw failure(file, "cannot read the file")
      }
      guard let text = String(validating: bytes, as: UTF8.self) else {
        throw failure(file, "not UTF-8 text")
      }
      let values: [Value]
      do {
        values = try YAML.parseAll(text)
      } catch let error as YAMLError {
        throw ImportFailure(findings: [
          ImportFinding(
            code: .invalidPolicy, file: file, line: error.line, column: error.column,
            message: "not valid YAML: \(error.message)")
        ])
      } catch {
        throw failure(file, "not valid YAML: \(error)")
      }
      // Empty documents count in the source map's numbering but not in parseAll's.
      let indices = documentIndices(text, count: values.count)
      for (offset, value) in values.enumerated() {
        result.documents.append(
          Document(file: file, index: indices[offset], value: value, text: text))
      }
    }
    return result
  }

  private static func failure(_ file: String, _ message: String) -> ImportFailure {
    ImportFailure(findings: [
      ImportFinding(code: .invalidPolicy, file: file, line: 1, column: 1, message: message)
    ])
  }

  private static func expand(_ paths: [String]) throws(ImportFailure) -> [String] {
    var files: [String] = []
    for path in paths {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        var missing = failure(path, "no such file or directory")
        missing.isUsageError = true
        throw missing
      }
      guard isDirectory.boolValue else {
        files.append(path)
        continue
      }
      let found = (FileManager.default.subpaths(atPath: path) ?? [])
        .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") || $0.hasSuffix(".json") }
        .sorted()
      files += found.map { (path as NSString).appendingPathComponent($0) }
    }
    return files
  }

  /// The source-map index of each non-empty document: parseAll skips empty ones.
  private static func documentIndices(_ text: String, count: Int) -> [Int] {
    var indices: [Int] = []
    var index = 0
    while indices.count < count && index < count * 4 + 16 {
      let map = YAMLSourceMap(text: text, document: index)
      if map.hasMembers { indices.append(index) }
      index += 1
    }
    while indices.count < count { indices.append(indices.count) }
    return indices
  }
}

/// The bytes of the file at `path`, read with `read(2)` (Foundation's whole-file read
/// keeps a buffer alive for an empty file); nil when it cannot be opened or read.
func readFile(_ path: String) -> [UInt8]? {
  let descriptor = open(path, O_RDONLY)
  guard descriptor >= 0 else { return nil }
  defer { close(descriptor) }
  var bytes: [UInt8] = []
  var chunk = [UInt8](repeating: 0, count: 65536)
  while true {
    let count = chunk.withUnsafeMutableBytes {
      readInput(from: descriptor, into: $0.baseAddress!, count: $0.count)
    }
    if count < 0 { return nil }
    if count == 0 { return bytes }
    bytes += chunk[..<count]
  }
}
