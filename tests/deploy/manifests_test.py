#!/usr/bin/env python3
"""deploy/kubernetes/ parsed and cross-checked: every file is YAML of the
kinds expected, the workloads have the probes, scrape annotations,
resources and security context the sandbox needs, every mount names a
volume and every ConfigMap key it takes exists, the ConfigMaps' falco.yaml
agree with the ports the pods expose, and the kube-apiserver audit webhook
points at the k8saudit Service's name, namespace, port and the path the
k8saudit plugin serves.

    manifests_test.py <source dir>

Exits 77 (skipped) when PyYAML is missing (Debian: python3-yaml).
"""
import os
import sys
import unittest
from urllib.parse import urlsplit

try:
    import yaml
except ImportError:
    print("SKIP: PyYAML is not installed (apt-get install python3-yaml)")
    sys.exit(77)

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "."
KDIR = os.path.join(SOURCE, "deploy", "kubernetes")
NAMESPACE = "falco"
WEBSERVER_PORT = 8765
# What the sandbox needs (deploy/README.md, "Containers").
SANDBOX_CAPS = {"SYS_ADMIN", "SETUID", "SETGID", "SETPCAP", "KILL"}


def load_all():
    docs = {}
    for name in sorted(os.listdir(KDIR)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(KDIR, name), encoding="utf-8") as f:
                docs[name] = [d for d in yaml.safe_load_all(f) if d is not None]
    return docs


DOCS = load_all()
RESOURCES = [d for name, ds in DOCS.items() for d in ds
             if name not in ("kustomization.yaml", "audit-webhook-kubeconfig.yaml",
                             "audit-policy.yaml")]


def find(kind, name=None):
    found = [d for d in RESOURCES if d["kind"] == kind and
             (name is None or d["metadata"]["name"] == name)]
    return found


def one(kind, name):
    found = find(kind, name)
    assert len(found) == 1, f"{kind}/{name}: {len(found)} found"
    return found[0]


def workloads():
    return find("DaemonSet") + find("Deployment")


def main_container(w):
    cs = w["spec"]["template"]["spec"]["containers"]
    return next(c for c in cs if c["name"] == "bulkhead")


CONFIG_DIR = "/etc/bulkhead"


def config_volume(w):
    """The ConfigMap volume mounted as the folder /etc/bulkhead, and its map."""
    pod = w["spec"]["template"]["spec"]
    mount = next(m for m in main_container(w)["volumeMounts"] if m["mountPath"] == CONFIG_DIR)
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    return volume, one("ConfigMap", volume["configMap"]["name"])


def config_of(w):
    """The falco.yaml the workload sees at /etc/bulkhead/falco.yaml, parsed."""
    volume, cm = config_volume(w)
    key = next(i["key"] for i in volume["configMap"]["items"] if i["path"] == "falco.yaml")
    return yaml.safe_load(cm["data"][key]), cm


def visible_paths(w):
    """Every path the main container sees through a mount: mount points, and
    the files a ConfigMap folder mount projects."""
    paths = set()
    pod = w["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    for m in main_container(w)["volumeMounts"]:
        paths.add(m["mountPath"])
        cm = volumes[m["name"]].get("configMap")
        if cm and "subPath" not in m:
            for item in cm.get("items", []):
                paths.add(m["mountPath"] + "/" + item["path"])
    return paths


class ManifestsTest(unittest.TestCase):
    def test_every_file_parses_with_a_kind(self):
        self.assertGreaterEqual(len(DOCS), 8)
        for name, ds in DOCS.items():
            self.assertTrue(ds, f"{name} is empty")
            for d in ds:
                self.assertIn("kind", d, name)
                self.assertIn("apiVersion", d, name)

    def test_the_kinds_are_there(self):
        kinds = sorted(d["kind"] for d in RESOURCES)
        self.assertEqual(kinds, sorted(["Namespace", "ServiceAccount", "ConfigMap", "ConfigMap",
                                        "DaemonSet", "Deployment", "Service"]))

    def test_kustomization_lists_every_resource_file(self):
        k = DOCS["kustomization.yaml"][0]
        listed = set(k["resources"])
        for name in listed:
            self.assertIn(name, DOCS, f"kustomization lists a missing {name}")
        on_disk = {n for n in DOCS if n not in ("kustomization.yaml",
                                                "audit-webhook-kubeconfig.yaml",
                                                "audit-policy.yaml")}
        self.assertEqual(listed, on_disk)

    def test_namespaced_objects_are_in_the_namespace(self):
        for d in RESOURCES:
            if d["kind"] != "Namespace":
                self.assertEqual(d["metadata"].get("namespace"), NAMESPACE,
                                 f"{d['kind']}/{d['metadata']['name']}")
        self.assertEqual(one("Namespace", NAMESPACE)["metadata"]["name"], NAMESPACE)

    def test_selectors_match_the_pod_labels(self):
        for w in workloads():
            labels = w["spec"]["template"]["metadata"]["labels"]
            for k, v in w["spec"]["selector"]["matchLabels"].items():
                self.assertEqual(labels.get(k), v, w["metadata"]["name"])

    def test_probes_on_healthz(self):
        for w in workloads():
            c = main_container(w)
            for probe in ("livenessProbe", "readinessProbe"):
                get = c[probe]["httpGet"]
                self.assertEqual(get["path"], "/healthz", f"{w['metadata']['name']} {probe}")
                self.assertEqual(get["port"], WEBSERVER_PORT, f"{w['metadata']['name']} {probe}")
            ports = {p["containerPort"] for p in c["ports"]}
            self.assertIn(WEBSERVER_PORT, ports)

    def test_prometheus_annotations(self):
        for w in workloads():
            a = w["spec"]["template"]["metadata"]["annotations"]
            self.assertEqual(a["prometheus.io/scrape"], "true")
            self.assertEqual(a["prometheus.io/port"], str(WEBSERVER_PORT))
            self.assertEqual(a["prometheus.io/path"], "/metrics")

    def test_resources_have_requests_and_limits(self):
        for w in workloads():
            r = main_container(w)["resources"]
            for part in ("requests", "limits"):
                self.assertIn("cpu", r[part], w["metadata"]["name"])
                self.assertIn("memory", r[part], w["metadata"]["name"])

    def test_security_context_is_what_the_sandbox_needs(self):
        for w in workloads():
            name = w["metadata"]["name"]
            pod = w["spec"]["template"]["spec"]
            sc = main_container(w)["securityContext"]
            self.assertFalse(sc.get("privileged", False), name)
            self.assertNotIn("hostPID", pod, name)
            self.assertNotIn("hostNetwork", pod, name)
            self.assertEqual(sc["runAsUser"], 0, name)
            added = set(sc["capabilities"]["add"])
            self.assertTrue(SANDBOX_CAPS <= added, f"{name}: missing {SANDBOX_CAPS - added}")
            self.assertEqual(sc["capabilities"]["drop"], ["ALL"], name)
            # Kubernetes refuses SYS_ADMIN with allowPrivilegeEscalation: false.
            self.assertNotEqual(sc.get("allowPrivilegeEscalation"), False, name)
            self.assertEqual(sc["seccompProfile"]["type"], "RuntimeDefault", name)
            self.assertEqual(sc["appArmorProfile"]["type"], "Unconfined", name)

    def test_mounts_name_volumes_and_configmap_keys(self):
        for w in workloads():
            pod = w["spec"]["template"]["spec"]
            volumes = {v["name"]: v for v in pod["volumes"]}
            for c in pod["containers"] + pod.get("initContainers", []):
                for m in c.get("volumeMounts", []):
                    self.assertIn(m["name"], volumes, f"{w['metadata']['name']}: {m}")
                    v = volumes[m["name"]]
                    if "configMap" in v and "subPath" in m:
                        cm = one("ConfigMap", v["configMap"]["name"])
                        self.assertIn(m["subPath"], cm["data"], m)
            for v in volumes.values():
                if "configMap" in v:
                    # Every projected key exists, and every key is projected.
                    cm = one("ConfigMap", v["configMap"]["name"])
                    keys = {i["key"] for i in v["configMap"].get("items", [])}
                    self.assertEqual(keys, set(cm["data"]), f"{w['metadata']['name']}: {v['name']}")
            used = {m["name"] for c in pod["containers"] + pod.get("initContainers", [])
                    for m in c.get("volumeMounts", [])}
            self.assertEqual(used, set(volumes), f"{w['metadata']['name']}: unused volumes")

    def test_config_is_a_folder_mount(self):
        # subPath mounts never see a ConfigMap update; a folder mount does,
        # and watch_config_files then reloads.
        for w in workloads():
            for m in main_container(w)["volumeMounts"]:
                self.assertNotIn("subPath", m, f"{w['metadata']['name']}: {m['mountPath']}")
            config, _ = config_of(w)
            self.assertNotEqual(config.get("watch_config_files"), False)

    def test_plugins_and_rules_reach_the_folders_the_config_reads(self):
        for w in workloads():
            config, _ = config_of(w)
            mounts = {m["mountPath"] for m in main_container(w)["volumeMounts"]}
            self.assertIn(config["bulkhead"]["plugins_dir"], mounts)
            paths = visible_paths(w)
            for rules in config["rules_files"]:
                self.assertTrue(any(p == rules or p.startswith(rules + "/") for p in paths),
                                f"{w['metadata']['name']}: nothing mounted at {rules}")
            for p in config["load_plugins"]:
                self.assertIn(p, [e["name"] for e in config["plugins"]])

    def test_configs_serve_the_probed_port(self):
        for w in workloads():
            config, _ = config_of(w)
            ws = config["webserver"]
            self.assertTrue(ws["enabled"])
            self.assertEqual(ws["listen_port"], WEBSERVER_PORT)
            self.assertEqual(ws["k8s_healthz_endpoint"], "/healthz")
            self.assertTrue(ws["prometheus_metrics_enabled"])

    def test_rules_in_configmaps_parse(self):
        for cm in find("ConfigMap"):
            for key, text in cm["data"].items():
                if key != "falco.yaml":
                    rules = yaml.safe_load(text)
                    self.assertIsInstance(rules, list, key)
                    for r in rules:
                        self.assertIn("source", r, key)

    def k8saudit_listen(self):
        d = one("Deployment", "bulkhead-k8saudit")
        config, _ = config_of(d)
        plugin = next(p for p in config["plugins"] if p["name"] == "k8saudit")
        url = urlsplit(plugin["open_params"])
        return d, url

    def test_service_reaches_the_k8saudit_port(self):
        d, url = self.k8saudit_listen()
        svc = one("Service", "bulkhead-k8saudit")
        labels = d["spec"]["template"]["metadata"]["labels"]
        for k, v in svc["spec"]["selector"].items():
            self.assertEqual(labels.get(k), v)
        port = next(p for p in svc["spec"]["ports"] if p["name"] == "k8saudit")
        container_ports = {p["name"]: p["containerPort"] for p in main_container(d)["ports"]}
        target = port["targetPort"]
        target = container_ports[target] if isinstance(target, str) else target
        self.assertEqual(target, url.port, "the Service does not reach k8saudit's port")
        metrics = next(p for p in svc["spec"]["ports"] if p["name"] == "http-metrics")
        self.assertEqual(container_ports[metrics["targetPort"]], WEBSERVER_PORT)

    def test_audit_webhook_points_at_the_service(self):
        _, listen = self.k8saudit_listen()
        svc = one("Service", "bulkhead-k8saudit")
        port = next(p for p in svc["spec"]["ports"] if p["name"] == "k8saudit")["port"]
        kc = DOCS["audit-webhook-kubeconfig.yaml"][0]
        self.assertEqual(kc["kind"], "Config")
        current = next(c for c in kc["contexts"] if c["name"] == kc["current-context"])
        cluster = next(c for c in kc["clusters"] if c["name"] == current["context"]["cluster"])
        url = urlsplit(cluster["cluster"]["server"])
        name, ns = svc["metadata"]["name"], svc["metadata"]["namespace"]
        self.assertIn(url.hostname, (f"{name}.{ns}.svc", f"{name}.{ns}.svc.cluster.local"))
        self.assertEqual(url.port, port)
        self.assertEqual(url.path, listen.path)
        self.assertEqual(url.scheme, listen.scheme)

    def test_audit_policy_is_an_audit_policy(self):
        p = DOCS["audit-policy.yaml"][0]
        self.assertEqual(p["kind"], "Policy")
        self.assertEqual(p["apiVersion"], "audit.k8s.io/v1")
        self.assertEqual(p["rules"][-1]["level"], "Metadata")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
