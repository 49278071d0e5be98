#!/usr/bin/env python3
"""Self-test of kube-emulator.py and the istioctl stand-in, driving the real kubectl.

Run: python3 scripts/testing/test_emulator.py [-v] [TestClass.test_name]
"""
import base64
import functools
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "kube-emulator.py")
KUBECTL = shutil.which("kubectl") or "/usr/bin/kubectl"
NS = "istio-system"

CONTROL_PLANE_OPERATOR = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  values:
    global:
      meshID: {mesh}
      multiCluster:
        clusterName: {cluster}
      network: {network}
"""
REVISION_OPERATOR = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  revision: canary
  values:
    global:
      meshID: mesh1
      multiCluster:
        clusterName: c2
      network: network2
"""
EAST_WEST_OPERATOR = """apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata:
  name: eastwest
spec:
  profile: empty
  components:
    ingressGateways:
    - name: istio-eastwestgateway
      label:
        istio: eastwestgateway
        app: istio-eastwestgateway
        topology.istio.io/network: network1
      enabled: true
  values:
    gateways:
      istio-ingressgateway:
        injectionTemplate: gateway
    global:
      network: network1
"""
CROSS_NETWORK_GATEWAY = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata:
  name: cross-network-gateway
  namespace: istio-system
spec:
  selector:
    istio: eastwestgateway
  servers:
  - port:
      number: {port}
      name: tls
      protocol: TLS
    tls:
      mode: AUTO_PASSTHROUGH
    hosts:
    - "*.local"
"""
REMOTE_SECRET = """apiVersion: v1
kind: Secret
metadata:
  name: istio-remote-secret-c1
  namespace: istio-system
  labels:
    istio/multiCluster: "true"
  annotations:
    networking.istio.io/cluster: c1
stringData:
  c1: |
    apiVersion: v1
    kind: Config
    clusters:
    - name: c1
      cluster:
        server: {server}
"""


class Emulator:
    """A running kube-emulator.py with three clusters (c3's context is kind-c3)."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="kube-emulator-test-")
        self.kubeconfig = os.path.join(self.directory, "kubeconfig")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [sys.executable, EMULATOR, "--clusters", "c1,c2,c3", "--kubeconfig", self.kubeconfig,
             "--context", "c3=kind-c3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        self.startup_seconds = time.monotonic() - started
        if not line:
            raise RuntimeError("the emulator did not start: " + self.process.stderr.read())
        self.info = json.loads(line)
        self.control_url = self.info["control"]

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.process.stdout.close()
        self.process.stderr.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def control(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.control_url + path, data=data, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def state(self, cluster):
        return self.control("GET", "/state")[1][cluster]

    def server(self, cluster):
        return self.info["clusters"][cluster]["server"]


EMULATOR_INSTANCE = None


def setUpModule():
    global EMULATOR_INSTANCE
    EMULATOR_INSTANCE = Emulator()


def tearDownModule():
    EMULATOR_INSTANCE.stop()


class EmulatorTestCase(unittest.TestCase):
    """Each test starts with three fresh clusters, all up, and its own kubectl cache."""

    def setUp(self):
        self.emulator = EMULATOR_INSTANCE
        for cluster in ("c1", "c2", "c3"):
            self.emulator.control("POST", f"/clusters/{cluster}/up")
            self.emulator.control("POST", f"/clusters/{cluster}/reset")
        self.emulator.control("POST", "/requests/clear")
        self.work = tempfile.mkdtemp(prefix="test-", dir=self.emulator.directory)
        self.env = dict(os.environ, HOME=self.work, KUBECACHEDIR=os.path.join(self.work, "cache"),
                        PATH=HERE + os.pathsep + os.environ.get("PATH", ""))
        self.env.pop("KUBECONFIG", None)
        self.env.pop("KUBE_EMULATOR_CONTROL", None)

    # ----- running the tools

    def kubectl_args(self, args, context):
        return [KUBECTL, *args, f"--kubeconfig={self.emulator.kubeconfig}", f"--context={context}"]

    def kubectl(self, *args, context="c1", input=None, timeout=60):
        return subprocess.run(self.kubectl_args(args, context), input=input, capture_output=True, text=True,
                              env=self.env, timeout=timeout)

    def istioctl(self, *args, env=None, input=""):
        return subprocess.run(["istioctl", *args], capture_output=True, text=True, input=input,
                              env=dict(self.env, **(env or {})), timeout=60)

    def install(self, operator=None, context="c1", *extra):
        path = self.write("install.yaml", operator or CONTROL_PLANE_OPERATOR.format(
            mesh="mesh1", cluster="c1", network="network1"))
        result = self.istioctl("install", f"--context={context}", "--kubeconfig", self.emulator.kubeconfig,
                               "-f", path, "-y", *extra)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result

    def write(self, name, text):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as handle:
            handle.write(text)
        return path

    def put(self, cluster, obj):
        code, body = self.emulator.control("POST", f"/clusters/{cluster}/objects", obj)
        self.assertEqual(code, 200, body)
        return body

    def requests(self):
        return self.emulator.control("GET", "/requests")[1]

    # ----- assertions

    def assertResult(self, result, code, stdout=None, stderr=None):
        """Exit code and, when given, the exact stdout and stderr."""
        self.assertEqual(result.returncode, code, f"stdout: {result.stdout!r}\nstderr: {result.stderr!r}")
        if stdout is not None:
            self.assertEqual(result.stdout, stdout)
        if stderr is not None:
            self.assertEqual(result.stderr, stderr)


@functools.lru_cache(maxsize=None)
def kubectl_minor():
    """The minor version of the kubectl under test: 32, or 20 for Debian's kubernetes-client."""
    result = subprocess.run([KUBECTL, "version", "--client", "-o", "json"], capture_output=True, text=True,
                            timeout=30, check=True)
    return int(re.match(r"\d+", json.loads(result.stdout)["clientVersion"]["minor"]).group())


def old_kubectl():
    """kubectl 1.20, which words some client-side output differently (see README.md)."""
    return kubectl_minor() <= 20


def create_secret_error(reason, message):
    """kubectl 1.32 wraps the server's message itself; 1.20 prints it as any server error."""
    if old_kubectl():
        return f"Error from server ({reason}): {message}\n"
    return f"error: failed to create secret {message}\n"


def pod(name, ready, labels=None):
    conditions = [{"type": "Ready", "status": "True" if ready else "False"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS, "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            "status": {"phase": "Running" if ready else "Pending", "conditions": conditions}}


def decoded(secret, key):
    return base64.b64decode(secret["data"][key]).decode()


class EmulatorStartup(EmulatorTestCase):
    def test_starts_quickly_and_writes_a_private_json_kubeconfig(self):
        self.assertLess(self.emulator.startup_seconds, 2.0)
        self.assertEqual(os.stat(self.emulator.kubeconfig).st_mode & 0o777, 0o600)
        with open(self.emulator.kubeconfig) as handle:
            config = json.load(handle)
        contexts = {c["name"]: c["context"] for c in config["contexts"]}
        self.assertEqual(contexts, {"c1": {"cluster": "c1", "user": "c1"}, "c2": {"cluster": "c2", "user": "c2"},
                                    "kind-c3": {"cluster": "c3", "user": "c3"}})
        self.assertEqual(config["current-context"], "c1")
        users = {u["name"]: u["user"]["token"] for u in config["users"]}
        self.assertEqual(users["c2"], "emulator-token-c2")
        servers = {c["name"]: c["cluster"]["server"] for c in config["clusters"]}
        self.assertEqual(servers, {n: c["server"] for n, c in self.emulator.info["clusters"].items()})
        self.assertEqual(self.emulator.info["clusters"]["c3"]["context"], "kind-c3")
        self.assertEqual(len(set(servers.values())), 3)

    def test_stops_on_sigint_and_sigterm(self):
        for signum in (signal.SIGINT, signal.SIGTERM):
            emulator = Emulator()
            port = int(emulator.server("c1").rsplit(":", 1)[1])
            emulator.process.send_signal(signum)
            self.assertEqual(emulator.process.wait(timeout=10), 0)
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", port), timeout=5)
            emulator.stop()

    def test_new_clusters_have_the_usual_namespaces_only(self):
        self.assertEqual(sorted(self.emulator.state("c2")),
                         ["namespaces/default", "namespaces/kube-node-lease", "namespaces/kube-public",
                          "namespaces/kube-system"])


class GetCommands(EmulatorTestCase):
    def test_get_namespace_ignore_not_found(self):
        command = ("get", "namespace", NS, "-o", "json", "--ignore-not-found", "--request-timeout=10s")
        self.assertResult(self.kubectl(*command), 0, stdout="", stderr="")
        self.assertResult(self.kubectl("create", "namespace", NS), 0, stdout="namespace/istio-system created\n")
        result = self.kubectl(*command)
        self.assertResult(result, 0, stderr="")
        namespace = json.loads(result.stdout)
        self.assertEqual((namespace["kind"], namespace["metadata"]["name"]), ("Namespace", NS))
        self.assertEqual(namespace["metadata"]["labels"], {"kubernetes.io/metadata.name": NS})
        self.assertEqual(namespace["status"], {"phase": "Active"})
        for field in ("uid", "resourceVersion", "creationTimestamp", "generation"):
            self.assertIn(field, namespace["metadata"])

    def test_get_three_kinds_is_an_empty_list_without_the_namespace(self):
        result = self.kubectl("get", "secrets,deployments,configmaps", "-n", NS, "-o", "json", "--request-timeout=10s")
        self.assertResult(result, 0, stderr="")
        # kubectl builds this List itself; 1.20 gives it an empty selfLink too.
        metadata = {"resourceVersion": "", "selfLink": ""} if old_kubectl() else {"resourceVersion": ""}
        self.assertEqual(json.loads(result.stdout),
                         {"apiVersion": "v1", "items": [], "kind": "List", "metadata": metadata})

    def test_get_three_kinds_lists_every_object(self):
        self.install()
        result = self.kubectl("get", "secrets,deployments,configmaps", "-n", NS, "-o", "json", "--request-timeout=10s")
        self.assertResult(result, 0, stderr="")
        kinds = [(item["kind"], item["metadata"]["name"]) for item in json.loads(result.stdout)["items"]]
        self.assertEqual(kinds, [
            ("Deployment", "istio-ingressgateway"), ("Deployment", "istiod"),
            ("ConfigMap", "istio"), ("ConfigMap", "istio-sidecar-injector")])

    def test_gateways_need_the_crd(self):
        command = ("get", "gateways.networking.istio.io", "-n", NS, "-o", "json", "--request-timeout=10s")
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='error: the server doesn\'t have a resource type "gateways"\n')
        self.install()
        self.assertResult(self.kubectl("apply", "-n", NS, "-f", self.write("gw.yaml", CROSS_NETWORK_GATEWAY.format(
            port=15443))), 0)
        result = self.kubectl(*command)
        self.assertResult(result, 0, stderr="")
        gateways = json.loads(result.stdout)["items"]
        self.assertEqual([(g["apiVersion"], g["metadata"]["name"]) for g in gateways],
                         [("networking.istio.io/v1", "cross-network-gateway")])

    def test_label_and_field_selectors(self):
        self.kubectl("create", "namespace", NS)
        for name, labels in (("a", {"istio": "pilot"}), ("b", {"istio": "eastwestgateway"}), ("c", {})):
            self.put("c1", {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name, "namespace": NS, "labels": labels}})
        cases = {("-l", "istio=pilot"): ["a"], ("-l", "istio"): ["a", "b"], ("-l", "!istio"): ["c"],
                 ("-l", "istio!=pilot"): ["b", "c"], ("-l", "istio in (pilot,eastwestgateway)"): ["a", "b"],
                 ("--field-selector", "metadata.name=b"): ["b"]}
        for selector, expected in cases.items():
            result = self.kubectl("get", "configmaps", "-n", NS, "-o", "json", *selector)
            self.assertResult(result, 0)
            self.assertEqual([i["metadata"]["name"] for i in json.loads(result.stdout)["items"]], expected, selector)


class CreateAndLabel(EmulatorTestCase):
    def test_create_namespace_twice(self):
        self.assertResult(self.kubectl("create", "namespace", NS), 0, stdout="namespace/istio-system created\n",
                          stderr="")
        self.assertResult(self.kubectl("create", "namespace", NS), 1, stdout="",
                          stderr='Error from server (AlreadyExists): namespaces "istio-system" already exists\n')
        self.assertIn("namespaces/istio-system", self.emulator.state("c1"))
        self.assertNotIn("namespaces/istio-system", self.emulator.state("c2"))

    def test_label_namespace(self):
        command = ("label", "namespace", NS, "topology.istio.io/network=network1", "--overwrite")
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='Error from server (NotFound): namespaces "istio-system" not found\n')
        self.kubectl("create", "namespace", NS)
        self.assertResult(self.kubectl(*command), 0, stdout="namespace/istio-system labeled\n", stderr="")
        self.assertResult(self.kubectl(*command), 0, stdout="namespace/istio-system not labeled\n", stderr="")
        labels = self.emulator.state("c1")["namespaces/istio-system"]["metadata"]["labels"]
        self.assertEqual(labels["topology.istio.io/network"], "network1")
        changed = ("label", "namespace", NS, "topology.istio.io/network=network2", "--overwrite")
        self.assertResult(self.kubectl(*changed), 0, stdout="namespace/istio-system labeled\n")
        labels = self.emulator.state("c1")["namespaces/istio-system"]["metadata"]["labels"]
        self.assertEqual(labels["topology.istio.io/network"], "network2")

    def certificate_files(self):
        return [self.write(f"A/{name}.pem", f"-----{name}-----\n") for name in
                ("ca-cert", "ca-key", "root-cert", "cert-chain")]

    def test_create_cacerts_secret(self):
        command = ("create", "secret", "generic", "cacerts", "-n", NS,
                   *[f"--from-file={path}" for path in self.certificate_files()])
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr=create_secret_error("NotFound", 'namespaces "istio-system" not found'))
        self.kubectl("create", "namespace", NS)
        self.assertResult(self.kubectl(*command), 0, stdout="secret/cacerts created\n", stderr="")
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr=create_secret_error("AlreadyExists", 'secrets "cacerts" already exists'))
        secret = self.emulator.state("c1")["secrets/istio-system/cacerts"]
        self.assertEqual(secret["type"], "Opaque")
        self.assertEqual(sorted(secret["data"]), ["ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem"])
        self.assertEqual(decoded(secret, "ca-key.pem"), "-----ca-key-----\n")

    def replace_pipeline(self):
        """create --dry-run=client -o yaml | kubectl replace -f -, as two processes."""
        files = [f"--from-file={path}" for path in self.certificate_files()]
        create = subprocess.Popen(self.kubectl_args(("create", "secret", "generic", "cacerts", "-n", NS, *files,
                                                     "--dry-run=client", "-o", "yaml"), "c1"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        replace = subprocess.run(self.kubectl_args(("replace", "-f", "-"), "c1"), stdin=create.stdout,
                                 capture_output=True, text=True, env=self.env, timeout=60)
        create.stdout.close()
        self.assertEqual(create.wait(timeout=60), 0, create.stderr.read())
        create.stderr.close()
        return replace

    def test_dry_run_create_piped_into_replace(self):
        self.kubectl("create", "namespace", NS)
        self.assertResult(self.replace_pipeline(), 1, stdout="",
                          stderr='Error from server (NotFound): error when replacing "STDIN": '
                                 'secrets "cacerts" not found\n')
        self.put("c1", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "cacerts", "namespace": NS},
                        "data": {"ca-key.pem": base64.b64encode(b"old").decode()}})
        before = self.emulator.state("c1")["secrets/istio-system/cacerts"]
        self.emulator.control("POST", "/requests/clear")
        self.assertResult(self.replace_pipeline(), 0, stdout="secret/cacerts replaced\n", stderr="")
        after = self.emulator.state("c1")["secrets/istio-system/cacerts"]
        self.assertEqual(decoded(after, "ca-key.pem"), "-----ca-key-----\n")
        self.assertEqual(after["metadata"]["uid"], before["metadata"]["uid"])
        self.assertGreater(int(after["metadata"]["resourceVersion"]), int(before["metadata"]["resourceVersion"]))
        writes = [(r["method"], r["path"]) for r in self.requests() if r["method"] != "GET"]
        self.assertEqual(writes, [("PUT", "/api/v1/namespaces/istio-system/secrets/cacerts")])

    def test_concurrent_kubectl_processes(self):
        self.kubectl("create", "namespace", NS)
        results = {}

        def create(index):
            results[index] = self.kubectl("create", "configmap", f"cm{index}", "-n", NS, f"--from-literal=i={index}")

        threads = [threading.Thread(target=create, args=(i,)) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for index, result in results.items():
            self.assertResult(result, 0, stdout=f"configmap/cm{index} created\n")
        self.assertEqual(len([k for k in self.emulator.state("c1") if k.startswith("configmaps/")]), 12)


class WaitForPods(EmulatorTestCase):
    COMMAND = ("-n", NS, "wait", "--for=condition=Ready", "pod", "--all", "--timeout=300s")

    def test_wait_without_pods_fails_at_once(self):
        started = time.monotonic()
        self.assertResult(self.kubectl(*self.COMMAND), 1, stdout="", stderr="error: no matching resources found\n")
        self.assertLess(time.monotonic() - started, 10)

    def test_wait_for_installed_pods_returns_promptly(self):
        self.install()
        started = time.monotonic()
        result = self.kubectl(*self.COMMAND)
        self.assertLess(time.monotonic() - started, 10)
        self.assertResult(result, 0, stderr="")
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        for line in lines:
            self.assertRegex(line, r"^pod/(istiod|istio-ingressgateway)-[0-9a-f]{10}-[0-9a-f]{5} condition met$")

    def test_wait_follows_a_pod_that_becomes_ready(self):
        self.kubectl("create", "namespace", NS)
        self.put("c1", pod("slow", ready=False))
        threading.Timer(1.0, lambda: self.put("c1", pod("slow", ready=True))).start()
        started = time.monotonic()
        result = self.kubectl(*self.COMMAND)
        self.assertResult(result, 0, stdout="pod/slow condition met\n", stderr="")
        self.assertGreater(time.monotonic() - started, 0.9)
        self.assertTrue(any("watch=true" in r["query"] for r in self.requests()))

    def test_wait_times_out(self):
        self.kubectl("create", "namespace", NS)
        self.put("c1", pod("stuck", ready=False))
        result = self.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod", "--all", "--timeout=2s")
        self.assertResult(result, 1, stdout="", stderr="error: timed out waiting for the condition on pods/stuck\n")


class Apply(EmulatorTestCase):
    def test_apply_gateway_created_unchanged_configured(self):
        self.install()
        path = self.write("cross-network-gateway.yaml", CROSS_NETWORK_GATEWAY.format(port=15443))
        command = ("apply", "-n", NS, "-f", path)
        name = "gateway.networking.istio.io/cross-network-gateway"
        self.assertResult(self.kubectl(*command), 0, stdout=f"{name} created\n", stderr="")
        self.assertResult(self.kubectl(*command), 0, stdout=f"{name} unchanged\n", stderr="")
        self.write("cross-network-gateway.yaml", CROSS_NETWORK_GATEWAY.format(port=15444))
        self.assertResult(self.kubectl(*command), 0, stdout=f"{name} configured\n", stderr="")
        gateway = self.emulator.state("c1")["gateways/istio-system/cross-network-gateway"]
        self.assertEqual(gateway["spec"]["servers"][0]["port"]["number"], 15444)
        self.assertEqual(gateway["spec"]["servers"][0]["hosts"], ["*.local"])
        self.assertEqual(gateway["metadata"]["generation"], 2)

    def test_apply_remote_secret_from_file_and_stdin(self):
        self.kubectl("create", "namespace", NS)
        path = self.write("remote-secret.yaml", REMOTE_SECRET.format(server="https://c1.example:6443"))
        name = "secret/istio-remote-secret-c1"
        self.assertResult(self.kubectl("apply", "-f", path), 0, stdout=f"{name} created\n", stderr="")
        # A real API server folds stringData into data, so kubectl's three-way merge always
        # finds stringData missing: "configured" every time (kubernetes/kubernetes#87736).
        self.assertResult(self.kubectl("apply", "-f", path), 0, stdout=f"{name} configured\n", stderr="")
        with open(path) as handle:
            self.assertResult(self.kubectl("apply", "-f", "-", input=handle.read()), 0,
                              stdout=f"{name} configured\n", stderr="")
        secret = self.emulator.state("c1")["secrets/istio-system/istio-remote-secret-c1"]
        self.assertNotIn("stringData", secret)
        self.assertIn("server: https://c1.example:6443", decoded(secret, "c1"))
        self.assertEqual(secret["metadata"]["labels"], {"istio/multiCluster": "true"})
        self.assertEqual(secret["metadata"]["annotations"]["networking.istio.io/cluster"], "c1")
        self.write("remote-secret.yaml", REMOTE_SECRET.format(server="https://c1.example:7443"))
        self.assertResult(self.kubectl("apply", "-f", path), 0, stdout=f"{name} configured\n")
        secret = self.emulator.state("c1")["secrets/istio-system/istio-remote-secret-c1"]
        self.assertIn("server: https://c1.example:7443", decoded(secret, "c1"))

    def test_apply_secret_with_data_is_unchanged_the_second_time(self):
        self.kubectl("create", "namespace", NS)
        text = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: plain\n  namespace: istio-system\n"
                "data:\n  key: dmFsdWU=\n")
        self.assertResult(self.kubectl("apply", "-f", "-", input=text), 0, stdout="secret/plain created\n")
        self.assertResult(self.kubectl("apply", "-f", "-", input=text), 0, stdout="secret/plain unchanged\n")

    def test_apply_into_a_missing_namespace(self):
        path = self.write("remote-secret.yaml", REMOTE_SECRET.format(server="https://c1.example:6443"))
        self.assertResult(self.kubectl("apply", "-f", path), 1, stdout="",
                          stderr='Error from server (NotFound): error when creating "' + path +
                                 '": namespaces "istio-system" not found\n')

    def test_dry_run_server_stores_nothing(self):
        self.kubectl("create", "namespace", NS)
        result = self.kubectl("create", "configmap", "x", "-n", NS, "--dry-run=server")
        self.assertResult(result, 0, stdout="configmap/x created (server dry run)\n")
        self.assertNotIn("configmaps/istio-system/x", self.emulator.state("c1"))


class DeleteAndRestart(EmulatorTestCase):
    def test_delete_secret(self):
        self.kubectl("create", "namespace", NS)
        self.put("c1", {"apiVersion": "v1", "kind": "Secret",
                        "metadata": {"name": "istio-remote-secret-c1", "namespace": NS}})
        command = ("delete", "secret", "istio-remote-secret-c1", "-n", NS)
        self.assertResult(self.kubectl(*command), 0, stdout='secret "istio-remote-secret-c1" deleted\n', stderr="")
        self.assertNotIn("secrets/istio-system/istio-remote-secret-c1", self.emulator.state("c1"))
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='Error from server (NotFound): secrets "istio-remote-secret-c1" not found\n')
        self.assertResult(self.kubectl(*command, "--ignore-not-found"), 0, stdout="", stderr="")

    def test_rollout_restart_keeps_the_deployment_ready(self):
        command = ("rollout", "restart", "deployment/istiod", "-n", NS)
        # kubectl looks the namespace up after a NotFound and names it when it is missing.
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='Error from server (NotFound): namespaces "istio-system" not found\n')
        self.kubectl("create", "namespace", NS)
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='Error from server (NotFound): deployments.apps "istiod" not found\n')
        self.install()
        before = self.emulator.state("c1")["deployments/istio-system/istiod"]
        self.assertResult(self.kubectl(*command), 0, stdout="deployment.apps/istiod restarted\n", stderr="")
        after = self.emulator.state("c1")["deployments/istio-system/istiod"]
        self.assertIn("kubectl.kubernetes.io/restartedAt", after["spec"]["template"]["metadata"]["annotations"])
        self.assertEqual(after["spec"]["template"]["spec"], before["spec"]["template"]["spec"])
        self.assertEqual(after["status"]["readyReplicas"], 1)
        self.assertEqual(after["status"]["observedGeneration"], after["metadata"]["generation"])
        self.assertResult(self.kubectl("rollout", "status", "deployment/istiod", "-n", NS, "--timeout=10s"), 0,
                          stdout='deployment "istiod" successfully rolled out\n')

    def test_delete_east_west_gateway_objects(self):
        self.install()
        self.install(EAST_WEST_OPERATOR)
        self.kubectl("apply", "-n", NS, "-f", self.write("gw.yaml", CROSS_NETWORK_GATEWAY.format(port=15443)))
        result = self.kubectl("delete", "deployment,service,serviceaccount", "-n", NS, "-l", "istio=eastwestgateway")
        self.assertResult(result, 0, stderr="", stdout=(
            'deployment.apps "istio-eastwestgateway" deleted\n'
            'service "istio-eastwestgateway" deleted\n'
            'serviceaccount "istio-eastwestgateway-service-account" deleted\n'))
        state = self.emulator.state("c1")
        self.assertFalse([k for k in state if "eastwest" in k and not k.startswith("pods/")])
        self.assertIn("deployments/istio-system/istiod", state)
        result = self.kubectl("delete", "deployment,service,serviceaccount", "-n", NS, "-l", "istio=eastwestgateway")
        self.assertResult(result, 0, stdout="No resources found\n", stderr="")
        command = ("delete", "gateways.networking.istio.io", "cross-network-gateway", "-n", NS, "--ignore-not-found")
        self.assertResult(self.kubectl(*command), 0,
                          stdout='gateway.networking.istio.io "cross-network-gateway" deleted\n', stderr="")
        self.assertResult(self.kubectl(*command), 0, stdout="", stderr="")

    def test_delete_gateway_without_the_crd(self):
        command = ("delete", "gateways.networking.istio.io", "cross-network-gateway", "-n", NS, "--ignore-not-found")
        self.assertResult(self.kubectl(*command), 1, stdout="",
                          stderr='error: the server doesn\'t have a resource type "gateways"\n')


class Failures(EmulatorTestCase):
    def refused(self, cluster):
        port = self.emulator.server(cluster).rsplit(":", 1)[1]
        return f"The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?\n"

    def test_cluster_down_and_up_again(self):
        self.kubectl("create", "namespace", NS)
        self.assertEqual(self.emulator.control("POST", "/clusters/c1/down")[0], 200)
        command = ("get", "namespace", NS, "-o", "json", "--ignore-not-found", "--request-timeout=10s")
        result = self.kubectl(*command)
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.endswith(self.refused("c1")), result.stderr)
        self.assertResult(self.kubectl("create", "namespace", "x"), 1, stdout="")
        self.assertResult(self.kubectl("get", "namespace", NS, "-o", "name", context="c2"), 1,
                          stderr='Error from server (NotFound): namespaces "istio-system" not found\n')
        self.emulator.control("POST", "/clusters/c1/up")
        result = self.kubectl(*command)
        self.assertResult(result, 0, stderr="")
        self.assertEqual(json.loads(result.stdout)["metadata"]["name"], NS)

    def test_cluster_down_with_a_cold_discovery_cache(self):
        self.emulator.control("POST", "/clusters/c2/down")
        result = self.kubectl("get", "namespace", NS, "--ignore-not-found", context="c2")
        self.assertResult(result, 1, stdout="")
        if old_kubectl():  # kubectl 1.20 logs nothing about the failed discovery
            self.assertEqual(result.stderr, self.refused("c2"))
            return
        lines = result.stderr.splitlines()
        self.assertEqual(lines[-1] + "\n", self.refused("c2"))
        self.assertTrue(all("couldn't get current server API group list" in line for line in lines[:-1]), lines)

    def test_hanging_cluster_times_out(self):
        self.assertResult(self.kubectl("get", "namespace", "default", "-o", "name"), 0)  # warm the cache
        self.emulator.control("POST", "/clusters/c1/hang")
        started = time.monotonic()
        result = self.kubectl("get", "namespace", NS, "-o", "json", "--ignore-not-found", "--request-timeout=2s")
        elapsed = time.monotonic() - started
        self.assertResult(result, 1, stdout="")
        # Go's client words the timeout in three ways, depending on which timer fires first.
        self.assertRegex(result.stderr, r"^Unable to connect to the server: (context deadline exceeded|net/http: "
                                        r"request canceled)( \(Client\.Timeout exceeded while awaiting headers\))?\n$")
        self.assertLess(elapsed, 6)
        self.emulator.control("POST", "/clusters/c1/up")
        self.assertResult(self.kubectl("get", "namespace", "default", "-o", "name"), 0, stdout="namespace/default\n")

    def test_unknown_context(self):
        self.assertResult(self.kubectl("get", "namespace", NS, context="nope"), 1, stdout="",
                          stderr="Error in configuration: context was not found for specified context: nope\n")

    def test_context_names_map_to_clusters(self):
        self.assertResult(self.kubectl("create", "namespace", NS, context="kind-c3"), 0)
        self.assertIn("namespaces/istio-system", self.emulator.state("c3"))
        self.assertResult(self.kubectl("get", "ns", context="c3"), 1, stdout="",
                          stderr="Error in configuration: context was not found for specified context: c3\n")


class ControlApi(EmulatorTestCase):
    def test_objects_and_request_log(self):
        stored = self.put("c2", {"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": "x", "namespace": "default"}, "data": {"a": "b"}})
        self.assertTrue(stored["metadata"]["uid"])
        self.assertResult(self.kubectl("get", "configmap", "x", "-o", "jsonpath={.data.a}", context="c2"), 0,
                          stdout="b")
        self.assertIn({"cluster": "c2", "method": "GET", "path": "/api/v1/namespaces/default/configmaps/x",
                       "query": ""}, self.requests())
        self.assertEqual(self.emulator.control("DELETE", "/clusters/c2/objects/configmaps/default/x")[0], 200)
        self.assertNotIn("configmaps/default/x", self.emulator.state("c2"))
        self.assertEqual(self.emulator.control("DELETE", "/clusters/c2/objects/configmaps/default/x")[0], 404)
        self.assertEqual(self.emulator.control("POST", "/requests/clear")[0], 200)
        self.assertEqual(self.requests(), [])

    def test_clusters_and_bad_requests(self):
        code, clusters = self.emulator.control("GET", "/clusters")
        self.assertEqual((code, clusters["c3"]["mode"], clusters["c3"]["context"]), (200, "up", "kind-c3"))
        self.assertEqual(self.emulator.control("POST", "/clusters/nope/down")[0], 404)
        self.assertEqual(self.emulator.control("POST", "/clusters/c1/objects", {"kind": "Nope"})[0], 400)
        self.assertEqual(self.emulator.control("GET", "/nope")[0], 404)

    def test_api_server_answers_bad_input_with_a_status(self):
        server = self.emulator.server("c1")
        cases = [("POST", "/api/v1/namespaces", b"{not json", 400, "BadRequest"),
                 ("POST", "/api/v1/namespaces", b'{"metadata": {"name": "Bad_Name"}}', 422, "Invalid"),
                 ("POST", "/api/v1/namespaces/default/secrets", b'{"metadata": {"name": "s"}, "data": {"k": "%%"}}',
                  400, "BadRequest"),
                 ("GET", "/apis/nope.example.com/v1/things", None, 404, "NotFound"),
                 ("PATCH", "/api/v1/namespaces/default", b"[]", 415, "UnsupportedMediaType"),
                 ("PUT", "/api/v1/namespaces/default", b'{"metadata": {"name": "other"}}', 400, "BadRequest")]
        for method, path, body, code, reason in cases:
            request = urllib.request.Request(server + path, data=body, method=method,
                                             headers={"Content-Type": "application/json-patch+json"
                                                      if method == "PATCH" else "application/json"})
            with self.assertRaises(urllib.error.HTTPError) as raised:
                urllib.request.urlopen(request, timeout=10)
            status = json.load(raised.exception)
            self.assertEqual((raised.exception.code, status["kind"], status["reason"], status["code"]),
                             (code, "Status", reason, code), (method, path))
        self.assertResult(self.kubectl("get", "namespace", "default", "-o", "name"), 0, stdout="namespace/default\n")

    def test_openapi_v2_as_json_and_protobuf(self):
        url = self.emulator.server("c1") + "/openapi/v2"
        gateway = "/apis/networking.istio.io/v1/namespaces/{namespace}/gateways/{name}"
        with urllib.request.urlopen(url, timeout=10) as response:
            document = json.load(response)
        self.assertEqual(document["swagger"], "2.0")
        patch = document["paths"]["/api/v1/namespaces/{namespace}/secrets/{name}"]["patch"]
        self.assertEqual(patch["x-kubernetes-group-version-kind"], {"group": "", "version": "v1", "kind": "Secret"})
        self.assertIn("dryRun", [p["name"] for p in patch["parameters"]])
        self.assertNotIn(gateway, document["paths"])
        self.install()
        accept = {"Accept": "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"}
        with urllib.request.urlopen(urllib.request.Request(url, headers=accept), timeout=10) as response:
            self.assertEqual(response.headers["Content-Type"], "application/octet-stream")
            raw = response.read()
        self.assertTrue(raw.startswith(b"\x0a\x032.0"), raw[:16])  # field 1 (swagger), "2.0"
        self.assertIn(gateway.encode(), raw)
        self.assertIn(b'{"group": "networking.istio.io", "version": "v1", "kind": "Gateway"}', raw)

    def test_kept_alive_connection_survives_an_early_error(self):
        host, port = self.emulator.server("c1")[len("http://"):].split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.request("POST", "/apis/nope.example.com/v1/namespaces/default/things", body=b'{"a": 1}',
                           headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        self.assertEqual((response.status, json.load(response)["reason"]), (404, "NotFound"))
        connection.request("GET", "/api/v1/namespaces/default")
        response = connection.getresponse()
        self.assertEqual((response.status, json.load(response)["metadata"]["name"]), (200, "default"))
        connection.close()


class IstioctlStandIn(EmulatorTestCase):
    def test_install_control_plane(self):
        log = os.path.join(self.work, "istioctl.log")
        result = self.install(None, "c1", "--revision=")
        self.assertEqual(result.stdout, "✔ Istio core installed ⛵️\n✔ Istiod installed 🧠\n"
                                        "✔ Ingress gateways installed 🛬\n✔ Installation complete\n"
                                        "Made this installation the default for cluster-wide operations.\n")
        state = self.emulator.state("c1")
        self.assertEqual(state["namespaces/istio-system"]["metadata"]["labels"]["topology.istio.io/network"],
                         "network1")
        self.assertIn("customresourcedefinitions/gateways.networking.istio.io", state)
        istiod = state["deployments/istio-system/istiod"]
        self.assertEqual(istiod["metadata"]["labels"]["app"], "istiod")
        self.assertEqual(istiod["metadata"]["labels"]["istio.io/rev"], "default")
        container = istiod["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual((container["name"], container["image"]), ("discovery", "docker.io/istio/pilot:1.24.2"))
        self.assertIn({"name": "CLUSTER_ID", "value": "c1"}, container["env"])
        self.assertEqual({k: istiod["status"][k] for k in ("replicas", "readyReplicas", "availableReplicas")},
                         {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1})
        self.assertIn({"type": "Available", "status": "True"},
                      [{k: c[k] for k in ("type", "status")} for c in istiod["status"]["conditions"]])
        values = json.loads(state["configmaps/istio-system/istio-sidecar-injector"]["data"]["values"])
        self.assertEqual(values, {"global": {"meshID": "mesh1", "network": "network1",
                                             "multiCluster": {"clusterName": "c1"}, "istioNamespace": NS},
                                  "revision": ""})
        self.assertIn("defaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\n  meshId: mesh1\n",
                      state["configmaps/istio-system/istio"]["data"]["mesh"])
        pods = [v for k, v in state.items() if k.startswith("pods/istio-system/istiod-")]
        self.assertEqual(len(pods), 1)
        self.assertIn({"type": "Ready", "status": "True"}, pods[0]["status"]["conditions"])
        self.assertFalse(os.path.exists(log))

    def test_reinstall_updates_values_and_version(self):
        self.install()
        old_pod = [k for k in self.emulator.state("c1") if k.startswith("pods/istio-system/istiod-")]
        path = self.write("install.yaml", CONTROL_PLANE_OPERATOR.format(mesh="mesh2", cluster="c1", network="net9"))
        result = self.istioctl("install", "-y", "-f", path, "--kubeconfig", self.emulator.kubeconfig,
                               "--context", "c1", env={"ISTIOCTL_STANDIN_VERSION": "1.25.0"})
        self.assertResult(result, 0)
        state = self.emulator.state("c1")
        container = state["deployments/istio-system/istiod"]["spec"]["template"]["spec"]["containers"][0]
        self.assertEqual(container["image"], "docker.io/istio/pilot:1.25.0")
        values = json.loads(state["configmaps/istio-system/istio-sidecar-injector"]["data"]["values"])
        self.assertEqual((values["global"]["meshID"], values["global"]["network"]), ("mesh2", "net9"))
        pods = [k for k in state if k.startswith("pods/istio-system/istiod-")]
        self.assertEqual(len(pods), 1)
        self.assertNotEqual(pods, old_pod)
        # istioctl labels istio-system only when it creates it.
        self.assertEqual(state["namespaces/istio-system"]["metadata"]["labels"]["topology.istio.io/network"],
                         "network1")

    def test_install_with_a_revision(self):
        self.install(REVISION_OPERATOR, "c2")
        state = self.emulator.state("c2")
        istiod = state["deployments/istio-system/istiod-canary"]
        self.assertEqual(istiod["metadata"]["labels"]["istio.io/rev"], "canary")
        values = json.loads(state["configmaps/istio-system/istio-sidecar-injector-canary"]["data"]["values"])
        self.assertEqual(values["revision"], "canary")
        self.assertIn("configmaps/istio-system/istio-canary", state)
        self.assertNotIn("deployments/istio-system/istiod", state)

    def test_install_east_west_gateway(self):
        result = self.install(EAST_WEST_OPERATOR)
        self.assertEqual(result.stdout, "✔ Ingress gateways installed 🛬\n✔ Installation complete\n")
        state = self.emulator.state("c1")
        for key in ("deployments/istio-system/istio-eastwestgateway", "services/istio-system/istio-eastwestgateway",
                    "serviceaccounts/istio-system/istio-eastwestgateway-service-account"):
            self.assertEqual(state[key]["metadata"]["labels"], {
                "istio": "eastwestgateway", "app": "istio-eastwestgateway", "topology.istio.io/network": "network1"})
        self.assertNotIn("deployments/istio-system/istiod", state)
        self.assertResult(self.kubectl("-n", NS, "wait", "--for=condition=Ready", "pod", "--all", "--timeout=30s"), 0)

    def test_invocations_are_logged(self):
        log = os.path.join(self.work, "istioctl.log")
        self.istioctl("version", "--remote=false", env={"ISTIOCTL_STANDIN_LOG": log})
        self.istioctl("bogus", env={"ISTIOCTL_STANDIN_LOG": log})
        with open(log) as handle:
            calls = [json.loads(line)["argv"] for line in handle]
        self.assertEqual([call[1:] for call in calls], [["version", "--remote=false"], ["bogus"]])
        self.assertTrue(all(os.path.basename(call[0]) == "istioctl" for call in calls), calls)

    def test_create_remote_secret(self):
        self.install()
        result = self.istioctl("create-remote-secret", "--context=c1", f"--kubeconfig={self.emulator.kubeconfig}",
                               "--name=c1")
        server = self.emulator.server("c1")
        self.assertResult(result, 0, stderr=(
            f"warn: server in Kubeconfig is {server}. This is likely not reachable from inside the cluster, "
            "if you're using Kubernetes in Docker, pass --server with the container IP for the API Server\n"))
        lines = result.stdout.splitlines()
        self.assertEqual(lines[:12], [
            "# This file is autogenerated, do not edit.", "apiVersion: v1", "kind: Secret", "metadata:",
            "  annotations:", "    networking.istio.io/cluster: c1", "  creationTimestamp: null", "  labels:",
            '    istio/multiCluster: "true"', "  name: istio-remote-secret-c1", "  namespace: istio-system",
            "stringData:"])
        self.assertEqual(lines[12:16], ["  c1: |", "    apiVersion: v1", "    clusters:", "    - cluster:"])
        self.assertEqual(lines[-1], "---")
        self.assertIn(f"        server: {server}", lines)
        token = [line.split(": ", 1)[1] for line in lines if line.startswith("        token: ")]
        self.assertEqual(len(token), 1)
        self.assertNotEqual(token[0], "emulator-token-c1")
        self.assertIn("istio-reader-service-account", token[0])
        applied = self.kubectl("apply", "-f", "-", input=result.stdout, context="c1")
        self.assertResult(applied, 0, stdout="secret/istio-remote-secret-c1 created\n")
        stored = self.emulator.state("c1")["secrets/istio-system/istio-remote-secret-c1"]
        self.assertIn(f"token: {token[0]}\n", decoded(stored, "c1"))

    def test_create_remote_secret_with_server_and_without_istio(self):
        result = self.istioctl("create-remote-secret", "--kubeconfig", self.emulator.kubeconfig, "--context",
                               "kind-c3", "--name", "c3", "--server=https://c3.example:6443")
        self.assertResult(result, 0, stderr="")
        self.assertIn("        server: https://c3.example:6443\n", result.stdout)
        state = self.emulator.state("c3")
        self.assertIn("serviceaccounts/istio-system/istio-reader-service-account", state)
        self.assertEqual(state["secrets/istio-system/istio-reader-service-account-istio-remote-secret-token"]["type"],
                         "kubernetes.io/service-account-token")

    def test_remote_clusters(self):
        self.assertResult(self.istioctl("remote-clusters", "--context", "c2", "--kubeconfig", self.emulator.kubeconfig),
                          1, stdout="", stderr="Error: unable to find any Istiod instances\n")
        self.install(CONTROL_PLANE_OPERATOR.format(mesh="mesh1", cluster="c2", network="network2"), "c2")
        for source in ("c1", "c3"):
            secret = self.istioctl("create-remote-secret", f"--context={'kind-c3' if source == 'c3' else source}",
                                   f"--kubeconfig={self.emulator.kubeconfig}", f"--name={source}")
            self.assertResult(self.kubectl("apply", "-f", "-", input=secret.stdout, context="c2"), 0)
        istiod = [k.split("/")[-1] for k in self.emulator.state("c2") if k.startswith("pods/istio-system/istiod-")][0]
        self.emulator.control("POST", "/clusters/c3/down")
        command = ("remote-clusters", "--context=c2", f"--kubeconfig={self.emulator.kubeconfig}")

        def table(c3_status):
            # Go's tabwriter, padding 5: each column is its widest cell plus 5 spaces.
            width = 12 if c3_status == "timeout" else 11
            rows = [("NAME", "SECRET", "STATUS", "ISTIOD"), ("c2", "", "synced", istiod),
                    ("c1", "istio-system/istio-remote-secret-c1", "synced", istiod),
                    ("c3", "istio-system/istio-remote-secret-c3", c3_status, istiod)]
            return "".join(f"{a:<9}{b:<40}{c:<{width}}{d}\n" for a, b, c, d in rows)

        self.assertResult(self.istioctl(*command), 0, stdout=table("synced"), stderr="")
        controlled = self.istioctl(*command, env={"KUBE_EMULATOR_CONTROL": self.emulator.control_url})
        self.assertResult(controlled, 0, stdout=table("timeout"), stderr="")

    def test_errors(self):
        install = self.write("install.yaml", CONTROL_PLANE_OPERATOR.format(mesh="m", cluster="c1", network="n"))
        kubeconfig = f"--kubeconfig={self.emulator.kubeconfig}"
        self.assertResult(self.istioctl("install", "--context=nope", kubeconfig, "-f", install, "-y"), 1,
                          stdout="", stderr='Error: context "nope" does not exist\n')
        self.assertResult(self.istioctl("frobnicate"), 1, stdout="",
                          stderr="Error: unknown command \"frobnicate\" for \"istioctl\"\n"
                                 "Run 'istioctl --help' for usage.\n")
        self.assertResult(self.istioctl("install", "--bogus"), 1, stderr="Error: unknown flag: --bogus\n")
        self.emulator.control("POST", "/clusters/c1/down")
        port = self.emulator.server("c1").rsplit(":", 1)[1]
        self.assertResult(self.istioctl("install", "--context=c1", kubeconfig, "-f", install, "-y"), 1, stdout="",
                          stderr="Error: check minimum supported Kubernetes version: error getting Kubernetes "
                                 f'version: Get "http://127.0.0.1:{port}/version?timeout=5s": dial tcp '
                                 f"127.0.0.1:{port}: connect: connection refused\n")
        result = self.istioctl("create-remote-secret", "--context=c1", kubeconfig, "--name=c1")
        self.assertResult(result, 1, stdout="")
        self.assertRegex(result.stderr, r"^error: could not get access token .* connection refused\nError: ")

    def test_install_asks_for_confirmation_without_y(self):
        install = self.write("install.yaml", CONTROL_PLANE_OPERATOR.format(mesh="m", cluster="c1", network="n"))
        result = self.istioctl("install", "--context=c1", f"--kubeconfig={self.emulator.kubeconfig}", "-f", install)
        self.assertResult(result, 1, stdout='This will install the Istio 1.24.2 profile "default" into the cluster. '
                                            "Proceed? (y/N) Cancelled.\n")
        self.assertNotIn("namespaces/istio-system", self.emulator.state("c1"))

    def test_version(self):
        self.assertResult(self.istioctl("version", "--remote=false"), 0, stdout="1.24.2\n", stderr="")
        self.assertResult(self.istioctl("version", "--remote=false", env={"ISTIOCTL_STANDIN_VERSION": "1.22.1"}), 0,
                          stdout="1.22.1\n")
        self.install()
        self.assertResult(self.istioctl("version", env={"KUBECONFIG": self.emulator.kubeconfig}), 0,
                          stdout="client version: 1.24.2\ncontrol plane version: 1.24.2\n")
        self.assertResult(self.istioctl("version", f"--kubeconfig={self.emulator.kubeconfig}", "--context", "c2"), 0,
                          stdout='Istio is not present in the cluster: no running Istio pods in namespace '
                                 '"istio-system"\nclient version: 1.24.2\n')


if __name__ == "__main__":
    unittest.main()
