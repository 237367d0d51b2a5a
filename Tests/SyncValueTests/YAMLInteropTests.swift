import Foundation
import Testing

@testable import SyncValue

/// A Deployment as people write it: comments, flow collections, anchors, quoted and
/// typed scalars, a script block.
let deploymentYAML = """
  # web frontend
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: web
    namespace: default
    labels: &labels
      app.kubernetes.io/name: web
      tier: "frontend"
    annotations:
      deployment.kubernetes.io/revision: "3"
      example.com/enabled: 'true'
      example.com/note: "line one\\nline two"
  spec:
    replicas: 3
    revisionHistoryLimit: 0x0A
    selector:
      matchLabels: *labels
    strategy:
      type: RollingUpdate
      rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
    template:
      metadata:
        labels: *labels
      spec:
        terminationGracePeriodSeconds: 30
        containers:
          - name: app
            image: registry.example.com/web:1.2.3
            args: [--port=8080, "-v", '2']
            command:
            - /bin/sh
            - -c
            - |
              set -e
              echo "starting: $HOSTNAME" # not a comment
              exec web
            env:
              - name: FEATURE
                value: "yes"
              - name: RATIO
                value: "0.5"
              - name: EMPTY
                value: ""
            ports:
              - containerPort: 8080
                protocol: TCP
            resources:
              limits: {cpu: 500m, memory: 1Gi}
              requests:
                cpu: 0.25
                memory: 256Mi
            readinessProbe:
              httpGet: {path: /healthz, port: 8080}
              initialDelaySeconds: 5
            volumeMounts:
              - {name: cache, mountPath: /cache}
        volumes:
          - name: cache
            emptyDir: {}
        nodeSelector:
          kubernetes.io/os: linux
        tolerations: []
  """

@Suite struct YAMLInteropTests {
  @Test func deploymentReadsAsKubectlWould() throws {
    let value = try YAML.parse(deploymentYAML)
    #expect(value["spec"]?["replicas"] == 3)
    #expect(value["spec"]?["revisionHistoryLimit"] == 10)
    #expect(value["spec"]?["selector"]?["matchLabels"] == value["metadata"]?["labels"])
    let container = value["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first
    #expect(container?["args"] == ["--port=8080", "-v", "2"])
    #expect(container?["command"]?.arrayValue?.last?.stringValue?.hasSuffix("exec web\n") == true)
    #expect(container?["env"]?.arrayValue?.first?["value"] == "yes")
    #expect(container?["resources"]?["requests"]?["cpu"] == 0.25)
    #expect(container?["resources"]?["limits"]?["cpu"] == "500m")
  }

  @Test func deploymentRoundTrips() throws {
    let value = try YAML.parse(deploymentYAML)
    let written = YAML.serialize(value)
    #expect(try YAML.parse(written) == value)
    #expect(YAML.serialize(try YAML.parse(written)) == written)
    #expect(
      written.contains("\n      - name: app\n        image: registry.example.com/web:1.2.3\n"))
    #expect(written.contains("        - |\n          set -e\n"))
    #expect(written.contains("          value: 'yes'\n"))
  }

  /// PyYAML (another YAML 1.1 reader) must see the same data in what we write.
  @Test(.enabled(if: Tool.python.isAvailable))
  func pyYAMLReadsOurOutputTheSame() throws {
    let value = try YAML.parse(deploymentYAML)
    let tricky =
      YAMLWriterTests.quoting.map { Value.string($0.0) }
      + YAMLScalarTests.plainScalars.map { Value.string($0.0) }
    let document: Value = ["deployment": value, "strings": .array(tricky)]
    let json = try Tool.python.run(["-c", pythonToASCIIJSON], input: YAML.serialize(document))
    // JSON is YAML, so our own reader can compare without a JSON parser.
    let back = try YAML.parse(json)
    #expect(back["deployment"] == value)
    for (mine, theirs) in zip(tricky, back["strings"]?.arrayValue ?? []) {
      #expect(mine == theirs)
    }
  }

  /// kubectl itself, offline: `annotate --local` decodes the file exactly as `apply -f`
  /// does and prints the object back.
  @Test(.enabled(if: Tool.kubectl.isAvailable))
  func kubectlReadsOurOutputTheSame() throws {
    var value = try YAML.parse(deploymentYAML)
    // kubectl reads DEL, C1 controls and U+FFFF correctly from our escapes, but its own
    // `-o yaml` printer then fails on them ("control characters are not allowed"), and it
    // prints a `<<` key unquoted, which reads back as a merge key.
    let strings = (YAMLWriterTests.quoting.map(\.0) + YAMLScalarTests.plainScalars.map(\.0))
      .filter { text in
        text != "<<"
          && !text.unicodeScalars.contains {
            (0x7F...0x9F).contains($0.value) || $0.value >= 0xFFFE
          }
      }
    var data = ObjectValue()
    for (index, text) in strings.enumerated() {
      data["k\(index)"] = .string(text)
      data[text.isEmpty ? "empty" : text] = .int(Int64(index))
    }
    value = .object(
      ObjectValue(members: value.objectValue!.members + [Member(key: "data", value: .object(data))])
    )
    let file = FileManager.default.temporaryDirectory
      .appendingPathComponent("syncrules-yaml-\(UInt32.random(in: 0...UInt32.max)).yaml")
    try YAML.serialize(value).write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    let printed = try Tool.kubectl.run(
      ["annotate", "--local", "-f", file.path, "syncrules.test/check=1", "-o", "yaml"])
    var back = try YAML.parse(printed)
    guard case .object(var object) = back, case .object(var metadata)? = object["metadata"],
      case .object(var annotations)? = metadata["annotations"]
    else {
      Issue.record("kubectl printed no annotations")
      return
    }
    annotations.removeValue(forKey: "syncrules.test/check")
    metadata["annotations"] = .object(annotations)
    object["metadata"] = .object(metadata)
    back = .object(object)
    #expect(back.semanticallyEquals(value))
  }
}

/// Loads YAML from stdin with PyYAML and prints it as ASCII JSON; surrogate pairs become
/// YAML's `\\U` escapes, since libyaml (rightly) refuses `\\ud83c`.
private let pythonToASCIIJSON = #"""
  import sys, json, re, yaml
  text = json.dumps(yaml.safe_load(sys.stdin))
  def join(match):
      high, low = int(match[1], 16), int(match[2], 16)
      return "\\U%08X" % (0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
  print(re.sub(r"\\u(d[89ab][0-9a-f]{2})\\u(d[c-f][0-9a-f]{2})", join, text))
  """#

/// An external program used for cross-checks; tests using it are skipped when absent.
struct Tool: Sendable {
  static let python = Tool(name: "python3", probe: ["-c", "import yaml"])
  static let kubectl = Tool(name: "kubectl", probe: ["version", "--client"])

  var name: String
  var probe: [String]

  var isAvailable: Bool { (try? run(probe)) != nil }

  @discardableResult
  func run(_ arguments: [String], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [name] + arguments
    let output = Pipe()
    let inputPipe = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    process.standardInput = inputPipe
    try process.run()
    if let input { inputPipe.fileHandleForWriting.write(Data(input.utf8)) }
    try inputPipe.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw ToolFailure(status: process.terminationStatus)
    }
    return String(decoding: data, as: UTF8.self)
  }
}

struct ToolFailure: Error {
  var status: Int32
}
