"""The soak test's checks and summary (Benchmarks/sync/soak.py)."""

import soak_cluster as cluster


def compare(expected, synced, source_namespaces):
    """The standby's synced objects against `syncrules apply` of production, by key.

    A Namespace copy whose source namespace is gone is kept by design (namespaces are
    never pruned: deleting one deletes everything in it), so it is counted apart."""
    missing = sorted(k for k in expected if k not in synced)
    unexpected, retained = [], []
    for key, obj in synced.items():
        if key in expected:
            continue
        if obj["kind"] == "Namespace" and obj["metadata"]["name"] not in source_namespaces:
            retained.append(key)
        else:
            unexpected.append(key)
    different = {}
    for key in sorted(set(expected) & set(synced)):
        difference = cluster.first_difference(cluster.normalised(expected[key]), cluster.normalised(synced[key]))
        if difference:
            different[key] = difference
    return {"equal": not missing and not unexpected and not different,
            "expected": len(expected), "synced": len(synced), "missing": missing[:20],
            "missing_count": len(missing), "unexpected": sorted(unexpected)[:20],
            "unexpected_count": len(unexpected), "different_count": len(different),
            "different": dict(list(different.items())[:10]), "retained_namespaces": sorted(retained)}


def fit(points):
    """Least-squares slope and intercept of (x, y) points."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    var = sum((x - mean_x) ** 2 for x, _ in points)
    slope = 0.0 if var == 0 else sum((x - mean_x) * (y - mean_y) for x, y in points) / var
    return slope, mean_y - slope * mean_x


def analyse_rss(samples, change_seconds, final_kb, peak_kb, limit_percent, unjudged_because=None):
    """First, last, largest and peak RSS; the linear-fit slope over the whole run and over
    its second half; the second half's growth against `limit_percent` of the RSS at its
    start, unless `unjudged_because` says why the run cannot tell growth from warming up."""
    during = [(t, kb) for t, kb, _ in samples if kb is not None and t <= change_seconds + 1]
    if len(during) < 2:
        return {"passed": False, "reason": "fewer than two RSS samples", "samples": samples,
                "limit_percent": limit_percent}
    half = [(t, kb) for t, kb in during if t >= change_seconds / 2]
    slope_all, _ = fit([(t / 60, kb) for t, kb in during])
    result = {"first_kb": during[0][1], "last_kb": during[-1][1], "max_kb": max(kb for _, kb in during),
              "after_convergence_kb": final_kb, "peak_kb": peak_kb,
              "slope_kb_per_min": round(slope_all, 1), "samples": samples, "limit_percent": limit_percent}
    if len(half) < 3:
        judged = unjudged_because is None
        result.update(passed=not judged, judged=judged,
                      reason=unjudged_because or "fewer than three samples in the second half")
        return result
    slope, intercept = fit([(t / 60, kb) for t, kb in half])
    start_kb = slope * half[0][0] / 60 + intercept
    growth_kb = slope * (half[-1][0] - half[0][0]) / 60
    percent = 100 * growth_kb / start_kb
    judged = unjudged_because is None
    result.update(second_half_slope_kb_per_min=round(slope, 1), second_half_growth_kb=round(growth_kb),
                  second_half_growth_percent=round(percent, 2), judged=judged,
                  passed=percent <= limit_percent or not judged)
    if not judged:
        result["reason"] = "not judged: " + unjudged_because
    return result


def mb(kb):
    return "?" if kb is None else f"{kb / 1024:.1f} MB"


def report(results, out):
    """Prints the Markdown summary; returns whether every check passed."""
    comparison, foreign, rss, loop = results["comparison"], results["foreign"], results["rss"], results["loop"]
    changes, faults = results["changes"], results["faults"]
    checks = [
        ("standby == `syncrules apply` of production's final state",
         bool(comparison and comparison["equal"]),
         (f"{comparison['synced']} synced objects, converged {results['converged_after_s']} s after the changes stopped"
          if comparison and comparison["equal"] else
          f"after {results['converged_after_s'] or 'the wait'}: {comparison and comparison['missing_count']} missing, "
          f"{comparison and comparison['unexpected_count']} unexpected, {comparison and comparison['different_count']} different")
         + (f"; {len(comparison['retained_namespaces'])} namespaces deleted in production kept (never pruned)"
            if comparison and comparison["retained_namespaces"] else "")),
        ("foreign objects on the standby untouched", not foreign["missing"] and not foreign["changed"],
         f"{foreign['count']} foreign objects, {len(foreign['missing'])} missing, {len(foreign['changed'])} changed"),
        ("production never written by the loop", not results["source_writes_by_loop"],
         f"{len(results['source_writes_by_loop'])} writes among the loop's {results['source_requests_by_loop']} requests"),
        ("loop RSS did not grow over the second half", rss.get("passed", False),
         f"{rss.get('second_half_growth_percent', '?')} % ({rss.get('second_half_slope_kb_per_min', '?')} KB/min; "
         f"limit {rss['limit_percent']} %)" + (f"; {rss['reason']}" if "reason" in rss else "")
         if "second_half_growth_percent" in rss else rss.get("reason", "")),
        ("loop ran throughout and stopped cleanly", loop["alive_at_end"] and loop["stop_status"] == 0,
         f"alive at the end: {loop['alive_at_end']}, exit status on SIGTERM: {loop['stop_status']}"),
    ]
    w = out.write
    w(f"\n| soak | |\n|---|---|\n")
    w(f"| production objects | {results['objects']} generated (+ namespaces); {results['expected']} "
      f"expected on the standby at the end |\n")
    w(f"| loop | `--workers {results['workers']}`, ready after {results['ready_after_s']} s |\n")
    w(f"| changes | {changes['total']} in {results['duration_s']} s ({changes['achieved_rate']}/s, asked {results['rate']}/s): "
      + ", ".join(f"{k} {v}" for k, v in sorted(changes["done"].items()))
      + f"; refused {sum(changes['refused'].values())}, connection failures {changes['connection_failures']} |\n")
    scheduled = faults["scheduled"]
    w(f"| faults scheduled | {sum(scheduled.values())}: " + "; ".join(f"{k} ×{v}" for k, v in sorted(scheduled.items())) + " |\n")
    for side in ("production", "standby"):
        tally = faults[side]
        answered = ", ".join(f"{code}: {n}" for code, n in tally["answered"].items()) or "none"
        w(f"| faults met on {side} | errors answered {answered}; watches ended {tally['watchesDropped']}; "
          f"history trims {tally['historyTrims']}; restarts {sum(tally['restarts'].values())} |\n")
    if faults["errors"]:
        w(f"| fault injection errors | {'; '.join(faults['errors'][:3])} |\n")
    metrics = loop["metrics"]
    w("| loop metrics | " + ", ".join(f"{k.replace('syncrules_', '')} {v:g}" for k, v in metrics.items() if v is not None) + " |\n")
    if "first_kb" in rss:
        w(f"| loop RSS | first {mb(rss['first_kb'])}, max {mb(rss['max_kb'])}, last {mb(rss['last_kb'])}, "
          f"after convergence {mb(rss['after_convergence_kb'])}, peak (VmHWM) {mb(rss['peak_kb'])}; "
          f"slope {rss['slope_kb_per_min']} KB/min over the run, "
          f"{rss.get('second_half_slope_kb_per_min', '?')} KB/min over its second half |\n")
        samples = [s for s in rss["samples"] if s[1] is not None]
        step = max(1, len(samples) // 10)
        shown = samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])
        w("| RSS over time | " + " · ".join(f"{t:.0f} s: {mb(kb)}" + (f" (queue {q})" if q else "")
                                           for t, kb, q in shown) + " |\n")
    w("\n| check | result | |\n|---|---|---|\n")
    for name, passed, detail in checks:
        verdict = "PASS" if passed else "**FAIL**"
        if name.startswith("loop RSS") and passed and not rss.get("judged", True):
            verdict = "not judged"
        w(f"| {name} | {verdict} | {detail} |\n")
    if comparison and not comparison["equal"]:
        for key in comparison["missing"][:5]:
            w(f"missing on the standby: {key}\n")
        for key in comparison["unexpected"][:5]:
            w(f"unexpected on the standby: {key}\n")
        for key, difference in list(comparison["different"].items())[:5]:
            w(f"different: {key}: {difference}\n")
    for key in foreign["missing"][:5]:
        w(f"foreign object gone: {key}\n")
    for key, difference in foreign["differences"].items():
        w(f"foreign object changed: {key}: {difference}\n")
    for request in results["source_writes_by_loop"][:5]:
        w(f"write to production by the loop: {request}\n")
    return all(passed for _, passed, _ in checks)
