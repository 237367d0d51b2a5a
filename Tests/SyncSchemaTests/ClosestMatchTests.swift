import Testing

@testable import SyncSchema

@Suite struct ClosestMatchTests {
  let podSpecFields = [
    "containers", "initContainers", "nodeSelector", "replicas", "schedulerName",
    "serviceAccountName", "tolerations", "volumes", "affinity",
  ]

  @Test(arguments: [
    ("replcas", "replicas"),
    ("toleration", "tolerations"),
    ("tolerations", "tolerations"),
    ("schedulerNmae", "schedulerName"),
    ("SchedulerName", "schedulerName"),
    ("container", "containers"),
    ("nodeselector", "nodeSelector"),
    ("serviceAcountName", "serviceAccountName"),
    ("volumse", "volumes"),
  ])
  func finds(word: String, expected: String) {
    #expect(closestMatch(to: word, in: podSpecFields) == expected)
  }

  @Test(arguments: ["foo", "x", "", "hostNetwork", "priority", "zzzzzzzzzzzzz"])
  func nothingClose(word: String) {
    #expect(closestMatch(to: word, in: podSpecFields) == nil)
  }

  @Test func tiesGoToTheFirstCandidate() {
    #expect(closestMatch(to: "cat", in: ["bat", "car"]) == "bat")
    #expect(closestMatch(to: "word", in: []) == nil)
  }

  @Test func kindNames() {
    let kinds = SchemaRegistry.builtIn.kindNames
    #expect(closestMatch(to: "Deploymnet", in: kinds) == "Deployment")
    #expect(closestMatch(to: "configmap", in: kinds) == "ConfigMap")
    #expect(closestMatch(to: "Ingres", in: kinds) == "Ingress")
  }

  @Test(arguments: [("", "", 0), ("abc", "abc", 0), ("ab", "ba", 1), ("kitten", "sitting", 3)])
  func distance(a: String, b: String, expected: Int) {
    #expect(editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars)) == expected)
  }
}
