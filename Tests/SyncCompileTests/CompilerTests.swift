import SyncCheck
import SyncCompile
import SyncProgram
import SyncSchema
import SyncSyntax
import Testing

struct CompilerTests {
  static let seed = """
    skip namespaces velero, prometheus, default, kube-system, kube-public, kube-node-lease

    rule workload match apps/v1 Deployment, apps/v1 StatefulSet {
      set spec.replicas = 0
      append spec.template.spec.tolerations { key: "eks.tke.cloud.tencent.com/eklet", operator: "Exists", effect: "NoSchedule" } if absent
      set spec.template.spec.schedulerName = "tke-scheduler"
      set spec.template.metadata.annotations."AUTO_SCALE_EKS" = "true"
      when metadata.name matches re"tmp-.*" { drop } else { set metadata.labels.dr = "yes" }
    }
    rule pvc match v1 PersistentVolumeClaim { remove spec.volumeName }
    rule everything match * labels dr-sync=true
    """

  static func compile(_ text: String, path: String = "rules.sync") throws -> PatchProgram {
    let files = SourceManager()
    let loaded = RuleLoader(stdlib: EmbeddedStdlib()).load(path: path, text: text, into: files)
    let (checked, diagnostics) = Checker(registry: .builtIn).check(loaded)
    #expect(diagnostics.isEmpty, "\(diagnostics)")
    return Compiler.compile(checked)
  }

  @Test func compilingIsDeterministic() throws {
    let dumps = try (0..<5).map { _ in Disassembler.render(try Self.compile(Self.seed)) }
    #expect(Set(dumps).count == 1)
  }

  @Test func dispatchMergesWildcardRulesInRuleOrder() throws {
    let program = try Self.compile(Self.seed)
    #expect(program.dispatch.candidates(group: "apps", kind: "Deployment") == [0, 2])
    #expect(program.dispatch.candidates(group: "", kind: "PersistentVolumeClaim") == [1, 2])
    #expect(program.dispatch.candidates(group: "example.com", kind: "Widget") == [2])
  }

  @Test func rulesForOtherKindsAreNotCandidates() throws {
    var text = "rule web match apps/v1 Deployment { set spec.replicas = 0 }\n"
    for index in 0..<100 { text += "rule cm\(index) match v1 ConfigMap named cm-\(index)\n" }
    let program = try Self.compile(text)
    #expect(program.dispatch.candidates(group: "apps", kind: "Deployment") == [0])
    #expect(program.dispatch.candidates(group: "", kind: "ConfigMap").count == 100)
  }

  @Test func constantsAndKeysArePooledOnce() throws {
    let program = try Self.compile(
      """
      rule a match v1 ConfigMap { set metadata.labels.x = "same" }
      rule b match v1 Secret { set metadata.labels.x = "same" }
      """)
    #expect(program.constants == ["same"])
    #expect(program.segments == ["metadata", "labels", "x"])
  }

  @Test func whenElseLowersToJumps() throws {
    let program = try Self.compile(Self.seed)
    let code = program.rules[0].code
    guard case .jumpUnless(_, let elseStart) = code[4], case .drop = code[5],
      case .jump(let end) = code[6]
    else {
      Issue.record("unexpected code: \(code)")
      return
    }
    #expect(elseStart == 7)
    #expect(end == 8)
    #expect(code.count == 8)
  }

  @Test func explainShowsSourceLines() throws {
    let dump = Disassembler.render(try Self.compile(Self.seed))
    #expect(dump.contains("rule workload    ; rules.sync:3:6"))
    #expect(dump.contains("set      spec.replicas = #0"))
    #expect(dump.contains("; 4:3  set spec.replicas = 0"))
    #expect(dump.contains("apps/Deployment → workload, everything"))
    #expect(dump.contains("if absent (whole element)"))
  }
}
