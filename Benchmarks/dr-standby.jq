# Benchmarks/dr-standby.jq — docs/examples/dr-standby.sync written in jq 1.6, so that jq,
# gojq, jaq (and Debian's yq, which runs jq) do exactly the same work as syncrules on the same
# input, and the outputs can be compared object for object.
#
# Keep it in step with docs/examples/dr-standby.sync and the stdlib files it imports
# (std/skip-system-namespaces, std/skip-cluster-noise, std/strip-server-fields,
# std/service-portability, std/pvc-portability); Benchmarks/run.sh fails when the
# outputs differ.
#
# Input shapes, like `syncrules apply`: a `kind: …List` (its items are rewritten, the
# envelope kept), a watch frame ({"type": …, "object": …}: the object is rewritten,
# the frame kept; the frame is left out when the object is), or one object. Objects that
# are skipped or match no rule are left out.
#
#   jq -f dr-standby.jq list.json          # kubectl get -o json
#   jq -c -f dr-standby.jq objects.ndjson  # NDJSON and watch frames
#   yq -y -f dr-standby.jq objects.yaml    # YAML multi-document

# --- selection helpers: `match GROUP/VERSION Kind` and `match GROUP/Kind` -------------
def gv($apiVersion; $kind): .apiVersion == $apiVersion and .kind == $kind;
def gk($group; $kind): .kind == $kind and ((.apiVersion // "") | startswith($group + "/"));
def named($names): (.metadata.name // null) as $n | any($names[]; . == $n);

# --- skip: std/skip-system-namespaces, std/skip-cluster-noise, dr-standby's own --------
def skip_namespaces: ["kube-system", "kube-public", "kube-node-lease", "velero", "prometheus", "default"];
def skipped:
  ((.metadata.namespace // null) as $ns | any(skip_namespaces[]; . == $ns))
  or (gv("v1"; "Namespace") and named(skip_namespaces))
  or gv("v1"; "Event") or gk("events.k8s.io"; "Event")
  or gk("coordination.k8s.io"; "Lease")
  or any(.metadata.ownerReferences[]?; .controller == true)
  or gk("apps"; "ControllerRevision")
  or gv("v1"; "Endpoints")
  or (gk("discovery.k8s.io"; "EndpointSlice")
      and (.metadata.labels // {} | has("endpointslice.kubernetes.io/managed-by")))
  or (gv("v1"; "Secret") and .type == "kubernetes.io/service-account-token")
  or (gv("v1"; "ConfigMap") and named(["kube-root-ca.crt"]))
  or gv("v1"; "Node") or gk("storage.k8s.io"; "CSINode") or gk("storage.k8s.io"; "VolumeAttachment")
  or (gv("v1"; "ServiceAccount") and named(["default"]));

# --- groups: std/strip-server-fields, std/service-portability, std/pvc-portability ---
def strip_server_fields:
  del(.metadata.uid, .metadata.resourceVersion, .metadata.generation,
      .metadata.creationTimestamp, .metadata.deletionTimestamp,
      .metadata.deletionGracePeriodSeconds, .metadata.managedFields, .metadata.selfLink,
      .metadata.ownerReferences)
  # jq leaves a missing map alone on del; jaq (3.1) fails on it: only maps that exist.
  | (if .metadata.annotations then
       del(.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"])
     else . end);
def strip_status: del(.status);
def service_portability:
  (if .spec.clusterIP != "None" then del(.spec.clusterIP, .spec.clusterIPs) else . end)
  | (if .spec.ports then del(.spec.ports[].nodePort) else . end)
  | del(.spec.healthCheckNodePort)
  | (if .status then del(.status.loadBalancer) else . end);
def pvc_portability:
  del(.spec.volumeName)
  | (if .metadata.annotations then
       del(.metadata.annotations["pv.kubernetes.io/bind-completed"],
           .metadata.annotations["pv.kubernetes.io/bound-by-controller"],
           .metadata.annotations["volume.kubernetes.io/selected-node"],
           .metadata.annotations["volume.kubernetes.io/storage-provisioner"],
           .metadata.annotations["volume.beta.kubernetes.io/storage-provisioner"])
     else . end);

# --- rules -------------------------------------------------------------------------
def eklet: {key: "eks.tke.cloud.tencent.com/eklet", operator: "Exists", effect: "NoSchedule"};
def workload:
  strip_server_fields | strip_status
  | .spec.replicas = 0
  | .spec.template.spec.tolerations |= (if any(.[]?; . == eklet) then . else (. // []) + [eklet] end)
  | .spec.template.spec.schedulerName = "tke-scheduler"
  # `|= (. // {}) + {…}` rather than `.a["k"] = v`: jaq does not create a missing map.
  | .spec.template.metadata.annotations |= (. // {}) + {
      "AUTO_SCALE_EKS": "true",
      "eks.tke.cloud.tencent.com/resolv-conf": "nameserver 10.10.248.248\nnameserver 10.10.249.249\n"
    };

# One object in, the rewritten object or nothing out.
def rewrite:
  if skipped then empty
  elif gv("v1"; "Namespace") then strip_server_fields | strip_status
  elif gv("apps/v1"; "Deployment") or gv("apps/v1"; "StatefulSet") then workload
  elif gv("v1"; "ConfigMap") or gv("v1"; "Secret") then strip_server_fields
  elif gv("v1"; "ServiceAccount") then strip_server_fields
  elif gv("v1"; "PersistentVolumeClaim") then strip_server_fields | strip_status | pvc_portability
  elif gv("v1"; "Service") then strip_server_fields | strip_status | service_portability
  elif gv("networking.k8s.io/v1"; "Ingress") then strip_server_fields | strip_status
  elif gv("networking.k8s.io/v1"; "IngressClass") then strip_server_fields
  else empty
  end;

if (.kind? // "" | endswith("List")) and (.items | type) == "array" then
  .items |= map(rewrite)
elif type == "object" and length == 2 and has("type") and has("object") then
  if .type == "BOOKMARK" or .type == "ERROR" then . else (.object | rewrite) as $o | .object = $o end
else
  rewrite
end
