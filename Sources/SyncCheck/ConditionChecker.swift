import SyncSchema
import SyncSyntax
import SyncValue

extension CheckSession {
  /// Checks the paths a condition reads and the types it compares.
  func checkCondition(_ condition: Condition, context: KindContext) {
    switch condition.form {
    case .and(let left, let right), .or(let left, let right):
      checkCondition(left, context: context)
      checkCondition(right, context: context)
    case .not(let inner):
      checkCondition(inner, context: context)
    case .exists(let path), .missing(let path):
      var found: [Diagnostic] = []
      _ = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
      report(found)
    case .compare(let left, let op, let right):
      checkOperand(left, context: context)
      checkOperand(right, context: context)
      guard let leftType = staticType(of: left, context: context),
        let rightType = staticType(of: right, context: context),
        leftType != .any, rightType != .any
      else { return }
      if op != .equal && op != .notEqual {
        let ordered: ValueTypes = [.integer, .number, .string]
        if leftType.isDisjoint(with: ordered) || rightType.isDisjoint(with: ordered) {
          report(
            CheckerMessages.incomparable(
              describe(leftType), describe(rightType), at: condition.range,
              detail: "`\(op.rawValue)` orders numbers or strings"))
          return
        }
      }
      if !compatible(leftType, rightType) {
        report(
          CheckerMessages.incomparable(
            describe(leftType), describe(rightType), at: condition.range,
            detail: "the two sides can never be equal"))
      }
    case .inList(let left, let items, _):
      checkOperand(left, context: context)
      guard let leftType = staticType(of: left, context: context), leftType != .any else { return }
      for item in items {
        checkOperand(item, context: context)
        if let itemType = staticType(of: item, context: context), itemType != .any,
          !compatible(leftType, itemType)
        {
          report(
            CheckerMessages.incomparable(
              describe(leftType), describe(itemType), at: item.range,
              detail: "this element can never equal the value tested"))
        }
      }
    case .matches(let subject, let match):
      checkOperand(subject, context: context)
      if case .regex(let pattern) = match.form { checkRegex(pattern, at: match.range) }
      if let type = staticType(of: subject, context: context), type != .any,
        !type.contains(.string)
      {
        report(
          CheckerMessages.incomparable(
            describe(type), "a pattern", at: condition.range,
            detail: "`matches` tests strings"))
      }
    }
  }

  /// Checks what needs no schema: regexes in a condition.
  func checkConditionWithoutSchema(_ condition: Condition) {
    switch condition.form {
    case .and(let left, let right), .or(let left, let right):
      checkConditionWithoutSchema(left)
      checkConditionWithoutSchema(right)
    case .not(let inner):
      checkConditionWithoutSchema(inner)
    case .matches(_, let match):
      if case .regex(let pattern) = match.form { checkRegex(pattern, at: match.range) }
    case .exists, .missing, .compare, .inList:
      break
    }
  }

  private func checkOperand(_ expression: Expression, context: KindContext) {
    switch expression.form {
    case .path(let path):
      var found: [Diagnostic] = []
      _ = SchemaPathResolver.resolve(path, in: context, diagnostics: &found)
      report(found)
    case .interpolated(let parts):
      checkInterpolation(parts, at: expression.range, context: context)
    case .list(let items):
      for item in items { checkOperand(item, context: context) }
    case .map(let entries):
      for entry in entries { checkOperand(entry.value, context: context) }
    case .literal:
      break
    case .yaml:
      resolveLiterals(expression)
    }
  }

  private func compatible(_ left: ValueTypes, _ right: ValueTypes) -> Bool {
    func widen(_ types: ValueTypes) -> ValueTypes {
      var result = types
      if types.contains(.integer) || types.contains(.number) {
        result.formUnion([.integer, .number])
      }
      return result
    }
    return !widen(left).isDisjoint(with: widen(right))
  }
}
