#!/usr/bin/env bash
# Benchmarks/sync/soak.sh — the sync loop under faults, bounded in time.
#
#   Benchmarks/sync/soak.sh [--duration 60s|10m] [--objects 2000] [--rate 25] [--workers 4]
#                           [--fault-every 6] [--fault-window 4] [--sample-every 5]
#                           [--converge 240] [--rss-growth-limit 10] [--data-loss]
#                           [--seed 1] [--work DIR] [--debug] [--no-build] [--bin DIR]
#
# Builds syncrules and kube-api-server (release; --debug: the debug build), then runs
# Benchmarks/sync/soak.py: two kube-api-servers (production with --objects generated
# objects, a standby with foreign objects), `syncrules sync -f Benchmarks/sync/soak.sync`
# between them, production changing at --rate/s for --duration while faults come round
# every --fault-every s (watches dropped, cut and expired, 429/409/500 on the standby's
# writes, latency, restarts of either server), the loop's RSS sampled; then it waits for
# the standby to converge and checks that it equals `syncrules apply` of production's
# final state, that no foreign object was touched, that production was never written by
# the loop, and that the loop's memory did not grow. Prints a Markdown summary; exits 1
# when a check fails, 2 on bad usage. See docs/operating.md, "Soak test".
#
# A short run, every fault once, about 70 s wall on the debug build (after swift build):
#   Benchmarks/sync/soak.sh --debug --no-build --duration 48s --fault-every 4 --objects 1000
#
# Everything listens on 127.0.0.1; every process is stopped at exit. Needs: swift (to
# build), python3 (standard library), kubectl, timeout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=1
configuration=release
bindir=""
pass=()
duration=60s
converge=240

while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --debug) configuration=debug; shift ;;
    --bin) bindir=$2; build=0; shift 2 ;;
    --duration) duration=$2; pass+=("$1" "$2"); shift 2 ;;
    --converge) converge=$2; pass+=("$1" "$2"); shift 2 ;;
    --data-loss) pass+=("$1"); shift ;;
    --objects|--rate|--workers|--fault-every|--fault-window|--sample-every|--rss-growth-limit|--seed|--work)
      [ $# -ge 2 ] || { echo "soak.sh: $1 needs a value" >&2; exit 2; }
      pass+=("$1" "$2"); shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "soak.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for tool in python3 kubectl timeout; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[ "$build" = 1 ] && { command -v swift >/dev/null || missing+=(swift); }
if [ ${#missing[@]} -gt 0 ]; then echo "soak.sh: missing: ${missing[*]}" >&2; exit 2; fi

# The whole run is bounded: the changes, the wait for convergence, and 30 minutes for
# start-up (loading objects, the first sync) and the checks.
limit=$(python3 - "$duration" "$converge" <<'PY'
import sys
def seconds(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return float(text[:-1]) * units[text[-1]] if text[-1:] in units else float(text)
try:
    print(int(seconds(sys.argv[1]) + seconds(sys.argv[2]) + 1800))
except ValueError:
    sys.exit("soak.sh: --duration and --converge take seconds, or a number with s, m or h")
PY
) || exit 2

if [ "$build" = 1 ]; then
  echo "building syncrules and kube-api-server ($configuration)…" >&2
  # one --product per invocation: with several, swift build builds only the last
  (cd "$root" && swift build -c "$configuration" --product syncrules >&2 \
     && swift build -c "$configuration" --product kube-api-server >&2)
fi
[ -n "$bindir" ] || bindir=$(cd "$root" && swift build -c "$configuration" --show-bin-path)

exec timeout --kill-after=60 "$limit" python3 "$here/soak.py" --bin "$bindir" "${pass[@]}"
