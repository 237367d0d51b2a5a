#!/usr/bin/env bash
# Regenerates the seed corpora under Fuzz/corpus/<target>/ from the tests, the docs and
# the stdlib (and a selection of JSONTestSuite). Run from anywhere; needs python3 with
# PyYAML. The output is deterministic: rerun after the sources change and commit the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
suite=${JSON_TEST_SUITE:-/work/shared/testdata/JSONTestSuite}
rm -rf Fuzz/corpus
mkdir -p Fuzz/corpus/{rules,json-stream,yaml,json-patch,evaluator,kubeconfig}

python3 - "$suite" <<'PY'
import glob, hashlib, json, os, re, sys
import yaml

suite = sys.argv[1]
out = "Fuzz/corpus"
written = set()
MAX_LEN = 16384

def put(target, name, data):
    """Writes one seed, named after where it came from; identical seeds are kept once."""
    if isinstance(data, str):
        data = data.encode()
    key = (target, hashlib.sha1(data).hexdigest())
    # run.sh fuzzes with -max_len=16384: libFuzzer would cut longer seeds anyway.
    if key in written or not data.strip() or len(data) > MAX_LEN:
        return
    written.add(key)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-")
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)

def read(path):
    with open(path, "rb") as f:
        return f.read()

def fenced(path, language):
    """The ```language blocks of a Markdown file."""
    text = read(path).decode()
    return re.findall(r"^```" + language + r"\n(.*?)^```", text, re.S | re.M)

def yaml_docs(path):
    try:
        return [d for d in yaml.safe_load_all(read(path)) if d is not None]
    except yaml.YAMLError:
        return []

def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)

# --- rules: every .sync file, and every sync block of the docs and rule tests.
sync_files = sorted(
    glob.glob("Tests/SyncSyntaxTests/Corpus/*/*.sync")
    + glob.glob("Tests/SyncCheckTests/Corpus/*.sync")
    + glob.glob("Tests/RuleTestCorpus/*.sync")
    + glob.glob("Tests/SyncRuntimeTests/StreamCorpus/**/*.sync", recursive=True)
    + glob.glob("docs/examples/*.sync")
    + glob.glob("stdlib-rules/*.sync"))
for path in sync_files:
    # The parser corpus marks where diagnostics start with ⟨1⟩, ⟨2⟩ …
    text = re.sub("⟨[0-9]+⟩", "", read(path).decode())
    put("rules", path.replace("/", "-"), text)
for path in sorted(glob.glob("docs/*.md")):
    for index, block in enumerate(fenced(path, "sync")):
        put("rules", f"{os.path.basename(path)}-{index}.sync", block)
for path in sorted(glob.glob("Tests/RuleTestCorpus/*.test.yaml") + glob.glob("stdlib-rules/*.test.yaml") + glob.glob("docs/examples/*.test.yaml")):
    for doc in yaml_docs(path):
        for index, case in enumerate(doc.get("cases", []) if isinstance(doc, dict) else []):
            if isinstance(case, dict) and isinstance(case.get("source"), str):
                put("rules", f"{os.path.basename(path)}-{index}.sync", case["source"])

# --- objects: the inputs of the stream corpus, the examples and the rule tests.
stream_inputs = sorted(glob.glob("Tests/SyncRuntimeTests/StreamCorpus/*/input.*"))
objects = []
def collect(value):
    if isinstance(value, dict):
        if value.get("kind") == "List" and isinstance(value.get("items"), list):
            for item in value["items"]:
                collect(item)
        elif isinstance(value.get("object"), dict):  # a watch frame
            collect(value["object"])
        elif "apiVersion" in value:
            objects.append(value)

for path in stream_inputs:
    data = read(path)
    name = path.split("/")[-2] + "-" + os.path.basename(path)
    (put("yaml" if path.endswith(".yaml") else "json-stream", name, data))
    if path.endswith(".yaml"):
        for doc in yaml_docs(path):
            collect(doc)
    else:
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                collect(json.loads(line.lstrip("\ufeff")))
            except ValueError:
                pass
        try:
            collect(json.loads(data.decode("utf-8-sig")))
        except ValueError:
            pass
for path in sorted(glob.glob("docs/examples/*.json") + glob.glob("Tests/RuleTestCorpus/fixtures/*.json")):
    put("json-stream", path.replace("/", "-"), read(path))
    collect(json.loads(read(path)))
for path in sorted(glob.glob("docs/examples/*.yaml") + glob.glob("Tests/RuleTestCorpus/fixtures/*.yaml") + glob.glob("Tests/RuleTestCorpus/*.yaml") + glob.glob("stdlib-rules/*.test.yaml")):
    put("yaml", path.replace("/", "-"), read(path))
    for doc in yaml_docs(path):
        collect(doc)
        if isinstance(doc, dict):
            for case in doc.get("cases", []) or []:
                if isinstance(case, dict):
                    for key in ("input", "output"):
                        collect(case.get(key))
for path in sorted(glob.glob("docs/*.md")):
    for index, block in enumerate(fenced(path, "yaml")):
        put("yaml", f"{os.path.basename(path)}-{index}.yaml", block)
    for index, block in enumerate(fenced(path, "json")):
        put("json-stream", f"{os.path.basename(path)}-{index}.json", block)

for index, obj in enumerate(objects):
    kind = str(obj.get("kind", "object"))
    put("evaluator", f"{index:03d}-{kind}.json", compact(obj))
# The smaller objects, a dozen at a time, as NDJSON, a List, watch frames and YAML
# documents: the shapes apply reads.
small = [o for o in objects if len(compact(o)) <= 1200]
for start in range(0, len(small), 12):
    batch = small[start:start + 12]
    tag = f"{start // 12:02d}"
    put("json-stream", f"objects-{tag}.ndjson", "".join(compact(o) + "\n" for o in batch))
    put("json-stream", f"objects-{tag}-list.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": batch, "metadata": {"resourceVersion": ""}}, indent=4, default=str))
    put("json-stream", f"objects-{tag}-watch.ndjson", "".join(compact({"type": "ADDED", "object": o}) + "\n" for o in batch))
    put("yaml", f"objects-{tag}.yaml", yaml.safe_dump_all(batch, sort_keys=False))

# --- JSONTestSuite (MIT, see Fuzz/corpus/JSONTestSuite-LICENSE): the parsing cases.
if os.path.isdir(suite):
    for path in sorted(glob.glob(os.path.join(suite, "test_parsing", "*.json"))):
        data = read(path)
        if len(data) <= 4096:
            put("json-stream", "jsontestsuite-" + os.path.basename(path), data)
    with open(os.path.join(out, "JSONTestSuite-LICENSE"), "wb") as f:
        f.write(read(os.path.join(suite, "LICENSE")))

# --- json-patch: the RFC 6902 cases of the rule tests (patch, NUL, document), and
# patches of the docs against the fixed document.
for path in sorted(glob.glob("Tests/RuleTestCorpus/*.test.yaml") + glob.glob("stdlib-rules/*.test.yaml")):
    for doc in yaml_docs(path):
        for index, case in enumerate(doc.get("cases", []) if isinstance(doc, dict) else []):
            if not isinstance(case, dict) or not isinstance(case.get("source"), str):
                continue
            for patch in re.findall(r"patch (\[.*?\n\s*\])", case["source"], re.S):
                try:
                    operations = json.loads(patch)
                except ValueError:
                    continue
                target = case.get("input")
                data = compact(operations).encode()
                if target is not None:
                    data += b"\0" + compact(target).encode()
                put("json-patch", f"{os.path.basename(path)}-{index}.json", data)
fixed = [
    [{"op": "add", "path": "/spec/replicas", "value": 0}],
    [{"op": "replace", "path": "/metadata/labels/app", "value": "standby"}, {"op": "test", "path": "/kind", "value": "Deployment"}],
    [{"op": "remove", "path": "/spec/template/spec/containers/0/args/0"}],
    [{"op": "move", "from": "/list/3/1", "path": "/list/-"}],
    [{"op": "copy", "from": "/metadata/annotations/a~1b", "path": "/metadata/annotations/c~0d"}],
    [{"op": "add", "path": "/spec/template/spec/tolerations/0", "value": {"key": "k", "operator": "Exists"}}],
    [{"op": "test", "path": "/list/4/k", "value": None}, {"op": "remove", "path": "/"}],
    [{"op": "move", "from": "/spec", "path": "/spec/template"}],
    [{"op": "add", "path": "", "value": []}],
]
for index, patch in enumerate(fixed):
    put("json-patch", f"fixed-document-{index}.json", compact(patch))

# --- kubeconfig: the files the KubeClient tests write.
swift_string = re.compile(r'"""\n(.*?)\n\s*"""', re.S)
for path in sorted(glob.glob("Tests/KubeClientTests/*.swift")):
    for index, block in enumerate(swift_string.findall(read(path).decode())):
        if not re.search(r"^\s*(clusters|users|contexts|current-context):", block, re.M):
            continue
        lines = block.split("\n")
        indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
        text = "\n".join(l[indent:] for l in lines) + "\n"
        text = re.sub(r"\\\((?:[^()]|\([^()]*\))*\)", "/tmp/placeholder", text)
        put("kubeconfig", f"{os.path.basename(path)}-{index}.yaml", text)
kubeconfigs = [read(os.path.join(out, "kubeconfig", name)) for name in sorted(os.listdir(os.path.join(out, "kubeconfig")))]
# Two files cut at a NUL, merged as KUBECONFIG=a:b would be.
for index, (first, second) in enumerate(zip(kubeconfigs, kubeconfigs[1:] + kubeconfigs[:1])):
    put("kubeconfig", f"merged-{index}.yaml", first + b"\0" + second)
PY

du -sh Fuzz/corpus
for target in Fuzz/corpus/*/; do echo "$(ls "$target" | wc -l) $target"; done
