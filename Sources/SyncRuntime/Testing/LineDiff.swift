/// A line diff in unified format (`--- expected`, `+++ actual`, `@@` hunks with three
/// lines of context), computed with Myers' algorithm so that small changes in long
/// object streams stay small.
public struct LineDiff: Sendable {
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

  /// Myers' O((N+M)·D) shortest edit script, keeping only the diagonals each step
  /// reached so memory is O(D²) rather than O((N+M)·D).
  private static func edits(_ a: [String], _ b: [String]) -> [Line] {
    let n = a.count
    let m = b.count
    let limit = n + m
    guard limit > 0 else { return [] }
    let offset = limit + 1
    var frontier = [Int](repeating: 0, count: 2 * limit + 3)
    var trace: [[Int]] = []
    var found = false
    for d in 0...limit {
      trace.append(Array(frontier[(offset - d)...(offset + d)]))
      for k in stride(from: -d, through: d, by: 2) {
        var x: Int
        if k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1]) {
          x = frontier[offset + k + 1]
        } else {
          x = frontier[offset + k - 1] + 1
        }
        var y = x - k
        while x < n, y < m, a[x] == b[y] {
          x += 1
          y += 1
        }
        frontier[offset + k] = x
        if x >= n, y >= m {
          found = true
          break
        }
      }
      if found { break }
    }
    var result: [Line] = []
    var x = n
    var y = m
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      let saved = trace[d]
      func at(_ k: Int) -> Int { saved[k + d] }
      let k = x - y
      let previousK: Int
      if k == -d || (k != d && at(k - 1) < at(k + 1)) {
        previousK = k + 1
      } else {
        previousK = k - 1
      }
      let previousX = d == 0 ? 0 : at(previousK)
      let previousY = d == 0 ? 0 : previousX - previousK
      while x > previousX, y > previousY {
        result.append(.same(a[x - 1]))
        x -= 1
        y -= 1
      }
      if d > 0 {
        if x == previousX {
          result.append(.added(b[y - 1]))
        } else {
          result.append(.removed(a[x - 1]))
        }
      }
      x = previousX
      y = previousY
    }
    return result.reversed()
  }
}
