import SyncRuntime
import SyncValue

/// How test output shows objects: YAML, as operators write them, in the objects' own
/// key order.
enum RuleTestText {
  /// The lines of `objects` as a YAML stream (`---` between objects), and where each
  /// object starts, titled with its identity.
  static func lines(_ objects: [Value]) -> (lines: [String], sections: [SectionedDiff.Section]) {
    var lines: [String] = []
    var sections: [SectionedDiff.Section] = []
    for (index, object) in objects.enumerated() {
      if index > 0 { lines.append("---") }
      sections.append(
        SectionedDiff.Section(start: lines.count, title: RuleTestObject.identity(of: object)))
      var text = yaml(object)
      if text.hasSuffix("\n") { text.removeLast() }
      lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
    return (lines, sections)
  }

  /// A unified diff of two object streams.
  /// `title` names the hunks when the objects cannot name themselves (a partial
  /// object of `includes` has no kind or name).
  static func diff(
    expected: [Value], actual: [Value], actualName: String = "actual", title: String? = nil
  ) -> String {
    var old = lines(expected)
    var new = lines(actual)
    if let title {
      old.sections = old.sections.map { SectionedDiff.Section(start: $0.start, title: title) }
      new.sections = new.sections.map { SectionedDiff.Section(start: $0.start, title: title) }
    }
    return SectionedDiff(old: old.lines, new: new.lines).unified(
      oldSections: old.sections, newSections: new.sections, newName: actualName)
  }

  /// A value on one line, for messages.
  static func inline(_ value: Value) -> String {
    let text = JSON.serialize(value)
    return text.count > 80 ? String(text.prefix(77)) + "..." : text
  }

  static func yaml(_ value: Value) -> String {
    YAML.serialize(value)
  }
}
