#!/usr/bin/env python3
"""Compares two object streams object for object, whatever their layout.

    compare.py A B [--names syncrules,jq]

Each file may be JSON (a `kind: …List`, one or more top-level values: pretty, NDJSON or
watch frames) or YAML (multi-document). The items of a List are compared one by one and
so is the List's envelope; a watch frame is compared whole (type and object). Values are
compared in a canonical form (keys sorted; true, 1 and 1.0 are all different), so
formatting and key order do not matter, types and values do.

Exit 0 and one summary line when every object agrees; exit 1 with the first differing
object (its position, kind, namespace/name and a diff) otherwise.
"""

import argparse
import difflib
import itertools
import json
import sys

_decoder = json.JSONDecoder()
_WS = " \t\r\n"


def _skip_ws(text, i):
    n = len(text)
    while i < n and text[i] in _WS:
        i += 1
    return i


def _json_objects(text, envelope):
    """Yields the items of Lists and the other top-level values, one at a time."""
    i = _skip_ws(text, 0)
    n = len(text)
    while i < n:
        if text[i] != "{":
            value, i = _decoder.raw_decode(text, i)
            yield value
            i = _skip_ws(text, i)
            continue
        # A top-level object: read member by member so that List items stream.
        start = i
        members = {}
        items_seen = False
        i = _skip_ws(text, i + 1)
        if text[i] == "}":
            yield {}
            i = _skip_ws(text, i + 1)
            continue
        while True:
            key, i = _decoder.raw_decode(text, i)
            i = _skip_ws(text, i)
            assert text[i] == ":", f"expected ':' at {i}"
            i = _skip_ws(text, i + 1)
            if key == "items" and text[i] == "[" and not items_seen:
                items_seen = True
                i = _skip_ws(text, i + 1)
                if text[i] == "]":
                    i += 1
                else:
                    while True:
                        item, i = _decoder.raw_decode(text, i)
                        yield item
                        i = _skip_ws(text, i)
                        if text[i] == ",":
                            i = _skip_ws(text, i + 1)
                            continue
                        assert text[i] == "]", f"expected ']' at {i}"
                        i += 1
                        break
                members["items"] = None
            else:
                value, i = _decoder.raw_decode(text, i)
                members[key] = value
            i = _skip_ws(text, i)
            if text[i] == ",":
                i = _skip_ws(text, i + 1)
                continue
            assert text[i] == "}", f"expected '}}' at {i}"
            i = _skip_ws(text, i + 1)
            break
        if items_seen and str(members.get("kind", "List")).endswith("List"):
            del members["items"]
            envelope.append(members)
        else:
            if items_seen:  # an object with an `items` array that is not a List
                raise SystemExit(f"unsupported: non-List object with items at offset {start}")
            yield members


def _yaml_objects(path, envelope):
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):
        pass

    # Timestamps stay strings, as they do for Kubernetes (sigs.k8s.io/yaml); YAML 1.1
    # booleans (yes/no/on/off) stay booleans, as they do for kubectl.
    Loader.yaml_implicit_resolvers = {
        k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
        for k, v in base.yaml_implicit_resolvers.items()
    }
    with open(path, "rb") as f:
        for doc in yaml.load_all(f, Loader=Loader):
            if doc is None:
                continue
            if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
                items = doc.pop("items")
                envelope.append(doc)
                yield from items
            else:
                yield doc


def objects(path, envelope):
    with open(path, "rb") as f:
        head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        with open(path, "r", encoding="utf-8") as f:
            text = f.read()
        yield from _json_objects(text, envelope)
    else:
        yield from _yaml_objects(path, envelope)


def canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def describe(value):
    obj = value.get("object", value) if isinstance(value, dict) else value
    if not isinstance(obj, dict):
        return repr(obj)[:80]
    meta = obj.get("metadata") or {}
    name = meta.get("name", "?")
    if meta.get("namespace"):
        name = f"{meta['namespace']}/{name}"
    return f"{obj.get('apiVersion', '?')} {obj.get('kind', '?')} {name}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--names", default="A,B")
    args = ap.parse_args()
    name_a, name_b = args.names.split(",")
    env_a, env_b = [], []
    count = 0
    for x, y in itertools.zip_longest(objects(args.a, env_a), objects(args.b, env_b)):
        if x is None or y is None:
            present, value = (name_a, x) if y is None else (name_b, y)
            print(f"MISMATCH after {count} agreeing objects: only {present} has object {count + 1} "
                  f"({describe(value)})", file=sys.stderr)
            return 1
        cx, cy = canonical(x), canonical(y)
        if cx != cy:
            print(f"MISMATCH at object {count + 1}: {name_a}: {describe(x)}; {name_b}: {describe(y)}", file=sys.stderr)
            lx = json.dumps(x, sort_keys=True, indent=2, ensure_ascii=False).splitlines()
            ly = json.dumps(y, sort_keys=True, indent=2, ensure_ascii=False).splitlines()
            diff = list(difflib.unified_diff(lx, ly, name_a, name_b, lineterm="", n=2))
            print("\n".join(diff[:80]), file=sys.stderr)
            if len(diff) > 80:
                print(f"... ({len(diff) - 80} more diff lines)", file=sys.stderr)
            return 1
        count += 1
    if [canonical(e) for e in env_a] != [canonical(e) for e in env_b]:
        print(f"MISMATCH in the List envelope: {name_a}: {env_a}; {name_b}: {env_b}", file=sys.stderr)
        return 1
    print(f"{count} objects agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
