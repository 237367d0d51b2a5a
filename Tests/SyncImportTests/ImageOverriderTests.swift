import SyncValue
import Testing

/// The image overrider's translations, run over images of every shape: the results are
/// what Karmada's image parser and setters give (registry only when the first part has
/// a `.` or `:` or is `localhost`, no `docker.io` defaulting, concatenation for `add`).
struct ImageOverriderTests {
  static let images = [
    "nginx", "nginx:1.0", "library/nginx:1.0", "docker.io/library/nginx:1.0",
    "registry.example.com:5000/team/app:v1", "localhost/app", "app@sha256:aaaa",
    "host.io/app:v1@sha256:bbbb",
  ]

  struct Case: Sendable, CustomStringConvertible {
    var component: String
    var operation: String
    var value: String
    var expected: [String]
    var description: String { "\(component) \(operation) \(value)" }
  }

  static let cases: [Case] = [
    Case(
      component: "Registry", operation: "replace", value: "dr.io",
      expected: [
        "dr.io/nginx", "dr.io/nginx:1.0", "dr.io/library/nginx:1.0", "dr.io/library/nginx:1.0",
        "dr.io/team/app:v1", "dr.io/app", "dr.io/app@sha256:aaaa", "dr.io/app:v1@sha256:bbbb",
      ]),
    Case(
      component: "Registry", operation: "add", value: ".cn",
      expected: [
        ".cn/nginx", ".cn/nginx:1.0", ".cn/library/nginx:1.0", "docker.io.cn/library/nginx:1.0",
        "registry.example.com:5000.cn/team/app:v1", "localhost.cn/app", ".cn/app@sha256:aaaa",
        "host.io.cn/app:v1@sha256:bbbb",
      ]),
    Case(
      component: "Registry", operation: "remove", value: "",
      expected: [
        "nginx", "nginx:1.0", "library/nginx:1.0", "library/nginx:1.0", "team/app:v1", "app",
        "app@sha256:aaaa", "app:v1@sha256:bbbb",
      ]),
    Case(
      component: "Repository", operation: "replace", value: "mirror/web",
      expected: [
        "mirror/web", "mirror/web:1.0", "mirror/web:1.0", "docker.io/mirror/web:1.0",
        "registry.example.com:5000/mirror/web:v1", "localhost/mirror/web",
        "mirror/web@sha256:aaaa", "host.io/mirror/web:v1@sha256:bbbb",
      ]),
    Case(
      component: "Repository", operation: "add", value: "-dr",
      expected: [
        "nginx-dr", "nginx-dr:1.0", "library/nginx-dr:1.0", "docker.io/library/nginx-dr:1.0",
        "registry.example.com:5000/team/app-dr:v1", "localhost/app-dr", "app-dr@sha256:aaaa",
        "host.io/app-dr:v1@sha256:bbbb",
      ]),
    Case(
      component: "Repository", operation: "remove", value: "",
      expected: [
        "", ":1.0", ":1.0", "docker.io/:1.0", "registry.example.com:5000/:v1", "localhost/",
        "@sha256:aaaa", "host.io/:v1@sha256:bbbb",
      ]),
    Case(
      component: "Tag", operation: "replace", value: "v2",
      expected: [
        "nginx:v2", "nginx:v2", "library/nginx:v2", "docker.io/library/nginx:v2",
        "registry.example.com:5000/team/app:v2", "localhost/app:v2", "app:v2", "host.io/app:v2",
      ]),
    Case(
      component: "Tag", operation: "replace", value: "sha256:cccc",
      expected: [
        "nginx@sha256:cccc", "nginx@sha256:cccc", "library/nginx@sha256:cccc",
        "docker.io/library/nginx@sha256:cccc", "registry.example.com:5000/team/app@sha256:cccc",
        "localhost/app@sha256:cccc", "app@sha256:cccc", "host.io/app@sha256:cccc",
      ]),
    Case(
      component: "Tag", operation: "add", value: "-dr",
      expected: [
        "nginx", "nginx:1.0-dr", "library/nginx:1.0-dr", "docker.io/library/nginx:1.0-dr",
        "registry.example.com:5000/team/app:v1-dr", "localhost/app", "app@sha256:aaaa",
        "host.io/app:v1-dr",
      ]),
    Case(
      component: "Tag", operation: "add", value: "dr",
      expected: [
        "nginx:dr", "nginx:1.0dr", "library/nginx:1.0dr", "docker.io/library/nginx:1.0dr",
        "registry.example.com:5000/team/app:v1dr", "localhost/app:dr", "app:dr",
        "host.io/app:v1dr",
      ]),
    Case(component: "Tag", operation: "add", value: "bad/tag", expected: images),
    Case(
      component: "Tag", operation: "remove", value: "",
      expected: [
        "nginx", "nginx", "library/nginx", "docker.io/library/nginx",
        "registry.example.com:5000/team/app", "localhost/app", "app", "host.io/app",
      ]),
  ]

  @Test(arguments: cases)
  func overrider(_ testCase: Case) throws {
    let policy = """
      apiVersion: policy.karmada.io/v1alpha1
      kind: ClusterPropagationPolicy
      metadata: {name: pods}
      spec:
        resourceSelectors: [{apiVersion: v1, kind: Pod}]
      ---
      apiVersion: policy.karmada.io/v1alpha1
      kind: ClusterOverridePolicy
      metadata: {name: images}
      spec:
        resourceSelectors: [{apiVersion: v1, kind: Pod}]
        overrideRules:
        - overriders:
            imageOverrider:
            - {component: \(testCase.component), operator: \(testCase.operation), value: "\(testCase.value)"}
      """
    let translated = try Translated.karmada(policy)
    let containers = Self.images.enumerated().map { index, image in
      ["name": Value.string("c\(index)"), "image": .string(image)] as Value
    }
    let pod: Value = [
      "apiVersion": "v1", "kind": "Pod", "metadata": ["name": "p", "namespace": "shop"],
      "spec": ["containers": .array(containers)],
    ]
    guard let rewritten = translated.rewrite(pod) else { return }
    let images = (rewritten["spec"]?["containers"]?.arrayValue ?? []).map {
      $0["image"]?.stringValue ?? "?"
    }
    #expect(images == testCase.expected)
  }
}
