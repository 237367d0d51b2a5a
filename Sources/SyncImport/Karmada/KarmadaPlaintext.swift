import SyncValue

extension OverriderEdits {
  /// Karmada `plaintext`: one JSON Patch of add, remove and replace. Written as `set`,
  /// `append … if absent` and `remove` when every pointer is map keys (with the
  /// warnings that say how they differ); otherwise kept as a `patch`, exactly.
  mutating func addPlaintext(_ items: [PolicyNode], mayBeMissing: ([String]) -> Bool)
    throws(ImportFailure)
  {
    struct Operation {
      var node: PolicyNode
      var operation: String
      var pointer: JSONPointerPath
      var pointerText: String
      var value: Value?
    }
    var operations: [Operation] = []
    for item in items {
      let pointerText = try item.requiredString("path")
      guard let pointer = JSONPointerPath(pointerText) else {
        throw item.invalid("`\(pointerText)` is not a JSON pointer (it must start with `/`)")
      }
      guard let operatorNode = item["operator"] else {
        throw item.invalid("a plaintext overrider needs `operator`")
      }
      let operation = try operatorNode.choice(["add", "remove", "replace"])
      let value = item["value"]?.value
      if operation != "remove" && value == nil {
        throw item.invalid("`\(operation)` needs a `value`")
      }
      if pointer.keys.isEmpty {
        throw item.invalid("a plaintext overrider may not write the whole object (path `\"\"`)")
      }
      operations.append(
        Operation(
          node: item, operation: operation, pointer: pointer, pointerText: pointerText,
          value: value))
    }
    let appendsAtEnd = { (operation: Operation) in
      operation.operation == "add" && operation.pointer.keys.last == "-"
        && JSONPointerPath(keys: Array(operation.pointer.keys.dropLast())).isMapKeysOnly
    }
    guard operations.allSatisfy({ $0.pointer.isMapKeysOnly || appendsAtEnd($0) }) else {
      // An index or `-` in the middle: which element it names depends on the object.
      let entries = operations.map { operation in
        var entry = "{ op: \(operation.operation), path: \(SyncText.string(operation.pointerText))"
        if let value = operation.value { entry += ", value: \(SyncText.literal(value))" }
        return entry + " }"
      }
      everyKind.append(
        "# plaintext, as a JSON Patch: a pointer goes through a list index\n  patch [\n    "
          + entries.joined(separator: ",\n    ") + "\n  ]")
      return
    }
    var previous: String?
    for operation in operations {
      let keys = operation.pointer.keys
      var lines: [String] = []
      switch operation.operation {
      case "remove":
        lines.append("remove \(SyncText.path(keys))")
      case "add" where keys.last == "-":
        let list = SyncText.path(Array(keys.dropLast()))
        lines.append("append \(list) \(SyncText.literal(operation.value!, indent: "  "))")
      case "add":
        if case .array(let elements) = operation.value! {
          for element in elements {
            lines.append(
              "append \(SyncText.path(keys))\n         \(SyncText.literal(element, indent: "  "))\n         if absent"
            )
          }
          findings.append(
            operation.node.finding(
              .listAddAppends,
              "Karmada's `add` of a list replaced the whole `\(operation.pointerText)`, dropping the object's own elements; the translation appends each element unless an equal one is there"
            ))
        } else {
          lines.append(
            "set \(SyncText.path(keys)) = \(SyncText.literal(operation.value!, indent: "  "))")
          if keys.count > 1 && mayBeMissing(Array(keys.dropLast())) {
            let parent =
              "/" + operation.pointerText.split(separator: "/").dropLast().joined(separator: "/")
            findings.append(
              operation.node.finding(
                .addCreatesParents,
                "Karmada's `add` failed the whole override when `\(parent)` was missing (karmada-io/karmada#3923); `set` creates missing maps"
              ))
          }
        }
      default:
        lines.append(
          "set \(SyncText.path(keys)) = \(SyncText.literal(operation.value!, indent: "  "))")
      }
      let text = lines.joined(separator: "\n")
      // `add` then `replace` of one value (the way to write "set" in JSON Patch): once.
      if text == previous { continue }
      everyKind.append(text)
      previous = text
    }
  }
}

extension JSONPointerPath {
  init(keys: [String]) {
    self.init("")!
    self.keys = keys
  }
}
