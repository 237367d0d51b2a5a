#!/usr/bin/env python3
"""The sync loop under faults: Benchmarks/sync/soak.sh runs this after building.

  soak.py --bin DIR [--duration 60s] [--objects 2000] [--rate 25] [--workers 4]
          [--fault-every 6] [--fault-window 4] [--sample-every 5] [--converge 240]
          [--rss-growth-limit 10] [--data-loss] [--seed 1] [--work DIR]

1. Production: a kube-api-server (TLS) preloaded with --objects generated objects
   (Benchmarks/generate.py: Deployments, StatefulSets, Services, PVCs, ConfigMaps,
   Secrets, some already labelled out of the rules' selection); token r-syncrules for
   the loop (user syncrules, read-only: any write would be refused and logged) and
   w-operator for the load. Standby: a kube-api-server preloaded with foreign objects
   (syncrules did not create them: in the synced namespaces and kinds, in a namespace of
   its own, hand-made copies carrying marks that name another object, copies made by
   another loop).
2. `syncrules sync -f Benchmarks/sync/soak.sync` between them (resync longer than the
   run, so a lost change is not repaired behind the test's back); waits for /readyz.
3. For --duration: production changes at --rate operations/s (updates, label and
   annotation changes moving objects in and out of selection, renames, creates,
   deletes, namespaces created and deleted); every --fault-every s the next fault comes
   round (watches dropped or cut, watch resumes answered 410, history compacted, 429/409/
   500 on a share of the standby's writes, latency on either side, restarts of either
   API server with their store kept and a few seconds down; --data-loss adds one standby
   restart that loses everything but the foreign objects, halfway, and shortens the
   loop's resync so it can be repaired); the loop's VmRSS is sampled every
   --sample-every s.
4. Stops the changes and the faults, dumps production with kubectl, runs `syncrules
   apply` over it, and waits (at most --converge s) until the standby's synced objects
   equal that output.
5. Checks: (1) the standby's synced objects equal `syncrules apply` of the final
   production (compared without server-populated fields and ownership marks; namespaces
   deleted in production stay, since namespaces are never pruned); (2) every foreign
   object is still there, unchanged (resourceVersion aside); (3) the request log of
   production holds no write by the loop's user; (4) the loop's RSS did not grow by
   more than --rss-growth-limit % over the second half of the run (linear fit); (5) the
   loop never exited, and stopped with status 0 on SIGTERM. Prints a Markdown summary;
   exits 1 when a check failed.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak_cluster as cluster  # noqa: E402
import soak_load as load  # noqa: E402
from soak_report import analyse_rss, compare, report  # noqa: E402


def duration(text):
    units = {"s": 1, "m": 60, "h": 3600}
    if text and text[-1] in units:
        return float(text[:-1]) * units[text[-1]]
    return float(text)


def arguments():
    parser = argparse.ArgumentParser(description="The sync loop under faults.")
    parser.add_argument("--bin", required=True, help="directory holding syncrules and kube-api-server")
    parser.add_argument("--duration", type=duration, default=60.0, help="how long production changes (60s, 10m)")
    parser.add_argument("--objects", type=int, default=2000, help="objects generated in production")
    parser.add_argument("--rate", type=float, default=25.0, help="production changes per second")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fault-every", type=float, default=6.0, help="seconds between faults")
    parser.add_argument("--fault-window", type=float, default=4.0, help="seconds a lasting fault lasts")
    parser.add_argument("--sample-every", type=float, default=5.0, help="seconds between RSS samples")
    parser.add_argument("--converge", type=duration, default=240.0, help="longest wait for the standby to converge")
    parser.add_argument("--rss-growth-limit", type=float, default=10.0,
                        help="largest RSS growth over the second half of the run, in %% of its RSS then")
    parser.add_argument("--data-loss", action="store_true",
                        help="restart the standby once losing its data (and resync every 60 s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", help="work directory (kept); default: a temporary one, removed")
    return parser.parse_args()


def say(message):
    print(f"soak: {message}", file=sys.stderr, flush=True)


def prepare(work, args):
    """The source's objects and namespaces, and the target's foreign objects, as files."""
    # Preloaded as a dump of a real cluster would be: uid, status, managedFields kept.
    objects = list(cluster.generate.Gen(args.seed).objects(args.objects, "mixed"))
    # Some objects start out of the rules' selection or renamed, so that the first
    # changes bring them in as well as take others out.
    picker = cluster.generate.random.Random(args.seed + 1)
    for obj in objects:
        labels = obj["metadata"].setdefault("labels", {})
        if picker.random() < 0.05:
            labels[load.EXCLUDE_LABEL] = "off"
        if obj["kind"] == "ConfigMap" and picker.random() < 0.2:
            labels[load.RENAME_LABEL] = "yes"
    namespaces = sorted({o["metadata"]["namespace"] for o in objects} - {"default", "kube-system", "kube-public", "kube-node-lease"})
    files = {}
    for name, items in (("source", [cluster.namespace_object(n) for n in namespaces] + objects),
                        ("foreign", cluster.foreign_objects(
                            [(o["metadata"]["namespace"], o["kind"], o["metadata"]["name"]) for o in objects
                             if o["metadata"]["namespace"] in cluster.generate.APP_NAMESPACES]))):
        files[name] = os.path.join(work, f"{name}.json")
        with open(files[name], "w") as f:
            json.dump({"apiVersion": "v1", "kind": "List", "items": items}, f)
    return objects, files


def main():
    args = arguments()
    syncrules = os.path.join(args.bin, "syncrules")
    apiserver = os.path.join(args.bin, "kube-api-server")
    for binary in (syncrules, apiserver):
        if not os.access(binary, os.X_OK):
            raise SystemExit(f"soak: {binary} not found (build first)")
    if not shutil.which("kubectl"):
        raise SystemExit("soak: kubectl not found")
    rules = os.path.join(cluster.HERE, "soak.sync")
    work = args.work or tempfile.mkdtemp(prefix="syncsoak.")
    os.makedirs(work, exist_ok=True)
    say(f"work directory {work}")
    processes = cluster.Processes()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(args, syncrules, apiserver, rules, work, processes)
    finally:
        processes.stop_all()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def run(args, syncrules, apiserver, rules, work, processes):
    objects, files = prepare(work, args)
    say(f"starting production with {len(objects)} objects and the standby with its foreign objects…")
    source = cluster.Server(processes, apiserver, work, "production",
                            ["--token", "r-syncrules=syncrules", "--token", "w-operator=operator",
                             "--read-only-user", "syncrules", "--load", files["source"]])
    target = cluster.Server(processes, apiserver, work, "standby",
                            ["--token", "s-syncrules=syncrules", "--token", "w-operator=operator",
                             "--load", files["foreign"]])
    operator = source.client("w-operator")
    standby_reader = target.client("w-operator")
    with open(files["foreign"]) as f:
        foreign_keys = [(o, cluster.object_key(o)) for o in json.load(f)["items"]]
    foreign_before = {key: live for key, live in read_foreign(standby_reader, foreign_keys)}

    metrics_port = cluster.free_port()
    metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"
    resync = 60 if args.data_loss else 86400
    loop = processes.start(
        [syncrules, "sync", "-f", rules, "--from-kubeconfig", source.kubeconfig,
         "--to-kubeconfig", target.kubeconfig, "--source-name", cluster.SOURCE_NAME,
         "--workers", str(args.workers), "--metrics-address", f"127.0.0.1:{metrics_port}",
         "--resync-interval", str(resync), "--log-format", "json"],
        os.path.join(work, "loop.log"))
    began = time.monotonic()
    def ready():
        if loop.poll() is not None:
            raise SystemExit(f"soak: the loop exited with {loop.returncode}:\n" + tail(os.path.join(work, "loop.log")))
        return load.scrape(metrics_url.replace("/metrics", "/readyz")).strip() == "ok"
    cluster.wait_until("the loop's first full sync (/readyz)", 900, ready)
    ready_after = time.monotonic() - began
    say(f"loop ready after {ready_after:.1f} s; changing production for {args.duration:g} s under faults…")

    stop = threading.Event()
    started = time.monotonic()
    mutator = load.Mutator(operator, objects, args.rate, args.seed)
    followed = len(cluster.RESOURCES)
    injector = load.FaultInjector(load.fault_schedule(source, target, followed), args.fault_every,
                                  args.fault_window, args.duration / 2 if args.data_loss else None, target)
    sampler = load.MemorySampler(loop.pid, metrics_url, args.sample_every)
    threads = [load.start(mutator.run, stop), load.start(injector.run, stop, started),
               load.start(sampler.run, stop, started)]
    while not stop.wait(max(0.05, min(10.0, started + args.duration - time.monotonic()))):
        elapsed = time.monotonic() - started
        last = sampler.samples[-1] if sampler.samples else (0, 0, None)
        rss = "?" if last[1] is None else f"{last[1] / 1024:.1f}"
        say(f"{elapsed:5.0f} s: {mutator.operations} changes, {sum(injector.injected.values())} faults, "
            f"RSS {rss} MB, queue {last[2]}")
        if loop.poll() is not None:
            # The loop died under the load: say so with its exit status (a negative one is
            # the signal: -4 SIGILL is a Swift runtime trap) and the end of its log, rather
            # than going on to compare a standby nobody keeps in sync.
            stop.set()
            for thread in threads:
                thread.join(60)
            raise SystemExit(f"soak: the loop exited with {loop.returncode} after {elapsed:.0f} s:\n"
                             + tail(os.path.join(work, "loop.log")))
        if elapsed >= args.duration:
            stop.set()
    for thread in threads:
        thread.join(60)
    changes_ended = time.monotonic()
    change_seconds = changes_ended - started
    for server in (source, target):     # whatever was pending, and wait out a restart
        cluster.wait_until(f"{server.name} after the last fault", 60,
                           lambda: server.admin.admin("POST", "clear-faults") is not None)

    say("dumping production with kubectl and running syncrules apply over it…")
    source_dump = os.path.join(work, "source-final.json")
    expected_file = os.path.join(work, "expected.json")
    with open(source_dump, "w") as out:
        subprocess.run(["kubectl", "--kubeconfig", source.kubeconfig, "--token", "w-operator", "get",
                        ",".join(r[0] for r in cluster.RESOURCES), "-A", "-o", "json"],
                       stdout=out, check=True, timeout=600)
    with open(expected_file, "w") as out:
        subprocess.run([syncrules, "apply", "-f", rules, source_dump], stdout=out, check=True, timeout=600)
    with open(expected_file) as f:
        expected = {cluster.object_key(o): o for o in json.load(f)["items"]}
    with open(source_dump) as f:
        source_namespaces = {o["metadata"]["name"] for o in json.load(f)["items"] if o["kind"] == "Namespace"}

    say(f"waiting (at most {args.converge:g} s) for the standby to equal {len(expected)} expected objects…")
    comparison = None
    converged_after = None
    deadline = time.monotonic() + args.converge
    while loop.poll() is None:
        comparison = compare(expected, synced_on(standby_reader), source_namespaces)
        if comparison["equal"]:
            converged_after = time.monotonic() - changes_ended
            break
        if time.monotonic() > deadline:
            break
        time.sleep(2)
    metrics_text = load.scrape(metrics_url) if loop.poll() is None else ""
    final_rss = sampler.status_kb("VmRSS") if loop.poll() is None else None
    peak_rss = sampler.status_kb("VmHWM") if loop.poll() is None else None
    foreign_after = dict(read_foreign(standby_reader, foreign_keys))
    loop_writes = source.admin.admin("GET", "requests?user=syncrules&writes=true")
    loop_requests = len(source.admin.admin("GET", "requests?user=syncrules"))
    alive = loop.poll() is None
    stop_status = processes.stop(loop, timeout=60)

    results = {
        "objects": len(objects), "expected": len(expected), "ready_after_s": round(ready_after, 1),
        "duration_s": round(change_seconds, 1), "rate": args.rate, "workers": args.workers,
        "changes": {"done": mutator.done, "refused": mutator.refused, "connection_failures": mutator.failed,
                    "total": mutator.operations,
                    "achieved_rate": round(mutator.operations / max(change_seconds, 1e-9), 1)},
        "faults": {"scheduled": injector.injected, "errors": injector.errors,
                   "production": source.admin.admin("GET", "faults"),
                   "standby": target.admin.admin("GET", "faults")},
        "converged_after_s": None if converged_after is None else round(converged_after, 1),
        "comparison": comparison,
        "foreign": check_foreign(foreign_before, foreign_after),
        "source_writes_by_loop": loop_writes, "source_requests_by_loop": loop_requests,
        "rss": analyse_rss(sampler.samples, change_seconds, final_rss, peak_rss, args.rss_growth_limit,
                           rss_unjudged_because(args, change_seconds, len(injector.schedule) * args.fault_every)),
        "loop": {"alive_at_end": alive, "died_at_s": sampler.died_at, "stop_status": stop_status,
                 "metrics": {name: load.metric(metrics_text, name) for name in (
                     "syncrules_objects_synced_total", "syncrules_objects_pruned_total",
                     "syncrules_objects_failed_total", "syncrules_watch_restarts_total",
                     "workqueue_retries_total", "syncrules_writes_unchanged_total")}},
        "data_loss": args.data_loss, "work": work,
    }
    with open(os.path.join(work, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    passed = report(results, sys.stdout)
    if not passed:
        say(f"FAILED; logs in {work}" + ("" if args.work else " (removed: rerun with --work DIR to keep them)"))
    return 0 if passed else 1


def rss_unjudged_because(args, change_seconds, round_seconds):
    """Why this run's memory cannot be judged, or None. A relist (after a 410, a restart)
    holds a whole list at once and raises the high-water mark in a step the allocator
    keeps; a resync re-applies everything. The second half must start after the biggest
    of those steps, or the judgement would take a warm-up step for growth."""
    if args.data_loss:
        return "with --data-loss the loop resyncs every 60 s, re-applying every object"
    if change_seconds / 2 < round_seconds:
        return (f"the second half must start after every fault came round once "
                f"({round_seconds:g} s: --duration {2 * round_seconds:g}s or more)")
    return None


def tail(path, lines=20):
    with open(path, errors="replace") as f:
        return "".join(f.readlines()[-lines:])


def read_foreign(api, foreign_keys):
    for obj, key in foreign_keys:
        kind = obj["kind"]
        namespace = obj["metadata"].get("namespace")
        if kind == "Namespace":
            path = f"/api/v1/namespaces/{obj['metadata']['name']}"
        else:
            path = load.Mutator.path(kind, namespace, obj["metadata"]["name"])
        status, live = api.request("GET", path)
        yield key, live if status == 200 else None


def check_foreign(before, after):
    def comparable(obj):
        if obj is None:
            return None
        obj = json.loads(json.dumps(obj))
        obj["metadata"].pop("resourceVersion", None)
        return obj
    missing = sorted(k for k in before if after.get(k) is None)
    changed = sorted(k for k in before if after.get(k) is not None and comparable(after[k]) != comparable(before[k]))
    return {"count": len(before), "missing": missing, "changed": changed,
            "differences": {k: cluster.first_difference(comparable(before[k]), comparable(after[k])) for k in changed[:5]}}


def synced_on(api):
    """The target's objects carrying this loop's source mark, by key."""
    synced = {}
    for _, path, api_version, kind in cluster.RESOURCES:
        for item in api.list(path):
            item.setdefault("apiVersion", api_version)
            item.setdefault("kind", kind)
            key = cluster.object_key(item)
            annotations = item.get("metadata", {}).get("annotations") or {}
            # Ours, as the loop tells: our source name, and `self` naming this very object
            # (a hand-made copy keeps the marks of the object it was copied from).
            if annotations.get(cluster.SOURCE_MARK, "").startswith(cluster.SOURCE_NAME + ":") \
                    and annotations.get(cluster.SELF_MARK) == key:
                synced[key] = item
    return synced


if __name__ == "__main__":
    sys.exit(main())
