/// A line diff (Myers' O((N+M)D) algorithm) and its unified rendering, as `diff -u`
/// prints it.
public enum LineDiff {
  /// One step of an edit script, with 0-based line indices.
  public enum Edit: Sendable, Equatable {
    /// Line `old` of the old text equals line `new` of the new text.
    case equal(old: Int, new: Int)
    case delete(old: Int)
    case insert(new: Int)

    var isEqual: Bool {
      if case .equal = self { return true }
      return false
    }
  }

  /// A shortest edit script turning `old` into `new`; deletions come before insertions
  /// at each change, as `diff` prints them.
  public static func edits<Line: Hashable>(from old: [Line], to new: [Line]) -> [Edit] {
    // Lines become small integers, so the inner loop compares words, not text.
    var ids: [Line: Int] = [:]
    func id(_ line: Line) -> Int {
      if let known = ids[line] { return known }
      ids[line] = ids.count
      return ids.count - 1
    }
    let a = old.map(id)
    let b = new.map(id)
    // Rewrites touch a few lines of long objects: trimming the common ends keeps D and
    // the trace small.
    var prefix = 0
    while prefix < a.count && prefix < b.count && a[prefix] == b[prefix] { prefix += 1 }
    var suffix = 0
    while suffix < a.count - prefix && suffix < b.count - prefix
      && a[a.count - 1 - suffix] == b[b.count - 1 - suffix]
    {
      suffix += 1
    }
    var script = (0..<prefix).map { Edit.equal(old: $0, new: $0) }
    let middle = myers(Array(a[prefix..<(a.count - suffix)]), Array(b[prefix..<(b.count - suffix)]))
    for edit in middle {
      switch edit {
      case .equal(let x, let y): script.append(.equal(old: x + prefix, new: y + prefix))
      case .delete(let x): script.append(.delete(old: x + prefix))
      case .insert(let y): script.append(.insert(new: y + prefix))
      }
    }
    for offset in 0..<suffix {
      script.append(.equal(old: a.count - suffix + offset, new: b.count - suffix + offset))
    }
    return script
  }

  private static func myers(_ a: [Int], _ b: [Int]) -> [Edit] {
    let n = a.count
    let m = b.count
    if n == 0 { return (0..<m).map { Edit.insert(new: $0) } }
    if m == 0 { return (0..<n).map { Edit.delete(old: $0) } }
    let maximum = n + m
    let offset = maximum + 1
    var v = [Int](repeating: 0, count: 2 * maximum + 3)
    // trace[d] is V as it was before round d; backtracking replays the choices.
    var trace: [[Int]] = []
    search: for d in 0...maximum {
      trace.append(v)
      for k in stride(from: -d, through: d, by: 2) {
        var x =
          k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset])
          ? v[k + 1 + offset] : v[k - 1 + offset] + 1
        var y = x - k
        while x < n && y < m && a[x] == b[y] {
          x += 1
          y += 1
        }
        v[k + offset] = x
        if x >= n && y >= m { break search }
      }
    }
    var x = n
    var y = m
    var reversed: [Edit] = []
    for d in stride(from: trace.count - 1, through: 0, by: -1) {
      let v = trace[d]
      let k = x - y
      let previousK =
        k == -d || (k != d && v[k - 1 + offset] < v[k + 1 + offset]) ? k + 1 : k - 1
      let previousX = v[previousK + offset]
      let previousY = previousX - previousK
      while x > previousX && y > previousY {
        x -= 1
        y -= 1
        reversed.append(.equal(old: x, new: y))
      }
      if d > 0 {
        if x == previousX {
          reversed.append(.insert(new: y - 1))
        } else {
          reversed.append(.delete(old: x - 1))
        }
      }
      x = previousX
      y = previousY
    }
    return reversed.reversed()
  }

  /// The unified diff of two texts, or an empty array when they are equal.
  ///
  /// - Parameters:
  ///   - oldName: the name after `--- `, e.g. `a/Deployment/prod/web` or `/dev/null`.
  ///   - context: unchanged lines shown around each change; changes closer than twice
  ///     this share a hunk.
  public static func unified(
    old: [UInt8], new: [UInt8], oldName: String, newName: String, context: Int = 3
  ) -> [UInt8] {
    let oldLines = lines(of: old)
    let newLines = lines(of: new)
    let script = edits(from: oldLines, to: newLines)
    guard script.contains(where: { !$0.isEqual }) else { return [] }
    var output: [UInt8] = []
    output.append(contentsOf: "--- \(oldName)\n+++ \(newName)\n".utf8)
    // Lines of each side before each step, for the hunk headers.
    var oldBefore: [Int] = []
    var newBefore: [Int] = []
    oldBefore.reserveCapacity(script.count + 1)
    newBefore.reserveCapacity(script.count + 1)
    var oldCount = 0
    var newCount = 0
    for edit in script {
      oldBefore.append(oldCount)
      newBefore.append(newCount)
      switch edit {
      case .equal:
        oldCount += 1
        newCount += 1
      case .delete: oldCount += 1
      case .insert: newCount += 1
      }
    }
    oldBefore.append(oldCount)
    newBefore.append(newCount)

    var index = 0
    while let firstChange = script[index...].firstIndex(where: { !$0.isEqual }) {
      let start = max(firstChange - context, index)
      var lastChange = firstChange
      var scan = firstChange
      while scan < script.count {
        if !script[scan].isEqual {
          lastChange = scan
          scan += 1
          continue
        }
        var runEnd = scan
        while runEnd < script.count && script[runEnd].isEqual { runEnd += 1 }
        if runEnd == script.count || runEnd - scan > 2 * context { break }
        scan = runEnd
      }
      let end = min(lastChange + context + 1, script.count)
      let oldSpan = oldBefore[end] - oldBefore[start]
      let newSpan = newBefore[end] - newBefore[start]
      output.append(contentsOf: "@@ -".utf8)
      output.append(contentsOf: range(from: oldBefore[start], count: oldSpan).utf8)
      output.append(contentsOf: " +".utf8)
      output.append(contentsOf: range(from: newBefore[start], count: newSpan).utf8)
      output.append(contentsOf: " @@\n".utf8)
      for edit in script[start..<end] {
        switch edit {
        case .equal(let line, _):
          output.append(UInt8(ascii: " "))
          output.append(contentsOf: oldLines[line])
        case .delete(let line):
          output.append(UInt8(ascii: "-"))
          output.append(contentsOf: oldLines[line])
        case .insert(let line):
          output.append(UInt8(ascii: "+"))
          output.append(contentsOf: newLines[line])
        }
        output.append(0x0A)
      }
      index = end
    }
    return output
  }

  /// `diff -u` spells an empty range by the line before it, and a one-line range without
  /// its count.
  private static func range(from linesBefore: Int, count: Int) -> String {
    switch count {
    case 0: return "\(linesBefore),0"
    case 1: return "\(linesBefore + 1)"
    default: return "\(linesBefore + 1),\(count)"
    }
  }

  /// The lines of `text` without their line feeds; a final line feed does not start an
  /// empty last line.
  static func lines(of text: [UInt8]) -> [ArraySlice<UInt8>] {
    var result: [ArraySlice<UInt8>] = []
    var start = 0
    for (index, byte) in text.enumerated() where byte == 0x0A {
      result.append(text[start..<index])
      start = index + 1
    }
    if start < text.count { result.append(text[start...]) }
    return result
  }
}
