import SyncSchema
import SyncSyntax
import SyncValue

// `patch [ … ]`: RFC 6902 operations written in a rule.
//
// Operation names, `path` and `from` are constants, so every pointer is validated and
// checked against the schema before anything runs. A `value` is read like any other
// value of the language: a path reads the source object, `${…}` interpolates.
extension CheckSession {
  /// Checks a `patch` edit: its operations (constant or not) and the values that read
  /// the object.
  func checkPatchEdit(_ operations: Expression, kinds: [KindContext]) {
    if let document = constantValue(operations) {
      checkPatch(document, at: operations.range, kinds: kinds)
      return
    }
    // Not constant, so written as a list literal (a `yaml` patch is always constant).
    guard case .list(let items) = operations.form else { return }
    var skeleton: [Value] = []
    var reads: [Expression] = []
    for item in items {
      if let constant = constantValue(item) {
        skeleton.append(constant)
        continue
      }
      guard case .map(let entries) = item.form else {
        report(
          CheckerMessages.invalidPatch(
            at: item.range, reason: "an operation must be a map `{op: …, path: …}`"))
        return
      }
      var fields = ObjectValue()
      for entry in entries {
        if let constant = constantValue(entry.value) {
          fields[entry.key] = constant
        } else if entry.key == "value" {
          // Stands in for the value while the operation's shape is checked.
          fields[entry.key] = .null
          reads.append(entry.value)
        } else {
          report(
            CheckerMessages.invalidPatch(
              at: entry.value.range,
              reason: "`\(entry.key)` must be a constant; only `value` may read the object"))
          return
        }
      }
      skeleton.append(.object(fields))
    }
    checkPatch(.array(skeleton), at: operations.range, kinds: kinds)
    for value in reads {
      for context in kinds {
        checkValue(value, against: .unchecked, path: "value", context: context)
      }
    }
  }

  /// Validates a JSON Patch document, and checks the paths it writes against the schemas
  /// like any other edit.
  func checkPatch(_ document: Value, at range: SourceRange, kinds: [KindContext]) {
    let patch: JSONPatch
    do throws(JSONPatch.Failure) {
      patch = try JSONPatch(document)
    } catch {
      let isPointer = error.message.contains("`path` \"") || error.message.contains("`from` \"")
      report(
        isPointer
          ? CheckerMessages.invalidPointer(
            Self.pointerText(document, error.operation), at: range, reason: error.message)
          : CheckerMessages.invalidPatch(at: range, reason: error.description))
      return
    }
    for (index, operation) in patch.operations.enumerated() {
      let pointer: JSONPointer
      switch operation {
      case .add(let target, _), .replace(let target, _), .remove(let target), .test(let target, _):
        pointer = target
      case .move(_, let target), .copy(_, let target):
        pointer = target
      }
      if pointer.tokens.isEmpty, !Self.isTest(operation) {
        // Writing "" replaces (or removes) the whole object: its kind and name with it.
        report(CheckerMessages.patchWritesWholeObject(operation: index, at: range))
        continue
      }
      let components = pointer.tokens.map { token -> PathComponent in
        if token == "-" { return PathComponent(.anyElement, range: range) }
        if let index = Int(token), token.allSatisfy(\.isNumber) {
          return PathComponent(.index(index), range: range)
        }
        return PathComponent(.field(token), range: range)
      }
      let path = Path(components: components, range: range)
      for context in kinds {
        var found: [Diagnostic] = []
        _ = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
        report(found.filter { $0.code == .unknownField })
      }
    }
  }

  private static func isTest(_ operation: JSONPatch.Operation) -> Bool {
    if case .test = operation { return true }
    return false
  }

  private static func pointerText(_ document: Value, _ index: Int) -> String {
    guard case .array(let items) = document, index < items.count else { return "" }
    return items[index]["path"]?.stringValue ?? items[index]["from"]?.stringValue ?? ""
  }
}
