#!/usr/bin/env bash
# Renders every kustomization under deploy/ and validates the result twice:
#   1. kubernetes-validate --strict against the Kubernetes 1.34 schemas (the version of the
#      built-in schemas, docs/schemas.md). The PodMonitor of overlays/podmonitor is a CRD
#      kind the package has no schema for: it is skipped there, and only there.
#   2. kubectl apply --dry-run=server against a kube-api-server started here (127.0.0.1,
#      a free port): the server checks each object strictly and stores nothing.
# Then checks what ties the files together: the rules copy equals
# docs/examples/dr-standby.sync and passes `syncrules check`, the Containerfile's user is
# the Deployment's UID, and both validators reject a manifest with a misspelt field.
#
#   deploy/validate.sh                 # uses the debug build (.build/debug), built if missing
#   deploy/validate.sh --bin-dir DIR   # kube-api-server and syncrules from DIR
#
# Needs kubectl, python3 with kubernetes-validate==1.37.0 (.ci/run installs it), swift.
set -euo pipefail
cd "$(dirname "$0")/.."

bin_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin-dir) bin_dir="${2:?--bin-dir needs a directory}"; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "validate.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

kubernetes_version=1.34.0
kubernetes_validate_version=1.37.0
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

installed="$(kubernetes-validate --version 2>/dev/null || true)"
if [ "${installed##* }" != "$kubernetes_validate_version" ]; then
  echo "validate.sh: needs kubernetes-validate $kubernetes_validate_version (found: ${installed:-none}):" \
    "pip install kubernetes-validate==$kubernetes_validate_version" >&2
  exit 2
fi

if [ -z "$bin_dir" ]; then
  bin_dir="$(swift build --show-bin-path)"
  for product in kube-api-server syncrules; do
    [ -x "$bin_dir/$product" ] || swift build --product "$product" >&2
  done
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the files agree with each other -------------------------------------------------
if cmp -s deploy/base/rules/dr-standby.sync docs/examples/dr-standby.sync; then
  pass "deploy/base/rules/dr-standby.sync is docs/examples/dr-standby.sync"
else
  fail "deploy/base/rules/dr-standby.sync differs from docs/examples/dr-standby.sync (copy it again)"
fi
if "$bin_dir/syncrules" check deploy/base/rules > "$work/check.txt" 2>&1; then
  pass "syncrules check deploy/base/rules: $(tail -n 1 "$work/check.txt")"
else
  cat "$work/check.txt" >&2
  fail "syncrules check deploy/base/rules"
fi
image_user="$(sed -n 's/^USER \([0-9][0-9]*\).*/\1/p' Containerfile)"
for uid in $(sed -n 's/^ *runAsUser: \([0-9][0-9]*\)$/\1/p' deploy/base/deployment.yaml); do
  [ "$uid" = "$image_user" ] || fail "deploy/base/deployment.yaml runs as $uid, the Containerfile's USER is '$image_user'"
done
[ -n "$image_user" ] && pass "Containerfile USER $image_user is the Deployment's runAsUser"

# --- render --------------------------------------------------------------------------
kustomizations=()
while IFS= read -r file; do kustomizations+=("$(dirname "$file")"); done \
  < <(find deploy -name kustomization.yaml | sort)
for dir in "${kustomizations[@]}"; do
  out="$work/$(echo "$dir" | tr / _).yaml"
  if kubectl kustomize "$dir" > "$out" 2> "$work/kustomize.err"; then
    pass "rendered $dir ($(grep -c '^kind:' "$out") objects)"
  else
    cat "$work/kustomize.err" >&2
    fail "kubectl kustomize $dir"
  fi
done

# A control: a rendered manifest with a misspelt field, which both validators must reject.
sed 's/^  replicas: 2$/  replicass: 2/' "$work/deploy_base.yaml" > "$work/broken.yaml"
cmp -s "$work/deploy_base.yaml" "$work/broken.yaml" && fail "the control manifest was not made broken"

# --- 1. schemas ----------------------------------------------------------------------
schema_check() { # FILE… → status; prints the findings
  local output status=0
  output="$(kubernetes-validate --strict --kubernetes-version "$kubernetes_version" --quiet "$@" 2>&1)" || status=$?
  # Only the PodMonitor may lack a schema; anything else missing is an error.
  if printf '%s\n' "$output" | grep "Couldn't find schema" | grep -qv "kind PodMonitor with api version monitoring.coreos.com/v1"; then
    status=1
  fi
  printf '%s\n' "$output" | grep -v "Couldn't find schema for kind PodMonitor" | sed '/^$/d' || true
  return "$status"
}
# One run over every rendering (the package takes a second or two to start); each
# finding names its file.
renders=()
for dir in "${kustomizations[@]}"; do renders+=("$work/$(echo "$dir" | tr / _).yaml"); done
if findings="$(schema_check "${renders[@]}")"; then
  pass "kubernetes-validate --strict (Kubernetes $kubernetes_version): ${kustomizations[*]}"
else
  printf '%s\n' "$findings" >&2
  fail "kubernetes-validate --strict"
fi
if schema_check "$work/broken.yaml" > /dev/null; then
  fail "kubernetes-validate accepted the control manifest (spec.replicass)"
else
  pass "kubernetes-validate rejects the control manifest"
fi

# --- 2. server-side dry run ----------------------------------------------------------
"$bin_dir/kube-api-server" --port 0 --kubeconfig-out "$work/kubeconfig" > "$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/kubeconfig" ] && break; sleep 0.1; done
[ -s "$work/kubeconfig" ] || { cat "$work/server.log" >&2; echo "validate.sh: kube-api-server did not start" >&2; exit 1; }
k() { kubectl --kubeconfig "$work/kubeconfig" "$@"; }
# A dry run stores nothing, so the namespace the manifests create does not exist for the
# objects after it: as on a real cluster, it is created first. The PodMonitor's CRD too.
k create namespace syncrules > /dev/null
k apply -f deploy/testdata/podmonitor-crd.yaml > /dev/null
before="$(k get all,sa,cm,role,rolebinding,clusterrole,clusterrolebinding,pdb,podmonitors -A -o name | sort)"
for dir in "${kustomizations[@]}"; do
  if k apply --dry-run=server -f "$work/$(echo "$dir" | tr / _).yaml" > "$work/apply.out" 2>&1; then
    pass "kubectl apply --dry-run=server: $dir ($(grep -c 'created (server dry run)' "$work/apply.out") created)"
  else
    cat "$work/apply.out" >&2
    fail "kubectl apply --dry-run=server: $dir"
  fi
done
if k apply --dry-run=server -f "$work/broken.yaml" > "$work/apply.out" 2>&1; then
  fail "kube-api-server accepted the control manifest (spec.replicass)"
elif grep -q 'unknown field "spec.replicass"' "$work/apply.out"; then
  pass "kube-api-server rejects the control manifest"
else
  cat "$work/apply.out" >&2
  fail "kube-api-server rejected the control manifest for another reason"
fi
after="$(k get all,sa,cm,role,rolebinding,clusterrole,clusterrolebinding,pdb,podmonitors -A -o name | sort)"
if [ "$before" = "$after" ]; then
  pass "the dry runs stored nothing"
else
  diff <(echo "$before") <(echo "$after") >&2 || true
  fail "the dry runs stored objects"
fi

if [ "$failures" -gt 0 ]; then
  echo "deploy/validate.sh: $failures check(s) failed" >&2
  exit 1
fi
echo "deploy/validate.sh: every manifest renders and validates"
