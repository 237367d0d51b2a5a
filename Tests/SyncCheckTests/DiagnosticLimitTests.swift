import SyncCheck
import SyncSchema
import SyncSyntax
import Testing

struct DiagnosticLimitTests {
  /// One typo must not hide the rest, but a file full of them is capped and says so.
  @Test func errorsPerFileAreCappedWithASummary() {
    var text = "rule cap match apps/v1 Deployment {\n"
    for index in 0..<60 { text += "  set spec.nope\(index) = 1\n" }
    text += "}\n"
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: EmbeddedStdlib()).load(
      path: "cap.sync", text: text, into: files)
    let (_, diagnostics) = Checker(registry: .builtIn).check(loaded)
    #expect(diagnostics.filter { $0.code == .unknownField }.count == 50)
    let summary = diagnostics.filter { $0.code == .tooManyErrors }
    #expect(summary.count == 1)
    #expect(summary.first?.message == "10 more errors in this file not shown (limit 50 per file)")
    #expect(diagnostics.last?.code == .tooManyErrors)
  }

  @Test func everyIndependentMistakeIsReported() {
    let text = """
      rule a match apps/v1 Deployment { set spec.replcas = 0 }
      rule b match apps/v1 Deployment { set spec.template.spec.schedulerNmae = "x" }
      rule c match v1 Service { set spec.clusterIp = "None" }
      """
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: EmbeddedStdlib()).load(
      path: "three.sync", text: text, into: files)
    let (_, diagnostics) = Checker(registry: .builtIn).check(loaded)
    #expect(diagnostics.map(\.code) == [.unknownField, .unknownField, .unknownField])
    #expect(
      diagnostics.compactMap(\.help) == [
        "did you mean `replicas`?", "did you mean `schedulerName`?", "did you mean `clusterIP`?",
      ])
  }
}
