#!/usr/bin/env python3
"""Write the inputs of the `real` test (Falco 0.44.1 vs bulkhead, same plugins).

    gen_inputs.py OUTDIR

writes
    OUTDIR/k8saudit.jsonl        Kubernetes audit events for the k8saudit plugin
    OUTDIR/cloudtrail/...        CloudTrail log files for the cloudtrail plugin

Everything is deterministic: fixed timestamps, fixed ids, no randomness, and
the gzip file is written with mtime 0. Only the standard library is used.

k8saudit: every rule of k8s_audit_rules-k8saudit-0.15.0.yaml that can fire
does fire at least once with `rule_matching: all`, and also with
`rule_matching: first` (each such rule has at least one event where it is the
first rule in file order that matches). Five rules cannot fire at all with the
rules file as shipped; none is `enabled: false`, they are switched off through
macros:
  - Create Disallowed Pod: `not allowed_k8s_containers`, and that macro is
    k8s_audit_always_true.
  - All K8s Audit Events: `kall` needs consider_all_events, which is
    k8s_audit_never_true.
  - Full K8s Administrative Access: `not allowed_full_admin_users`, always true
    macro.
  - Untrusted Node Successfully Joined the Cluster and
    Untrusted Node Unsuccessfully Tried to Join the Cluster:
    `not allow_all_k8s_nodes`, always true macro.
Events for them are still in the file (a node joining, an admin doing things),
so a wrong evaluation of those macros would show up as extra alerts.

Attach/Exec Pod needs `kevt_started` (stage ResponseStarted), and port-forward
has no stage condition at all, so a few events are ResponseStarted; all the
others are ResponseComplete, plus a few RequestReceived ones that must fire
nothing.

cloudtrail: every rule of aws_cloudtrail_rules-cloudtrail-0.13.0.yaml fires
with `rule_matching: all`, except the two that are `enabled: false`:
  - All Cloudtrail Events
  - List Buckets (a ListBuckets record is in the input, and must fire nothing)
With `rule_matching: first` two more can never be first, because their
condition implies the one of an earlier rule:
  - Console Root Login Without MFA (implies Console Login Without MFA)
  - Run Instances in Non-approved Region (implies Run Instances)
"""

import copy
import datetime
import gzip
import json
import os
import sys

BASE_TIME = datetime.datetime(2024, 3, 1, 10, 0, 0, tzinfo=datetime.timezone.utc)


def dump(obj):
    """Compact JSON, keys in insertion order, UTF-8 kept as is."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------
# Kubernetes audit events
# --------------------------------------------------------------------------

ADMIN = "kubernetes-admin"          # allowed, non-system, not "Disallowed"
ADMIN_GROUPS = ["system:masters", "system:authenticated"]
ALICE = "alice"                     # not in allowed_k8s_users
ODD_USER = 'mallory "the" \\ ünïcödé\tuser'   # quotes, backslash, UTF-8, tab

K8S_URI_PREFIX = {
    "pods": "/api/v1",
    "services": "/api/v1",
    "configmaps": "/api/v1",
    "namespaces": "/api/v1",
    "serviceaccounts": "/api/v1",
    "secrets": "/api/v1",
    "nodes": "/api/v1",
    "deployments": "/apis/apps/v1",
    "roles": "/apis/rbac.authorization.k8s.io/v1",
    "clusterroles": "/apis/rbac.authorization.k8s.io/v1",
    "rolebindings": "/apis/rbac.authorization.k8s.io/v1",
    "clusterrolebindings": "/apis/rbac.authorization.k8s.io/v1",
    "ingresses": "/apis/networking.k8s.io/v1",
}
K8S_API_GROUP = {
    "deployments": ("apps", "v1"),
    "roles": ("rbac.authorization.k8s.io", "v1"),
    "clusterroles": ("rbac.authorization.k8s.io", "v1"),
    "rolebindings": ("rbac.authorization.k8s.io", "v1"),
    "clusterrolebindings": ("rbac.authorization.k8s.io", "v1"),
    "ingresses": ("networking.k8s.io", "v1"),
}
KIND_OF = {
    "pods": "Pod", "services": "Service", "configmaps": "ConfigMap",
    "namespaces": "Namespace", "serviceaccounts": "ServiceAccount",
    "secrets": "Secret", "nodes": "Node", "deployments": "Deployment",
    "roles": "Role", "clusterroles": "ClusterRole",
    "rolebindings": "RoleBinding", "clusterrolebindings": "ClusterRoleBinding",
    "ingresses": "Ingress",
}
REASON_TEXT = {200: None, 201: None, 403: "Forbidden", 404: "NotFound",
               409: "AlreadyExists", 422: "Invalid"}


class K8sAudit:
    def __init__(self):
        self.n = 0
        self.lines = []

    def _stamp(self, style):
        """Fixed, increasing timestamps; `style` picks the fraction format."""
        t = BASE_TIME + datetime.timedelta(seconds=7 * self.n,
                                           microseconds=1000 * self.n + 17)
        whole = t.strftime("%Y-%m-%dT%H:%M:%S")
        if style == "none":
            return whole + "Z"
        if style == "nano":
            return whole + ".%06d%03dZ" % (t.microsecond, 123)
        return whole + ".%06dZ" % t.microsecond

    def event(self, verb, user, resource=None, name=None, namespace=None,
              subresource=None, uri=None, stage="ResponseComplete", code=None,
              decision="allow", reason=None, req=None, resp=None, groups=None,
              level="RequestResponse", ts_style="micro", impersonate=None,
              extra_annotations=None):
        self.n += 1
        i = self.n
        if code is None:
            code = 201 if verb == "create" else 200
        if uri is None:
            uri = K8S_URI_PREFIX.get(resource, "/api/v1")
            if namespace and resource != "namespaces":
                uri += "/namespaces/" + namespace
            uri += "/" + resource
            if name and verb not in ("create", "list", "watch"):
                uri += "/" + name
            if subresource:
                uri += "/" + subresource
        if groups is None:
            groups = ADMIN_GROUPS if user == ADMIN else ["system:authenticated"]
        if reason is None:
            reason = ('RBAC: allowed by ClusterRoleBinding "cluster-admin" of '
                      'ClusterRole "cluster-admin" to Group "system:masters"'
                      if decision == "allow" else "")
        ts = self._stamp(ts_style)
        received = self._stamp("micro")
        ev = {
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": level,
            "auditID": "%08x-0000-4000-8000-%012x" % (0x5eed0000 + i, i),
            "stage": stage,
            "requestURI": uri,
            "verb": verb,
            "user": {"username": user, "groups": groups},
        }
        if impersonate:
            ev["impersonatedUser"] = {"username": impersonate,
                                      "groups": ["system:authenticated"]}
        ev["sourceIPs"] = ["10.0.0.%d" % (i % 250 + 1)]
        ev["userAgent"] = "kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819"
        if resource:
            ref = {"resource": resource}
            if namespace:
                ref["namespace"] = namespace
            if name:
                ref["name"] = name
            if subresource:
                ref["subresource"] = subresource
            group, version = K8S_API_GROUP.get(resource, ("", "v1"))
            if group:
                ref["apiGroup"] = group
            ref["apiVersion"] = version
            ev["objectRef"] = ref
        status = {"metadata": {}, "code": code}
        if REASON_TEXT.get(code):
            status["status"] = "Failure"
            status["reason"] = REASON_TEXT[code]
            status["message"] = "%s %s is %s" % (resource or "request", name or "",
                                                 REASON_TEXT[code].lower())
        ev["responseStatus"] = status
        if req is not None:
            ev["requestObject"] = req
        if resp is not None:
            ev["responseObject"] = resp
        ev["requestReceivedTimestamp"] = received
        ev["stageTimestamp"] = ts
        ann = {"authorization.k8s.io/decision": decision,
               "authorization.k8s.io/reason": reason}
        if extra_annotations:
            ann.update(extra_annotations)
        ev["annotations"] = ann
        return ev

    def add(self, *args, **kwargs):
        ev = self.event(*args, **kwargs)
        self.lines.append(dump(ev))
        return ev

    def raw(self, line):
        self.lines.append(line)


def obj(resource, name, namespace=None, **rest):
    o = {"kind": KIND_OF[resource],
         "apiVersion": "/".join(x for x in K8S_API_GROUP.get(resource, ("", "v1")) if x),
         "metadata": {"name": name}}
    if namespace:
        o["metadata"]["namespace"] = namespace
    o.update(rest)
    return o


def created(o, uid):
    """The responseObject the API server sends back for a create."""
    r = copy.deepcopy(o)
    md = r.setdefault("metadata", {})
    md["uid"] = "00000000-0000-4000-a000-%012d" % uid
    md["resourceVersion"] = str(1000 + uid)
    md["creationTimestamp"] = "2024-03-01T10:00:00Z"
    return r


def container(name, image, **rest):
    c = {"name": name, "image": image}
    c.update(rest)
    return c


def pod_create(k, user, name, namespace, containers, spec_extra=None,
               volumes=None, code=201, with_response=True, **kw):
    spec = {"containers": containers}
    if volumes is not None:
        spec["volumes"] = volumes
    if spec_extra:
        spec.update(spec_extra)
    req = obj("pods", name, namespace, spec=spec)
    resp = created(req, k.n + 1) if (with_response and code == 201) else None
    return k.add("create", user, "pods", name=name, namespace=namespace,
                 code=code, req=req, resp=resp, **kw)


def priv():
    return {"securityContext": {"privileged": True}}


def make_k8saudit():
    k = K8sAudit()

    # --- nothing fires -------------------------------------------------
    # Wrong stage: Disallowed K8s User needs kevt (ResponseComplete).
    k.add("create", ALICE, "pods", name="early", namespace="default",
          stage="RequestReceived",
          req=obj("pods", "early", "default",
                  spec={"containers": [container("c", "nginx:1.25")]}))
    # A controller listing pods (system user).
    k.add("list", "system:serviceaccount:kube-system:replicaset-controller",
          "pods", namespace="default",
          groups=["system:serviceaccounts", "system:serviceaccounts:kube-system",
                  "system:authenticated"])
    # Allowed users.
    k.add("list", "minikube", "nodes")
    k.add("get", "eks:node-manager", "nodes", name="ip-10-0-1-7")
    k.add("watch", "system:kube-scheduler", "pods", uri="/api/v1/pods?watch=true")

    # --- Disallowed K8s User ------------------------------------------
    k.add("get", ALICE, "pods", name="nginx", namespace="default")
    k.add("list", ODD_USER, "namespaces", ts_style="nano")
    k.add("get", ALICE, "configmaps", name="app-config", namespace="team-a",
          code=404, decision="forbid", reason="", ts_style="none")

    # --- pod creation rules -------------------------------------------
    # Create Privileged Pod (two containers, one privileged).
    pod_create(k, ADMIN, "priv-pod", "default",
               [container("app", "nginx:1.25", **priv()),
                container("sidecar", "busybox:1.36")])
    # Privileged, but the image is in k8s_audit_privileged_images.
    pod_create(k, ADMIN, "calico-node-x1", "default",
               [container("calico", "docker.io/calico/node:v3.27.0", **priv())])
    # Privileged=false only: nothing.
    pod_create(k, ADMIN, "plain-pod", "default",
               [container("app", "nginx:1.25",
                          securityContext={"privileged": False,
                                           "runAsUser": 1000})])
    # Create Sensitive Mount Pod.
    pod_create(k, ADMIN, "etc-reader", "default",
               [container("reader", "alpine:3.19")],
               volumes=[{"name": "scratch", "emptyDir": {}},
                        {"name": "etc", "hostPath": {"path": "/etc",
                                                     "type": "Directory"}}])
    # Sensitive mount with an allowed image: nothing.
    pod_create(k, ADMIN, "falco-x2", "default",
               [container("falco", "docker.io/falcosecurity/falco:0.37.0")],
               volumes=[{"name": "proc", "hostPath": {"path": "/proc"}},
                        {"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}])
    # hostPath that is not in the sensitive list: nothing.
    pod_create(k, ADMIN, "log-reader", "default",
               [container("reader", "alpine:3.19")],
               volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}])
    # Create HostNetwork Pod.
    pod_create(k, ADMIN, "hostnet-redis", "default",
               [container("redis", "redis:7",
                          ports=[{"containerPort": 6379, "protocol": "TCP"}])],
               spec_extra={"hostNetwork": True})
    # hostNetwork with an allowed image: nothing.
    pod_create(k, ADMIN, "kube-proxy-x3", "default",
               [container("kube-proxy", "gke.gcr.io/kube-proxy:v1.29.1")],
               spec_extra={"hostNetwork": True})
    # Create HostPid Pod.
    pod_create(k, ADMIN, "hostpid-debug", "default",
               [container("debug", "ubuntu:22.04", command=["sleep", "3600"])],
               spec_extra={"hostPID": True})
    # Create HostIPC Pod.
    pod_create(k, ADMIN, "hostipc-shm", "default",
               [container("shm", "registry.example.com:5000/shm/tool:2.1")],
               spec_extra={"hostIPC": True})
    # Everything at once, by a disallowed user, in kube-system: with
    # rule_matching all, Disallowed user + privileged + sensitive mount +
    # hostNetwork + hostPID + hostIPC + Pod Created in Kube Namespace.
    pod_create(k, ALICE, "kitchen-sink", "kube-system",
               [container("a", "quay.io/evil/miner:latest", **priv()),
                container("b", "nginx@sha256:0123456789abcdef0123456789abcdef"
                               "0123456789abcdef0123456789abcdef")],
               volumes=[{"name": "root", "hostPath": {"path": "/"}},
                        {"name": "kubelet", "hostPath": {"path": "/var/lib/kubelet"}}],
               spec_extra={"hostNetwork": True, "hostPID": True, "hostIPC": True})
    # Pod Created in Kube Namespace.
    pod_create(k, ADMIN, "toolbox", "kube-system",
               [container("toolbox", "busybox:1.36")])
    # Allowed image in kube-public: nothing.
    pod_create(k, ADMIN, "apiserver-x4", "kube-public",
               [container("apiserver", "registry.k8s.io/kube-apiserver:v1.29.0")])
    # One allowed and one other image in kube-system: what `in` means for a
    # list-valued field decides whether this fires (Falco: it fires, `in` on a
    # list field is true only when every element is in the set).
    pod_create(k, ADMIN, "mixed-images", "kube-system",
               [container("apiserver", "registry.k8s.io/kube-apiserver:v1.29.0"),
                container("shell", "busybox:1.36")])
    # Pod create at Metadata level (no requestObject, no responseObject).
    k.add("create", ADMIN, "pods", name="meta-only", namespace="default",
          level="Metadata")
    # Pod create that failed (409): Create Privileged Pod does not look at the
    # response code, so it fires anyway.
    pod_create(k, ADMIN, "dup-pod", "default",
               [container("app", "nginx:1.25", **priv())], code=409)

    # --- services ------------------------------------------------------
    svc = obj("services", "web-nodeport", "default",
              spec={"type": "NodePort",
                    "ports": [{"name": "http", "port": 80, "targetPort": 8080,
                               "nodePort": 30080, "protocol": "TCP"},
                              {"name": "https", "port": 443, "targetPort": 8443}],
                    "selector": {"app": "web"}})
    k.add("create", ADMIN, "services", name="web-nodeport", namespace="default",
          req=svc, resp=created(svc, 1))
    svc2 = obj("services", "web", "default",
               spec={"type": "ClusterIP", "ports": [{"port": 80}]})
    k.add("create", ADMIN, "services", name="web", namespace="default",
          req=svc2, resp=created(svc2, 2))
    svc3 = obj("services", "web-lb", "default",
               spec={"type": "LoadBalancer", "ports": [{"port": 443}]})
    k.add("create", ADMIN, "services", name="web-lb", namespace="default",
          req=svc3, code=409)
    k.add("delete", ADMIN, "services", name="web", namespace="default")

    # --- configmaps ------------------------------------------------------
    cm = obj("configmaps", "db-settings", "default",
             data={"host": "db.internal", "password": 'p@ss"w0rd\\x',
                   "notes": "line1\nline2"})
    k.add("create", ADMIN, "configmaps", name="db-settings", namespace="default",
          req=cm, resp=created(cm, 3))
    cm2 = obj("configmaps", "aws-config", "default",
              data={"config": "[default]\naws_access_key_id = AKIAEXAMPLE\n"})
    k.add("update", ADMIN, "configmaps", name="aws-config", namespace="default",
          req=cm2, resp=cm2)
    cm3 = obj("configmaps", "feature-flags", "default",
              data={"new_ui": "true"})
    k.add("patch", ADMIN, "configmaps", name="feature-flags", namespace="default",
          req=cm3, resp=cm3)
    k.add("create", ADMIN, "configmaps", name="feature-flags", namespace="default",
          req=cm3, resp=created(cm3, 4))
    k.add("delete", ADMIN, "configmaps", name="feature-flags", namespace="default")

    # --- anonymous -------------------------------------------------------
    anon = dict(groups=["system:unauthenticated"], reason="")
    k.add("get", "system:anonymous", None, uri="/api/v1/namespaces", **anon)
    k.add("get", "system:anonymous", None, uri="/healthz", **anon)
    k.add("get", "system:anonymous", None, uri="/livez?verbose", **anon)
    k.add("get", "system:anonymous", None, uri="/readyz", **anon)
    k.add("get", "system:anonymous", None, uri="/api", decision="forbid",
          code=403, groups=["system:unauthenticated"])

    # --- exec / attach / port-forward (ResponseStarted) -----------------
    k.add("create", ADMIN, "pods", name="nginx", namespace="default",
          subresource="exec", stage="ResponseStarted", code=101,
          uri="/api/v1/namespaces/default/pods/nginx/exec?command=bash"
              "&command=-c&command=id&container=nginx&stdin=true&stdout=true&tty=true")
    k.add("get", ADMIN, "pods", name="nginx", namespace="default",
          subresource="attach", stage="ResponseStarted", code=101,
          uri="/api/v1/namespaces/default/pods/nginx/attach?container=nginx&stdin=true")
    # Same exec at ResponseComplete: Attach/Exec Pod must not fire.
    k.add("create", ADMIN, "pods", name="nginx", namespace="default",
          subresource="exec", code=101,
          uri="/api/v1/namespaces/default/pods/nginx/exec?command=ls&container=nginx")
    k.add("create", ADMIN, "pods", name="nginx", namespace="default",
          subresource="portforward", stage="ResponseStarted", code=101)
    k.add("create", ALICE, "pods", name="db-0", namespace="team-a",
          subresource="portforward", code=101)

    # --- ephemeral containers -------------------------------------------
    k.add("patch", ADMIN, "pods", name="nginx", namespace="default",
          subresource="ephemeralcontainers",
          req={"ephemeralContainers": [{"name": "debugger-abc12",
                                        "image": "busybox:1.36",
                                        "targetContainerName": "nginx"}]})
    k.add("update", ADMIN, "pods", name="nginx", namespace="default",
          subresource="ephemeralcontainers",
          req=obj("pods", "nginx", "default",
                  spec={"ephemeralContainers": [{"name": "dbg",
                                                 "image": "alpine:3.19"}]}))

    # --- namespaces --------------------------------------------------------
    ns = obj("namespaces", "payments")
    k.add("create", ADMIN, "namespaces", name="payments", req=ns,
          resp=created(ns, 5))
    ns2 = obj("namespaces", "kube-public")
    k.add("create", ADMIN, "namespaces", name="kube-public", req=ns2,
          resp=created(ns2, 6))
    k.add("delete", ADMIN, "namespaces", name="payments")
    k.add("delete", "system:serviceaccount:kube-system:namespace-controller",
          "namespaces", name="old-team")

    # --- service accounts --------------------------------------------------
    for name, code in (("sneaky-sa", 201), ("coredns", 201)):
        sa = obj("serviceaccounts", name, "kube-system")
        k.add("create", ADMIN, "serviceaccounts", name=name,
              namespace="kube-system", req=sa, resp=created(sa, 7), code=code)
    sa = obj("serviceaccounts", "denied-sa", "kube-public")
    k.add("create", ALICE, "serviceaccounts", name="denied-sa",
          namespace="kube-public", req=sa, code=403, decision="forbid")
    k.add("delete", ADMIN, "serviceaccounts", name="builder", namespace="ci")

    # --- roles, cluster roles ----------------------------------------------
    def role_req(resource, name, namespace, rules):
        return obj(resource, name, namespace, rules=rules)

    cr = role_req("clusterroles", "system:node", None,
                  [{"apiGroups": [""], "resources": ["nodes"],
                    "verbs": ["get", "patch"]}])
    k.add("patch", ADMIN, "clusterroles", name="system:node", req=cr, resp=cr)
    cr = role_req("clusterroles", "system:coredns", None,
                  [{"apiGroups": [""], "resources": ["endpoints"],
                    "verbs": ["list", "watch"]}])
    k.add("patch", ADMIN, "clusterroles", name="system:coredns", req=cr, resp=cr)
    k.add("delete", ADMIN, "roles", name="system:controller:bootstrap-signer",
          namespace="kube-system")

    rules_sets = [
        ("clusterroles", "wild-resources", None,
         [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"]}]),
        ("clusterroles", "wild-verbs", None,
         [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]),
        ("clusterroles", "deployer", None,
         [{"apiGroups": ["apps"], "resources": ["deployments", "replicasets"],
           "verbs": ["create", "delete", "get"]}]),
        ("roles", "exec-only", "default",
         [{"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["get"]}]),
        ("roles", "pod-reader", "default",
         [{"apiGroups": [""], "resources": ["pods"],
           "verbs": ["get", "list", "watch"]}]),
        ("clusterroles", "metrics-reader", None,
         [{"nonResourceURLs": ["/metrics"], "verbs": ["get"]},
          {"apiGroups": [""], "resources": ["pods", "nodes"], "verbs": ["list"]}]),
    ]
    for resource, name, namespace, rules in rules_sets:
        r = role_req(resource, name, namespace, rules)
        k.add("create", ADMIN, resource, name=name, namespace=namespace,
              req=r, resp=created(r, 8))
    k.add("delete", ADMIN, "clusterroles", name="old-reader")
    k.add("delete", ADMIN, "roles", name="pod-reader", namespace="default")

    # --- bindings ------------------------------------------------------------
    subjects = [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io",
                 "name": "alice"},
                {"kind": "Group", "apiGroup": "rbac.authorization.k8s.io",
                 "name": "devs"},
                {"kind": "ServiceAccount", "name": "deployer",
                 "namespace": "ci"}]
    crb = obj("clusterrolebindings", "alice-admin",
              roleRef={"apiGroup": "rbac.authorization.k8s.io",
                       "kind": "ClusterRole", "name": "cluster-admin"},
              subjects=subjects)
    k.add("create", ADMIN, "clusterrolebindings", name="alice-admin", req=crb,
          resp=created(crb, 9))
    crb2 = obj("clusterrolebindings", "devs-view",
               roleRef={"apiGroup": "rbac.authorization.k8s.io",
                        "kind": "ClusterRole", "name": "view"},
               subjects=subjects[1:2])
    k.add("create", ADMIN, "clusterrolebindings", name="devs-view", req=crb2,
          resp=created(crb2, 10))
    k.add("delete", ADMIN, "clusterrolebindings", name="devs-view")
    rb = obj("rolebindings", "read-pods", "default",
             roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                      "name": "pod-reader"},
             subjects=[subjects[0]])
    k.add("create", ADMIN, "rolebindings", name="read-pods", namespace="default",
          req=rb, resp=created(rb, 11))
    k.add("delete", ADMIN, "rolebindings", name="read-pods", namespace="default")

    # --- deployments ---------------------------------------------------------
    dep = obj("deployments", "web", "default",
              spec={"replicas": 3,
                    "template": {"spec": {"containers": [container("web", "nginx:1.25")]}}})
    k.add("create", ADMIN, "deployments", name="web", namespace="default",
          req=dep, resp=created(dep, 12))
    k.add("delete", ADMIN, "deployments", name="web", namespace="default")
    k.add("create", ADMIN, "deployments", name="bad", namespace="default",
          req=obj("deployments", "bad", "default", spec={}), code=422)

    # --- secrets -------------------------------------------------------------
    sec = obj("secrets", "db-creds", "default", type="Opaque",
              data={"password": "aHVudGVyMg=="})
    k.add("create", ADMIN, "secrets", name="db-creds", namespace="default",
          req=sec, resp=created(sec, 13))
    sec2 = obj("secrets", "bootstrap-token-abcdef", "kube-system",
               type="bootstrap.kubernetes.io/token")
    k.add("create", ADMIN, "secrets", name="bootstrap-token-abcdef",
          namespace="kube-system", req=sec2, resp=created(sec2, 14))
    sec3 = obj("secrets", "sa-token", "default",
               type="kubernetes.io/service-account-token")
    k.add("create", "system:serviceaccount:kube-system:token-controller",
          "secrets", name="sa-token", namespace="default", req=sec3,
          resp=created(sec3, 15))
    k.add("delete", ADMIN, "secrets", name="db-creds", namespace="default")
    k.add("get", ADMIN, "secrets", name="db-creds", namespace="default")
    k.add("get", ADMIN, "secrets", name="missing", namespace="default",
          code=404)
    k.add("get", ALICE, "secrets", name="db-creds", namespace="default",
          code=403, decision="forbid", reason="")
    k.add("get", "system:serviceaccount:kube-system:coredns", "secrets",
          name="coredns-token", namespace="kube-system")

    # --- ingresses ------------------------------------------------------------
    ing = obj("ingresses", "web-plain", "default",
              spec={"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
                                                   "backend": {"service": {"name": "web",
                                                                           "port": {"number": 80}}}}]}}]})
    k.add("create", ADMIN, "ingresses", name="web-plain", namespace="default",
          req=ing, resp=created(ing, 16))
    ing2 = obj("ingresses", "web-tls", "default",
               spec={"tls": [{"hosts": ["web.example.com"], "secretName": "web-tls"}],
                     "rules": []})
    k.add("create", ADMIN, "ingresses", name="web-tls", namespace="default",
          req=ing2, resp=created(ing2, 17))

    # --- nodes (the two Untrusted Node rules can not fire) -------------------
    node = obj("nodes", "worker-3")
    k.add("create", "system:node:worker-3", "nodes", name="worker-3",
          groups=["system:nodes", "system:authenticated"], req=node,
          resp=created(node, 18))
    k.add("create", "system:node:worker-4", "nodes", name="worker-4",
          groups=["system:nodes", "system:authenticated"], req=obj("nodes", "worker-4"),
          code=403, decision="forbid")

    # --- impersonation, extra annotations -----------------------------------
    k.add("get", ADMIN, "pods", name="nginx", namespace="default",
          impersonate="bob",
          extra_annotations={"pod-security.kubernetes.io/enforce-policy": "baseline:latest"})

    # --- other shapes the plugin accepts or skips ----------------------------
    # An EventList on one line (two events).
    a = k.event("get", ALICE, "pods", name="web-1", namespace="team-a")
    b = k.event("list", ADMIN, "pods", namespace="team-a")
    k.raw(dump({"kind": "EventList", "apiVersion": "audit.k8s.io/v1",
                "metadata": {}, "items": [a, b]}))
    # A JSON array on one line (two events).
    a = k.event("delete", ADMIN, "configmaps", name="old-cm", namespace="team-a")
    b = k.event("get", ALICE, "nodes", name="worker-3")
    k.raw(dump([a, b]))
    # Skipped by the plugin: not JSON, not an Event, no stageTimestamp.
    k.raw("this line is not JSON")
    k.raw(dump({"kind": "Status", "apiVersion": "v1", "status": "Failure"}))
    c = k.event("get", ALICE, "pods", name="no-ts", namespace="default")
    del c["stageTimestamp"]
    k.raw(dump(c))
    # Last: an ordinary event after the skipped ones.
    k.add("get", ALICE, "services", name="web", namespace="team-a")
    # An empty line is skipped by the reader.
    k.raw("")
    return "\n".join(k.lines) + "\n"


# --------------------------------------------------------------------------
# CloudTrail
# --------------------------------------------------------------------------

ACCOUNT = "123456789012"


class CloudTrail:
    def __init__(self):
        self.n = 0

    def rec(self, event_name, source, ident, region="us-west-2",
            request=None, response=None, error=None, extra=None,
            event_type="AwsApiCall", read_only=None, src_ip="203.0.113.10",
            ts=None):
        self.n += 1
        i = self.n
        if ts is None:
            t = BASE_TIME + datetime.timedelta(minutes=3 * i, seconds=i % 60)
            ts = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        r = {"eventVersion": "1.09", "userIdentity": ident, "eventTime": ts,
             "eventSource": source, "eventName": event_name,
             "awsRegion": region, "sourceIPAddress": src_ip,
             "userAgent": "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64"}
        if error:
            r["errorCode"] = error[0]
            r["errorMessage"] = error[1]
        r["requestParameters"] = request
        r["responseElements"] = response
        if extra:
            r.update(extra)
        r["requestID"] = "REQ%08d-0000-4000-8000-%012d" % (i, i)
        r["eventID"] = "%08x-1111-4000-8000-%012x" % (0xc7000000 + i, i)
        if read_only is not None:
            r["readOnly"] = read_only
        r["eventType"] = event_type
        r["managementEvent"] = True
        r["recipientAccountId"] = ACCOUNT
        r["eventCategory"] = "Management"
        return r


def iam_user(name):
    return {"type": "IAMUser", "principalId": "AIDAEXAMPLE%s" % name.upper(),
            "arn": "arn:aws:iam::%s:user/%s" % (ACCOUNT, name),
            "accountId": ACCOUNT, "accessKeyId": "AKIAEXAMPLE0000",
            "userName": name}


def root_user():
    return {"type": "Root", "principalId": ACCOUNT,
            "arn": "arn:aws:iam::%s:root" % ACCOUNT, "accountId": ACCOUNT,
            "userName": "root-account"}


def assumed_role(role, session, with_issuer=True):
    ident = {"type": "AssumedRole",
             "principalId": "AROAEXAMPLE:%s" % session,
             "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (ACCOUNT, role, session),
             "accountId": ACCOUNT}
    if with_issuer:
        ident["sessionContext"] = {
            "sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                              "arn": "arn:aws:iam::%s:role/%s" % (ACCOUNT, role),
                              "accountId": ACCOUNT, "userName": role},
            "attributes": {"creationDate": "2024-03-01T09:55:00Z",
                           "mfaAuthenticated": "false"}}
    return ident


def aws_service(svc):
    return {"type": "AWSService", "invokedBy": svc}


def console_login(ct, ident, success=True, mfa="No", extra_data=None, **kw):
    data = {"LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No", "MFAUsed": mfa}
    if extra_data:
        data.update(extra_data)
    return ct.rec("ConsoleLogin", "signin.amazonaws.com", ident,
                  region="us-east-1", request=None,
                  response={"ConsoleLogin": "Success" if success else "Failure"},
                  error=None if success else ("Failed authentication",
                                              "Failed authentication"),
                  extra={"additionalEventData": data},
                  event_type="AwsConsoleSignIn", read_only=False, **kw)


def make_cloudtrail():
    """Returns {relative path: bytes}. Files are read in lexical path order."""
    ct = CloudTrail()
    alice = iam_user("alice")
    ops = iam_user("ops-bot")

    # File 1: console logins and IAM.
    f1 = [
        console_login(ct, assumed_role("Admin", "alice@example.com")),
        # AssumedRole without sessionIssuer: ct.user is "AssumedRole".
        console_login(ct, assumed_role("ReadOnly", "carol", with_issuer=False),
                      mfa="Yes"),
        console_login(ct, alice),                      # without MFA
        console_login(ct, alice, mfa="Yes"),           # nothing
        console_login(ct, alice, success=False),       # error: nothing
        console_login(ct, root_user()),                # root without MFA
        console_login(ct, root_user(), mfa="Yes"),     # nothing
        ct.rec("DeactivateMFADevice", "iam.amazonaws.com", root_user(),
               region="us-east-1",
               request={"userName": "AWS ROOT USER",
                        "serialNumber": "arn:aws:iam::%s:mfa/root-account-mfa-device" % ACCOUNT},
               read_only=False),
        # Not root: nothing.
        ct.rec("DeactivateMFADevice", "iam.amazonaws.com", alice,
               region="us-east-1",
               request={"userName": "alice",
                        "serialNumber": "arn:aws:iam::%s:mfa/alice" % ACCOUNT}),
        ct.rec("CreateUser", "iam.amazonaws.com", alice, region="us-east-1",
               request={"userName": "eve"},
               response={"user": {"path": "/", "userName": "eve",
                                  "userId": "AIDAEVE", "arn": "arn:aws:iam::%s:user/eve" % ACCOUNT,
                                  "createDate": "Mar 1, 2024 10:30:00 AM"}}),
        ct.rec("CreateUser", "iam.amazonaws.com", alice, region="us-east-1",
               request={"userName": "mallory"},
               error=("AccessDenied", "User: arn:aws:iam::%s:user/alice is not "
                      "authorized to perform: iam:CreateUser" % ACCOUNT)),
        ct.rec("CreateGroup", "iam.amazonaws.com", alice, region="us-east-1",
               request={"groupName": "auditors"},
               response={"group": {"groupName": "auditors", "path": "/"}}),
        ct.rec("DeleteGroup", "iam.amazonaws.com", alice, region="us-east-1",
               request={"groupName": "old-auditors"}),
        ct.rec("GetUser", "iam.amazonaws.com", alice, region="us-east-1",
               request={"userName": "alice"}, read_only=True),
    ]

    # File 2 (gzip): ECS, Lambda, EC2.
    f2 = [
        ct.rec("CreateService", "ecs.amazonaws.com", ops,
               request={"cluster": "prod", "serviceName": "web",
                        "taskDefinition": "web:42", "desiredCount": 2}),
        ct.rec("CreateService", "ecs.amazonaws.com", ops,
               request={"cluster": "prod", "serviceName": "web"},
               error=("InvalidParameterException", "Missing taskDefinition")),
        ct.rec("RunTask", "ecs.amazonaws.com", ops,
               request={"cluster": "batch", "taskDefinition": "etl:7",
                        "count": 1}),
        ct.rec("StartTask", "ecs.amazonaws.com",
               aws_service("ecs.amazonaws.com"), src_ip="ecs.amazonaws.com",
               request={"cluster": "batch", "taskDefinition": "etl:8"}),
        ct.rec("CreateFunction20150331", "lambda.amazonaws.com",
               assumed_role("Deployer", "ci-run-17"),
               request={"functionName": "thumbnailer", "runtime": "python3.12"}),
        ct.rec("UpdateFunctionCode20150331v2", "lambda.amazonaws.com",
               assumed_role("Deployer", "ci-run-18"),
               request={"functionName": "thumbnailer", "publish": True}),
        ct.rec("UpdateFunctionConfiguration20150331v2", "lambda.amazonaws.com",
               assumed_role("Deployer", "ci-run-19"),
               request={"functionName": "thumbnailer", "timeout": 30}),
        ct.rec("RunInstances", "ec2.amazonaws.com", alice, region="eu-west-1",
               request={"instancesSet": {"items": [{"imageId": "ami-0abc",
                                                    "minCount": 1, "maxCount": 1}]},
                        "instanceType": "t3.micro",
                        "availabilityZone": "eu-west-1b"},
               response={"reservationId": "r-0123456789abcdef0",
                         "subnetId": "subnet-0aa",
                         "instancesSet": {"items": [{"instanceId": "i-0123456789abcdef0",
                                                     "imageId": "ami-0abc"}]}}),
        # In the approved region: only Run Instances.
        ct.rec("RunInstances", "ec2.amazonaws.com", alice, region="us-east-0",
               request={"instanceType": "t3.small"},
               response={"reservationId": "r-0fedcba9876543210",
                         "instancesSet": {"items": [{"instanceId": "i-0fedcba9876543210"}]}}),
        ct.rec("DescribeInstances", "ec2.amazonaws.com", alice,
               request={"instancesSet": {}}, read_only=True),
    ]

    # File 3: S3, CloudTrail itself, records the plugin skips.
    bucket_policy = {"Version": "2012-10-17",
                     "Statement": [{"Effect": "Allow", "Principal": "*",
                                    "Action": "s3:GetObject",
                                    "Resource": "arn:aws:s3:::public-site/*"}]}
    pab = lambda **flags: {"bucketName": "public-site", "Host": "public-site.s3.amazonaws.com",
                           "publicAccessBlock": "",
                           "PublicAccessBlockConfiguration": dict(
                               {"xmlns": "http://s3.amazonaws.com/doc/2006-03-01/"}, **flags)}
    f3 = [
        ct.rec("DeleteBucketEncryption", "s3.amazonaws.com", alice,
               request={"bucketName": "secret-data", "Host": "secret-data.s3.amazonaws.com",
                        "encryption": ""}),
        ct.rec("PutBucketPublicAccessBlock", "s3.amazonaws.com", alice,
               request=pab(RestrictPublicBuckets=False, BlockPublicPolicy=False,
                           BlockPublicAcls=False, IgnorePublicAcls=False)),
        ct.rec("PutBucketPublicAccessBlock", "s3.amazonaws.com", alice,
               request=pab(RestrictPublicBuckets=True, BlockPublicPolicy=True,
                           BlockPublicAcls=True, IgnorePublicAcls=False)),
        # All true: nothing.
        ct.rec("PutBucketPublicAccessBlock", "s3.amazonaws.com", alice,
               request=pab(RestrictPublicBuckets=True, BlockPublicPolicy=True,
                           BlockPublicAcls=True, IgnorePublicAcls=True)),
        # No publicAccessBlock key: nothing.
        ct.rec("PutBucketPublicAccessBlock", "s3.amazonaws.com", alice,
               request={"bucketName": "other", "PublicAccessBlockConfiguration":
                        {"BlockPublicAcls": False}}),
        # Disabled rule List Buckets: nothing.
        ct.rec("ListBuckets", "s3.amazonaws.com", alice,
               request={"Host": "s3.amazonaws.com"}, read_only=True),
        ct.rec("PutBucketAcl", "s3.amazonaws.com", alice,
               request={"bucketName": "public-site", "Host": "public-site.s3.amazonaws.com",
                        "acl": [""], "x-amz-acl": ["public-read"]}),
        # Put Bucket Policy with "policy" missing (ct.request.policy is <NA>)
        # and with a string policy.
        ct.rec("PutBucketPolicy", "s3.amazonaws.com", alice,
               request={"bucketName": "public-site", "Host": "public-site.s3.amazonaws.com",
                        "bucketPolicy": bucket_policy}),
        ct.rec("PutBucketPolicy", "s3.amazonaws.com", ops,
               request={"bucketName": "logs", "policy": "allow-elb-delivery"}),
        ct.rec("GetObject", "s3.amazonaws.com", ops,
               request={"bucketName": "logs", "key": "2024/03/01/a.log",
                        "Host": "logs.s3.amazonaws.com"},
               extra={"additionalEventData": {"bytesTransferredIn": 0,
                                              "bytesTransferredOut": 1234.0}},
               event_type="AwsApiCall", read_only=True),
        ct.rec("CreateTrail", "cloudtrail.amazonaws.com", alice,
               request={"name": "shadow-trail", "s3BucketName": "shadow-logs"},
               response={"name": "shadow-trail",
                         "trailARN": "arn:aws:cloudtrail:us-west-2:%s:trail/shadow-trail" % ACCOUNT}),
        ct.rec("StopLogging", "cloudtrail.amazonaws.com", alice,
               request={"name": "arn:aws:cloudtrail:us-west-2:%s:trail/main" % ACCOUNT}),
        ct.rec("StopLogging", "cloudtrail.amazonaws.com", alice,
               request={"name": "main"},
               error=("TrailNotFoundException", "Unknown trail: main")),
        # Skipped by the plugin: insight events, no eventTime, no eventType.
        ct.rec("CreateUser", "iam.amazonaws.com", alice, region="us-east-1",
               request={"userName": "insight"},
               event_type="AwsCloudTrailInsight"),
        {k: v for k, v in ct.rec("CreateGroup", "iam.amazonaws.com", alice,
                                 request={"groupName": "no-time"}).items()
         if k != "eventTime"},
        {k: v for k, v in ct.rec("CreateGroup", "iam.amazonaws.com", alice,
                                 request={"groupName": "no-type"}).items()
         if k != "eventType"},
        # Unicode and escapes in a user name.
        ct.rec("CreateUser", "iam.amazonaws.com", iam_user('ünïcödé "quoted"'),
               region="us-east-1", request={"userName": "tab\there"}),
    ]

    def logfile(records):
        # The layout CloudTrail writes: one object with a Records list.
        return (dump({"Records": records}) + "\n").encode("utf-8")

    prefix = "AWSLogs/%s/CloudTrail" % ACCOUNT
    files = {
        "%s/us-east-1/2024/03/01/%s_CloudTrail_us-east-1_20240301T1000Z_a1.json"
        % (prefix, ACCOUNT): logfile(f1),
        "%s/us-west-2/2024/03/01/%s_CloudTrail_us-west-2_20240301T1030Z_b2.json.gz"
        % (prefix, ACCOUNT): gzip.compress(logfile(f2), mtime=0),
        "%s/us-west-2/2024/03/01/%s_CloudTrail_us-west-2_20240301T1100Z_c3.json"
        % (prefix, ACCOUNT): logfile(f3),
        # Not .json / .json.gz: the plugin ignores it.
        "README.txt": b"Not a CloudTrail file; the plugin reads only .json and .json.gz.\n",
    }
    return files


def write(outdir):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "k8saudit.jsonl"), "w", encoding="utf-8") as f:
        f.write(make_k8saudit())
    for rel, data in make_cloudtrail().items():
        path = os.path.join(outdir, "cloudtrail", rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: gen_inputs.py OUTDIR\n")
        return 2
    write(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
