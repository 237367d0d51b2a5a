/// A JSON Pointer (RFC 6901) split into its unescaped keys, and spelt as a `.sync` path.
struct JSONPointerPath: Hashable {
  var keys: [String]

  /// nil unless `pointer` is `""` or starts with `/`.
  init?(_ pointer: String) {
    if pointer.isEmpty {
      keys = []
      return
    }
    guard pointer.hasPrefix("/") else { return nil }
    keys = pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
      $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }
  }

  /// Whether a key could be a list index (`0`, `12`) or the end of a list (`-`): which
  /// it is depends on the object, so such pointers stay JSON Patch.
  static func mightIndex(_ key: String) -> Bool {
    key == "-" || (!key.isEmpty && key.allSatisfy { $0.isASCII && $0.isNumber })
  }

  /// Whether every key is surely a map key.
  var isMapKeysOnly: Bool { !keys.contains(where: Self.mightIndex) && !keys.contains("") }

  /// The path, with digit keys read as list indices when `digitsAreIndices` (a path
  /// known to go through lists, such as an image predicate), else nil when a key might
  /// be an index.
  func syncPath(digitsAreIndices: Bool) -> String? {
    guard !keys.isEmpty, !keys.contains("") else { return nil }
    var text = ""
    for key in keys {
      if key.allSatisfy({ $0.isASCII && $0.isNumber }) {
        guard digitsAreIndices, !text.isEmpty else { return nil }
        text += "[\(key)]"
      } else if key == "-" {
        return nil
      } else {
        text += (text.isEmpty ? "" : ".") + SyncText.path([key])
      }
    }
    return text
  }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    guard !target.isEmpty else { return self }
    var result = ""
    var rest = Substring(self)
    while let range = rest.range(of: target) {
      result += rest[..<range.lowerBound]
      result += replacement
      rest = rest[range.upperBound...]
    }
    return result + rest
  }
}

extension Substring {
  fileprivate func range(of target: String) -> Range<Index>? {
    var start = startIndex
    while start < endIndex {
      if self[start...].hasPrefix(target) {
        return start..<index(start, offsetBy: target.count)
      }
      start = index(after: start)
    }
    return nil
  }
}
