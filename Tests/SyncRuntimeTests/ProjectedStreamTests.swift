import Foundation
import SyncDriver
import SyncRuntime
import SyncValue
import TestSupport
import Testing

/// `apply` with the reader's projection gives exactly what it gives without: output,
/// messages, report and exit status, on every input of the stream corpus and on inputs
/// made to trip it, on one thread and on two with batches cut everywhere.
struct ProjectedStreamTests {
  /// Rules that remove what kubectl's output is heavy with, and read other things.
  static let rules = """
    skip namespaces kube-system
    rule workload match apps/v1 Deployment {
      remove status, metadata.managedFields, metadata.resourceVersion
      set spec.replicas = 0
    }
    rule widget match example.com/v1 Widget {
      remove status
      set spec.size.value = 1
    }
    rule settings match v1 ConfigMap {
      when metadata.name == "old" { drop }
      remove metadata.managedFields
      set data.standby = "yes"
    }
    """

  static func deployment(_ name: String, status: String = #"{"replicas": 2}"#) -> String {
    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"\#(name)","namespace":"prod","managedFields":[{"manager":"kubectl","fieldsV1":{"f:spec":{}}}],"resourceVersion":"7"},"spec":{"replicas":2},"status":\#(status)}"#
  }

  /// Inputs made for the projection: kinds read late, frames that are not frames,
  /// duplicates and errors inside what is left out.
  static let inputs: [String: String] = [
    "late-kind":
      #"{"status":{"a":1},"apiVersion":"apps/v1","metadata":{"name":"a"},"kind":"Deployment"}"#
      + "\n",
    "frame": #"{"type":"MODIFIED","object":\#(deployment("a"))}"# + "\n"
      + #"{"type":"BOOKMARK","object":\#(deployment("b"))}"# + "\n",
    "frame-third-member": #"{"type":"ADDED","object":\#(deployment("a")),"extra":1}"# + "\n"
      + #"{"type":"ADDED","object":\#(deployment("b")),"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"c"},"status":1}"#
      + "\n",
    "frame-with-items":
      #"{"type":"ADDED","object":\#(deployment("a")),"items":[\#(deployment("b"))]}"#
      + "\n",
    "duplicate-in-status": deployment("a", status: #"{"x":1,"x":2}"#) + "\n" + deployment("b")
      + "\n",
    "malformed-in-status": deployment("a") + "\n" + deployment("b", status: #"{"x":tru}"#)
      + "\n" + deployment("c") + "\n",
    "left-out-by-metadata":
      #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"s","namespace":"kube-system"},"spec":{"x":[1,{"y":"z"}]},"status":{}}"#
      + "\n"
      + #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"a":1,"a":2}}"#
      + "\n"
      + #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"q"},"spec":{"a":tru}}"# + "\n"
      + #"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"r"},"spec":{},"kind":"Deployment"}"#
      + "\n" + #"{"type":"ADDED","object":{"apiVersion":"v1","kind":"Pod","metadata":{}}}"#
      + "\n",
    "pretty-list": """
    {
      "apiVersion": "v1",
      "items": [
        \(deployment("a")),
        \(deployment("b", status: #"[1, 2.5, "s", null, true, {"k": {}}]"#))
      ],
      "kind": "List"
    }

    """,
  ]

  static let corpus = Repository.directories(in: StreamCorpusTests.directory)

  /// An input by name, and the flags its corpus case runs with.
  static func input(_ name: String) throws -> (
    name: String, bytes: [UInt8], options: StreamApplier.Options
  ) {
    if let text = inputs[name] {
      return ("\(name).json", Array(text.utf8), StreamApplier.Options(flushEachObject: false))
    }
    let corpusCase = try StreamCorpusTests.Case(name)
    let options = try StreamCorpusTests.options(from: corpusCase.read("args") ?? "")
    return (corpusCase.inputName, corpusCase.input, options)
  }

  @Test func theRulesLeaveSomethingOut() throws {
    let ruleSet = RuleSet.load(text: Self.rules, path: "rules.sync")
    let evaluator = Evaluator(program: try #require(ruleSet.program))
    #expect(
      evaluator.projection(apiVersion: "apps/v1", kind: "Deployment")
        == .members([
          "status": .skip,
          "metadata": .members(["managedFields": .skip, "resourceVersion": .skip]),
        ]))
  }

  @Test(arguments: corpus + inputs.keys.sorted())
  func projectingChangesNothing(_ name: String) throws {
    let (inputName, input, caseOptions) = try Self.input(name)
    for (jobs, batchBytes) in [(1, 256 * 1024), (2, 1), (2, 7), (2, 300), (2, 256 * 1024)] {
      var results: [StreamRun.Result] = []
      for projects in [false, true] {
        var options = caseOptions
        options.jobs = jobs
        options.batchBytes = batchBytes
        options.projects = projects
        results.append(
          try StreamRun.run(
            rules: Self.rules, input: input, inputName: inputName, options: options))
      }
      let (whole, projected) = (results[0], results[1])
      let context = "\(name), \(jobs) jobs, batches of \(batchBytes)"
      #expect(projected.output == whole.output, "\(context)")
      #expect(projected.problems == whole.problems, "\(context)")
      #expect(projected.report.renderText() == whole.report.renderText(), "\(context)")
      #expect(projected.hasFailures == whole.hasFailures, "\(context)")
    }
  }
}
