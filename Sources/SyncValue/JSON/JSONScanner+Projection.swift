/// What a projection does with one member of the object being read, decided from its key
/// and what came before it in the object.
struct ProjectionState {
  enum Action {
    case build
    case skip
    /// An object: read it with these members projected.
    case project(JSONProjection)
    /// The object of what may be a watch frame: read it as a Kubernetes object, able to
    /// read it again whole should the frame turn out to be an ordinary object.
    case frameObject
  }

  /// The frame types whose object is rewritten; BOOKMARK and ERROR frames are written
  /// unchanged, so theirs is never projected.
  static let rewrittenFrameTypes: Set<String> = ["ADDED", "MODIFIED", "DELETED"]

  private(set) var projection: JSONProjection
  let lookup: JSONProjectionSource?
  /// Whether the object may be a watch frame (`{"type": …, "object": {…}}`).
  let framing: Bool
  private var apiVersion: String?
  private var kind: String?
  private var resolved: Bool
  private var typedFrame = false
  /// Set once `metadata` showed that nothing after it matters.
  private var skipsRest = false

  /// - Parameters:
  ///   - projection: what to leave out of this object.
  ///   - lookup: for the top of a Kubernetes object: the projection for its kind, asked
  ///     once both `apiVersion` and `kind` have been read.
  ///   - framing: whether the object is a top-level value, which may be a watch frame.
  init(_ projection: JSONProjection, lookup: JSONProjectionSource?, framing: Bool) {
    self.projection = projection
    self.lookup = lookup
    self.framing = framing
    resolved = lookup == nil
  }

  /// The action for the member `key`, the object's `index`th.
  func action(for key: String, index: Int) -> Action {
    if skipsRest { return index < 64 ? .skip : .build }
    if let entry = projection.member(key) {
      switch entry {
      case .keep: return .build
      case .skip: return index < 64 ? .skip : .build
      case .members: return .project(entry)
      }
    }
    if framing, index == 1, typedFrame, key == "object", lookup != nil { return .frameObject }
    return .build
  }

  /// Takes note of a member that was built.
  mutating func note(key: String, index: Int, value: Value) {
    if framing, index == 0 {
      typedFrame =
        key == "type" && value.stringValue.map(Self.rewrittenFrameTypes.contains) == true
    }
    guard let lookup else { return }
    if resolved {
      if key == "metadata", !skipsRest, case .object(let metadata) = value,
        let apiVersion, let kind
      {
        skipsRest = lookup.leavesOutTheRest(
          apiVersion: apiVersion, kind: kind, metadata: metadata)
      }
      return
    }
    switch key {
    case "apiVersion":
      if apiVersion == nil, case .string(let text) = value { apiVersion = text }
    case "kind":
      if kind == nil, case .string(let text) = value { kind = text }
    default:
      return
    }
    if let apiVersion, let kind {
      projection = lookup.projection(apiVersion: apiVersion, kind: kind)
      resolved = true
    }
  }
}

/// Where a pinned value starts, to read it again.
struct PinnedValue {
  var offset: Int
  var newlinesSkipped: Int
  var lastSkippedNewline: Int
  var newlinesCountedTo: Int
  /// The duplicate key noted before the value: reading it again must note the first one
  /// in it as reading it whole the first time would have.
  var duplicateKey: JSONDuplicateKey?
  /// The pin this one is inside of, restored by ``JSONScanner/release(_:)``.
  var outerPinnedOffset: Int
}

extension JSONScanner {
  // MARK: - Skipping

  /// Reads past a value exactly as ``parseValue()`` reads it (the same errors at the same
  /// places, the same duplicate keys noted) without building it.
  mutating func skipValue() throws(JSONError) {
    try skipWhitespace()
    switch byte {
    case UInt8(ascii: "{"):
      try skipObject()
    case UInt8(ascii: "["):
      try skipArray()
    case UInt8(ascii: "\""):
      pos += 1
      try skipString()
    case UInt8(ascii: "t"):
      try expectLiteral(0x6575_7274, length: 4, name: "true")
    case UInt8(ascii: "f"):
      try expectLiteral(0x65_736C_6166, length: 5, name: "false")
    case UInt8(ascii: "n"):
      try expectLiteral(0x6C6C_756E, length: 4, name: "null")
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      // Numbers are cheap to build, and the check for one out of range needs the value.
      _ = try parseNumber()
    default:
      throw unexpected("expected a value")
    }
  }

  /// Keys are hashed, not made into strings: two equal hashes in one object only set
  /// ``skippedKeysCollided``, and whoever pinned the value reads it again whole, which
  /// tells a duplicate key from a hash collision exactly as ``parseObject()`` does.
  private mutating func skipObject() throws(JSONError) {
    try enterContainer()
    pos += 1
    try skipWhitespace()
    if byte == UInt8(ascii: "}") {
      pos += 1
      depth -= 1
      return
    }
    let first = skippedKeyHashes.count
    var seen: Set<UInt64>?
    while true {
      guard byte == UInt8(ascii: "\"") else {
        throw unexpected("expected '\"' to begin an object key")
      }
      pos += 1
      let key = try scanString()
      let hash = KeyInterner.hash(key.bytes, key.count)
      try skipWhitespace()
      guard byte == UInt8(ascii: ":") else { throw unexpected("expected ':' after object key") }
      pos += 1
      if isRepeated(hash, since: first, seen: &seen) { skippedKeysCollided = true }
      try skipValue()
      skippedKeyHashes.push(hash)
      guard try nextMember() else { break }
    }
    depth -= 1
    skippedKeyHashes.pop(to: first)
  }

  /// Whether an earlier key of the object whose hashes start at `first` has `hash`; as in
  /// `noteIfDuplicate`, a set past 32 keys keeps this linear.
  @inline(__always)
  private func isRepeated(_ hash: UInt64, since first: Int, seen: inout Set<UInt64>?) -> Bool {
    let count = skippedKeyHashes.count - first
    if count < 32 {
      for index in first..<skippedKeyHashes.count where skippedKeyHashes[index] == hash {
        return true
      }
      return false
    }
    if seen == nil { seen = Set((first..<skippedKeyHashes.count).map { skippedKeyHashes[$0] }) }
    return !seen!.insert(hash).inserted
  }

  private mutating func skipArray() throws(JSONError) {
    try enterContainer()
    pos += 1
    try skipWhitespace()
    if byte == UInt8(ascii: "]") {
      pos += 1
      depth -= 1
      return
    }
    while true {
      try skipValue()
      try skipWhitespace()
      let c = byte
      if c == UInt8(ascii: ",") {
        pos += 1
      } else if c == UInt8(ascii: "]") {
        pos += 1
        break
      } else {
        throw unexpected("expected ',' or ']' after array element")
      }
    }
    depth -= 1
  }

  /// Reads an object key and its colon, at the key's opening quote.
  @inline(__always)
  private mutating func readKey() throws(JSONError) -> (String, KeyRecord) {
    guard byte == UInt8(ascii: "\"") else {
      throw unexpected("expected '\"' to begin an object key")
    }
    let place = keyRecordAfterWhitespace
    pos += 1
    let key = try parseString(interning: true)
    let record = KeyRecord(hash: keys.lastHash, place: place)
    try skipWhitespace()
    guard byte == UInt8(ascii: ":") else { throw unexpected("expected ':' after object key") }
    pos += 1
    return (key, record)
  }

  /// After an object member: true at a comma (and the whitespace after it), false after
  /// the closing brace.
  @inline(__always)
  private mutating func nextMember() throws(JSONError) -> Bool {
    try skipWhitespace()
    let c = byte
    if c == UInt8(ascii: ",") {
      pos += 1
      try skipWhitespace()
      return true
    }
    if c == UInt8(ascii: "}") {
      pos += 1
      return false
    }
    throw unexpected("expected ',' or '}' after object member")
  }

  // MARK: - Projected objects

  /// Reads the value at `pos` (after whitespace) as `parseValue()` does, except that an
  /// object leaves out what `state` says; any other value is built whole.
  mutating func parseProjectedValue(_ state: ProjectionState) throws(JSONError) -> Value {
    try skipWhitespace()
    guard byte == UInt8(ascii: "{") else { return try parseValue() }
    return try parseProjectedObject(state)
  }

  /// `parseObject()` with a projection: the members it skips are checked, noted for
  /// duplicate keys, and left out.
  private mutating func parseProjectedObject(_ initial: ProjectionState) throws(JSONError)
    -> Value
  {
    var state = initial
    try enterContainer()
    pos += 1
    try skipWhitespace()
    if byte == UInt8(ascii: "}") {
      pos += 1
      depth -= 1
      return .object(ObjectValue())
    }
    let first = memberStack.count
    var seen: Set<UInt64>?
    // Bit i: member i was skipped (only the first 64 members are ever skipped).
    var skipped: UInt64 = 0
    var frame: PinnedValue?
    var frameShrank = false
    defer { if let frame { release(frame) } }
    while true {
      let (key, record) = try readKey()
      noteIfDuplicate(key, record, since: first, seen: &seen)
      let index = memberStack.count - first
      if index == 2, frameShrank, let pinned = frame {
        // Not a watch frame after all (a third member): its `object` is an ordinary
        // member, and must be whole.
        let whole = try reread(pinned)
        memberStack.replace(
          at: first + 1, with: Member(key: memberStack[first + 1].key, value: whole))
        frameShrank = false
      }
      var value = Value.null
      switch state.action(for: key, index: index) {
      case .build:
        value = try parseValue()
        state.note(key: key, index: index, value: value)
      case .skip:
        try skipValue()
        skippedValues += 1
        skipped |= 1 &<< UInt64(index)
      case .project(let inner):
        value = try parseProjectedValue(ProjectionState(inner, lookup: nil, framing: false))
        state.note(key: key, index: index, value: value)
      case .frameObject:
        try skipWhitespace()
        let pinned = pin()
        frame = pinned
        let before = skippedValues
        value = try parseProjectedValue(
          ProjectionState(.keep, lookup: state.lookup, framing: false))
        frameShrank = skippedValues != before
      }
      memberStack.push(Member(key: key, value: value))
      keyRecordStack.push(record)
      guard try nextMember() else { break }
    }
    depth -= 1
    keyRecordStack.pop(to: first)
    if skipped == 0 { return .object(ObjectValue(members: memberStack.popArray(from: first))) }
    var members: [Member] = []
    members.reserveCapacity(memberStack.count - first - skipped.nonzeroBitCount)
    for index in first..<memberStack.count where skipped & (1 &<< UInt64(index - first)) == 0 {
      members.append(memberStack[index])
    }
    memberStack.pop(to: first)
    return .object(ObjectValue(members: members))
  }

  // MARK: - Reading a value again

  /// Keeps every byte from `pos` (after whitespace) buffered until ``release(_:)``.
  mutating func pin() -> PinnedValue {
    let offset = droppedBytes &+ pos
    let pinned = PinnedValue(
      offset: offset, newlinesSkipped: newlinesSkipped,
      lastSkippedNewline: lastSkippedNewline, newlinesCountedTo: newlinesCountedTo,
      duplicateKey: duplicateKey, outerPinnedOffset: pinnedOffset)
    pinnedOffset = min(pinnedOffset, offset)
    return pinned
  }

  mutating func release(_ pinned: PinnedValue) {
    pinnedOffset = pinned.outerPinnedOffset
  }

  /// The pinned value read whole; reading then goes on where it was. The value was read
  /// before (with a projection, which checks everything it leaves out), so this cannot
  /// fail.
  ///
  /// - Parameter notingDuplicates: forget the duplicate key noted since the pin, to note
  ///   the first one in the value again (after a hash collision, when the first reading
  ///   could not tell); otherwise the first reading noted what there is.
  mutating func reread(_ pinned: PinnedValue, notingDuplicates: Bool = false) throws(JSONError)
    -> Value
  {
    let resume = (pos, newlinesSkipped, lastSkippedNewline, newlinesCountedTo)
    pos = pinned.offset &- droppedBytes
    newlinesSkipped = pinned.newlinesSkipped
    lastSkippedNewline = pinned.lastSkippedNewline
    newlinesCountedTo = pinned.newlinesCountedTo
    if notingDuplicates { duplicateKey = pinned.duplicateKey }
    let value = try parseValue()
    (pos, newlinesSkipped, lastSkippedNewline, newlinesCountedTo) = resume
    return value
  }

  /// Skips the value at `pos` (after whitespace), reading it whole after all when two of
  /// its keys had the same hash, to note a duplicate key exactly.
  mutating func skipValueExactly() throws(JSONError) {
    let pinned = pin()
    defer { release(pinned) }
    skippedKeysCollided = false
    try skipValue()
    skippedValues += 1
    guard skippedKeysCollided else { return }
    skippedKeysCollided = false
    _ = try reread(pinned, notingDuplicates: true)
  }

  /// Reads the value at `pos` (after whitespace) with `state`, or whole again when two
  /// keys it skipped had the same hash.
  mutating func parseProjectedValueExactly(_ state: ProjectionState) throws(JSONError) -> Value {
    let pinned = pin()
    defer { release(pinned) }
    skippedKeysCollided = false
    let value = try parseProjectedValue(state)
    guard skippedKeysCollided else { return value }
    skippedKeysCollided = false
    return try reread(pinned, notingDuplicates: true)
  }
}
