import Foundation
import Logging
import SyncDemo
import SyncDriver
import SyncRuntime
import Testing

/// The demo, run in-process: the story it tells, and that production is never written.
@Suite(.serialized)
struct DemoScenarioTests {
  static let repository = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  final class Printed: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var text: String { lock.withLock { lines.joined(separator: "\n") } }
  }

  static func scenario(dataPath: String? = nil) throws -> DemoScenario {
    let rules = repository.appendingPathComponent(DemoScenario.defaultRules).path
    let ruleSet = try RuleSet.load(RuleSet.Options(rulePaths: [rules]))
    let program = try #require(ruleSet.program, "\(ruleSet.renderedDiagnostics())")
    var scenario = DemoScenario(
      program: program, rulePaths: [rules],
      dataPath: dataPath ?? repository.appendingPathComponent(DemoScenario.defaultData).path)
    // In the full suite, tests waiting for child processes hold the two pool threads for
    // seconds at a time: the demo's own 30 s per step is for people, not for that.
    scenario.timeout = .seconds(150)
    return scenario
  }

  @Test func syncsFollowsAChangeAndWritesNothingToProduction() async throws {
    let printed = Printed()
    let writes = try await Self.scenario().run(
      logger: Logger(label: "demo"), say: { printed.append($0) })
    #expect(writes == 0)
    let text = printed.text
    #expect(
      text.contains("  Deployment: shop/api, shop/web, shop/worker"))
    #expect(text.contains("apply apps/Deployment:shop/canary"))
    #expect(text.contains("prune apps/Deployment:shop/canary"))
    #expect(text.contains("== production received 0 write requests from syncrules"))
    #expect(text.contains("syncrules_objects_pruned_total"))
  }

  @Test func missingDataSaysWhereToRunIt() async throws {
    let scenario = try Self.scenario(dataPath: "no/such/production.json")
    let failure = await #expect(throws: DemoScenario.Failure.self) {
      _ = try await scenario.run(logger: Logger(label: "demo"), say: { _ in })
    }
    #expect(
      failure?.description
        == "the demo loads no/such/production.json: run it from the repository root "
        + "(or a copy of docs/)")
  }
}
