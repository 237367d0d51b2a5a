#!/usr/bin/env bash
# Benchmarks/same-output.sh — two syncrules binaries must write the same bytes.
#
#   Benchmarks/same-output.sh OLD NEW [--size 10000] [--seed 1] [--rules FILE]
#
# Runs `apply` of both binaries on the benchmark inputs (the List, NDJSON and watch
# frames of Benchmarks/generate.py; generated when missing) in every output mode that
# writes what it read or reshapes it (default, --passthrough, --diff, -o yaml), on one
# thread and on two, and compares standard output, standard error and the exit status
# byte for byte. Prints one line per run and exits 1 at the first difference.
#
# For changes that must not change output (the reader's projection, issue 14): build the
# previous commit into OLD (see docs/performance.md, "The reader's projection").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
old=$1 new=$2
shift 2
size=10000 seed=1 rules="$root/docs/examples/dr-standby.sync"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rules) rules=$2; shift 2 ;;
    *) echo "same-output.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

data="$here/data"
prefix="$data/mixed-$size-s$seed"
if [ ! -f "$prefix.watch.ndjson" ]; then
  mkdir -p "$data"
  python3 "$here/generate.py" --count "$size" --seed "$seed" --out "$data" \
    --formats list,ndjson,watch >/dev/null
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
run() { # binary, name, args… → files in $scratch
  local binary=$1 name=$2
  shift 2
  set +e
  "$binary" apply -f "$rules" "$@" > "$scratch/$name.out" 2> "$scratch/$name.err"
  echo "exit $?" >> "$scratch/$name.err"
  set -e
}

status=0
for input in list.json ndjson watch.ndjson; do
  for mode in "" --passthrough --diff "-o yaml"; do
    for jobs in 1 2; do
      # shellcheck disable=SC2086  # $mode is empty or one flag with its value
      run "$old" old $mode -j "$jobs" "$prefix.$input"
      # shellcheck disable=SC2086
      run "$new" new $mode -j "$jobs" "$prefix.$input"
      label="$input ${mode:-(default)} -j $jobs"
      if cmp -s "$scratch/old.out" "$scratch/new.out" && cmp -s "$scratch/old.err" "$scratch/new.err"; then
        echo "same: $label ($(wc -c < "$scratch/new.out") bytes out)"
      else
        echo "DIFFERENT: $label" >&2
        cmp "$scratch/old.out" "$scratch/new.out" >&2 || true
        diff "$scratch/old.err" "$scratch/new.err" | head -5 >&2 || true
        status=1
        break 3
      fi
    done
  done
done
exit $status
