"""Servers, clients and objects of the soak test (Benchmarks/sync/soak.py).

Python standard library only. Everything listens on 127.0.0.1.
"""

import copy
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "Benchmarks"))
import generate  # noqa: E402  (Benchmarks/generate.py: the objects of the benchmarks)

# The resources the soak's rules can select: dumped from the source for `syncrules
# apply`, and compared on the target. (kubectl name, API path, apiVersion, kind)
RESOURCES = [
    ("namespaces", "/api/v1/namespaces", "v1", "Namespace"),
    ("deployments.apps", "/apis/apps/v1/deployments", "apps/v1", "Deployment"),
    ("statefulsets.apps", "/apis/apps/v1/statefulsets", "apps/v1", "StatefulSet"),
    ("services", "/api/v1/services", "v1", "Service"),
    ("persistentvolumeclaims", "/api/v1/persistentvolumeclaims", "v1", "PersistentVolumeClaim"),
    ("configmaps", "/api/v1/configmaps", "v1", "ConfigMap"),
    ("secrets", "/api/v1/secrets", "v1", "Secret"),
    ("serviceaccounts", "/api/v1/serviceaccounts", "v1", "ServiceAccount"),
    ("ingresses.networking.k8s.io", "/apis/networking.k8s.io/v1/ingresses", "networking.k8s.io/v1", "Ingress"),
    ("ingressclasses.networking.k8s.io", "/apis/networking.k8s.io/v1/ingressclasses",
     "networking.k8s.io/v1", "IngressClass"),
]
# Where the mutator writes each generated kind: (API prefix, plural).
COLLECTIONS = {
    "Deployment": ("/apis/apps/v1", "deployments"),
    "StatefulSet": ("/apis/apps/v1", "statefulsets"),
    "Service": ("/api/v1", "services"),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims"),
    "ConfigMap": ("/api/v1", "configmaps"),
    "Secret": ("/api/v1", "secrets"),
}
SOURCE_MARK = "syncrules.io/source"
SELF_MARK = "syncrules.io/self"
SOURCE_NAME = "production"
SERVER_FIELDS = ["uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
                 "deletionGracePeriodSeconds", "managedFields", "selfLink", "ownerReferences"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP -------------------------------------------------------------------------------

class Api:
    """One user's client of one server; a connection per thread, reopened after errors."""

    def __init__(self, url, ca, token=None, timeout=30):
        parts = urllib.parse.urlsplit(url)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise SystemExit(f"soak: refusing a server that is not on 127.0.0.1: {url}")
        self.host, self.port, self.tls = parts.hostname, parts.port, parts.scheme == "https"
        self.context = ssl.create_default_context(cafile=ca) if self.tls else None
        self.token, self.timeout = token, timeout
        self.local = threading.local()

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            if self.tls:
                conn = http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout,
                                                   context=self.context)
            else:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def request(self, method, path, body=None, content_type="application/json"):
        """(status, parsed JSON or None). Raises OSError/HTTPException when the connection
        fails (a write may or may not have been served). A GET is tried once more on a
        new connection: the kept-alive one may have been closed by a server restart."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = body if isinstance(body, (bytes, str)) else json.dumps(body)
            headers["Content-Type"] = content_type
        for attempt in range(2 if method == "GET" else 1):
            conn = self._connection()
            try:
                conn.request(method, path, body=data, headers=headers)
                response = conn.getresponse()
                raw = response.read()
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                if attempt == 1 or method != "GET":
                    raise
        try:
            return response.status, (json.loads(raw) if raw else None)
        except ValueError:
            return response.status, None

    def admin(self, method, action):
        # A new connection each time: a kept-alive one may have been cut by a restart, and
        # an admin POST is not retried.
        conn, self.local.conn = getattr(self.local, "conn", None), None
        if conn is not None:
            conn.close()
        status, body = self.request(method, "/_admin/" + action)
        if status not in (200, 202):
            raise RuntimeError(f"/_admin/{action}: {status} {body}")
        return body

    def list(self, path):
        """Every item of a collection, page by page."""
        items, token = [], ""
        while True:
            query = "?limit=500" + (f"&continue={urllib.parse.quote(token)}" if token else "")
            status, page = self.request("GET", path + query)
            if status != 200:
                raise RuntimeError(f"GET {path}: {status} {page}")
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return items


def wait_until(what, deadline_s, condition, interval=0.2):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, http.client.HTTPException, RuntimeError):
            pass
        time.sleep(interval)
    raise SystemExit(f"soak: timed out after {deadline_s} s waiting for {what}")


# --- processes ------------------------------------------------------------------------

class Processes:
    """Every process the soak starts; all are stopped at exit."""

    def __init__(self):
        self.running = []

    def start(self, args, log_path):
        log = open(log_path, "w")
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.running.append(process)
        return process

    def stop(self, process, timeout=30):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        return process.returncode

    def stop_all(self):
        for process in reversed(self.running):
            self.stop(process, timeout=10)


class Server:
    """A kube-api-server over TLS with a kubeconfig, started with `args`."""

    def __init__(self, processes, binary, work, name, args):
        self.name = name
        self.port = free_port()
        self.kubeconfig = os.path.join(work, f"{name}.kubeconfig")
        self.ca = os.path.join(work, f"{name}-ca.pem")
        self.log = os.path.join(work, f"{name}.log")
        self.process = processes.start(
            [binary, "--port", str(self.port), "--tls", "--kubeconfig-out", self.kubeconfig,
             "--ca-out", self.ca, "--bookmark-seconds", "1", *args], self.log)
        deadline = time.monotonic() + 300
        while "serving" not in open(self.log).read():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soak: {name} did not start:\n{open(self.log).read()}")
            time.sleep(0.1)
        self.url = f"https://127.0.0.1:{self.port}"
        self.admin = Api(self.url, self.ca)

    def client(self, token):
        return Api(self.url, self.ca, token)


# --- objects --------------------------------------------------------------------------

def generated(gen, index, kind):
    """Object `index` of `kind` from Benchmarks/generate.py, as a client would create it."""
    if kind in ("Deployment", "StatefulSet"):
        obj = gen.workload(index, kind)
    elif kind == "Service":
        obj = gen.service(index)
    elif kind == "PersistentVolumeClaim":
        obj = gen.pvc(index)
    elif kind == "ConfigMap":
        obj = gen.configmap(index)
    else:
        obj = gen.secret(index)
    for field in SERVER_FIELDS:
        obj["metadata"].pop(field, None)
    obj.pop("status", None)
    return obj


def namespace_object(name):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}


def foreign_objects(source_names):
    """Objects on the target that syncrules did not create and must never touch: in the
    synced namespaces and kinds, in a namespace of the standby's own, a copy made by hand
    (marks naming another object), and copies made by another loop (another source)."""
    def meta(name, namespace, uid, annotations=None, labels=None):
        m = {"name": name, "uid": uid, "creationTimestamp": "2024-01-01T00:00:00Z",
             "labels": labels or {"owner": "standby-team"}}
        if namespace:
            m["namespace"] = namespace
        if annotations:
            m["annotations"] = annotations
        return m

    def deployment(name, namespace, uid, annotations=None):
        return {"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": meta(name, namespace, uid, annotations),
                "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": {"app": name}},
                                      "spec": {"containers": [{"name": "app", "image": "standby/tool:1"}]}}}}

    def config(name, namespace, uid, annotations=None):
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name, namespace, uid, annotations),
                "data": {"owner": "standby-team"}}

    objects, n = [], 0

    def uid():
        nonlocal n
        n += 1
        return f"f0000000-0000-4000-8000-{n:012d}"

    for namespace in generate.APP_NAMESPACES:
        objects.append(deployment(f"standby-agent-{namespace}", namespace, uid()))
        objects.append(config(f"standby-settings-{namespace}", namespace, uid()))
        objects.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": meta(f"standby-probe-{namespace}", namespace, uid()),
                        "spec": {"ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "probe"}}})
        objects.append({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                        "metadata": meta(f"standby-credentials-{namespace}", namespace, uid()),
                        "data": {"token": "c3RhbmRieQ=="}})
    objects.append(namespace_object("standby-only"))
    objects[-1]["metadata"].update(uid=uid(), creationTimestamp="2024-01-01T00:00:00Z")
    objects.append(deployment("dr-dashboard", "standby-only", uid()))
    objects.append(config("dr-runbook", "standby-only", uid()))
    for namespace in ("default", "kube-system"):
        objects.append(config(f"standby-local-{namespace}", namespace, uid()))
    # Hand-made copies of production objects: the marks say which source they came from
    # but name another object as `self`, so the loop must recognise them as not its own.
    for namespace, kind, name in source_names[:20]:
        self_key = f"{'apps' if kind in ('Deployment', 'StatefulSet') else ''}/{kind}:{namespace}/{name}"
        marks = {SOURCE_MARK: f"{SOURCE_NAME}:{self_key}", SELF_MARK: self_key}
        if kind == "Deployment":
            objects.append(deployment(f"{name}-handcopy", namespace, uid(), marks))
        elif kind == "ConfigMap":
            objects.append(config(f"{name}-handcopy", namespace, uid(), marks))
    # Copies made by another loop syncing another production cluster into this standby.
    for index, namespace in enumerate(generate.APP_NAMESPACES[:6]):
        name = f"east-copy-{index}"
        key = f"apps/Deployment:{namespace}/{name}"
        objects.append(deployment(name, namespace, uid(),
                                  {SOURCE_MARK: f"production-east:{key}", SELF_MARK: key}))
    return objects


def normalised(obj):
    """What must be equal between `syncrules apply` output and the target copy: without
    what the API server owns (the loop strips it before applying, and the target fills
    its own in) and without the loop's ownership marks."""
    obj = copy.deepcopy(obj)
    obj.pop("status", None)
    metadata = obj.get("metadata") or {}
    for field in SERVER_FIELDS:
        metadata.pop(field, None)
    annotations = metadata.get("annotations") or {}
    annotations.pop(SOURCE_MARK, None)
    annotations.pop(SELF_MARK, None)
    for field in ("annotations", "labels"):
        if field in metadata and not metadata[field]:
            del metadata[field]
    return obj


def object_key(obj):
    metadata = obj.get("metadata") or {}
    group = obj["apiVersion"].rpartition("/")[0]
    return f"{group}/{obj['kind']}:{metadata.get('namespace', '')}/{metadata['name']}"


def first_difference(a, b, path=""):
    """The first path where two JSON values differ, with both values (shortened)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b or a[key] != b[key]:
                return first_difference(a.get(key), b.get(key), f"{path}.{key}")
        return None
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, f"{path}[{index}]")
        return None
    if a == b:
        return None
    return f"{path or '.'}: expected {json.dumps(a)[:80]}, target has {json.dumps(b)[:80]}"
