import SyncProgram
import SyncValue

/// A path crossed a value of the wrong type at run time (the schema could not rule it
/// out: an unknown kind, a free-form field, or an object that violates its schema).
struct PathError: Error {
  var message: String
}

/// Edits values in place along compiled paths.
///
/// Each step takes the child out of its parent before editing it and puts it back after,
/// so copy-on-write never copies a subtree that only this edit references.
enum PathEditor {
  /// Calls `leaf` with every slot the path names (nil when the slot is empty and may be
  /// filled). With `create`, missing maps along plain keys are created — but kept only if
  /// the leaf is reached, so a keyed element that does not exist leaves no empty parents.
  /// Returns whether the leaf was reached at least once.
  ///
  /// A ``PathError`` names the path up to the value that could not be crossed; that text
  /// is put together only when the error happens, not on every step of every edit.
  @discardableResult
  static func modify(
    _ steps: ArraySlice<CompiledPath.Step>, in value: inout Value, create: Bool,
    leaf: (inout Value?) throws -> Void
  ) throws -> Bool {
    do {
      return try walk(steps, in: &value, create: create, leaf: leaf)
    } catch let error as CrossingError {
      throw error.pathError
    }
  }

  /// A path could not be crossed; each level adds its step on the way out.
  private struct CrossingError: Error {
    enum Problem {
      case noField(key: String, typeName: String)
      case notAList(typeName: String)
    }
    enum Step {
      case key(String)
      case index(Int)
    }

    var problem: Problem
    /// The steps from the root to the value that could not be crossed, innermost first.
    var trail: [Step] = []

    func adding(_ step: Step) -> CrossingError {
      var error = self
      error.trail.append(step)
      return error
    }

    var pathError: PathError {
      var text = ""
      for step in trail.reversed() {
        switch step {
        case .key(let key): text = text.isEmpty ? key : text + "." + key
        case .index(let index): text += "[\(index)]"
        }
      }
      switch problem {
      case .noField(let key, let typeName):
        return PathError(
          message: "`\(text.isEmpty ? "the object" : text)` is \(article(typeName)), "
            + "so it has no field `\(key)`")
      case .notAList(let typeName):
        return PathError(
          message: "`\(text)` is \(article(typeName)), not a list, so `[…]` cannot select in it")
      }
    }
  }

  private static func walk(
    _ steps: ArraySlice<CompiledPath.Step>, in value: inout Value, create: Bool,
    leaf: (inout Value?) throws -> Void
  ) throws -> Bool {
    guard let step = steps.first else {
      var slot: Value? = value
      value = .null
      try leaf(&slot)
      value = slot ?? .null
      return true
    }
    let rest = steps.dropFirst()
    switch step {
    case .key(let key):
      if case .null = value, create { value = .object(ObjectValue()) }
      guard case .object(var object) = value else {
        return try crossing(value, key: key, create: create)
      }
      value = .null
      defer { value = .object(object) }
      if rest.isEmpty {
        if let index = object.index(of: key) {
          var slot: Value? = object.members[index].value
          object.members[index].value = .null
          try leaf(&slot)
          if let slot {
            object.members[index].value = slot
          } else {
            object.members.remove(at: index)
          }
        } else {
          var slot: Value? = nil
          try leaf(&slot)
          if let slot { object.members.append(Member(key: key, value: slot)) }
        }
        return true
      }
      if let index = object.index(of: key) {
        var child = object.members[index].value
        object.members[index].value = .null
        defer { object.members[index].value = child }
        do {
          return try walk(rest, in: &child, create: create, leaf: leaf)
        } catch let error as CrossingError {
          throw error.adding(.key(key))
        }
      }
      // Only maps are created: a list or keyed element is never made up.
      guard create, case .key? = rest.first else { return false }
      var child = Value.object(ObjectValue())
      let reached: Bool
      do {
        reached = try walk(rest, in: &child, create: create, leaf: leaf)
      } catch let error as CrossingError {
        throw error.adding(.key(key))
      }
      if reached { object.members.append(Member(key: key, value: child)) }
      return reached
    case .anyKey:
      guard case .object(var object) = value else { return false }
      value = .null
      defer { value = .object(object) }
      var reached = false
      var removed: [Int] = []
      for index in object.members.indices {
        if rest.isEmpty {
          var slot: Value? = object.members[index].value
          object.members[index].value = .null
          try leaf(&slot)
          if let slot { object.members[index].value = slot } else { removed.append(index) }
          reached = true
        } else {
          // Without `create` nothing below is created, so no crossing error can come up.
          var child = object.members[index].value
          object.members[index].value = .null
          defer { object.members[index].value = child }
          reached = try walk(rest, in: &child, create: false, leaf: leaf) || reached
        }
      }
      for index in removed.reversed() { object.members.remove(at: index) }
      return reached
    case .index, .anyElement, .keyed, .equal:
      guard case .array(var items) = value else {
        if case .null = value { return false }
        guard create else { return false }
        throw CrossingError(problem: .notAList(typeName: value.typeName))
      }
      value = .null
      defer { value = .array(items) }
      let selected = select(step, in: items)
      var removed: [Int] = []
      for index in selected {
        if rest.isEmpty {
          var slot: Value? = items[index]
          items[index] = .null
          try leaf(&slot)
          if let slot { items[index] = slot } else { removed.append(index) }
        } else {
          var child = items[index]
          items[index] = .null
          defer { items[index] = child }
          do {
            _ = try walk(rest, in: &child, create: create, leaf: leaf)
          } catch let error as CrossingError {
            throw error.adding(.index(index))
          }
        }
      }
      for index in removed.sorted().reversed() { items.remove(at: index) }
      return !selected.isEmpty
    }
  }

  private static func crossing(_ value: Value, key: String, create: Bool) throws -> Bool {
    // Removing or rewriting what is not there is fine; creating through a scalar is not.
    if case .null = value { return false }
    guard create else { return false }
    throw CrossingError(problem: .noField(key: key, typeName: value.typeName))
  }

  static func article(_ typeName: String) -> String {
    switch typeName {
    case "integer": return "an integer"
    case "object": return "a map"
    case "array": return "a list"
    default: return "a \(typeName)"
    }
  }

  /// Indices of the elements a list step selects.
  static func select(_ step: CompiledPath.Step, in items: [Value]) -> [Int] {
    switch step {
    case .index(let index):
      let resolved = index < 0 ? items.count + index : index
      return items.indices.contains(resolved) ? [resolved] : []
    case .anyElement:
      return Array(items.indices)
    case .keyed(let key, let wanted):
      return items.indices.filter { index in
        guard case .object(let element) = items[index], let field = element[key] else {
          return false
        }
        return wanted.map { field.semanticallyEquals($0) } ?? true
      }
    case .equal(let wanted):
      return items.indices.filter { items[$0].semanticallyEquals(wanted) }
    case .key, .anyKey:
      return []
    }
  }

  /// Every value the path names in `value` (wildcards can name several).
  static func read(
    _ steps: ArraySlice<CompiledPath.Step>, in value: Value, into results: inout [Value]
  ) {
    guard let step = steps.first else {
      results.append(value)
      return
    }
    let rest = steps.dropFirst()
    switch step {
    case .key(let key):
      if case .object(let object) = value, let child = object[key] {
        read(rest, in: child, into: &results)
      }
    case .anyKey:
      if case .object(let object) = value {
        for member in object.members { read(rest, in: member.value, into: &results) }
      }
    case .index, .anyElement, .keyed, .equal:
      if case .array(let items) = value {
        for index in select(step, in: items) { read(rest, in: items[index], into: &results) }
      }
    }
  }

  /// The first value the path names, if any.
  static func first(_ path: CompiledPath, in value: Value) -> Value? {
    var current = value
    for (offset, step) in path.steps.enumerated() {
      switch step {
      case .key(let key):
        guard case .object(let object) = current, let child = object[key] else { return nil }
        current = child
      default:
        var results: [Value] = []
        read(path.steps[offset...], in: current, into: &results)
        return results.first
      }
    }
    return current
  }
}
