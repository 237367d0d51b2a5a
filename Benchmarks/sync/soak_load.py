"""The soak test's load: production changing, faults injected, the loop's memory sampled
(Benchmarks/sync/soak.py). Each runs on its own thread until `stop` is set."""

import base64
import http.client
import random
import re
import threading
import time

import soak_cluster as cluster
from soak_cluster import COLLECTIONS, generated

EXCLUDE_LABEL = "soak.syncrules.io/standby"   # =off: skipped by Benchmarks/sync/soak.sync
RENAME_LABEL = "soak.syncrules.io/rename"     # =yes on a ConfigMap: synced as NAME-dr
DROP_ANNOTATION = "soak.syncrules.io/drop"    # =yes on a Deployment: dropped by a rule
CHANGE_ANNOTATION = "soak.syncrules.io/change"
MERGE = "application/merge-patch+json"


class Mutator:
    """Changes production at `rate` operations per second: spec and metadata updates,
    label and annotation changes that move objects in and out of the rules' selection,
    creates and deletes that keep the population near its start, and now and then a
    namespace created or deleted with everything in it."""

    WEIGHTS = [("spec", 25), ("annotate", 15), ("exclude", 8), ("rename", 5), ("drop", 4),
               ("create", 20), ("delete", 20), ("namespace-create", 1), ("namespace-delete", 1)]

    def __init__(self, api, objects, rate, seed):
        self.api, self.rate = api, rate
        self.random = random.Random(seed)
        self.gen = cluster.generate.Gen(seed + 7919)
        self.keys = []                 # (kind, namespace, name)
        self.index = {}                # key -> position in self.keys
        self.state = {}                # key -> labels/annotations toggled by the soak
        for obj in objects:
            self._add((obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"]))
        self.target_population = len(self.keys)
        self.soak_namespaces = []
        self.next_index = 10_000_000   # names of created objects end in their index
        self.sequence = 0
        self.done = {}                 # operation -> answered 2xx
        self.refused = {}              # operation -> answered otherwise (404 after a race…)
        self.failed = 0                # connection failures (a source restart)
        self.started = self.ended = None

    def _add(self, key):
        self.index[key] = len(self.keys)
        self.keys.append(key)

    def _remove(self, key):
        position = self.index.pop(key, None)
        if position is None:
            return
        last = self.keys.pop()
        if position < len(self.keys):
            self.keys[position] = last
            self.index[last] = position
        self.state.pop(key, None)

    @staticmethod
    def path(kind, namespace, name=None):
        prefix, plural = COLLECTIONS[kind]
        return f"{prefix}/namespaces/{namespace}/{plural}" + (f"/{name}" if name else "")

    def _pick(self, kinds=None):
        for _ in range(20):
            key = self.keys[self.random.randrange(len(self.keys))]
            if kinds is None or key[0] in kinds:
                return key
        return None

    def _choose(self):
        weights = dict(self.WEIGHTS)
        # Hold the population near its start: creates and deletes lean back towards it.
        drift = (len(self.keys) - self.target_population) / max(1, self.target_population)
        weights["create"] = max(1, weights["create"] * (1 - 10 * drift))
        weights["delete"] = max(1, weights["delete"] * (1 + 10 * drift))
        if not self.soak_namespaces:
            weights["namespace-delete"] = 0
        names = list(weights)
        return self.random.choices(names, [weights[n] for n in names])[0]

    def step(self):
        """One operation; returns its name."""
        self.sequence += 1
        operation = self._choose()
        try:
            status = getattr(self, "op_" + operation.replace("-", "_"))()
        except (OSError, http.client.HTTPException):
            self.failed += 1
            return operation
        if status is None:
            return operation
        table = self.done if 200 <= status < 300 else self.refused
        table[operation] = table.get(operation, 0) + 1
        return operation

    def patch(self, key, body):
        status, _ = self.api.request("PATCH", self.path(*key), body, MERGE)
        if status == 404:
            self._remove(key)
        return status

    def op_spec(self):
        key = self._pick()
        kind, seq = key[0], str(self.sequence)
        if kind in ("Deployment", "StatefulSet"):
            body = {"spec": {"replicas": self.random.randint(1, 12),
                             "template": {"metadata": {"annotations": {"soak.syncrules.io/rev": seq}}}}}
        elif kind == "ConfigMap":
            body = {"data": {"SOAK_REVISION": seq}}
        elif kind == "Secret":
            body = {"data": {"soak-revision": base64.b64encode(seq.encode()).decode()}}
        elif kind == "Service":
            body = {"spec": {"sessionAffinity": self.random.choice(["None", "ClientIP"])}}
        else:
            body = {"spec": {"resources": {"requests": {"storage": f"{self.random.randint(1, 500)}Gi"}}}}
        return self.patch(key, body)

    def op_annotate(self):
        return self.patch(self._pick(), {"metadata": {"annotations": {CHANGE_ANNOTATION: str(self.sequence)}}})

    def _toggle(self, kinds, field, name, value):
        key = self._pick(kinds)
        if key is None:
            return None
        state = self.state.setdefault(key, {})
        on = not state.get(name, False)
        status = self.patch(key, {"metadata": {field: {name: value if on else None}}})
        if 200 <= status < 300 and key in self.index:
            state[name] = on
        return status

    def op_exclude(self):
        return self._toggle(None, "labels", EXCLUDE_LABEL, "off")

    def op_rename(self):
        return self._toggle({"ConfigMap"}, "labels", RENAME_LABEL, "yes")

    def op_drop(self):
        return self._toggle({"Deployment"}, "annotations", DROP_ANNOTATION, "yes")

    def op_create(self):
        kind = self.random.choice([k for k, w in cluster.generate.MIXES["mixed"] for _ in range(w)])
        obj = generated(self.gen, self.next_index, kind)
        self.next_index += 1
        if self.soak_namespaces and self.random.random() < 0.2:
            obj["metadata"]["namespace"] = self.random.choice(self.soak_namespaces)
        namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        status, _ = self.api.request("POST", self.path(kind, namespace), obj)
        if status == 201:
            self._add((kind, namespace, name))
        return status

    def op_delete(self):
        key = self._pick()
        status, _ = self.api.request("DELETE", self.path(*key))
        if status in (200, 404):
            self._remove(key)
        return status

    def op_namespace_create(self):
        name = f"soak-{self.sequence}"
        status, _ = self.api.request("POST", "/api/v1/namespaces", cluster.namespace_object(name))
        if status == 201:
            self.soak_namespaces.append(name)
        return status

    def op_namespace_delete(self):
        name = self.soak_namespaces.pop(self.random.randrange(len(self.soak_namespaces)))
        status, _ = self.api.request("DELETE", f"/api/v1/namespaces/{name}")
        for key in [k for k in self.keys if k[1] == name]:
            self._remove(key)
        return status

    def run(self, stop):
        self.started = time.monotonic()
        count = 0
        while not stop.is_set():
            due = self.started + count / self.rate
            delay = due - time.monotonic()
            if delay > 0:
                stop.wait(delay)
                if stop.is_set():
                    break
            self.step()
            count += 1
        self.ended = time.monotonic()

    @property
    def operations(self):
        return sum(self.done.values()) + sum(self.refused.values()) + self.failed


WRITES = "POST,PUT,PATCH,DELETE"


def fault_schedule(source, target, followed):
    """The faults, in the order they come round: (name, server, actions, lasting). Faults
    that last are cleared after the window; the others act once."""
    return [
        ("source: watches dropped", source, ["POST drop-watches"], False),
        ("target: 429 on 10% of writes", target,
         [f"POST fail?status=429&retryAfter=1&fraction=0.1&count=100000&method={WRITES}"], True),
        ("source: watches cut (connections closed)", source, ["POST drop-watches?abrupt=true"], False),
        ("target: 409 on 10% of writes", target,
         [f"POST fail?status=409&fraction=0.1&count=100000&method={WRITES}"], True),
        ("source: watch resumes answered 410", source,
         [f"POST fail?status=410&watch=true&count={followed}", "POST drop-watches"], True),
        ("target: 500 on 20% of writes", target,
         [f"POST fail?status=500&fraction=0.2&count=100000&method={WRITES}"], True),
        ("target: 300 ms latency", target, ["POST latency?ms=300"], True),
        ("source: history compacted, watches dropped", source,
         ["POST trim-history", "POST drop-watches"], False),
        ("source: 200 ms latency", source, ["POST latency?ms=200"], True),
        ("target: restart (store kept, 2 s down)", target, ["POST restart?mode=keep&downtimeMs=2000"], False),
        ("source: restart (store kept, 1 s down)", source, ["POST restart?mode=keep&downtimeMs=1000"], False),
    ]


class FaultInjector:
    """Goes round the schedule: a fault every `every` seconds, lasting ones for `window`."""

    def __init__(self, schedule, every, window, data_loss_at=None, target=None):
        self.schedule, self.every, self.window = schedule, every, min(window, every * 0.8)
        self.data_loss_at, self.target = data_loss_at, target
        self.injected = {}     # name -> times
        self.errors = []

    def _act(self, server, action):
        method, _, path = action.partition(" ")
        server.admin.admin(method, path)

    def run(self, stop, started):
        position = 0
        data_lost = False
        # A fault starts every `every` seconds, whatever the previous one's window.
        while not stop.wait(max(0.0, started + (position + 1) * self.every - time.monotonic())):
            if self.data_loss_at is not None and not data_lost and time.monotonic() - started >= self.data_loss_at:
                data_lost = True
                self._inject("target: restart losing its data", self.target,
                             ["POST restart?mode=objects&downtimeMs=2000"], False, stop)
            else:
                name, server, actions, lasting = self.schedule[position % len(self.schedule)]
                self._inject(name, server, actions, lasting, stop)
            position += 1

    def _inject(self, name, server, actions, lasting, stop):
        try:
            for action in actions:
                self._act(server, action)
            self.injected[name] = self.injected.get(name, 0) + 1
            if lasting:
                stop.wait(self.window)
                self._act(server, "POST clear-faults")
        except (OSError, http.client.HTTPException, RuntimeError) as error:
            self.errors.append(f"{name}: {error}")


class MemorySampler:
    """The loop's resident set (VmRSS) and queue depth every `every` seconds."""

    def __init__(self, pid, metrics_url, every):
        self.pid, self.metrics_url, self.every = pid, metrics_url, every
        self.samples = []      # (seconds since start, RSS kB, queue depth or None)
        self.died_at = None

    def status_kb(self, field):
        """A kB figure of /proc/PID/status: VmRSS (resident now), VmHWM (its peak)."""
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return None

    def queue_depth(self):
        try:
            text = scrape(self.metrics_url)
        except (OSError, http.client.HTTPException):
            return None
        value = metric(text, "workqueue_depth")
        return None if value is None else int(value)

    def run(self, stop, started):
        while True:
            try:
                self.samples.append((time.monotonic() - started, self.status_kb("VmRSS"), self.queue_depth()))
            except FileNotFoundError:
                self.died_at = time.monotonic() - started
                return
            if stop.wait(self.every):
                return


def scrape(url):
    parts = url.split("/", 3)
    host, port = parts[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", "/" + parts[3])
        return conn.getresponse().read().decode()
    finally:
        conn.close()


def metric(text, name):
    """The sum of a metric's samples (all label sets)."""
    total, found = 0.0, False
    pattern = re.compile(r"^" + re.escape(name) + r"(\{[^}]*\})? (\S+)$")
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            total += float(match.group(2))
            found = True
    return total if found else None


def start(target, *args):
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread
