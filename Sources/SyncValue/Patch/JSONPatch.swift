/// An RFC 6902 JSON Patch: a list of operations applied in order, all or nothing.
public struct JSONPatch: Sendable, Hashable {
  /// One operation of a patch.
  public enum Operation: Sendable, Hashable {
    case add(JSONPointer, Value)
    case remove(JSONPointer)
    case replace(JSONPointer, Value)
    case move(from: JSONPointer, to: JSONPointer)
    case copy(from: JSONPointer, to: JSONPointer)
    case test(JSONPointer, Value)
  }

  public let operations: [Operation]

  /// Why a patch document is not a valid patch, or why applying it failed.
  public struct Failure: Error, Sendable, CustomStringConvertible {
    /// The index of the operation at fault.
    public var operation: Int
    public var message: String
    /// A `test` operation failed (its path is missing or holds another value).
    public var isTestFailure = false
    public var description: String { "operation \(operation): \(message)" }

    public init(operation: Int, message: String, isTestFailure: Bool = false) {
      self.operation = operation
      self.message = message
      self.isTestFailure = isTestFailure
    }
  }

  public init(operations: [Operation]) {
    self.operations = operations
  }

  /// Reads a patch document: a list of `{op, path, value|from}` objects.
  public init(_ document: Value) throws(Failure) {
    guard case .array(let items) = document else {
      throw Failure(operation: 0, message: "a patch must be a list of operations")
    }
    var operations: [Operation] = []
    for (index, item) in items.enumerated() {
      guard case .object(let fields) = item else {
        throw Failure(operation: index, message: "an operation must be a map")
      }
      func pointer(_ key: String) throws(Failure) -> JSONPointer {
        guard case .string(let text)? = fields[key] else {
          throw Failure(operation: index, message: "`\(key)` must be a string")
        }
        do {
          return try JSONPointer(text)
        } catch {
          throw Failure(operation: index, message: "`\(key)` \"\(text)\": \(error.description)")
        }
      }
      func value() throws(Failure) -> Value {
        guard let value = fields["value"] else {
          throw Failure(operation: index, message: "`value` is required")
        }
        return value
      }
      guard case .string(let op)? = fields["op"] else {
        throw Failure(operation: index, message: "`op` must be a string")
      }
      switch op {
      case "add": operations.append(.add(try pointer("path"), try value()))
      case "remove": operations.append(.remove(try pointer("path")))
      case "replace": operations.append(.replace(try pointer("path"), try value()))
      case "move": operations.append(.move(from: try pointer("from"), to: try pointer("path")))
      case "copy": operations.append(.copy(from: try pointer("from"), to: try pointer("path")))
      case "test": operations.append(.test(try pointer("path"), try value()))
      default:
        throw Failure(
          operation: index,
          message: "unknown op `\(op)`; expected add, remove, replace, move, copy or test")
      }
    }
    self.operations = operations
  }

  /// Applies every operation to `document`, which is left untouched if any fails.
  public func apply(to document: inout Value) throws(Failure) {
    var working = document
    for (index, operation) in operations.enumerated() {
      do throws(PatchError) {
        try Self.apply(operation, to: &working)
      } catch {
        if case .test = operation {
          throw Failure(operation: index, message: error.message, isTestFailure: true)
        }
        throw Failure(operation: index, message: error.message)
      }
    }
    document = working
  }

  struct PatchError: Error {
    var message: String
  }

  private static func apply(_ operation: Operation, to document: inout Value) throws(PatchError) {
    switch operation {
    case .add(let path, let value):
      try add(value, at: path.tokens[...], pointer: path, in: &document)
    case .remove(let path):
      _ = try remove(at: path.tokens[...], pointer: path, in: &document)
    case .replace(let path, let value):
      _ = try get(path, in: document)
      if path.tokens.isEmpty {
        document = value
      } else if case .object = try get(JSONPointer(parentOf: path), in: document) {
        // `add` on an existing member replaces it where it stands; remove-then-add
        // would move the key to the end and make the rewritten object diff badly.
        try add(value, at: path.tokens[...], pointer: path, in: &document)
      } else {
        _ = try remove(at: path.tokens[...], pointer: path, in: &document)
        try add(value, at: path.tokens[...], pointer: path, in: &document)
      }
    case .move(let from, let to):
      if to.tokens.count > from.tokens.count,
        Array(to.tokens.prefix(from.tokens.count)) == from.tokens
      {
        throw PatchError(message: "cannot move `\(from)` into its own child `\(to)`")
      }
      let value = try get(from, in: document)
      if from.tokens.isEmpty {
        document = .null
      } else {
        _ = try remove(at: from.tokens[...], pointer: from, in: &document)
      }
      try add(value, at: to.tokens[...], pointer: to, in: &document)
    case .copy(let from, let to):
      let value = try get(from, in: document)
      try add(value, at: to.tokens[...], pointer: to, in: &document)
    case .test(let path, let expected):
      let actual = try get(path, in: document)
      guard actual.semanticallyEquals(expected) else {
        throw PatchError(
          message: "test failed: the value at `\(path)` differs from the expected one")
      }
    }
  }

  /// The value a pointer names.
  public static func value(at pointer: JSONPointer, in document: Value) -> Value? {
    try? get(pointer, in: document)
  }

  private static func get(_ pointer: JSONPointer, in document: Value) throws(PatchError) -> Value {
    var current = document
    for token in pointer.tokens {
      switch current {
      case .object(let object):
        guard let next = object[token] else {
          throw PatchError(message: "`\(pointer)` does not exist (no member `\(token)`)")
        }
        current = next
      case .array(let items):
        guard let index = JSONPointer.index(token), index < items.count else {
          throw PatchError(message: "`\(pointer)` does not exist (no element `\(token)`)")
        }
        current = items[index]
      default:
        throw PatchError(
          message: "`\(pointer)` does not exist (`\(token)` is inside a \(current.typeName))")
      }
    }
    return current
  }

  private static func add(
    _ value: Value, at tokens: ArraySlice<String>, pointer: JSONPointer, in document: inout Value
  ) throws(PatchError) {
    guard let token = tokens.first else {
      document = value
      return
    }
    let rest = tokens.dropFirst()
    switch document {
    case .object(var object):
      if rest.isEmpty {
        object[token] = value
      } else {
        guard var child = object[token] else {
          throw PatchError(message: "cannot add at `\(pointer)`: parent `\(token)` does not exist")
        }
        document = .null  // release the parent's reference so the child is edited in place
        try add(value, at: rest, pointer: pointer, in: &child)
        object[token] = child
      }
      document = .object(object)
    case .array(var items):
      if rest.isEmpty {
        if token == "-" {
          items.append(value)
        } else {
          guard let index = JSONPointer.index(token), index <= items.count else {
            throw PatchError(
              message: "cannot add at `\(pointer)`: index `\(token)` is out of bounds")
          }
          items.insert(value, at: index)
        }
      } else {
        guard let index = JSONPointer.index(token), index < items.count else {
          throw PatchError(message: "cannot add at `\(pointer)`: no element `\(token)`")
        }
        document = .null
        try add(value, at: rest, pointer: pointer, in: &items[index])
      }
      document = .array(items)
    default:
      throw PatchError(
        message: "cannot add at `\(pointer)`: `\(token)` is inside a \(document.typeName)")
    }
  }

  private static func remove(
    at tokens: ArraySlice<String>, pointer: JSONPointer, in document: inout Value
  ) throws(PatchError) -> Value {
    guard let token = tokens.first else {
      throw PatchError(message: "cannot remove the whole document")
    }
    let rest = tokens.dropFirst()
    switch document {
    case .object(var object):
      guard var child = object[token] else {
        throw PatchError(message: "cannot remove `\(pointer)`: it does not exist")
      }
      let removed: Value
      if rest.isEmpty {
        removed = child
        object.removeValue(forKey: token)
      } else {
        document = .null
        removed = try remove(at: rest, pointer: pointer, in: &child)
        object[token] = child
      }
      document = .object(object)
      return removed
    case .array(var items):
      guard let index = JSONPointer.index(token), index < items.count else {
        throw PatchError(message: "cannot remove `\(pointer)`: no element `\(token)`")
      }
      let removed: Value
      document = .null
      if rest.isEmpty {
        removed = items.remove(at: index)
      } else {
        removed = try remove(at: rest, pointer: pointer, in: &items[index])
      }
      document = .array(items)
      return removed
    default:
      throw PatchError(
        message: "cannot remove `\(pointer)`: `\(token)` is inside a \(document.typeName)")
    }
  }
}
