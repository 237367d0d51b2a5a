#!/usr/bin/env python3
"""Helpers of Benchmarks/sync/run.sh (Python standard library only).

  bench.py prepare LIST OUTDIR
      From a generated List (Benchmarks/generate.py): OUTDIR/namespaces.json (a List of
      the Namespace objects the items need) and OUTDIR/deployments.txt (namespace/name of
      every Deployment outside the namespaces docs/examples/dr-standby.sync skips: the
      objects the change-latency run modifies).

  bench.py count --server URL --token T [--ca FILE] [--mark ANNOTATION]
      Counts the objects of the benchmark's kinds on a server, by kind (JSON on stdout);
      with --mark only those carrying that annotation (what syncrules applied).

  bench.py wait-ready --url URL --timeout S
      Polls URL every 5 ms until it answers 200; prints the seconds it took.

  bench.py changes --source URL --source-token T --source-ca FILE
                   --target URL --target-token T --target-ca FILE
                   --deployments FILE [--rate 100] [--seconds 40] [--drain 15]
                   [--metrics URL] [--out FILE]
      The change-latency run: server-side applies one annotation per change to
      Deployments on the source at a fixed rate (each change a new sequence number and
      its send time), while a watcher process follows the target's Deployments and notes
      when each change arrives. Prints a JSON summary: achieved rate, latency
      percentiles, changes lost, and syncrules' own syncrules_sync_latency_seconds
      histogram over the same interval (from --metrics).

  bench.py histogram-diff BEFORE AFTER
      Percentiles of a Prometheus histogram between two /metrics scrapes (files).
"""

import argparse
import http.client
import json
import math
import multiprocessing
import os
import ssl
import sys
import threading
import time
import urllib.parse

SKIPPED_NAMESPACES = {"velero", "prometheus", "default", "kube-system", "kube-public", "kube-node-lease"}
BUILTIN_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}
ANNOTATION = "bench.syncrules.io/change"
KINDS = [  # (path, kind) the benchmark's objects live in
    ("/api/v1/namespaces", "Namespace"),
    ("/apis/apps/v1/deployments", "Deployment"),
    ("/apis/apps/v1/statefulsets", "StatefulSet"),
    ("/api/v1/services", "Service"),
    ("/api/v1/persistentvolumeclaims", "PersistentVolumeClaim"),
    ("/api/v1/configmaps", "ConfigMap"),
    ("/api/v1/secrets", "Secret"),
]


# --- HTTP -------------------------------------------------------------------------------

def connect(url, ca, timeout=30):
    parts = urllib.parse.urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"bench.py: refusing a server that is not on 127.0.0.1: {url}")
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=ca)
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout, context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def get_json(conn, path, token):
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return json.loads(body)


# --- prepare ----------------------------------------------------------------------------

def prepare(args):
    with open(args.list, encoding="utf-8") as f:
        items = json.load(f)["items"]
    namespaces = sorted({o["metadata"]["namespace"] for o in items if o["metadata"].get("namespace")})
    os.makedirs(args.outdir, exist_ok=True)
    ns_list = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": [
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}}}
        for ns in namespaces if ns not in BUILTIN_NAMESPACES]}  # those always exist
    with open(os.path.join(args.outdir, "namespaces.json"), "w") as f:
        json.dump(ns_list, f, indent=2)
    deployments = [f'{o["metadata"]["namespace"]}/{o["metadata"]["name"]}' for o in items
                   if o["kind"] == "Deployment" and o["metadata"]["namespace"] not in SKIPPED_NAMESPACES]
    with open(os.path.join(args.outdir, "deployments.txt"), "w") as f:
        f.write("\n".join(deployments) + "\n")
    synced = sum(1 for o in items if o["metadata"].get("namespace") not in SKIPPED_NAMESPACES)
    synced_ns = sum(1 for ns in namespaces if ns not in SKIPPED_NAMESPACES)
    print(json.dumps({"objects": len(items), "namespaces": len(namespaces),
                      "expected_synced": synced + synced_ns, "deployments": len(deployments)}))


# --- count ------------------------------------------------------------------------------

def count(args):
    conn = connect(args.server, args.ca)
    counts = {}
    for path, kind in KINDS:
        n, cont = 0, ""
        while True:
            query = "?limit=500" + (f"&continue={urllib.parse.quote(cont)}" if cont else "")
            page = get_json(conn, path + query, args.token)
            for item in page.get("items", []):
                annotations = item.get("metadata", {}).get("annotations") or {}
                if args.mark is None or args.mark in annotations:
                    n += 1
            cont = page.get("metadata", {}).get("continue", "")
            if not cont:
                break
        counts[kind] = n
    counts["total"] = sum(counts.values())
    print(json.dumps(counts))


# --- wait-ready -------------------------------------------------------------------------

def wait_ready(args):
    start = time.monotonic()
    parts = urllib.parse.urlsplit(args.url)
    while time.monotonic() - start < args.timeout:
        try:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=2)
            conn.request("GET", parts.path)
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                print(f"{time.monotonic() - start:.3f}")
                return
        except OSError:
            pass
        time.sleep(0.005)
    raise SystemExit(f"bench.py: {args.url} not ready after {args.timeout} s")


# --- changes ----------------------------------------------------------------------------

def watcher(target, token, ca, queue, ready, stop_at):
    """Follows the target's Deployments from now on; puts (seq, received_ns) per frame
    carrying our annotation. Frames are parsed one JSON value at a time from the
    de-chunked byte stream (not split on newlines)."""
    conn = connect(target, ca, timeout=30)
    listed = get_json(conn, "/apis/apps/v1/deployments?limit=1", token)
    rv = listed["metadata"]["resourceVersion"]
    conn.request("GET", f"/apis/apps/v1/deployments?watch=1&resourceVersion={rv}&allowWatchBookmarks=true",
                 headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    response = conn.getresponse()
    if response.status != 200:
        queue.put(("error", f"watch: {response.status}"))
        return
    ready.set()
    decoder = json.JSONDecoder()
    buffer = ""
    frames = 0
    while time.time() < stop_at:
        try:
            chunk = response.read1(1 << 16)
        except TimeoutError:
            continue  # bookmarks arrive every second; a timeout means a quiet moment
        if not chunk:
            queue.put(("error", "the target closed the watch"))
            return
        received = time.time_ns()
        buffer += chunk.decode("utf-8")
        position = 0
        while True:
            while position < len(buffer) and buffer[position] in " \r\n\t":
                position += 1
            try:
                frame, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError:
                break  # incomplete frame: wait for more bytes
            position = end
            frames += 1
            if frame.get("type") in ("ADDED", "MODIFIED"):
                meta = frame["object"].get("metadata", {})
                value = (meta.get("annotations") or {}).get(ANNOTATION)
                if value:
                    queue.put(("seen", int(value.split(":")[0]), received))
            elif frame.get("type") == "ERROR":
                queue.put(("error", f"watch error frame: {frame}"))
                return
        buffer = buffer[position:]
    queue.put(("done", frames))


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    rank = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))  # nearest rank
    return sorted_values[rank]


def scrape(url):
    if not url:
        return None
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", parts.path or "/metrics")
    return conn.getresponse().read().decode()


def histogram(text, name):
    """{le: cumulative count}, sum, count of an unlabelled Prometheus histogram."""
    buckets, total, n = {}, 0.0, 0
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_sum"):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_count"):
            n = float(line.rsplit(" ", 1)[1])
    return buckets, total, n


def histogram_summary(before, after, name="syncrules_sync_latency_seconds"):
    b0, s0, n0 = histogram(before, name)
    b1, s1, n1 = histogram(after, name)
    n = n1 - n0
    if n <= 0:
        return {"count": 0}
    bounds = sorted(b1)
    cumulative = [(le, b1[le] - b0.get(le, 0)) for le in bounds]

    def upper(p):  # the bucket bound the p-th percentile falls under
        for le, c in cumulative:
            if c >= p / 100 * n:
                return le
        return float("inf")
    return {"count": int(n), "mean_ms": round((s1 - s0) / n * 1000, 2),
            "p50_le_ms": upper(50) * 1000, "p90_le_ms": upper(90) * 1000,
            "p99_le_ms": upper(99) * 1000,
            "buckets": {("+Inf" if le == float("inf") else f"{le * 1000:g}ms"): int(c) for le, c in cumulative}}


def changes(args):
    with open(args.deployments) as f:
        deployments = [line.strip().split("/", 1) for line in f if line.strip()]
    # A change every 1/rate s, round robin over as many Deployments as a rotation of
    # `--spread` seconds needs: each object changes again only after that long, so every
    # change is its own final state (none coalesces with the next).
    pool = deployments[: max(1, min(len(deployments), int(args.rate * args.spread)))]

    queue = multiprocessing.Queue()
    ready = multiprocessing.Event()
    stop_at = time.time() + args.seconds + args.drain + 10
    watch = multiprocessing.Process(target=watcher, args=(args.target, args.target_token, args.target_ca,
                                                          queue, ready, stop_at), daemon=True)
    watch.start()
    if not ready.wait(15):
        raise SystemExit("bench.py: the target watch did not start")

    seen = {}            # seq -> first received ns
    errors = []
    lock = threading.Lock()

    def collect():
        while True:
            message = queue.get()
            if message[0] == "seen":
                with lock:
                    seen.setdefault(message[1], message[2])
            elif message[0] in ("error", "done"):
                if message[0] == "error":
                    errors.append(message[1])
                return
    collector = threading.Thread(target=collect, daemon=True)
    collector.start()

    before = scrape(args.metrics)
    conn = connect(args.source, args.source_ca)
    sent = []            # (seq, object index, sent ns, acked ns)
    failures = 0
    interval = 1.0 / args.rate
    total = int(args.rate * args.seconds)
    start = time.monotonic()
    wall_start = time.time()
    for seq in range(total):
        due = start + seq * interval
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        index = seq % len(pool)
        namespace, name = pool[index]
        sent_ns = time.time_ns()
        body = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                           "metadata": {"name": name, "namespace": namespace,
                                        "annotations": {ANNOTATION: f"{seq}:{sent_ns}"}}})
        path = (f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}"
                "?fieldManager=syncrules-bench&force=true")
        try:
            conn.request("PATCH", path, body=body, headers={
                "Authorization": f"Bearer {args.source_token}",
                "Content-Type": "application/apply-patch+yaml", "Accept": "application/json"})
            response = conn.getresponse()
            response.read()
            ok = response.status in (200, 201)
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = connect(args.source, args.source_ca)
            ok = False
        if not ok:
            failures += 1
            continue
        sent.append((seq, index, sent_ns, time.time_ns()))
    elapsed = max(time.monotonic() - start, total * interval)  # the schedule's length, at least
    load_end = time.time()

    # Drain: wait until every sent change arrived (or was superseded), at most --drain s.
    last_seq = {}
    for seq, index, _, _ in sent:
        last_seq[index] = seq
    deadline = time.monotonic() + args.drain
    while time.monotonic() < deadline:
        with lock:
            if all(seq in seen for seq in last_seq.values()):
                break
        time.sleep(0.05)
    drained_after = time.time() - load_end
    after = scrape(args.metrics)

    with lock:
        arrivals = dict(seen)

    # The content, not only the arrival: a sample of changed Deployments read back from
    # the target must carry the last change sent and the rules' rewrites.
    verified, mismatches = 0, []
    target_conn = connect(args.target, args.target_ca)
    for index in sorted(last_seq)[:: max(1, len(last_seq) // 50)]:
        namespace, name = pool[index]
        try:
            live = get_json(target_conn, f"/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
                            args.target_token)
        except RuntimeError as error:
            mismatches.append(f"{namespace}/{name}: {str(error)[:120]}")
            verified += 1
            continue
        annotations = live["metadata"].get("annotations") or {}
        problems = []
        if annotations.get(ANNOTATION, "").split(":")[0] != str(last_seq[index]):
            problems.append(f"change {annotations.get(ANNOTATION)!r}, last sent {last_seq[index]}")
        if "syncrules.io/source" not in annotations:
            problems.append("no syncrules.io/source mark")
        if live["spec"].get("replicas") != 0 or live["spec"]["template"]["spec"].get("schedulerName") != "tke-scheduler":
            problems.append("rules not applied (replicas, schedulerName)")
        if problems:
            mismatches.append(f"{namespace}/{name}: " + "; ".join(problems))
        verified += 1
    # A change counts as applied when it, or a later change of the same object, arrived.
    by_object = {}
    for seq, index, sent_ns, acked_ns in sent:
        by_object.setdefault(index, []).append((seq, sent_ns, acked_ns))
    latencies, from_ack, lost, superseded = [], [], [], 0
    for index, changes_of in by_object.items():
        first_arrival_after = None  # walking backwards: earliest arrival of a later-or-equal seq
        for seq, sent_ns, acked_ns in reversed(changes_of):
            arrived = arrivals.get(seq)
            if arrived is None:
                if first_arrival_after is None:
                    lost.append(seq)
                    continue
                superseded += 1
                arrived = first_arrival_after
            first_arrival_after = arrived if first_arrival_after is None else min(first_arrival_after, arrived)
            latencies.append((arrived - sent_ns) / 1e6)
            from_ack.append((arrived - acked_ns) / 1e6)
    latencies.sort()
    from_ack.sort()
    final_lost = sum(1 for seq in last_seq.values() if seq not in arrivals)

    def stats(values):
        if not values:
            return {"p50": None, "p90": None, "p99": None, "max": None, "mean": None}
        return {f"p{p}": round(percentile(values, p), 2) for p in (50, 90, 99)} | \
            {"max": round(values[-1], 2), "mean": round(sum(values) / len(values), 2)}
    summary = {
        "target_rate": args.rate, "seconds": round(elapsed, 2), "sent": len(sent),
        "failed_requests": failures, "achieved_rate": round(len(sent) / elapsed, 1),
        "objects_rotated": len(pool), "arrived": len(latencies) - superseded,
        "superseded": superseded, "lost": len(lost), "final_states_lost": final_lost,
        "drained_after_s": round(drained_after, 2),
        "latency_ms": stats(latencies), "latency_from_ack_ms": stats(from_ack),
        "watch_errors": errors, "verified_on_target": verified, "verify_mismatches": mismatches,
    }
    if before is not None and after is not None:
        summary["syncrules_sync_latency_seconds"] = histogram_summary(before, after)
    if args.out:
        with open(args.out, "w") as f:
            for (seq, index, sent_ns, acked_ns) in sent:
                f.write(f"{seq} {index} {sent_ns} {acked_ns} {arrivals.get(seq, '')}\n")
    print(json.dumps(summary))
    watch.terminate()


def histogram_diff(args):
    with open(args.before) as f:
        before = f.read()
    with open(args.after) as f:
        after = f.read()
    print(json.dumps(histogram_summary(before, after, args.name)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("list")
    p.add_argument("outdir")
    p.set_defaults(func=prepare)
    p = sub.add_parser("count")
    p.add_argument("--server", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--ca")
    p.add_argument("--mark")
    p.set_defaults(func=count)
    p = sub.add_parser("wait-ready")
    p.add_argument("--url", required=True)
    p.add_argument("--timeout", type=float, default=300)
    p.set_defaults(func=wait_ready)
    p = sub.add_parser("changes")
    for side in ("source", "target"):
        p.add_argument(f"--{side}", required=True)
        p.add_argument(f"--{side}-token", required=True)
        p.add_argument(f"--{side}-ca")
    p.add_argument("--deployments", required=True)
    p.add_argument("--rate", type=float, default=100)
    p.add_argument("--seconds", type=float, default=40)
    p.add_argument("--spread", type=float, default=10,
                   help="seconds between two changes of one Deployment (default 10)")
    p.add_argument("--drain", type=float, default=15)
    p.add_argument("--metrics")
    p.add_argument("--out")
    p.set_defaults(func=changes)
    p = sub.add_parser("histogram-diff")
    p.add_argument("before")
    p.add_argument("after")
    p.add_argument("--name", default="syncrules_sync_latency_seconds")
    p.set_defaults(func=histogram_diff)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
