import SyncDriver
import SyncRuntime
import Testing

/// The line diff behind `syncrules test` failures.
struct RuleTestDiffTests {
  @Test func equalTextsHaveNoDiff() {
    let diff = SectionedDiff(old: ["a", "b"], new: ["a", "b"])
    #expect(diff.isEmpty)
    #expect(diff.unified() == "")
  }

  @Test func changesAreShownWithThreeLinesOfContext() {
    let old = (1...20).map { "line \($0)" }
    var new = old
    new[4] = "changed"
    new.append("added")
    let text = SectionedDiff(old: old, new: new).unified(
      oldSections: [SectionedDiff.Section(start: 0, title: "v1 ConfigMap a")])
    #expect(
      text == """
        --- expected
        +++ actual
        @@ -2,7 +2,7 @@ v1 ConfigMap a
         line 2
         line 3
         line 4
        -line 5
        +changed
         line 6
         line 7
         line 8
        @@ -18,3 +18,4 @@ v1 ConfigMap a
         line 18
         line 19
         line 20
        +added

        """)
  }

  @Test(arguments: [
    ([String](), ["a"]), (["a"], []), (["a", "b", "c"], ["c", "b", "a"]),
    (["x", "a", "y"], ["a"]), (Array(repeating: "k", count: 50), ["k", "z", "k"]),
  ])
  func diffsReplayToTheNewText(_ old: [String], _ new: [String]) {
    let diff = SectionedDiff(old: old, new: new)
    var replayedOld: [String] = []
    var replayedNew: [String] = []
    for line in diff.lines {
      switch line {
      case .same(let text):
        replayedOld.append(text)
        replayedNew.append(text)
      case .removed(let text): replayedOld.append(text)
      case .added(let text): replayedNew.append(text)
      }
    }
    #expect(replayedOld == old)
    #expect(replayedNew == new)
  }
}
