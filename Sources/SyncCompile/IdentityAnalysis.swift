import SyncProgram
import SyncValue

/// Which of an object's identifying fields a rule's code names, and whether it could
/// change them at all (see ``IdentityFields``).
struct IdentityAnalysis {
  private(set) var writes: IdentityFields = []
  private(set) var mayChange = false

  init(constants: [Value], code: [Instruction]) {
    // Paths inside `edit … as yaml { }` name the document, not the object.
    var documentDepth = 0
    for instruction in code {
      if documentDepth > 0 {
        if case .enterDocument = instruction { documentDepth += 1 }
        if case .leaveDocument = instruction { documentDepth -= 1 }
        continue
      }
      switch instruction {
      case .enterDocument(let path, _, _):
        note(path.steps.map(Self.key))
        documentDepth = 1
      case .leaveDocument:
        break
      case .image(let paths, _):
        for path in paths { note(path.steps.map(Self.key)) }
      case .strategicPatch:
        // Any field may change; identity is verified after the rule, and no edit names it.
        mayChange = true
      case .set(let path, _), .setDefault(let path, _), .remove(let path),
        .append(let path, _, _, _, _), .merge(let path, _), .replace(let path, _, _):
        note(path.steps.map(Self.key))
      case .patch(let patch, _):
        for operation in patch.operations {
          for pointer in Self.pointers(operation) { note(pointer.tokens) }
        }
      case .patchTemplate(let operand, _):
        // Pointers are constants even when values are not.
        mayChange = true
        for text in Self.pointerTexts(operand, constants: constants) {
          if let pointer = try? JSONPointer(text) { note(pointer.tokens) }
        }
      case .drop, .dependencies, .jump, .jumpUnless:
        break
      }
    }
  }

  private mutating func note(_ keys: [String?]) {
    if IdentityFields.canChange(keys) { mayChange = true }
    if keys.allSatisfy({ $0 != nil }) { writes.formUnion(IdentityFields(keys: keys.map { $0! })) }
  }

  /// A step as a key: nil for a wildcard, a placeholder for list steps (which never
  /// name an identifying field).
  private static func key(_ step: CompiledPath.Step) -> String? {
    switch step {
    case .key(let name): return name
    case .anyKey: return nil
    case .index, .anyElement, .keyed, .equal: return "[]"
    }
  }

  /// The pointers an operation writes: its target, and the source a `move` removes.
  private static func pointers(_ operation: JSONPatch.Operation) -> [JSONPointer] {
    switch operation {
    case .add(let target, _), .replace(let target, _), .remove(let target): return [target]
    case .move(let from, let target): return [from, target]
    case .copy(_, let target): return [target]
    case .test: return []
    }
  }

  private static func pointerTexts(_ operand: Operand, constants: [Value]) -> [String] {
    guard case .list(let items) = operand else { return [] }
    var texts: [String] = []
    for item in items {
      switch item {
      case .constant(let index):
        for key in ["path", "from"] {
          if let text = constants[index][key]?.stringValue { texts.append(text) }
        }
      case .map(let entries):
        for (key, value) in entries where key == "path" || key == "from" {
          if case .constant(let index) = value, let text = constants[index].stringValue {
            texts.append(text)
          }
        }
      default:
        break
      }
    }
    return texts
  }
}
