import CYAML

/// An error inside a well-formed document: the parser is still in sync, so the rest of
/// the document can be skipped and the stream resumed.
struct ConversionError: Error {
  var yamlError: YAMLError
}

private let standardTagPrefix = "tag:yaml.org,2002:"

/// `tag:yaml.org,2002:int` → `!!int`, the spelling users write.
private func shortTag(_ tag: String) -> String {
  tag.hasPrefix(standardTagPrefix) ? "!!" + tag.dropFirst(standardTagPrefix.count) : tag
}

private enum MappingKey {
  case name(String)
  /// `<<`, go-yaml's (and YAML 1.1's) merge key.
  case merge
}

extension YAMLStreamReader {
  func conversionError(_ message: String, at mark: yaml_mark_t) -> ConversionError {
    let (line, column) = position(of: mark)
    return ConversionError(yamlError: YAMLError(message: message, line: line, column: column))
  }

  /// Builds the node whose first event is the current one, leaving its last event current.
  func readNode(depth: Int) throws -> Value {
    let current = event.pointee
    if current.type != YAML_SCALAR_EVENT { lastScalarWasMissingValue = false }
    switch current.type {
    case YAML_SCALAR_EVENT:
      lastScalarWasMissingValue = depth > 0 && Self.isEmptyPlain(current)
      if lastScalarWasMissingValue { lastMissingValueMark = current.start_mark }
      let value = try scalarValue()
      if let anchor = current.data.scalar.anchor {
        anchors[String(cString: anchor)] = Anchored(value: value, nodeCount: 1)
      }
      return value
    case YAML_SEQUENCE_START_EVENT:
      try checkDepth(depth, at: current.start_mark)
      try checkCollectionTag(current.data.sequence_start.tag, kind: "seq", at: current.start_mark)
      let anchor = current.data.sequence_start.anchor.map { String(cString: $0) }
      var items: [Value] = []
      while true {
        try advance()
        if event.pointee.type == YAML_SEQUENCE_END_EVENT { break }
        items.append(try readNode(depth: depth + 1))
      }
      let value = Value.array(items)
      if let anchor { anchors[anchor] = Anchored(value: value, nodeCount: value.countNodes()) }
      return value
    case YAML_MAPPING_START_EVENT:
      try checkDepth(depth, at: current.start_mark)
      try checkCollectionTag(current.data.mapping_start.tag, kind: "map", at: current.start_mark)
      let anchor = current.data.mapping_start.anchor.map { String(cString: $0) }
      let value = Value.object(try readMappingMembers(depth: depth))
      if let anchor {
        anchors[anchor] = Anchored(value: value, nodeCount: value.countNodes())
      }
      return value
    case YAML_ALIAS_EVENT:
      return try aliasValue()
    default:
      throw conversionError("unexpected YAML event", at: current.start_mark)
    }
  }

  /// Too deep a document ends the stream, unlike the other errors inside a document:
  /// skipping the rest of it would mean parsing it, and libyaml's time grows with the
  /// square of the nesting (a million `[` take half an hour).
  /// `key:` or `-` with nothing after (or an empty document): a scalar event that is
  /// empty and plain, without tag or anchor.
  static func isEmptyPlain(_ event: yaml_event_t) -> Bool {
    let scalar = event.data.scalar
    return scalar.length == 0 && scalar.style == YAML_PLAIN_SCALAR_STYLE && scalar.tag == nil
      && scalar.anchor == nil
  }

  private func checkDepth(_ depth: Int, at mark: yaml_mark_t) throws {
    guard depth < limits.maxDepth else {
      let (line, column) = position(of: mark)
      throw YAMLError(
        message: "nesting is deeper than \(limits.maxDepth) levels; the rest of the input is "
          + "not read", line: line, column: column)
    }
  }

  private func aliasValue() throws -> Value {
    let current = event.pointee
    let name = String(cString: current.data.alias.anchor)
    guard let anchored = anchors[name] else {
      throw conversionError("unknown anchor '\(name)'", at: current.start_mark)
    }
    aliasExpansion += anchored.nodeCount
    guard aliasExpansion <= limits.maxAliasExpansion else {
      throw conversionError(
        "aliases expand to more than \(limits.maxAliasExpansion) nodes in this document",
        at: current.start_mark)
    }
    return anchored.value
  }

  /// Standard tags for the node's own kind, and `!` (non-specific), are harmless; any
  /// other tag would mean a type that JSON and Kubernetes do not have.
  private func checkCollectionTag(
    _ tag: UnsafeMutablePointer<yaml_char_t>?, kind: String, at mark: yaml_mark_t
  ) throws {
    guard let tag else { return }
    let name = String(cString: tag)
    if name == "!" || name == standardTagPrefix + kind { return }
    let what = kind == "seq" ? "a sequence" : "a mapping"
    throw conversionError(unsupportedTagMessage(name, on: what), at: mark)
  }

  private func unsupportedTagMessage(_ tag: String, on what: String) -> String {
    "tag \(shortTag(tag)) is not supported on \(what) (accepted: !!str, !!int, !!float, "
      + "!!bool, !!null on scalars, !!map and !!seq on collections)"
  }

  private func scalarValue() throws -> Value {
    let current = event.pointee
    let scalar = current.data.scalar
    let text = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
    if let tag = scalar.tag {
      return try taggedScalar(String(cString: tag), text: text, at: current.start_mark)
    }
    if scalar.style == YAML_PLAIN_SCALAR_STYLE, let resolved = YAMLScalar.resolvePlain(text) {
      if case .double(let number) = resolved, !number.isFinite {
        throw nonFinite(text, at: current.start_mark)
      }
      return resolved
    }
    return .string(String(decoding: text, as: UTF8.self))
  }

  private func nonFinite(_ text: UnsafeBufferPointer<UInt8>, at mark: yaml_mark_t)
    -> ConversionError
  {
    let shown = String(decoding: text, as: UTF8.self)
    return conversionError(
      "\(shown) is not a JSON number (kubectl rejects it); quote it if it is text", at: mark)
  }

  /// Explicit standard tags work the way go-yaml applies them: the text must resolve to
  /// the tagged type whatever its quoting (`!!int "12"` is 12), and `!!float` widens
  /// integers.
  private func taggedScalar(_ tag: String, text: UnsafeBufferPointer<UInt8>, at mark: yaml_mark_t)
    throws -> Value
  {
    guard tag.hasPrefix(standardTagPrefix) || tag == "!" else {
      throw conversionError(unsupportedTagMessage(tag, on: "a scalar"), at: mark)
    }
    let kind = tag == "!" ? "str" : String(tag.dropFirst(standardTagPrefix.count))
    if kind == "str" { return .string(String(decoding: text, as: UTF8.self)) }
    let resolved = YAMLScalar.resolvePlain(text)
    switch (kind, resolved) {
    case ("int", .int?), ("bool", .bool?), ("null", .null?):
      return resolved!
    case ("float", .int(let number)?):
      return .double(Double(number))
    case ("float", .double(let number)?):
      guard number.isFinite else { throw nonFinite(text, at: mark) }
      return .double(number)
    case ("int", _), ("float", _), ("bool", _), ("null", _):
      let shown = String(decoding: text, as: UTF8.self)
      throw conversionError("cannot read '\(shown)' as !!\(kind)", at: mark)
    default:
      throw conversionError(unsupportedTagMessage(tag, on: "a scalar"), at: mark)
    }
  }

  /// Reads key/value pairs up to MAPPING-END, rejecting duplicate and non-string keys.
  ///
  /// Merge keys apply as go-yaml v2 applies them, in document order: `<<` overrides keys
  /// written before it, keys written after it override merged ones, and among merged
  /// mappings the first listed wins. New merged keys go where `<<` was.
  private func readMappingMembers(depth: Int) throws -> ObjectValue {
    var members: [Member] = []
    members.reserveCapacity(4)
    // Where each member's key is (the `<<` for merged ones), to name the first copy of a
    // duplicate key: on the reader's stack, which nested mappings share, so that a
    // mapping allocates nothing for it.
    let marksStart = keyMarks.count
    defer { keyMarks.removeSubrange(marksStart...) }
    var index = KeyIndex()
    // Keys that came from `<<` and may still be overridden once by an explicit key.
    var mergedKeys: Set<String> = []
    var sawMerge = false
    while true {
      try advance()
      if event.pointee.type == YAML_MAPPING_END_EVENT { break }
      let keyMark = event.pointee.start_mark
      let key = try readKey()
      try advance()
      let value = try readNode(depth: depth + 1)
      switch key {
      case .merge:
        guard !sawMerge else { throw conversionError("duplicate merge key '<<'", at: keyMark) }
        sawMerge = true
        var merged: Set<String> = []
        for source in try mergeSources(value, at: keyMark) {
          for member in source.members where merged.insert(member.key).inserted {
            if let position = index.position(of: member.key, in: members) {
              members[position].value = member.value
            } else {
              members.append(member)
              keyMarks.append(keyMark)
              index.didAppend(to: members)
              mergedKeys.insert(member.key)
            }
          }
        }
      case .name(let name):
        if let position = index.position(of: name, in: members) {
          guard mergedKeys.remove(name) != nil else {
            let (line, column) = self.position(of: keyMarks[marksStart + position])
            throw conversionError(
              "duplicate key '\(name)' (first at \(line):\(column))", at: keyMark)
          }
          members[position].value = value
        } else {
          members.append(Member(key: name, value: value))
          keyMarks.append(keyMark)
          index.didAppend(to: members)
        }
      }
    }
    return ObjectValue(members: members)
  }

  /// Keys are what JSON allows: strings. A plain key that go-yaml would type (`1`,
  /// `true`, `yes`, `y`, `null`) is rejected rather than renamed: kubectl would turn
  /// `y:` into `"true":`, which is never what the author meant.
  private func readKey() throws -> MappingKey {
    let current = event.pointee
    lastScalarWasMissingValue = false
    switch current.type {
    case YAML_SCALAR_EVENT:
      let scalar = current.data.scalar
      let text = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
      let key: MappingKey
      if scalar.tag == nil, scalar.style == YAML_PLAIN_SCALAR_STYLE {
        if text.count == 2, text[0] == UInt8(ascii: "<"), text[1] == UInt8(ascii: "<") {
          key = .merge
        } else if let resolved = YAMLScalar.resolvePlain(text) {
          throw nonStringKey(String(decoding: text, as: UTF8.self), resolved, at: current)
        } else {
          key = .name(String(decoding: text, as: UTF8.self))
        }
      } else {
        let value = try scalarValue()
        guard case .string(let name) = value else {
          throw nonStringKey(String(decoding: text, as: UTF8.self), value, at: current)
        }
        key = .name(name)
      }
      if let anchor = scalar.anchor, case .name(let name) = key {
        anchors[String(cString: anchor)] = Anchored(value: .string(name), nodeCount: 1)
      }
      return key
    case YAML_ALIAS_EVENT:
      let value = try aliasValue()
      guard case .string(let name) = value else {
        throw conversionError(
          "map keys must be strings; this alias is \(value.typeName)",
          at: current.start_mark)
      }
      return .name(name)
    default:
      let what = current.type == YAML_SEQUENCE_START_EVENT ? "a sequence" : "a mapping"
      throw conversionError("map keys must be strings, not \(what)", at: current.start_mark)
    }
  }

  private func nonStringKey(_ text: String, _ value: Value, at current: yaml_event_t)
    -> ConversionError
  {
    let reading: String
    switch value {
    case .null: reading = "null"
    case .bool(let flag): reading = "the boolean \(flag)"
    case .int(let number): reading = "the integer \(number)"
    default: reading = "a number"
    }
    return conversionError(
      "map key '\(text)' reads as \(reading), but keys must be strings; quote it",
      at: current.start_mark)
  }

  private func mergeSources(_ value: Value, at mark: yaml_mark_t) throws -> [ObjectValue] {
    switch value {
    case .object(let object):
      return [object]
    case .array(let items):
      return try items.map { item in
        guard case .object(let object) = item else {
          throw conversionError("merge key '<<' takes a mapping or a list of mappings", at: mark)
        }
        return object
      }
    default:
      throw conversionError("merge key '<<' takes a mapping or a list of mappings", at: mark)
    }
  }
}

/// Finds a key's position while a mapping is being read: small maps (most Kubernetes
/// maps) by scanning, big ones (ConfigMap data) through a dictionary built on demand.
private struct KeyIndex {
  private var positions: [String: Int]?

  func position(of key: String, in members: [Member]) -> Int? {
    if let positions { return positions[key] }
    return members.firstIndex { $0.key == key }
  }

  mutating func didAppend(to members: [Member]) {
    if positions != nil {
      positions![members[members.count - 1].key] = members.count - 1
    } else if members.count >= 16 {
      positions = Dictionary(
        uniqueKeysWithValues: members.enumerated().map { ($0.element.key, $0.offset) })
    }
  }
}

extension Value {
  /// Nodes in this value, for the alias-expansion budget.
  func countNodes() -> Int {
    switch self {
    case .array(let items): return items.reduce(1) { $0 + $1.countNodes() }
    case .object(let object): return object.members.reduce(1) { $0 + $1.value.countNodes() }
    default: return 1
    }
  }
}
