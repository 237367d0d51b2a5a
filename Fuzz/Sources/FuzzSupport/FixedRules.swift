import SyncDriver
import SyncRuntime

/// The rules the evaluator and json-stream fuzzers run objects through: every edit kind,
/// every selector clause and skip, groups, wildcards, keyed elements, interpolation and
/// values read from the object. They name no identity field (`apiVersion`, `kind`,
/// `metadata.name`, `metadata.namespace`), so every rewritten object keeps its identity.
public let fixedRulesText = #"""
  # The fixed rules of the evaluator and json-stream fuzzers: every edit kind, every
  # selector clause and skip, wildcards, keyed elements, interpolation and path values.
  import "std/skip-system-namespaces"
  import "std/skip-cluster-noise"
  import "std/strip-server-fields"
  import "std/service-portability"

  skip names "*-skip", re"tmp-[0-9]+"
  skip namespaces "team-?-old"
  skip kinds v1 Event
  skip groups metrics.k8s.io
  skip owned by apps/v1 ReplicaSet
  skip match v1 Secret when type == "kubernetes.io/service-account-token"

  group pod-template {
    append spec.template.spec.tolerations
           { key: "virtual-kubelet.io/provider", operator: "Exists", effect: "NoSchedule" } if absent
    prepend spec.template.spec.containers[name: app].args "--standby"
    append spec.template.spec.containers[name: app].env
           { name: "STANDBY_OF", value: "${metadata.namespace}/${metadata.name}" } if absent
    set spec.template.metadata.annotations."dr.example.com/standby" = "true"
    set spec.template.metadata.labels.* = "standby"
    default spec.template.spec.containers[*].imagePullPolicy = "IfNotPresent"
    set spec.template.spec.containers[-1].resources.limits.memory = "1Gi"
    set spec.template.spec.containers[name: app].ports[containerPort: 8080].name = "http"
    replace spec.template.spec.containers[*].image,
            spec.template.spec.initContainers[*].image
            prefix "registry.prod.example.com/" -> "registry.dr.example.com/"
    replace spec.template.spec.containers[*].image
            re"^docker\.io/(?<path>.+)$" -> "mirror.dr.example.com/\${path}"
    replace spec.template.spec.containers[*].env[*].value "prod" -> "dr"
    replace spec.template.spec.containers[*].command[*] suffix ".prod" -> ".dr"
    remove spec.template.spec.nodeSelector, spec.template.spec.containers[name: debug]
    remove spec.template.spec.affinity
  }

  rule workload
    match apps/v1 Deployment, apps/v1 StatefulSet
    labels !legacy, tier notin (canary, shadow)
    annotations "dr.example.com/sync"!=false
  {
    dependencies
    use strip-server-fields
    use strip-status
    use pod-template
    set spec.replicas = 0
    default spec.revisionHistoryLimit = 3
    merge spec.template.metadata.labels { tier: "standby", canary: null }
    merge metadata.labels spec.selector.matchLabels
    merge spec.template.spec.dnsConfig yaml """
      nameservers: [10.10.248.248]
      searches: [svc.cluster.local]
      """
    set metadata.annotations."dr.example.com/first-image" = spec.template.spec.containers[0].image
  }

  rule deployment-only match apps/v1 Deployment {
    when spec.paused == true {
      drop
    } else when metadata.annotations."dr.example.com/check" exists {
      patch [ { op: "test", path: "/spec/minReadySeconds", value: 5 } ]
    } else when spec.progressDeadlineSeconds > 0 and not (metadata.name matches re"legacy-.*") {
      patch [
        { op: "replace", path: "/spec/replicas", value: 0 },
        { op: add, path: "/spec/template/spec/schedulerName", value: "standby-scheduler" },
        { op: "copy", from: "/spec/progressDeadlineSeconds", path: "/spec/minReadySeconds" },
        { op: "move", from: "/spec/minReadySeconds", path: "/spec/revisionHistoryLimit" },
        { op: "remove", path: "/spec/template/spec/schedulerName" },
        { op: "add", path: "/spec/template/spec/containers/-", value: { name: "sidecar", image: "${metadata.name}:1" } }
      ]
    } else {
      patch yaml """
        - op: add
          path: /metadata/annotations
          value: {}
        - op: add
          path: /metadata/annotations/dr.example.com~1patched
          value: "true"
        """
    }
  }

  rule config
    match v1 ConfigMap, v1 Secret
    in "*", re"[a-z0-9-]+"
    named re"[a-z0-9.-]+"
    labels app.kubernetes.io/name, env!=dev
    scope namespaced
  {
    set metadata.annotations."dr.example.com/source" = "${metadata.namespace}/${metadata.name}"
    set metadata.labels."dr.example.com/generation" = "g${metadata.generation}"
    remove metadata.annotations."kubectl.kubernetes.io/last-applied-configuration"
    set data.* = "redacted"
    when data.mode in ["drop", "gone"] or immutable == true {
      drop
    }
    when metadata.labels exists {
      patch yaml """
        - op: add
          path: /metadata/labels/dr.example.com~1synced
          value: "true"
        """
    }
  }

  rule network match v1 Service when spec.type != "ExternalName" {
    use service-portability
    when spec.type in ["LoadBalancer", "NodePort"] and spec.ports[*].nodePort exists {
      set metadata.labels.exposure = "public"
    } else {
      set metadata.labels.exposure = "internal"
    }
    append spec.ports { port: 9090, name: "metrics" } if absent
  }

  rule anything match * named "fuzz-*", re"any-[a-z]+" {
    set metadata.annotations."dr.example.com/uid" = metadata.uid
    default metadata.labels."dr.example.com/kind" = "${kind}"
    remove metadata.labels.scratch
  }

  rule cronjobs match batch/v1 CronJob scope namespaced {
    set spec.suspend = true
    merge spec.jobTemplate.spec.template.metadata.annotations { "dr.example.com/suspended": "true" }
  }
  """#

/// ``fixedRulesText`` compiled; a fuzzer stops at start-up if they do not check.
public let fixedEvaluator: Evaluator = {
  let ruleSet = RuleSet.load(text: fixedRulesText, path: "fixed.sync")
  guard let program = ruleSet.program, ruleSet.diagnostics.isEmpty else {
    fatalError("the fixed rules do not check: \(ruleSet.diagnostics)")
  }
  return Evaluator(program: program)
}()
