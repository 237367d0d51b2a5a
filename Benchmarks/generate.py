#!/usr/bin/env python3
"""Deterministic generator of realistic Kubernetes objects for the syncrules benchmark.

Writes the same objects, in the same order, in four shapes:

  <prefix>.list.json    `kubectl get -A -o json`: one `kind: List`, 4-space indent,
                        keys sorted (so `items` comes before `kind`), metadata
                        {"resourceVersion": ""}
  <prefix>.ndjson       compact JSON, one object per line
  <prefix>.watch.ndjson watch-event frames, {"type":"ADDED","object":{...}} one per line
  <prefix>.yaml         YAML multi-document stream, `---` before each document

Objects are Deployments (about 19 KB each pretty-printed: labels, annotations with
kubectl's last-applied-configuration, two managedFields entries, a two- or
three-container pod template with env, ports, resources, volumeMounts and probes,
status), StatefulSets (same pod template plus volumeClaimTemplates), Services,
PersistentVolumeClaims, ConfigMaps and Secrets, spread over namespaces that include the
system namespaces the DR rules skip.

Usage: generate.py --count 10000 [--seed 1] [--mix mixed|deployments] [--out DIR]
       [--formats list,ndjson,watch,yaml]

Same arguments, same bytes: the only randomness is random.Random(seed).
"""

import argparse
import base64
import json
import os
import random
import sys

SKIPPED_NAMESPACES = ["velero", "prometheus", "default", "kube-system", "kube-public", "kube-node-lease"]
APP_NAMESPACES = [
    "payments", "checkout", "catalog", "search", "identity", "billing", "orders",
    "inventory", "notifications", "analytics", "gateway", "media", "recommendations",
    "shipping", "support", "reporting",
]
WORDS = [
    "api", "worker", "web", "cache", "sync", "indexer", "router", "auth", "ledger", "feed",
    "stream", "scheduler", "export", "import", "render", "proxy", "queue", "audit", "mailer",
    "pricing", "tax", "cart", "profile", "session", "gateway", "metrics", "thumbnail",
]
TEAMS = ["core", "platform", "growth", "risk", "data", "edge", "mobile", "infra"]
REGISTRY = "registry.example.com"

# Kinds in the default mix, with weights (sum 100).
MIXES = {
    "mixed": [("Deployment", 55), ("StatefulSet", 10), ("Service", 15),
              ("PersistentVolumeClaim", 8), ("ConfigMap", 7), ("Secret", 5)],
    "deployments": [("Deployment", 100)],
}


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.clock = 1_700_000_000  # a fixed epoch; timestamps advance from here

    # -- small helpers -----------------------------------------------------------------

    def hexid(self, n):
        return "".join(self.r.choice("0123456789abcdef") for _ in range(n))

    def uid(self):
        return f"{self.hexid(8)}-{self.hexid(4)}-{self.hexid(4)}-{self.hexid(4)}-{self.hexid(12)}"

    def timestamp(self):
        self.clock += self.r.randint(1, 900)
        t = self.clock
        days, rem = divmod(t, 86400)
        # civil-from-days (Howard Hinnant), so no datetime/timezone dependence
        z = days + 719468
        era = z // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        y += 1 if m <= 2 else 0
        hh, rem = divmod(rem, 3600)
        mm, ss = divmod(rem, 60)
        return f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}Z"

    def rv(self):
        return str(self.r.randint(10_000_000, 999_999_999))

    def namespace(self):
        # about 12% of objects live in the namespaces the DR rules skip
        if self.r.random() < 0.12:
            return self.r.choice(SKIPPED_NAMESPACES)
        return self.r.choice(APP_NAMESPACES)

    def app_name(self, i):
        return f"{self.r.choice(WORDS)}-{self.r.choice(WORDS)}-{i}"

    def labels(self, app, extra=True):
        labels = {
            "app": app,
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/part-of": self.r.choice(WORDS) + "-suite",
            "app.kubernetes.io/managed-by": "Helm",
            "team": self.r.choice(TEAMS),
        }
        if extra:
            labels["app.kubernetes.io/version"] = f"{self.r.randint(1, 9)}.{self.r.randint(0, 40)}.{self.r.randint(0, 20)}"
            labels["helm.sh/chart"] = f"{app}-{self.r.randint(0, 3)}.{self.r.randint(0, 30)}.0"
        return labels

    # -- pod template ------------------------------------------------------------------

    def env(self, app, ns, n):
        env = []
        for k in range(n):
            choice = k % 4
            name = f"{self.r.choice(WORDS).upper()}_{self.r.choice(WORDS).upper()}_{k}"
            if choice == 0:
                env.append({"name": name, "value": f"http://{self.r.choice(WORDS)}.{ns}.svc.cluster.local:{self.r.choice([80, 8080, 9090])}"})
            elif choice == 1:
                env.append({"name": name, "valueFrom": {"secretKeyRef": {"key": self.r.choice(["password", "token", "dsn"]), "name": f"{app}-secrets"}}})
            elif choice == 2:
                env.append({"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": self.r.choice(["metadata.name", "metadata.namespace", "status.podIP", "spec.nodeName"])}}})
            else:
                env.append({"name": name, "value": str(self.r.randint(1, 100000))})
        return env

    def probe(self, port, path):
        return {
            "failureThreshold": 3,
            "httpGet": {"path": path, "port": port, "scheme": "HTTP"},
            "initialDelaySeconds": self.r.choice([5, 10, 15, 30]),
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": self.r.choice([1, 2, 5]),
        }

    def container(self, app, ns, main):
        name = app if main else self.r.choice(["istio-proxy", "log-shipper", "metrics-exporter", "config-reloader"])
        port = 8080 if main else self.r.choice([15090, 9102, 24224])
        c = {
            "env": self.env(app, ns, self.r.randint(3, 5) if main else 1),
            "image": f"{REGISTRY}/{self.r.choice(TEAMS)}/{name}:{self.r.randint(1, 9)}.{self.r.randint(0, 40)}.{self.r.randint(0, 9)}-{self.hexid(7)}",
            "imagePullPolicy": "IfNotPresent",
            "livenessProbe": self.probe(port, "/healthz"),
            "name": name,
            "ports": [
                {"containerPort": port, "name": "http" if main else "metrics", "protocol": "TCP"},
            ],
            "readinessProbe": self.probe(port, "/ready"),
            "resources": {
                "limits": {"cpu": f"{self.r.choice([500, 1000, 2000])}m", "memory": f"{self.r.choice([256, 512, 1024, 2048])}Mi"},
                "requests": {"cpu": f"{self.r.choice([50, 100, 250])}m", "memory": f"{self.r.choice([64, 128, 256])}Mi"},
            },
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
            "volumeMounts": [
                {"mountPath": "/etc/config", "name": "config", "readOnly": True},
            ],
        }
        if not main:
            del c["readinessProbe"]
        if main:
            c["volumeMounts"] += [
                {"mountPath": "/var/run/secrets/app", "name": "app-secrets", "readOnly": True},
                {"mountPath": "/tmp", "name": "tmp"},
            ]
            c["ports"].append({"containerPort": 9090, "name": "grpc", "protocol": "TCP"})
            c["args"] = ["--config=/etc/config/app.yaml", f"--log-level={self.r.choice(['info', 'debug', 'warn'])}"]
            c["securityContext"] = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True, "runAsUser": 1000}
        return c

    def pod_template(self, app, ns, labels):
        containers = [self.container(app, ns, True), self.container(app, ns, False)]
        if self.r.random() < 0.15:
            containers.append(self.container(app, ns, False))
        spec = {
            "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"podAffinityTerm": {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}, "weight": 100}]}},
            "containers": containers,
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": "Always",
            "schedulerName": "default-scheduler",
            "securityContext": {"fsGroup": 1000},
            "serviceAccount": app,
            "serviceAccountName": app,
            "terminationGracePeriodSeconds": 30,
            "volumes": [
                {"configMap": {"defaultMode": 420, "name": f"{app}-config"}, "name": "config"},
                {"name": "app-secrets", "secret": {"defaultMode": 420, "secretName": f"{app}-secrets"}},
                {"emptyDir": {}, "name": "tmp"},
            ],
        }
        # some templates already have tolerations, some have template annotations
        if self.r.random() < 0.4:
            spec["tolerations"] = [{"effect": "NoSchedule", "key": "dedicated", "operator": "Equal", "value": self.r.choice(TEAMS)}]
        if self.r.random() < 0.5:
            spec["nodeSelector"] = {"kubernetes.io/os": "linux"}
        meta = {"creationTimestamp": None, "labels": {"app": app, "app.kubernetes.io/name": app}}
        if self.r.random() < 0.6:
            meta["annotations"] = {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "9090",
                "kubectl.kubernetes.io/restartedAt": self.timestamp(),
            }
        return {"metadata": meta, "spec": spec}

    def applied_template(self, template):
        """The pod template as a person wrote it: without the fields the API server defaults."""
        keep = ("name", "image", "ports", "resources")
        containers = [{k: v for k, v in c.items() if k in keep} for c in template["spec"]["containers"]]
        spec = {"containers": containers, "serviceAccountName": template["spec"]["serviceAccountName"]}
        return {"metadata": {"labels": template["metadata"]["labels"]}, "spec": spec}

    # -- metadata ----------------------------------------------------------------------

    def fields_v1(self, value, depth=0):
        """A managedFields fieldsV1 tree shaped like the object: {"f:key": {...}, ".": {}}."""
        if isinstance(value, dict):
            out = {".": {}} if depth > 0 else {}
            for k, v in value.items():
                out[f"f:{k}"] = self.fields_v1(v, depth + 1)
            return out
        if isinstance(value, list):
            out = {}
            for item in value:
                if isinstance(item, dict) and "name" in item:
                    out[f'k:{{"name":"{item["name"]}"}}'] = self.fields_v1(item, depth + 1)
                elif isinstance(item, dict) and "containerPort" in item:
                    out[f'k:{{"containerPort":{item["containerPort"]},"protocol":"TCP"}}'] = self.fields_v1(item, depth + 1)
                elif isinstance(item, dict) and "mountPath" in item:
                    out[f'k:{{"mountPath":"{item["mountPath"]}"}}'] = self.fields_v1(item, depth + 1)
            return out
        return {}

    def metadata(self, name, ns, labels, applied, spec_for_fields, manager, status_fields):
        annotations = {
            "kubectl.kubernetes.io/last-applied-configuration": json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n",
            "meta.helm.sh/release-name": name,
            "meta.helm.sh/release-namespace": ns,
        }
        created = self.timestamp()
        managed = [
            {
                "apiVersion": applied.get("apiVersion", "v1"),
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}, "f:meta.helm.sh/release-name": {}, "f:meta.helm.sh/release-namespace": {}},
                                            "f:labels": {".": {}, **{f"f:{k}": {} for k in labels}}},
                             "f:spec": self.fields_v1(applied.get("spec", {}))},
                "manager": "kubectl-client-side-apply",
                "operation": "Update",
                "time": created,
            },
        ]
        if status_fields is not None:
            managed.append({
                "apiVersion": applied.get("apiVersion", "v1"),
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": self.fields_v1(status_fields)},
                "manager": "kube-controller-manager",
                "operation": "Update",
                "subresource": "status",
                "time": self.timestamp(),
            })
        else:
            managed.append({
                "apiVersion": applied.get("apiVersion", "v1"),
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:metadata": {"f:annotations": {"f:deployment.kubernetes.io/revision": {}}}},
                "manager": "kube-controller-manager",
                "operation": "Update",
                "time": self.timestamp(),
            })
        return {
            "annotations": annotations,
            "creationTimestamp": created,
            "generation": self.r.randint(1, 40),
            "labels": labels,
            "managedFields": managed,
            "name": name,
            "namespace": ns,
            "resourceVersion": self.rv(),
            "uid": self.uid(),
        }

    # -- kinds -------------------------------------------------------------------------

    def workload(self, i, kind):
        app = self.app_name(i)
        ns = self.namespace()
        labels = self.labels(app)
        replicas = self.r.randint(1, 12)
        spec = {
            "progressDeadlineSeconds": 600,
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": {"app": app}},
            "template": self.pod_template(app, ns, labels),
        }
        if kind == "Deployment":
            spec["strategy"] = {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"}
        else:
            del spec["progressDeadlineSeconds"]
            spec["serviceName"] = app
            spec["podManagementPolicy"] = "OrderedReady"
            spec["updateStrategy"] = {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"}
            spec["volumeClaimTemplates"] = [{
                "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"creationTimestamp": None, "name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": f"{self.r.choice([10, 20, 50, 100])}Gi"}},
                         "storageClassName": "cbs", "volumeMode": "Filesystem"},
                "status": {"phase": "Pending"}}]
        applied = {"apiVersion": "apps/v1", "kind": kind,
                   "metadata": {"annotations": {}, "labels": labels, "name": app, "namespace": ns},
                   "spec": {"replicas": replicas, "selector": spec["selector"], "template": self.applied_template(spec["template"])}}
        ready = self.r.randint(0, replicas)
        conditions_t = [self.timestamp(), self.timestamp()]
        if kind == "Deployment":
            status = {
                "availableReplicas": ready,
                "conditions": [
                    {"lastTransitionTime": conditions_t[0], "lastUpdateTime": conditions_t[0], "message": "Deployment has minimum availability.",
                     "reason": "MinimumReplicasAvailable", "status": "True", "type": "Available"},
                    {"lastTransitionTime": conditions_t[1], "lastUpdateTime": conditions_t[1],
                     "message": f'ReplicaSet "{app}-{self.hexid(10)}" has successfully progressed.',
                     "reason": "NewReplicaSetAvailable", "status": "True", "type": "Progressing"},
                ],
                "observedGeneration": self.r.randint(1, 40),
                "readyReplicas": ready,
                "replicas": replicas,
                "updatedReplicas": replicas,
            }
        else:
            status = {
                "availableReplicas": ready, "collisionCount": 0,
                "currentReplicas": replicas, "currentRevision": f"{app}-{self.hexid(10)}",
                "observedGeneration": self.r.randint(1, 40), "readyReplicas": ready, "replicas": replicas,
                "updateRevision": f"{app}-{self.hexid(10)}", "updatedReplicas": replicas,
            }
        meta = self.metadata(app, ns, labels, applied, spec, "helm", status)
        meta["annotations"]["deployment.kubernetes.io/revision"] = str(self.r.randint(1, 60))
        return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec, "status": status}

    def service(self, i):
        app = self.app_name(i)
        ns = self.namespace()
        labels = self.labels(app, extra=False)
        spec = {
            "clusterIP": f"172.16.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            "internalTrafficPolicy": "Cluster",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080},
                      {"name": "grpc", "port": 9090, "protocol": "TCP", "targetPort": "grpc"}],
            "selector": {"app": app},
            "sessionAffinity": "None",
            "type": "ClusterIP",
        }
        spec["clusterIPs"] = [spec["clusterIP"]]
        applied = {"apiVersion": "v1", "kind": "Service", "metadata": {"labels": labels, "name": app, "namespace": ns},
                   "spec": {"ports": spec["ports"], "selector": spec["selector"]}}
        meta = self.metadata(app, ns, labels, applied, spec, "helm", {"loadBalancer": {}})
        return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec, "status": {"loadBalancer": {}}}

    def pvc(self, i):
        app = self.app_name(i)
        ns = self.namespace()
        labels = self.labels(app, extra=False)
        size = f"{self.r.choice([10, 20, 50, 100, 500])}Gi"
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}},
                "storageClassName": "cbs", "volumeMode": "Filesystem", "volumeName": f"pvc-{self.uid()}"}
        applied = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"labels": labels, "name": f"data-{app}", "namespace": ns},
                   "spec": {"accessModes": spec["accessModes"], "resources": spec["resources"]}}
        status = {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": size}, "phase": "Bound"}
        meta = self.metadata(f"data-{app}", ns, labels, applied, spec, "helm", status)
        meta["annotations"]["pv.kubernetes.io/bind-completed"] = "yes"
        meta["annotations"]["volume.kubernetes.io/storage-provisioner"] = "com.tencent.cloud.csi.cbs"
        meta["finalizers"] = ["kubernetes.io/pvc-protection"]
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec, "status": status}

    def configmap(self, i):
        app = self.app_name(i)
        ns = self.namespace()
        labels = self.labels(app, extra=False)
        data = {"app.yaml": "".join(f"{self.r.choice(WORDS)}:\n  enabled: {self.r.choice(['true', 'false'])}\n  limit: {self.r.randint(1, 1000)}\n" for _ in range(12)),
                "LOG_LEVEL": self.r.choice(["info", "debug"]), "FEATURE_FLAGS": ",".join(self.r.sample(WORDS, 6))}
        applied = {"apiVersion": "v1", "kind": "ConfigMap", "data": data, "metadata": {"labels": labels, "name": f"{app}-config", "namespace": ns}}
        meta = self.metadata(f"{app}-config", ns, labels, applied, {}, "helm", None)
        return {"apiVersion": "v1", "data": data, "kind": "ConfigMap", "metadata": meta}

    def secret(self, i):
        app = self.app_name(i)
        ns = self.namespace()
        labels = self.labels(app, extra=False)
        data = {k: base64.b64encode(self.hexid(self.r.randint(16, 64)).encode()).decode() for k in ("password", "token", "dsn")}
        applied = {"apiVersion": "v1", "kind": "Secret", "metadata": {"labels": labels, "name": f"{app}-secrets", "namespace": ns}, "type": "Opaque"}
        meta = self.metadata(f"{app}-secrets", ns, labels, applied, {}, "helm", None)
        return {"apiVersion": "v1", "data": data, "kind": "Secret", "metadata": meta, "type": "Opaque"}

    def objects(self, count, mix):
        kinds = [k for k, w in MIXES[mix] for _ in range(w)]
        for i in range(count):
            kind = self.r.choice(kinds)
            if kind in ("Deployment", "StatefulSet"):
                yield self.workload(i, kind)
            elif kind == "Service":
                yield self.service(i)
            elif kind == "PersistentVolumeClaim":
                yield self.pvc(i)
            elif kind == "ConfigMap":
                yield self.configmap(i)
            else:
                yield self.secret(i)


def pretty(obj, level):
    """json.dumps with kubectl's layout (4-space indent, sorted keys), nested `level` deep."""
    text = json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False)
    if level:
        text = text.replace("\n", "\n" + "    " * level)
    return text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mix", choices=sorted(MIXES), default="mixed")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"))
    ap.add_argument("--formats", default="list,ndjson,watch,yaml")
    args = ap.parse_args()
    formats = set(args.formats.split(","))
    os.makedirs(args.out, exist_ok=True)
    prefix = os.path.join(args.out, f"{args.mix}-{args.count}-s{args.seed}")

    files = {}
    def open_(fmt, suffix):
        if fmt in formats:
            files[fmt] = open(prefix + suffix + ".tmp", "w", encoding="utf-8")
    open_("list", ".list.json")
    open_("ndjson", ".ndjson")
    open_("watch", ".watch.ndjson")
    open_("yaml", ".yaml")
    if "yaml" in files:
        import yaml
        Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

        def literal_when_multiline(dumper, text):
            # kubectl prints multi-line strings (last-applied-configuration) as `|` blocks
            style = "|" if "\n" in text and not text.endswith(" \n") else None
            return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)
        Dumper.add_representer(str, literal_when_multiline)

    if "list" in files:
        files["list"].write('{\n    "apiVersion": "v1",\n    "items": [')
    for n, obj in enumerate(Gen(args.seed).objects(args.count, args.mix)):
        if "list" in files:
            files["list"].write(("\n        " if n == 0 else ",\n        ") + pretty(obj, 2))
        compact = None
        if "ndjson" in files or "watch" in files:
            compact = json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        if "ndjson" in files:
            files["ndjson"].write(compact + "\n")
        if "watch" in files:
            files["watch"].write('{"type":"ADDED","object":' + compact + '}\n')
        if "yaml" in files:
            files["yaml"].write("---\n")
            yaml.dump(obj, files["yaml"], Dumper=Dumper, default_flow_style=False, sort_keys=True,
                      allow_unicode=True, width=1 << 20)
    if "list" in files:
        files["list"].write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    for fmt, f in files.items():
        f.close()
        os.replace(f.name, f.name[: -len(".tmp")])
        print(f.name[: -len(".tmp")])


if __name__ == "__main__":
    main()
