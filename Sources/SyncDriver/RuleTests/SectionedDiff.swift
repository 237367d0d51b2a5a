import SyncRuntime

/// A line diff of object streams in unified format (`--- expected`, `+++ actual`, `@@`
/// hunks with three lines of context), whose hunks name the object they fall in.
public struct SectionedDiff: Sendable {
  /// One line of a diff.
  public enum Line: Sendable, Hashable {
    case same(String)
    case removed(String)
    case added(String)
  }

  /// A titled region of a text (one object of a stream): hunks inside it say its title
  /// in their `@@` line, as `git diff` names the enclosing function.
  public struct Section: Sendable, Hashable {
    /// 0-based index of the section's first line.
    public var start: Int
    public var title: String

    public init(start: Int, title: String) {
      self.start = start
      self.title = title
    }
  }

  public let old: [String]
  public let new: [String]
  public let lines: [Line]

  /// Diffs `old` (expected) against `new` (actual).
  public init(old: [String], new: [String]) {
    self.old = old
    self.new = new
    self.lines = Self.edits(old, new)
  }

  public var isEmpty: Bool {
    !lines.contains { if case .same = $0 { false } else { true } }
  }

  /// The unified rendering; empty when the texts are equal.
  public func unified(
    context: Int = 3, oldSections: [Section] = [], newSections: [Section] = [],
    oldName: String = "expected", newName: String = "actual"
  ) -> String {
    guard !isEmpty else { return "" }
    var out = "--- \(oldName)\n+++ \(newName)\n"
    // Positions (old index, new index) before each diff line.
    var positions: [(Int, Int)] = []
    var oldIndex = 0
    var newIndex = 0
    for line in lines {
      positions.append((oldIndex, newIndex))
      switch line {
      case .same:
        oldIndex += 1
        newIndex += 1
      case .removed: oldIndex += 1
      case .added: newIndex += 1
      }
    }
    let changed = lines.indices.filter { if case .same = lines[$0] { false } else { true } }
    var hunks: [ClosedRange<Int>] = []
    for index in changed {
      let low = max(0, index - context)
      let high = min(lines.count - 1, index + context)
      if let last = hunks.last, low <= last.upperBound + 1 {
        hunks[hunks.count - 1] = last.lowerBound...high
      } else {
        hunks.append(low...high)
      }
    }
    for hunk in hunks {
      let (oldStart, newStart) = positions[hunk.lowerBound]
      var oldCount = 0
      var newCount = 0
      for line in lines[hunk] {
        switch line {
        case .same:
          oldCount += 1
          newCount += 1
        case .removed: oldCount += 1
        case .added: newCount += 1
        }
      }
      var header =
        "@@ -\(Self.range(oldStart, oldCount)) +\(Self.range(newStart, newCount)) @@"
      let title =
        old.isEmpty
        ? Self.title(at: newStart, in: newSections) : Self.title(at: oldStart, in: oldSections)
      if let title { header += " \(title)" }
      out += header + "\n"
      for line in lines[hunk] {
        switch line {
        case .same(let text): out += " \(text)\n"
        case .removed(let text): out += "-\(text)\n"
        case .added(let text): out += "+\(text)\n"
        }
      }
    }
    return out
  }

  /// `start,count` as unified diffs number them: 1-based, and an empty range names
  /// the line before it.
  private static func range(_ start: Int, _ count: Int) -> String {
    count == 0 ? "\(start),0" : count == 1 ? "\(start + 1)" : "\(start + 1),\(count)"
  }

  private static func title(at line: Int, in sections: [Section]) -> String? {
    sections.last { $0.start <= line }?.title
  }

  /// The shared Myers edit script (``LineDiff/edits(from:to:)``), as lines.
  private static func edits(_ a: [String], _ b: [String]) -> [Line] {
    LineDiff.edits(from: a, to: b).map { edit in
      switch edit {
      case .equal(let old, _): return .same(a[old])
      case .delete(let old): return .removed(a[old])
      case .insert(let new): return .added(b[new])
      }
    }
  }
}
