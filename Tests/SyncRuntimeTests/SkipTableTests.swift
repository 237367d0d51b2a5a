import SyncCompile
import SyncDriver
import SyncValue
import Testing

@testable import SyncRuntime

/// The skip table must pick the same skip as trying every skip in order.
struct SkipTableTests {
  static let rules = """
    skip names "*-canary"
    skip namespaces kube-system, "tmp-*"
    skip kinds v1 Event, events.k8s.io/Event
    skip groups metrics.k8s.io, ""
    skip owned by apps/v1 ReplicaSet
    skip match v1 Secret when type == "kubernetes.io/service-account-token"
    skip namespaces shop, kube-system
    skip names web, db
    skip kinds apps/* *Set
    skip match v1 Namespace named kube-system, shop
    skip groups "batch*"
    rule all match *
    """

  static let objects: [String] = {
    var objects: [String] = []
    let kinds = [
      ("v1", "ConfigMap"), ("v1", "Event"), ("events.k8s.io/v1", "Event"),
      ("apps/v1", "Deployment"),
      ("apps/v1", "StatefulSet"), ("v1", "Secret"), ("v1", "Namespace"), ("batch/v1", "Job"),
      ("metrics.k8s.io/v1beta1", "PodMetrics"),
    ]
    for (apiVersion, kind) in kinds {
      for namespace in ["", "kube-system", "tmp-1", "shop", "prod"] {
        for name in ["web", "db-canary", "api", "kube-system", "shop"] {
          let namespaceField = namespace.isEmpty ? "" : #","namespace":"\#(namespace)""#
          let owner =
            name == "api"
            ? #","ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"x","controller":true}]"#
            : ""
          let type = kind == "Secret" ? #","type":"kubernetes.io/service-account-token""# : ""
          objects.append(
            #"{"apiVersion":"\#(apiVersion)","kind":"\#(kind)","metadata":{"name":"\#(name)"\#(namespaceField)\#(owner)}\#(type)}"#
          )
        }
      }
    }
    return objects
  }()

  @Test func picksTheFirstMatchingSkip() throws {
    let ruleSet = RuleSet.load(text: Self.rules)
    let program = try #require(ruleSet.program, "rules do not check: \(ruleSet.diagnostics)")
    let evaluator = Evaluator(program: program)
    var skipped = Set<Int>()
    for text in Self.objects {
      let object = try JSON.parse(text)
      let facts = try #require(ObjectFacts(object))
      let expected = program.skips.indices.first {
        facts.matches(program.skips[$0], evaluator: evaluator)
      }
      let outcome = evaluator.evaluate(object)
      if case .skipped(let index) = outcome {
        #expect(index == expected, "\(text)")
        skipped.insert(index)
      } else {
        #expect(expected == nil, "\(text): \(outcome)")
      }
    }
    // Every kind of skip was the first to match for some object.
    #expect(skipped.count >= 8, "\(skipped.sorted())")
  }
}
