import SyncCheck
import SyncProgram
import SyncSchema
import SyncSyntax
import SyncValue

/// Emits one rule's flat instruction list, inlining groups and lowering `when` to jumps.
struct CodeEmitter {
  let state: CompileState
  let kinds: [KindInfo]
  var code: [Instruction] = []
  var codeLocations: [Int] = []

  init(state: CompileState, kinds: [KindInfo]) {
    self.state = state
    self.kinds = kinds
  }

  mutating func emit(_ edits: [Edit]) {
    for edit in edits { emit(edit) }
  }

  private mutating func append(_ instruction: Instruction, _ range: SourceRange) {
    code.append(instruction)
    codeLocations.append(state.location(range))
  }

  private mutating func emit(_ edit: Edit) {
    switch edit.form {
    case .set(let path, let value):
      append(.set(state.path(path), state.operand(value)), edit.range)
    case .defaultValue(let path, let value):
      append(.setDefault(state.path(path), state.operand(value)), edit.range)
    case .remove(let paths):
      for path in paths { append(.remove(state.path(path)), path.range) }
    case .append(let path, let value, let ifAbsent, let atStart):
      append(
        .append(
          state.path(path), state.operand(value), ifAbsent: ifAbsent, atStart: atStart,
          listKeys: listKeys(at: path)), edit.range)
    case .merge(let path, let value):
      append(.merge(state.path(path), state.operand(value)), edit.range)
    case .replace(let paths, let match, let replacement):
      let matcher = state.textMatcher(match)
      let operand = state.operand(replacement)
      for path in paths { append(.replace(state.path(path), matcher, operand), path.range) }
    case .drop:
      append(.drop, edit.range)
    case .dependencies(let kinds):
      let selected = kinds.compactMap { DependencyKind(plural: $0.text) }
      append(.dependencies(Set(selected.isEmpty ? DependencyKind.allCases : selected)), edit.range)
    case .patch(let operations, let ifTestsPass):
      if let document = state.constantValue(operations), let patch = try? JSONPatch(document) {
        append(.patch(patch, ifTestsPass: ifTestsPass), edit.range)
      } else {
        // Values read the object; the document is built, and checked, per object.
        append(.patchTemplate(state.operand(operations), ifTestsPass: ifTestsPass), edit.range)
      }
    case .use(let name):
      guard let group = state.program.groups[name.text] else {
        preconditionFailure("the checker resolves groups before compiling")
      }
      emit(group.body.edits)
    case .image(let paths, let change):
      let compiled: ImageChange
      switch change {
      case .set(let part, let value): compiled = .set(part, state.operand(value))
      case .append(let part, let value): compiled = .append(part, state.operand(value))
      case .remove(let part): compiled = .remove(part)
      }
      append(.image(paths.map(state.path), compiled), edit.range)
    case .strategicPatch(let value):
      var strategies: [String: PatchStrategyTree] = [:]
      for kind in kinds {
        strategies["\(kind.gvk.apiVersion) \(kind.gvk.kind)"] =
          state.patchStrategies.strategies(of: kind)
      }
      append(.strategicPatch(state.operand(value), strategies: strategies), edit.range)
    case .document(let path, let format, let body):
      let enter = code.count
      append(.enterDocument(state.path(path), format, end: -1), edit.keywordRange)
      emit(body.edits)
      append(.leaveDocument, body.range)
      code[enter] = .enterDocument(state.path(path), format, end: code.count - 1)
    case .when(let condition, let then, let otherwise):
      let test = code.count
      append(.jumpUnless(state.condition(condition), target: -1), edit.keywordRange)
      emit(then.edits)
      if let otherwise {
        let skipElse = code.count
        append(.jump(target: -1), otherwise.range)
        patchTarget(at: test, to: code.count)
        emit(otherwise.edits)
        patchTarget(at: skipElse, to: code.count)
      } else {
        patchTarget(at: test, to: code.count)
      }
    }
  }

  private mutating func patchTarget(at index: Int, to target: Int) {
    switch code[index] {
    case .jumpUnless(let condition, _): code[index] = .jumpUnless(condition, target: target)
    case .jump: code[index] = .jump(target: target)
    default: preconditionFailure("only jumps have targets")
    }
  }

  /// The list-map keys of the list at `path` (how `append … if absent` recognises an
  /// element that is already there), from the first kind whose schema knows the list.
  private func listKeys(at path: Path) -> [String] {
    for kind in kinds {
      if let node = state.program.schemaNode(at: path, in: kind), !node.listMapKeys.isEmpty {
        return node.listMapKeys
      }
    }
    return []
  }
}
