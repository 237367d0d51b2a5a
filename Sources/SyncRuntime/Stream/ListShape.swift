import SyncValue

/// Which top-level objects are Lists, whose `items` are read, rewritten and written one
/// at a time: one rule for JSON and YAML.
///
/// **An object is a List when it has an `items` array and no `kind` that does not end in
/// `List` comes before `items`.** The order matters because JSON is streamed: when the
/// reader meets `items` it must decide before it has seen the members after it, and
/// kubectl prints keys sorted (`apiVersion`, `items`, `kind`, `metadata`), so a List's
/// `kind` comes after its items. A kind read first (`kind: Widget`, then `items`) marks
/// an ordinary object that happens to have an `items` field. YAML documents are read
/// whole, but the same rule applies to them, so that a file means the same in either
/// format. (A custom resource printed by kubectl with a top-level `items` field sorts
/// `items` before `kind` and is read as a List: such kinds are rare, and kubectl itself
/// treats an `items` array as a list in many places.)
enum ListShape {
  /// Whether an `items` array after `head` (the members read before it) makes the object
  /// a List.
  static func itemsMakeAList<Members: Collection<Member>>(after head: Members) -> Bool {
    guard let kind = head.first(where: { $0.key == "kind" }) else { return true }
    return kind.value.stringValue?.hasSuffix("List") ?? false
  }

  /// A whole object cut around its `items`, when it is a List.
  static func split(_ value: Value) -> (head: [Member], items: [Value], tail: [Member])? {
    guard case .object(let object) = value else { return nil }
    for (index, member) in object.members.enumerated() where member.key == "items" {
      guard case .array(let items) = member.value,
        itemsMakeAList(after: object.members[..<index])
      else { return nil }
      return (
        Array(object.members[..<index]), items, Array(object.members[(index + 1)...])
      )
    }
    return nil
  }
}
