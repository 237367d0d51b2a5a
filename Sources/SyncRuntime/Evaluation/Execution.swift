import SyncProgram
import SyncSyntax
import SyncValue

extension Evaluator {
  func execute(_ instruction: Instruction, source: Value, working: inout Value) throws {
    switch instruction {
    case .set(let path, let operand):
      guard let value = try evaluate(operand, source: source) else { return }
      try PathEditor.modify(path.steps[...], in: &working, create: true) { slot in slot = value }
    case .setDefault(let path, let operand):
      guard let value = try evaluate(operand, source: source) else { return }
      try PathEditor.modify(path.steps[...], in: &working, create: true) { slot in
        if slot == nil || slot == .null { slot = value }
      }
    case .remove(let path):
      try PathEditor.modify(path.steps[...], in: &working, create: false) { slot in slot = nil }
    case .append(let path, let operand, let ifAbsent, let atStart, let keys):
      guard let element = try evaluate(operand, source: source) else { return }
      try PathEditor.modify(path.steps[...], in: &working, create: true) { slot in
        var items: [Value]
        switch slot {
        case nil, .null?: items = []
        case .array(let existing)?: items = existing
        case let other?:
          throw PathError(
            message:
              "`\(path)` is \(PathEditor.article(other.typeName)), so nothing can be appended to it"
          )
        }
        slot = nil
        if ifAbsent && items.contains(where: { Self.sameElement($0, element, keys: keys) }) {
          slot = .array(items)
          return
        }
        if atStart { items.insert(element, at: 0) } else { items.append(element) }
        slot = .array(items)
      }
    case .merge(let path, let operand):
      guard let patch = try evaluate(operand, source: source) else { return }
      try PathEditor.modify(path.steps[...], in: &working, create: true) { slot in
        switch slot {
        case nil, .null?:
          slot = Self.merged(.object(ObjectValue()), with: patch)
        case .object?:
          slot = Self.merged(slot!, with: patch)
        case let other?:
          throw PathError(
            message:
              "`\(path)` is \(PathEditor.article(other.typeName)), so it cannot be merged into")
        }
      }
    case .replace(let path, let matcher, let operand):
      guard let replacement = try evaluate(operand, source: source) else { return }
      guard case .string(let with) = replacement else {
        throw ValueError(
          message:
            "the replacement must be a string, but it is \(PathEditor.article(replacement.typeName))"
        )
      }
      try PathEditor.modify(path.steps[...], in: &working, create: false) { slot in
        switch slot {
        case .string(let text)?: slot = .string(Self.replace(text, matcher, with))
        case nil, .null?: return
        case let other?:
          throw PathError(
            message:
              "`\(path)` is \(PathEditor.article(other.typeName)), so no text in it can be replaced"
          )
        }
      }
    case .patch(let patch, let ifTestsPass):
      try Self.apply(patch, to: &working, ifTestsPass: ifTestsPass)
    case .patchTemplate(let operand, let ifTestsPass):
      // A value that reads an absent path makes the edit do nothing, as everywhere.
      guard let document = try evaluate(operand, source: source) else { return }
      try Self.apply(try JSONPatch(document), to: &working, ifTestsPass: ifTestsPass)
    case .image(let paths, let change):
      var value: String?
      if let operand = change.operand {
        guard let given = try evaluate(operand, source: source) else { return }
        guard case .string(let text) = given else {
          throw ValueError(
            message: "the image's \(change.part.rawValue) must be a string, not \(given.typeName)")
        }
        value = text
      }
      for path in paths {
        try PathEditor.modify(path.steps[...], in: &working, create: false) { slot in
          switch slot {
          case .string(let text)?:
            slot = .string(try Self.changed(image: text, at: path, change, value: value))
          case nil, .null?: return
          case let other?:
            throw PathError(
              message: "`\(path)` is \(PathEditor.article(other.typeName)), not an image reference")
          }
        }
      }
    case .strategicPatch(let operand, let strategies):
      guard let patch = try evaluate(operand, source: source) else { return }
      let kind = "\(source["apiVersion"]?.stringValue ?? "") \(source["kind"]?.stringValue ?? "")"
      guard let tree = strategies[kind] else {
        throw ValueError(
          message:
            "`patch strategic` has no patch strategies for \(kind): its schema was not known when the rules were checked"
        )
      }
      working = try StrategicMergePatch.apply(patch, to: working, strategies: tree)
    case .drop, .jump, .jumpUnless, .dependencies, .enterDocument, .leaveDocument:
      break  // control flow and documents are handled by the rule loop
    }
  }

  /// `image` with `change` applied; a reference that does not parse, or would not be valid
  /// afterwards, is an error naming both.
  static func changed(
    image text: String, at path: CompiledPath, _ change: ImageChange, value: String?
  )
    throws -> String
  {
    var reference: ImageReference
    do {
      reference = try ImageReference(parsing: text)
    } catch {
      throw ValueError(
        message: "`\(path)` is `\(text)`, which is not a valid image reference: \(error.reason)")
    }
    let value = value ?? ""
    switch change {
    case .set(.registry, _):
      reference = reference.normalized
      reference.registry = value
    case .append(.registry, _):
      reference = reference.normalized
      reference.registry += value
    case .remove(.registry): reference.registry = ""
    case .set(.repository, _): reference.repository = value
    case .append(.repository, _): reference.repository += value
    case .set(.tag, _): reference.tag = value
    case .append(.tag, _): reference.tag = (reference.tag ?? "") + value
    case .remove(.tag): reference.tag = nil
    case .set(.digest, _): reference.digest = value
    case .remove(.digest): reference.digest = nil
    case .remove(.repository), .append(.digest, _):
      // The checker refuses both.
      return text
    }
    do {
      try reference.validate()
    } catch {
      throw ValueError(
        message:
          "`\(path)`: `\(text)` would become `\(reference.text)`, which is not a valid image reference: \(error.reason)"
      )
    }
    return reference.text
  }

  /// Applies a patch; with `ifTestsPass`, one whose `test` fails leaves the copy as it
  /// was (Velero's resource modifiers skip such a patch and keep the object).
  static func apply(_ patch: JSONPatch, to working: inout Value, ifTestsPass: Bool)
    throws(JSONPatch.Failure)
  {
    do {
      try patch.apply(to: &working)
    } catch  where ifTestsPass && error.isTestFailure {
      return
    }
  }

  /// The value an operand stands for, or nil when it reads a path the source lacks (the
  /// edit is then skipped rather than writing a null).
  func evaluate(_ operand: Operand, source: Value) throws -> Value? {
    switch operand {
    case .constant(let index):
      return program.constants[index]
    case .read(let path):
      return PathEditor.first(path, in: source)
    case .interpolate(let pieces):
      var text = ""
      for piece in pieces {
        switch piece {
        case .text(let literal): text += literal
        case .read(let path):
          guard let value = PathEditor.first(path, in: source) else { return nil }
          switch value {
          case .string(let string): text += string
          case .int(let number): text += String(number)
          case .double(let number): text += String(number)
          case .bool(let flag): text += String(flag)
          case .null: return nil
          case .array, .object:
            throw ValueError(
              message:
                "`${\(path)}` is \(PathEditor.article(value.typeName)); only scalars can be interpolated"
            )
          }
        }
      }
      return .string(text)
    case .list(let items):
      var values: [Value] = []
      for item in items {
        guard let value = try evaluate(item, source: source) else { return nil }
        values.append(value)
      }
      return .array(values)
    case .map(let entries):
      var object = ObjectValue()
      for (key, item) in entries {
        guard let value = try evaluate(item, source: source) else { return nil }
        object[key] = value
      }
      return .object(object)
    }
  }

  /// Whether a condition holds for the source object. Absent paths read as null.
  func test(_ condition: CompiledCondition, source: Value) -> Bool {
    switch condition {
    case .and(let left, let right): return test(left, source: source) && test(right, source: source)
    case .or(let left, let right): return test(left, source: source) || test(right, source: source)
    case .not(let inner): return !test(inner, source: source)
    case .exists(let path):
      var results: [Value] = []
      PathEditor.read(path.steps[...], in: source, into: &results)
      return results.contains { $0 != .null }
    case .compare(let left, let op, let right):
      let a = (try? evaluate(left, source: source)).flatMap { $0 } ?? .null
      let b = (try? evaluate(right, source: source)).flatMap { $0 } ?? .null
      return Self.compare(a, op, b)
    case .inList(let left, let items):
      let a = (try? evaluate(left, source: source)).flatMap { $0 } ?? .null
      return items.contains { item in
        let b = (try? evaluate(item, source: source)).flatMap { $0 } ?? .null
        return a.semanticallyEquals(b)
      }
    case .matches(let subject, let matcher):
      let value = (try? evaluate(subject, source: source)).flatMap { $0 }
      guard case .string(let text)? = value else { return false }
      switch matcher {
      case .substring(let needle): return text.contains(needle)
      case .prefix(let prefix): return text.hasPrefix(prefix)
      case .suffix(let suffix): return text.hasSuffix(suffix)
      case .regex(let regex): return regex.matchesWhole(text)
      }
    }
  }

  static func compare(_ a: Value, _ op: ComparisonKind, _ b: Value) -> Bool {
    switch op {
    case .equal: return a.semanticallyEquals(b)
    case .notEqual: return !a.semanticallyEquals(b)
    default: break
    }
    let order: Int?
    switch (a, b) {
    case (.string(let x), .string(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
    default:
      guard let x = number(a), let y = number(b) else { return false }
      order = x < y ? -1 : (x == y ? 0 : 1)
    }
    guard let order else { return false }
    switch op {
    case .less: return order < 0
    case .lessOrEqual: return order <= 0
    case .greater: return order > 0
    case .greaterOrEqual: return order >= 0
    case .equal, .notEqual: return false
    }
  }

  private static func number(_ value: Value) -> Double? {
    switch value {
    case .int(let number): return Double(number)
    case .double(let number): return number
    default: return nil
    }
  }

  static func sameElement(_ existing: Value, _ new: Value, keys: [String]) -> Bool {
    guard !keys.isEmpty, case .object(let a) = existing, case .object(let b) = new else {
      return existing.semanticallyEquals(new)
    }
    return keys.allSatisfy { key in
      switch (a[key], b[key]) {
      case (nil, nil): return true
      case (let x?, let y?): return x.semanticallyEquals(y)
      default: return false
      }
    }
  }

  /// RFC 7386 merge: maps merge key by key, `null` deletes, anything else replaces.
  ///
  /// Each change acts on the first member with its key, as `ObjectValue`'s subscript
  /// does, and a new key goes at the end. A few changes look their keys up by scanning;
  /// more go through an index, so that merging n keys into n keys is linear: object
  /// values come from production, and a scan per key took half a minute for 10,000.
  static func merged(_ target: Value, with patch: Value) -> Value {
    guard case .object(let changes) = patch else { return patch }
    var result: ObjectValue
    if case .object(let existing) = target { result = existing } else { result = ObjectValue() }
    if changes.count > 16 { return .object(mergedByIndex(result, with: changes)) }
    for member in changes.members {
      if case .null = member.value {
        result.removeValue(forKey: member.key)
      } else {
        result[member.key] = merged(result[member.key] ?? .null, with: member.value)
      }
    }
    return .object(result)
  }

  /// ``merged(_:with:)`` for many changes: the live members of each key by position
  /// (a key may be repeated in an object built by hand), removed members left as holes
  /// until the end.
  private static func mergedByIndex(_ target: ObjectValue, with changes: ObjectValue)
    -> ObjectValue
  {
    var members: [Member?] = target.members.map { $0 }
    var positions: [String: [Int]] = [:]
    positions.reserveCapacity(target.count + changes.count)
    for (index, member) in target.members.enumerated() {
      positions[member.key, default: []].append(index)
    }
    for change in changes.members {
      if case .null = change.value {
        if let first = positions[change.key]?.first {
          members[first] = nil
          positions[change.key]!.removeFirst()
        }
      } else if let first = positions[change.key]?.first {
        members[first]!.value = merged(members[first]!.value, with: change.value)
      } else {
        positions[change.key, default: []].append(members.count)
        members.append(Member(key: change.key, value: merged(.null, with: change.value)))
      }
    }
    return ObjectValue(members: members.compactMap { $0 })
  }

  static func replace(_ text: String, _ matcher: TextMatcher, _ replacement: String) -> String {
    switch matcher {
    case .substring(let needle):
      guard !needle.isEmpty else { return text }
      return text.split(separator: needle, omittingEmptySubsequences: false).joined(
        separator: replacement)
    case .prefix(let prefix):
      return text.hasPrefix(prefix) ? replacement + text.dropFirst(prefix.count) : text
    case .suffix(let suffix):
      return text.hasSuffix(suffix) ? text.dropLast(suffix.count) + replacement : text
    case .regex(let regex):
      return regex.replacingMatches(in: text, with: replacement)
    }
  }
}

/// A document held in a string (`edit PATH as json|yaml { … }`), open for editing: where
/// it came from, and the object (or document) around it.
struct EmbeddedDocument {
  var path: CompiledPath
  var format: DocumentFormat
  var original: String
  var container: Value

  /// The document at `path` in `value`, parsed; nil when the path is absent or null.
  static func open(_ path: CompiledPath, _ format: DocumentFormat, in value: Value) throws
    -> (text: String, value: Value)?
  {
    guard let found = PathEditor.first(path, in: value), found != .null else { return nil }
    guard case .string(let text) = found else {
      throw PathError(
        message:
          "`\(path)` is \(PathEditor.article(found.typeName)), not a string holding a \(format.rawValue.uppercased()) document"
      )
    }
    do {
      switch format {
      case .json: return (text, try JSON.parse(text))
      case .yaml: return (text, try YAML.parse(text))
      }
    } catch {
      throw ValueError(
        message: "`\(path)` does not hold a \(format.rawValue.uppercased()) document: \(error)")
    }
  }

  /// The edited document as text in the original's format: JSON compact, or indented
  /// by two spaces when the original spanned lines; YAML in block style. A final
  /// newline stays when the original had one.
  func written(_ document: Value) -> String {
    var text: String
    switch format {
    case .json:
      text = JSON.serialize(document, indent: original.contains("\n") ? 2 : nil)
      if original.hasSuffix("\n") { text += "\n" }
    case .yaml:
      text = YAML.serialize(document)
      if !original.hasSuffix("\n"), text.hasSuffix("\n") { text.removeLast() }
    }
    return text
  }
}
