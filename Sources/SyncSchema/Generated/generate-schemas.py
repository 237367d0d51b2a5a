#!/usr/bin/env python3
"""Generate Sources/SyncSchema/Generated/BuiltInSchemaData.swift (and its +SecondHalf).

Reads the Kubernetes JSON Schema definitions shipped in the PyPI package
`kubernetes-validate` and writes a normalized, trimmed subset of them as a Swift
string literal. The loader (Sources/SyncSchema/SchemaBuilder.swift) reads this with
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
import subprocess
import sys
import tempfile
import zipfile

PACKAGE = "kubernetes-validate"
PACKAGE_VERSION = "1.37.0"
DEFAULT_MINOR = "1.34"
REF_PREFIX = "#/$defs/"
OUTPUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "BuiltInSchemaData.swift")

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


def render(minor, data, source_line):
    """The Swift file: one definition per line inside a raw multi-line literal."""
    lines = []
    header = {key: data[key] for key in ("kubernetesVersion", "source", "kinds")}
    header_text = json.dumps(header, sort_keys=True, separators=(",", ":"))
    lines.append(header_text[:-1] + ',"definitions":{')
    names = sorted(data["definitions"])
    for index, name in enumerate(names):
        entry = json.dumps(name) + ":" + json.dumps(
            data["definitions"][name], sort_keys=True, separators=(",", ":"),
            ensure_ascii=False)
        lines.append(entry + ("," if index + 1 < len(names) else ""))
    lines.append("}}")
    body = "\n".join(lines)
    if '"""#' in body:
        sys.exit("the data contains the literal's closing delimiter")
    # Two files of about equal length, so neither grows past what the project reads in
    # one sitting; the reader joins them with the newline the split removed.
    middle = len(lines) // 2
    banner = (
        "// Generated by Sources/SyncSchema/Generated/generate-schemas.py. Do not edit.\n"
        f"// {source_line}\n"
        "// swift-format-ignore-file\n\n")
    first = (
        banner
        + "/// Built-in Kubernetes schemas, read once by `SchemaRegistry.builtIn`.\n"
        "enum BuiltInSchemaData {\n"
        f"  /// The Kubernetes minor the definitions come from.\n"
        f"  static let kubernetesVersion = \"{minor}\"\n\n"
        "  /// `{kubernetesVersion, source, kinds: [{group, version, kind, namespaced,\n"
        "  /// definition}], definitions: {name: schema}}` as compact JSON, one definition\n"
        "  /// per line.\n"
        "  static var json: String { firstHalf + \"\\n\" + secondHalf }\n\n"
        "  static let firstHalf = #\"\"\"\n"
        + "\n".join(lines[:middle]) + "\n"
        "\"\"\"#\n"
        "}\n")
    second = (
        banner
        + "extension BuiltInSchemaData {\n"
        "  static let secondHalf = #\"\"\"\n"
        + "\n".join(lines[middle:]) + "\n"
        "\"\"\"#\n"
        "}\n")
    return first, second


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", help="a downloaded kubernetes-validate wheel")
    parser.add_argument("--minor", default=DEFAULT_MINOR, help="Kubernetes minor, e.g. 1.34")
    parser.add_argument("--output", default=OUTPUT)
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
    first, second = render(args.minor, data, source_line)
    output = os.path.normpath(args.output)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    second_output = output[: -len(".swift")] + "+SecondHalf.swift"
    for path, text in ((output, first), (second_output, second)):
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    text = first + second
    print(f"source: {PACKAGE} {version} ({os.path.basename(wheel)}), {member}")
    print(f"sha256: {digest}")
    print(f"kinds: {len(kinds)} ({sum(not k['namespaced'] for k in kinds)} cluster-scoped), "
          f"definitions: {len(trimmed)} of {len(definitions)}")
    print(f"wrote {output} and {second_output} ({len(text.encode())} bytes)")


if __name__ == "__main__":
    main()
