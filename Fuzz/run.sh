#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ and runs each for a bounded time.
#
#   Fuzz/run.sh [--seconds N | --runs N [--seed N]] [--debug] [--no-build] [TARGET…]
#
# TARGET is one of: rules json-stream yaml json-patch evaluator kubeconfig (default: all).
# --runs N --seed N runs N inputs from a fixed seed instead of for a time: the same
# inputs on every machine, so that CI's verdict does not depend on the machine's speed.
# Each runs N seconds (default 60) from its committed seeds (Fuzz/corpus/TARGET) plus
# what earlier runs found (.build-fuzz/corpus/TARGET). An input that traps, breaks an
# invariant, trips AddressSanitizer, leaks, runs longer than 10 s or needs more than
# 2 GB is a failure: the script says where the reproducer is and exits 1 once every
# target has run. See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(rules json-stream yaml json-patch evaluator kubeconfig import)
seconds=60
runs=
seed=
configuration=release
build=1
targets=()
usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --debug) configuration=debug; shift ;;
    --no-build) build=0; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *)
      if [[ " ${all_targets[*]} " != *" $1 "* ]]; then
        echo "run.sh: unknown target $1 (known: ${all_targets[*]})" >&2
        exit 2
      fi
      targets+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --seconds must be a positive number" >&2; exit 2; }
[[ -z $runs || $runs =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --runs must be a positive number" >&2; exit 2; }
[[ -z $seed || $seed =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --seed must be a positive number" >&2; exit 2; }
# How long each target runs: a number of inputs (from a fixed seed when given), or a time.
if [[ -n $runs ]]; then
  budget=(-runs="$runs")
  [[ -n $seed ]] && budget+=(-seed="$seed")
else
  budget=(-max_total_time="$seconds")
fi
if [[ -n $runs ]]; then budget_text="$runs inputs"; else budget_text="$seconds s"; fi
((${#targets[@]})) || targets=("${all_targets[@]}")

scratch=${FUZZ_SCRATCH_PATH:-.build-fuzz}
# -sanitize=fuzzer links libFuzzer's main; the targets define no entry point of their own.
flags=(--package-path Fuzz --scratch-path "$scratch" -c "$configuration"
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
if ((build)); then
  started=$SECONDS
  # The linker warns about every ASan helper symbol it cannot export; nothing to act on.
  if ! swift build "${flags[@]}" 2>&1 | { grep -v "Cannot export local symbol" || true; }; then
    echo "run.sh: the build failed" >&2
    exit 1
  fi
  echo "run.sh: built in $((SECONDS - started)) s"
fi
bin=$(swift build "${flags[@]}" --show-bin-path)

# Crash output without the Swift backtracer (which can hang under ASan), leak reports
# without the values the fuzzers keep for the whole run (Fuzz/lsan.supp).
export SWIFT_BACKTRACE=enable=no
export LSAN_OPTIONS="suppressions=$PWD/Fuzz/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"

dictionary() {
  case $1 in
    rules) echo rules ;;
    yaml | kubeconfig | import) echo yaml ;;
    json-patch) echo json-patch ;;
    *) echo json ;;
  esac
}

# json-stream runs `apply` on two threads, and Dispatch keeps thread-pool memory across
# inputs, so libFuzzer would take every input for a leak and scan the heap after each
# (5 times slower). LeakSanitizer still checks that target once, when it exits.
leak_checks() { [[ $1 == json-stream ]] && echo 0 || echo 1; }

failed=()
for target in "${targets[@]}"; do
  corpus=$scratch/corpus/$target
  artifacts=$scratch/artifacts/$target
  log=$scratch/logs/$target.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  echo "run.sh: $target for ${budget_text} (log: $log)"
  status=0
  "$bin/fuzz-$target" "${budget[@]}" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -detect_leaks="$(leak_checks "$target")" -print_final_stats=1 -dict="Fuzz/dict/$(dictionary "$target").dict" \
    -artifact_prefix="$artifacts/" "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | sed "s/^/run.sh: $target: /" || true
  if ((status != 0)) || grep -q 'Test unit written to' "$log"; then
    failed+=("$target")
    echo "run.sh: $target FAILED (exit $status); the end of $log:" >&2
    grep -v -E '^"|# Uses:|^###### ' "$log" | tail -40 >&2
    grep -o 'Test unit written to .*' "$log" | sed 's/^Test unit written to /run.sh: reproducer: /' >&2 || true
    echo "run.sh: rerun it with: SWIFT_BACKTRACE=enable=no $bin/fuzz-$target REPRODUCER" >&2
  fi
done

if ((${#failed[@]})); then
  echo "run.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "run.sh: no failures in ${targets[*]}"
