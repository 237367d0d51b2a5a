import SyncValue
import Testing

/// Image references parsed as container runtimes parse them, and checked against the
/// reference grammar.
struct ImageReferenceTests {
  @Test(
    arguments: [
      ("nginx", "", "nginx", nil, nil),
      ("nginx:1.25", "", "nginx", "1.25", nil),
      ("library/nginx:1.25", "", "library/nginx", "1.25", nil),
      ("docker.io/library/nginx", "docker.io", "library/nginx", nil, nil),
      ("registry.example.com:5000/team/app:v1", "registry.example.com:5000", "team/app", "v1", nil),
      ("localhost/app", "localhost", "app", nil, nil),
      ("localhost:5000/app:dev", "localhost:5000", "app", "dev", nil),
      (
        "quay.io/team/proxy:v1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "quay.io", "team/proxy", "v1",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
      ),
    ] as [(String, String, String, String?, String?)])
  func parses(
    _ text: String, _ registry: String, _ repository: String, _ tag: String?, _ digest: String?
  )
    throws
  {
    let reference = try ImageReference(parsing: text)
    #expect(reference.registry == registry)
    #expect(reference.repository == repository)
    #expect(reference.tag == tag)
    #expect(reference.digest == digest)
    #expect(reference.text == text, "joins back to what was written")
  }

  @Test func anImageWithoutARegistryComesFromDockerHub() throws {
    #expect(try ImageReference(parsing: "nginx:1").normalized.text == "docker.io/library/nginx:1")
    #expect(try ImageReference(parsing: "team/app").normalized.text == "docker.io/team/app")
    #expect(try ImageReference(parsing: "quay.io/a/b").normalized.text == "quay.io/a/b")
  }

  @Test(arguments: [
    "Nginx", "nginx:", "nginx:-x", "reg istry.io/app", "nginx@sha256:abc", "a//b", "app_", "-app",
    "registry.io:port/app", "nginx@md5",
  ])
  func refusesInvalidReferences(_ text: String) {
    #expect(throws: ImageReference.Invalid.self) { try ImageReference(parsing: text) }
  }

  @Test func partsAreCheckedOnTheirOwn() {
    #expect(ImageReference.problem(with: "registry.dr.example.com:5000", as: "registry") == nil)
    #expect(ImageReference.problem(with: "bad host", as: "registry") != nil)
    #expect(ImageReference.problem(with: "team/app-dr", as: "repository") == nil)
    #expect(ImageReference.problem(with: "Team/App", as: "repository") != nil)
    #expect(ImageReference.problem(with: "v1.2_rc-1", as: "tag") == nil)
    #expect(ImageReference.problem(with: ".hidden", as: "tag") != nil)
    #expect(
      ImageReference.problem(
        with: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        as: "digest")
        == nil)
    #expect(ImageReference.problem(with: "sha256:short", as: "digest") != nil)
  }
}
