import Foundation
import TestSupport
import Testing

@testable import KubeClient

@Suite struct KubeconfigTests {
  @Test func mergesFilesFirstWinsAndResolvesPathsPerFile() throws {
    let dir = try TemporaryDirectory()
    try dir.write("a/ca.pem", "CA-A")
    try dir.write("b/ca.pem", "CA-B")
    try dir.write("b/certs/client.pem", "CERT-B")
    try dir.write("b/certs/client.key", "KEY-B")
    try dir.write("b/token", "  file-token \n")
    let first = try dir.write(
      "a/config",
      """
      apiVersion: v1
      kind: Config
      current-context: prod
      clusters:
      - name: prod
        cluster:
          server: https://prod.example:6443
          certificate-authority: ca.pem
          tls-server-name: api.prod.internal
      contexts:
      - name: prod
        context: {cluster: prod, user: admin, namespace: shop}
      users:
      - name: admin
        user: {token: first-token}
      """)
    let second = try dir.write(
      "b/config",
      """
      current-context: standby
      clusters:
      - name: prod
        cluster: {server: https://shadowed.example}
      - name: standby
        cluster:
          server: https://standby.example
          certificate-authority: ./ca.pem
          proxy-url: http://proxy.example:3128
      contexts:
      - name: standby
        context: {cluster: standby, user: robot}
      - name: prod
        context: {cluster: standby, user: robot}
      users:
      - name: admin
        user: {token: shadowed}
      - name: robot
        user:
          client-certificate: certs/client.pem
          client-key: certs/../certs/client.key
          tokenFile: token
      """)
    let env = ["KUBECONFIG": "\(first)::\(dir.file("missing")):\(second):\(first)"]
    #expect(Kubeconfig.defaultPaths(environment: env) == [first, dir.file("missing"), second])
    let config = try Kubeconfig.loadDefault(environment: env)
    #expect(config.currentContext == "prod")
    #expect(config.clusters["prod"]?.server == "https://prod.example:6443")
    #expect(config.clusters["prod"]?.certificateAuthority == dir.file("a/ca.pem"))
    #expect(config.clusters["standby"]?.certificateAuthority == dir.file("b/ca.pem"))
    #expect(config.users["admin"]?.token == "first-token")
    #expect(config.contexts["prod"]?.user == "admin")

    let prod = try config.configuration()
    #expect(prod.server == "https://prod.example:6443")
    #expect(prod.certificateAuthority == Array("CA-A".utf8))
    #expect(prod.tlsServerName == "api.prod.internal")
    #expect(prod.namespace == "shop")
    #expect(prod.credentials.bearerToken == "first-token")

    let standby = try config.configuration(context: "standby")
    #expect(standby.certificateAuthority == Array("CA-B".utf8))
    #expect(standby.proxyURL == "http://proxy.example:3128")
    #expect(standby.credentials.clientCertificate?.certificateChain == Array("CERT-B".utf8))
    #expect(standby.credentials.clientCertificate?.privateKey == Array("KEY-B".utf8))
    #expect(standby.credentials.tokenFile == dir.file("b/token"))
    #expect(standby.namespace == nil)
  }

  @Test func inlineDataWinsOverFiles() throws {
    let config = try Kubeconfig.parse(
      """
      clusters:
      - name: c
        cluster:
          server: https://c.example
          certificate-authority: /nonexistent/ca.pem
          certificate-authority-data: \(base64("INLINE-CA"))
      users:
      - name: u
        user:
          client-certificate-data: \(base64("INLINE-CERT"))
          client-key-data: \(base64("INLINE-KEY"))
          client-certificate: /nonexistent/cert
          client-key: /nonexistent/key
      contexts:
      - {name: ctx, context: {cluster: c, user: u}}
      """, path: "/etc/kube/config")
    let resolved = try config.configuration(context: "ctx")
    #expect(resolved.certificateAuthority == Array("INLINE-CA".utf8))
    #expect(resolved.credentials.clientCertificate?.certificateChain == Array("INLINE-CERT".utf8))
    #expect(resolved.credentials.clientCertificate?.privateKey == Array("INLINE-KEY".utf8))
  }

  @Test func basicAuthInsecureAndExecArePassedThrough() throws {
    let config = try Kubeconfig.parse(
      """
      clusters:
      - name: c
        cluster:
          server: https://c.example
          insecure-skip-tls-verify: true
          extensions:
          - name: client.authentication.k8s.io/exec
            extension: {audience: sts}
      users:
      - name: basic
        user: {username: alice, password: s3cret}
      - name: eks
        user:
          exec:
            apiVersion: client.authentication.k8s.io/v1beta1
            command: aws
            args: [eks, get-token, --cluster-name, prod, --duration, 900]
            env:
            - {name: AWS_PROFILE, value: prod}
            provideClusterInfo: true
            interactiveMode: Never
      - name: local
        user:
          exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/plugin}
      contexts:
      - {name: basic, context: {cluster: c, user: basic}}
      - {name: eks, context: {cluster: c, user: eks}}
      - {name: local, context: {cluster: c, user: local}}
      """, path: "/home/me/.kube/config")
    let basic = try config.configuration(context: "basic")
    #expect(basic.insecureSkipTLSVerify)
    #expect(basic.credentials.basic?.username == "alice")
    #expect(basic.credentials.basic?.password == "s3cret")

    let eks = try #require(try config.configuration(context: "eks").credentials.exec)
    #expect(eks.config.command == "aws")
    #expect(eks.config.args == ["eks", "get-token", "--cluster-name", "prod", "--duration", "900"])
    #expect(eks.config.env.map(\.name) == ["AWS_PROFILE"])
    #expect(eks.cluster?["server"] == "https://c.example")
    #expect(eks.cluster?["insecure-skip-tls-verify"] == true)
    #expect(eks.cluster?["config"] == ["audience": "sts"])

    let local = try config.configuration(context: "local")
    #expect(local.credentials.exec?.config.command == "/home/me/.kube/bin/plugin")
  }

  struct BadConfig: Sendable, CustomTestStringConvertible {
    var yaml: String
    var context: String?
    var message: String
    var testDescription: String { message }
  }

  static let badConfigs: [BadConfig] = [
    BadConfig(yaml: "clusters: []", context: nil, message: "has no current-context"),
    BadConfig(
      yaml: "contexts: [{name: a, context: {cluster: a}}]", context: "b",
      message: "context b not found (known: a)"),
    BadConfig(
      yaml: "contexts: [{name: a, context: {cluster: gone}}]", context: "a",
      message: "names cluster gone, which is not defined"),
    BadConfig(
      yaml: """
        clusters: [{name: c, cluster: {server: "https://x"}}]
        users: [{name: u, user: {client-certificate-data: \(base64("C"))}}]
        contexts: [{name: a, context: {cluster: c, user: u}}]
        """, context: "a", message: "client certificate given without a client key"),
    BadConfig(
      yaml: """
        clusters: [{name: c, cluster: {server: "https://x"}}]
        users: [{name: u, user: {auth-provider: {name: gcp}}}]
        contexts: [{name: a, context: {cluster: c, user: u}}]
        """, context: "a", message: "auth-provider gcp is not supported"),
    BadConfig(
      yaml: """
        users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1,
          command: x}}}]
        """, context: nil, message: "supported: client.authentication.k8s.io/v1"),
    BadConfig(
      yaml: "clusters: [{name: c, cluster: {certificate-authority-data: '%%%'}}]",
      context: nil, message: "has no server"),
  ]

  @Test(arguments: badConfigs) func badConfigsNameTheProblem(_ bad: BadConfig) {
    #expect {
      try Kubeconfig.parse(bad.yaml, path: "/k/config").configuration(context: bad.context)
    } throws: { error in
      "\(error)".contains(bad.message)
    }
  }

  @Test func defaultPathIsHomeKubeConfig() {
    #expect(Kubeconfig.defaultPaths(environment: ["HOME": "/home/x"]) == ["/home/x/.kube/config"])
    #expect(
      Kubeconfig.defaultPaths(environment: ["HOME": "/home/x", "KUBECONFIG": ""])
        == ["/home/x/.kube/config"])
  }

  @Test func singleMissingFileIsAnErrorEmptyFileIsNot() throws {
    let dir = try TemporaryDirectory()
    #expect(throws: KubeError.self) { try Kubeconfig.load(paths: [dir.file("nope")]) }
    let empty = try dir.write("empty", "\n")
    #expect(try Kubeconfig.load(paths: [empty]) == Kubeconfig())
  }

  @Test func inClusterFromDirectory() throws {
    let dir = try TemporaryDirectory()
    try dir.write("sa/token", "sa-token\n")
    try dir.write("sa/ca.crt", "SA-CA")
    try dir.write("sa/namespace", "prod-ns\n")
    let env = ["KUBERNETES_SERVICE_HOST": "10.0.0.1", "KUBERNETES_SERVICE_PORT": "443"]
    #expect(ClientConfiguration.isInCluster(environment: env))
    let config = try ClientConfiguration.inCluster(environment: env, directory: dir.file("sa"))
    #expect(config.server == "https://10.0.0.1:443")
    #expect(config.certificateAuthority == Array("SA-CA".utf8))
    #expect(config.namespace == "prod-ns")
    #expect(config.credentials.tokenFile == dir.file("sa/token"))

    let v6 = try ClientConfiguration.inCluster(
      environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "6443"],
      directory: dir.file("sa"))
    #expect(v6.server == "https://[fd00::1]:6443")
    #expect(throws: KubeError.self) {
      try ClientConfiguration.inCluster(environment: [:], directory: dir.file("sa"))
    }
    #expect(throws: KubeError.self) {
      try ClientConfiguration.inCluster(environment: env, directory: dir.file("none"))
    }
  }
}
