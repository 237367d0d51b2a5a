#!/usr/bin/env python3
"""Generate Sources/SyncSchema/Generated/BuiltInSchemaData*.swift, one file per API group.

Reads the Kubernetes JSON Schema definitions shipped in the PyPI package
`kubernetes-validate` and writes a normalized, trimmed subset of them as Swift
string literals, one file per API group package (core, apps, batch, ...). The loader (Sources/SyncSchema/SchemaBuilder.swift) reads this with
the same code that reads CRD `openAPIV3Schema` documents, so the output keeps the
OpenAPI key names and only normalizes what the two sources spell differently.

Usage:
  Sources/SyncSchema/Generated/generate-schemas.py                 # download the pinned wheel, write the file
  Sources/SyncSchema/Generated/generate-schemas.py --wheel X.whl   # use a wheel already on disk
  Sources/SyncSchema/Generated/generate-schemas.py --minor 1.35    # another Kubernetes minor

The output is deterministic: same wheel and minor, same bytes.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate"
PACKAGE_VERSION = "1.37.0"
DEFAULT_MINOR = "1.34"
REF_PREFIX = "#/$defs/"
OUTPUT = os.path.dirname(os.path.abspath(__file__))

# The definitions do not say which kinds are cluster-scoped. This is every
# cluster-scoped kind with ObjectMeta from v1.25 to v1.37, checked against the
# Kubernetes API reference and k8s-openapi's generated `Scope` types. Keyed by
# (group, kind): scope does not change between versions of a group.
CLUSTER_SCOPED = {
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("networking.k8s.io", "ClusterCIDR"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "DeviceTaintRule"),
    ("resource.k8s.io", "ResourceClass"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
}

# The namespaced kinds, listed too so that a new minor with a kind in neither set
# stops the script instead of guessing.
NAMESPACED = {
    ("", "Binding"), ("", "ConfigMap"), ("", "Endpoints"), ("", "Event"),
    ("", "LimitRange"), ("", "PersistentVolumeClaim"), ("", "Pod"), ("", "PodTemplate"),
    ("", "ReplicationController"), ("", "ResourceQuota"), ("", "Secret"), ("", "Service"),
    ("", "ServiceAccount"),
    ("apps", "ControllerRevision"), ("apps", "DaemonSet"), ("apps", "Deployment"),
    ("apps", "ReplicaSet"), ("apps", "StatefulSet"),
    ("authentication.k8s.io", "TokenRequest"),
    ("authorization.k8s.io", "LocalSubjectAccessReview"),
    ("autoscaling", "HorizontalPodAutoscaler"), ("autoscaling", "Scale"),
    ("batch", "CronJob"), ("batch", "Job"),
    ("certificates.k8s.io", "PodCertificateRequest"),
    ("coordination.k8s.io", "Lease"), ("coordination.k8s.io", "LeaseCandidate"),
    ("discovery.k8s.io", "EndpointSlice"),
    ("events.k8s.io", "Event"),
    ("networking.k8s.io", "Ingress"), ("networking.k8s.io", "NetworkPolicy"),
    ("policy", "Eviction"), ("policy", "PodDisruptionBudget"),
    ("rbac.authorization.k8s.io", "Role"), ("rbac.authorization.k8s.io", "RoleBinding"),
    ("resource.k8s.io", "PodScheduling"), ("resource.k8s.io", "PodSchedulingContext"),
    ("resource.k8s.io", "ResourceClaim"), ("resource.k8s.io", "ResourceClaimParameters"),
    ("resource.k8s.io", "ResourceClaimTemplate"),
    ("resource.k8s.io", "ResourceClassParameters"),
    ("scheduling.k8s.io", "PodGroup"), ("scheduling.k8s.io", "Workload"),
    ("storage.k8s.io", "CSIStorageCapacity"),
}

# Alpha kinds of v1.36/v1.37 whose scope was not verified; treated as namespaced with
# a warning. Not in the default minor.
UNVERIFIED = {
    ("lifecycle.k8s.io", "Eviction"),
    ("lifecycle.k8s.io", "EvictionRequest"),
    ("resource.k8s.io", "ResourcePoolStatusRequest"),
    ("scheduling.k8s.io", "CompositePodGroup"),
}

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# Keys copied unchanged when present.
PLAIN_KEYS = (
    "description",
    "format",
    "enum",
    "required",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
    # Strategic merge patch (the test API server's `application/strategic-merge-patch+json`).
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-patch-strategy",
    # Validation keywords and defaults, which the checker enforces on literal values.
    # Kubernetes 1.34's built-in definitions have none of them (their validation is Go
    # code), but a later minor may, and CRDs use the same reader.
    "default",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)


def fetch_wheel(directory):
    """Downloads the pinned wheel with pip and returns its path."""
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         "--dest", directory, f"{PACKAGE}=={PACKAGE_VERSION}"],
        check=True)
    wheels = [name for name in os.listdir(directory) if name.endswith(".whl")]
    if len(wheels) != 1:
        sys.exit(f"expected one wheel in {directory}, found {wheels}")
    return os.path.join(directory, wheels[0])


def collapse_type(value):
    """Drops the `null` alternative: every optional field is nullable in Kubernetes."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    types = sorted(t for t in value if t != "null")
    if not types:
        return None
    return types[0] if len(types) == 1 else types


def normalize(node, where):
    """Returns the trimmed form of one schema node."""
    if not isinstance(node, dict):
        sys.exit(f"{where}: schema node is not an object")
    out = {}
    ref = node.get("$ref")
    if ref is not None:
        if not ref.startswith(REF_PREFIX):
            sys.exit(f"{where}: unexpected $ref {ref}")
        out["$ref"] = ref[len(REF_PREFIX):]
    for key in PLAIN_KEYS:
        if key in node:
            out[key] = node[key]
    types = collapse_type(node.get("type"))
    alternatives = node.get("oneOf") or node.get("anyOf")
    if alternatives is not None:
        # IntOrString and Quantity are the only unions in the built-in definitions.
        union = set()
        for alternative in alternatives:
            collapsed = collapse_type(alternative.get("type"))
            if collapsed is None or set(alternative) - {"type"}:
                sys.exit(f"{where}: unsupported union {alternatives}")
            union.update([collapsed] if isinstance(collapsed, str) else collapsed)
        if union == {"integer", "string"}:
            out["x-kubernetes-int-or-string"] = True
            types = None
        elif union == {"number", "string"}:
            out["x-syncrules-quantity"] = True
            types = ["number", "string"]
        else:
            sys.exit(f"{where}: unsupported union {sorted(union)}")
    if types is not None:
        out["type"] = types
    if "properties" in node:
        out["properties"] = {
            name: normalize(child, f"{where}.{name}")
            for name, child in node["properties"].items()
        }
    if isinstance(node.get("items"), dict):
        out["items"] = normalize(node["items"], f"{where}[]")
    additional = node.get("additionalProperties")
    if isinstance(additional, dict):
        out["additionalProperties"] = normalize(additional, f"{where}{{}}")
    elif additional is True:
        out["additionalProperties"] = True
    return out


def resource_kinds(definitions):
    """Lists (group, version, kind, namespaced, definition) for real resources.

    A resource is a definition with exactly one group-version-kind whose `metadata`
    is ObjectMeta. That leaves out lists (ListMeta), Status, APIGroup and friends
    (no ObjectMeta) and DeleteOptions/WatchEvent (tagged with every group).
    """
    kinds = []
    for name, node in definitions.items():
        gvks = node.get("x-kubernetes-group-version-kind") or []
        metadata = node.get("properties", {}).get("metadata", {})
        if len(gvks) != 1 or metadata.get("$ref") != REF_PREFIX + OBJECT_META:
            continue
        gvk = gvks[0]
        key = (gvk["group"], gvk["kind"])
        if key in UNVERIFIED:
            print(f"warning: scope of {key} not verified; treated as namespaced",
                  file=sys.stderr)
        elif key not in CLUSTER_SCOPED and key not in NAMESPACED:
            sys.exit(f"{name}: add {key} to CLUSTER_SCOPED or NAMESPACED")
        namespaced = key not in CLUSTER_SCOPED
        kinds.append({
            "group": gvk["group"],
            "version": gvk["version"],
            "kind": gvk["kind"],
            "namespaced": namespaced,
            "definition": name,
        })
    kinds.sort(key=lambda k: (k["group"], k["version"], k["kind"]))
    return kinds


def references(node):
    """Yields the definition names a schema node refers to, at any depth."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            yield ref[len(REF_PREFIX):]
        for value in node.values():
            yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def reachable(definitions, roots):
    """Names of the definitions reachable from `roots` through `$ref`."""
    seen = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(references(definitions[name]))
    return seen


WIDTH = 100


def file_key(definition):
    """The API group package a definition belongs to: `apps`, `core`, `apimachinery`…

    The generated data is split by this key, one Swift file per key, so that a change
    to one API group touches one file.
    """
    parts = definition.split(".")
    if parts[:3] == ["io", "k8s", "api"]:
        return parts[3]
    if parts[:3] == ["io", "k8s", "apimachinery"]:
        return "apimachinery"
    if parts[:3] == ["io", "k8s", "apiextensions-apiserver"]:
        return "apiextensions"
    if parts[:3] == ["io", "k8s", "kube-aggregator"]:
        return "apiregistration"
    sys.exit(f"{definition}: no file for this definition's package")


def swift_name(key):
    """`admissionregistration` → `admissionregistration`, `core` → `core`."""
    return re.sub(r"[^A-Za-z0-9]", "", key)


def wrap(line):
    """Cuts a line longer than WIDTH at spaces inside it, with `\\#` line continuations.

    A raw multi-line literal drops a `\\#` and the line feed after it, so the string's
    value is the unwrapped line; only the source gets shorter lines.
    """
    pieces = []
    while len(line) > WIDTH:
        cut = line.rfind(" ", WIDTH // 2, WIDTH)
        if cut < 0:
            cut = line.find(" ", WIDTH)
            if cut < 0:
                break
        pieces.append(line[: cut + 1] + "\\#")
        line = line[cut + 1:]
    pieces.append(line)
    return pieces


def definition_lines(name, schema):
    """One definition as indented JSON: `"name": {` at column 0, members indented."""
    body = json.dumps(schema, sort_keys=True, indent=1, ensure_ascii=False)
    text = json.dumps(name) + ": " + body
    out = []
    for line in text.split("\n"):
        out.extend(wrap(line))
    return out


def render(minor, data, source_line):
    """The Swift files, by name: the index and one file per API group package."""
    kinds_by_key = {}
    for kind in data["kinds"]:
        kinds_by_key.setdefault(file_key(kind["definition"]), []).append(kind)
    names_by_key = {}
    for name in sorted(data["definitions"]):
        names_by_key.setdefault(file_key(name), []).append(name)
    banner = (
        "// Generated by Sources/SyncSchema/Generated/generate-schemas.py. Do not edit.\n"
        f"// {source_line}\n"
        "// swift-format-ignore-file\n\n")
    files = {}
    keys = sorted(names_by_key)
    index = [
        banner,
        "/// Built-in Kubernetes schemas, read once by `SchemaRegistry.builtIn`.\n",
        "enum BuiltInSchemaData {\n",
        "  /// The Kubernetes minor the definitions come from.\n",
        f"  static let kubernetesVersion = \"{minor}\"\n\n",
        "  /// Every API group package's kinds and definitions, one file each.\n",
        "  static let groups: [BuiltInSchemaGroup] = [\n",
    ]
    index += [f"    {swift_name(key)},\n" for key in keys]
    index += ["  ]\n", "}\n"]
    files["BuiltInSchemaData.swift"] = "".join(index)
    for key in keys:
        kinds = kinds_by_key.get(key, [])
        lines = [banner, "extension BuiltInSchemaData {\n"]
        described = ", ".join(sorted({k["kind"] for k in kinds})) or "none"
        lines.append(f"  /// `{key}`: definitions in its packages; kinds: {described}.\n"
                     if len(described) < 60 else
                     f"  /// `{key}`: definitions in its packages, and the kinds they define.\n")
        lines.append(f"  static let {swift_name(key)} = BuiltInSchemaGroup(\n")
        lines.append("    kinds: [\n" if kinds else "    kinds: [],\n")
        for kind in kinds:
            lines.append(
                f"      .init(group: {json.dumps(kind['group'])}, "
                f"version: {json.dumps(kind['version'])}, kind: {json.dumps(kind['kind'])},\n"
                f"        namespaced: {'true' if kind['namespaced'] else 'false'}, "
                f"definition: {json.dumps(kind['definition'])}),\n")
        if kinds:
            lines.append("    ],\n")
        body = []
        for name in names_by_key[key]:
            body.extend(definition_lines(name, data["definitions"][name]))
        text = "\n".join(body)
        if '"""#' in text or "\\#" in text.replace("\\#\n", ""):
            sys.exit(f"{key}: the data contains the literal's delimiter or escape")
        lines.append("    definitions: #\"\"\"\n" + text + "\n\"\"\"#)\n")
        lines.append("}\n")
        files[f"BuiltInSchemaData+{key[0].upper() + key[1:]}.swift"] = "".join(lines)
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", help="a downloaded kubernetes-validate wheel")
    parser.add_argument("--minor", default=DEFAULT_MINOR, help="Kubernetes minor, e.g. 1.34")
    parser.add_argument("--output", default=OUTPUT, help="the directory to write to")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        wheel = args.wheel or fetch_wheel(directory)
        member = (f"kubernetes_validate/kubernetes-json-schema/"
                  f"v{args.minor}.0-local/_definitions.json")
        with zipfile.ZipFile(wheel) as archive:
            raw = archive.read(member)
            metadata = archive.read(next(
                n for n in archive.namelist() if n.endswith(".dist-info/METADATA")))
    version = next(line.split(":", 1)[1].strip()
                   for line in metadata.decode().splitlines()
                   if line.startswith("Version:"))
    digest = hashlib.sha256(raw).hexdigest()
    definitions = json.loads(raw)["$defs"]

    kinds = resource_kinds(definitions)
    # Keep what the resource kinds need; the rest (List types, review requests'
    # internal types of removed groups, ...) would only cost compile time.
    keep = reachable(definitions, [k["definition"] for k in kinds])
    trimmed = {name: normalize(definitions[name], name) for name in sorted(keep)}
    source = f"{PACKAGE} {version}, Kubernetes v{args.minor}"
    data = {
        "kubernetesVersion": args.minor,
        "source": source,
        "kinds": kinds,
        "definitions": trimmed,
    }
    source_line = f"Source: {source} ({member}, sha256 {digest[:16]})."
    files = render(args.minor, data, source_line)
    directory = os.path.normpath(args.output)
    os.makedirs(directory, exist_ok=True)
    # A group that a new minor drops must not leave its old file behind.
    for stale in os.listdir(directory):
        if stale.startswith("BuiltInSchemaData") and stale.endswith(".swift") \
                and stale not in files:
            os.remove(os.path.join(directory, stale))
    for name, text in files.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as handle:
            handle.write(text)
    size = sum(len(text.encode()) for text in files.values())
    print(f"source: {PACKAGE} {version} ({os.path.basename(wheel)}), {member}")
    print(f"sha256: {digest}")
    print(f"kinds: {len(kinds)} ({sum(not k['namespaced'] for k in kinds)} cluster-scoped), "
          f"definitions: {len(trimmed)} of {len(definitions)}")
    print(f"wrote {len(files)} files to {directory} ({size} bytes)")

if __name__ == "__main__":
    main()
