import Foundation
import SyncRuntime
import SyncValue

/// Reads the object files a test names: JSON (one value, concatenated values or NDJSON)
/// or YAML (one or more documents), with `kind: List` envelopes opened, as `apply`
/// would see them.
enum ObjectDocuments {
  /// The objects in `path`, or an error naming the place in that file.
  static func read(path: String) throws(RuleTestFileError) -> [RuleTestObject] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw RuleTestFileError(path: path, line: 1, column: 1, message: "cannot read the file")
    }
    let bytes = [UInt8](data)
    let documents: [Value]
    if path.hasSuffix(".json") || path.hasSuffix(".ndjson") {
      documents = try readJSON(bytes, path: path)
    } else {
      documents = try readYAML(bytes, path: path)
    }
    var objects: [RuleTestObject] = []
    for (index, document) in documents.enumerated() {
      let origin = documents.count == 1 ? path : "\(path) document \(index + 1)"
      objects += flatten(document, origin: origin)
    }
    return objects
  }

  private static func readJSON(_ bytes: [UInt8], path: String) throws(RuleTestFileError)
    -> [Value]
  {
    let reader = JSONStreamReader(bytes: bytes)
    var values: [Value] = []
    do throws(JSONError) {
      while let value = try reader.nextValue() { values.append(value) }
    } catch {
      throw RuleTestFileError(
        path: path, line: error.line, column: error.column, message: error.message)
    }
    return values
  }

  private static func readYAML(_ bytes: [UInt8], path: String) throws(RuleTestFileError)
    -> [Value]
  {
    do {
      let reader = YAMLStreamReader(bytes: bytes)
      var values: [Value] = []
      while let value = try reader.nextDocument() { values.append(value) }
      return values
    } catch let error as YAMLError {
      throw RuleTestFileError(
        path: path, line: error.line, column: error.column, message: error.message)
    } catch {
      throw RuleTestFileError(path: path, line: 1, column: 1, message: "\(error)")
    }
  }

  /// A `kind: List` (or `…List` with `items`, as the API server returns) stands for
  /// its items; anything else is one object.
  static func flatten(_ document: Value, origin: String) -> [RuleTestObject] {
    if let kind = document["kind"]?.stringValue, kind.hasSuffix("List"),
      case .array(let items)? = document["items"]
    {
      return items.enumerated().map { index, item in
        RuleTestObject(item, origin: "\(origin) item \(index + 1)")
      }
    }
    return [RuleTestObject(document, origin: origin)]
  }
}
