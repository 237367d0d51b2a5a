import SyncValue

/// A value inside a policy document, with the path that leads to it, so that every
/// complaint about its shape names the line and column.
struct PolicyNode {
  let document: PolicyDocuments.Document
  let path: [String]
  let value: Value

  init(_ document: PolicyDocuments.Document, path: [String] = [], value: Value? = nil) {
    self.document = document
    self.path = path
    self.value = value ?? document.value
  }

  /// The member `key`, or nil when it is absent or `null`.
  subscript(key: String) -> PolicyNode? {
    guard case .object(let object) = value, let member = object[key], member != .null else {
      return nil
    }
    return PolicyNode(document, path: path + [key], value: member)
  }

  /// A finding placed at this node.
  func finding(_ code: ImportCode, _ message: String) -> ImportFinding {
    let location = document.location(of: path)
    return ImportFinding(
      code: code, file: document.file, line: location.line, column: location.column,
      message: message)
  }

  /// The failure of a node with the wrong shape.
  func invalid(_ message: String) -> ImportFailure {
    ImportFailure(findings: [finding(.invalidPolicy, message)])
  }

  /// `spec.resourceSelectors[0].kind`, for messages.
  var dottedPath: String {
    var text = ""
    for component in path {
      if component.allSatisfy(\.isNumber) {
        text += "[\(component)]"
      } else {
        text += text.isEmpty ? component : ".\(component)"
      }
    }
    return text
  }

  func string() throws(ImportFailure) -> String {
    switch value {
    case .string(let text): return text
    case .int(let number): return String(number)
    case .bool(let flag): return String(flag)
    default: throw invalid("`\(dottedPath)` must be a string, not \(value.typeName)")
    }
  }

  func bool() throws(ImportFailure) -> Bool {
    guard case .bool(let flag) = value else {
      throw invalid("`\(dottedPath)` must be true or false, not \(value.typeName)")
    }
    return flag
  }

  func int() throws(ImportFailure) -> Int64 {
    guard case .int(let number) = value else {
      throw invalid("`\(dottedPath)` must be an integer, not \(value.typeName)")
    }
    return number
  }

  func list() throws(ImportFailure) -> [PolicyNode] {
    guard case .array(let items) = value else {
      throw invalid("`\(dottedPath)` must be a list, not \(value.typeName)")
    }
    return items.enumerated().map { index, item in
      PolicyNode(document, path: path + [String(index)], value: item)
    }
  }

  func members() throws(ImportFailure) -> [(key: String, node: PolicyNode)] {
    guard case .object(let object) = value else {
      throw invalid("`\(dottedPath)` must be a map, not \(value.typeName)")
    }
    return object.members.map { member in
      (member.key, PolicyNode(document, path: path + [member.key], value: member.value))
    }
  }

  func strings() throws(ImportFailure) -> [String] {
    var result: [String] = []
    for item in try list() { result.append(try item.string()) }
    return result
  }

  /// A required string member.
  func requiredString(_ key: String) throws(ImportFailure) -> String {
    guard let member = self[key] else { throw invalid("`\(dottedPath)` has no `\(key)`") }
    return try member.string()
  }

  /// One of `choices`, compared without case (Karmada and Velero accept both spellings).
  func choice(_ choices: [String]) throws(ImportFailure) -> String {
    let text = try string()
    guard let found = choices.first(where: { $0.lowercased() == text.lowercased() }) else {
      throw invalid(
        "`\(dottedPath)` is `\(text)`; expected one of \(choices.map { "`\($0)`" }.joined(separator: ", "))"
      )
    }
    return found
  }
}
