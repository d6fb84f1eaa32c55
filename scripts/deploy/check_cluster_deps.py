#!/usr/bin/env python3
"""Contract of the cluster dependencies (charts/fleet-mqtt, fleet-postgres, fleet-secrets) with the
service charts, on their rendered manifests (docs/deployment/cluster.md).

    scripts/deploy/check_cluster_deps.py [--broker] [--set CHART:KEY=VALUE ...]

Renders every application chart of charts/ with `helm template` (the offline helm of
scripts/validate-deploy.sh must be on PATH) with its default values, release = chart name,
namespace fleet, and fleet-secrets also with charts/ci-values/fleet-secrets.yaml (prod); the service
charts also as each environment's Argo CD Application renders them (argocd/apps with
values-dev.yaml / values-prod.yaml: what an environment turns on, e.g. prod's archive and weekly
report job, reads Secrets too). Asserts:
  - secrets: the (Secret, key) pairs fleet-secrets produces are exactly those every chart reads
    (secretKeyRef, envFrom, secret volumes; cert-manager's TLS Secrets aside), in dev and in prod
    (prod: without the dev database's); a secretKeyRef marked optional may be produced or not;
  - same values: each service's mqtt-password comes from the same source (store, remote key,
    property) as the broker Secret's key for the service's MQTT username, every postgres-password
    from the database's; dev: every copied property is generated, prod: every remote ref is set;
  - broker accounts: the init container's FLEET_MQTT_PASSWORD_* = config/mosquitto/service-accounts
    + dynsec-admin = the broker Secret's keys; every service's MQTT username is an account;
  - listeners and addresses: mosquitto.conf has 1883 plain and 8883 TLS (certificate on the mounted
    TLS volume), the Service and container ports match, persistence and the dynsec file are on the
    volume; the services' broker and database host/port are these charts' Services;
  - PVCs, non-root (uid 10001, read-only root filesystem, no privilege escalation, ALL dropped) and
    NetworkPolicies (every service that uses the broker/database is admitted, nothing else; egress
    DNS only for the broker, none for the database).
--broker also runs the rendered broker for real: the rendered mosquitto.conf and init-dynsec.sh
with Debian's mosquitto on 127.0.0.1 (free ports, uid 10001 when run as root), passwords as the dev
fleet-secrets render would copy them, then connects as service accounts on the plain and the TLS
listener, checks refusals, runs the readiness probe, restarts and checks again.
--set CHART:KEY=VALUE changes one chart's render (guard cases in validate-deploy.sh use it).
Exit status 1 with the list of failures.
"""
import argparse
import os
import re
import secrets as rnd
import shutil
import socket
import string
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NS = "fleet"
OWN = ("fleet-mqtt", "fleet-postgres", "fleet-secrets")
errors = []


def need(cond, msg):
    if not cond:
        errors.append(msg)
    return cond


def charts():
    out = []
    for name in sorted(os.listdir(os.path.join(ROOT, "charts"))):
        meta = os.path.join(ROOT, "charts", name, "Chart.yaml")
        if os.path.isfile(meta) and (yaml.safe_load(open(meta)) or {}).get("type", "application") == "application":
            out.append(name)
    return out


def render(chart, sets, values=None):
    cmd = ["helm", "template", chart, os.path.join(ROOT, "charts", chart), "-n", NS]
    if values:
        cmd += ["-f", values]
    for s in sets.get(chart, []):
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"helm template {chart} failed:\n{p.stderr}")
    return [d for d in yaml.safe_load_all(p.stdout) if d]


def pod_specs(docs):
    for d in docs:
        spec = d.get("spec") or {}
        tpl = spec.get("template") or (spec.get("jobTemplate") or {}).get("spec", {}).get("template")
        if d.get("kind") in ("StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob", "Rollout") and tpl:
            yield d, tpl["spec"]


def containers(pod):
    return (pod.get("initContainers") or []) + (pod.get("containers") or [])


def consumed(docs, optional=None):
    """(secret, key) pairs read by pods; key '*' for a whole Secret. Pairs read only through optional
    secretKeyRefs go to `optional` (a set) instead, when given."""
    tls = {d["spec"]["secretName"] for d in docs if d.get("kind") == "Certificate"}
    pairs = set()
    maybe = set()
    for _, pod in pod_specs(docs):
        for c in containers(pod):
            for e in c.get("env") or []:
                ref = (e.get("valueFrom") or {}).get("secretKeyRef")
                if ref:
                    (maybe if ref.get("optional") and optional is not None else pairs).add((ref["name"], ref["key"]))
            for e in c.get("envFrom") or []:
                if "secretRef" in e:
                    pairs.add((e["secretRef"]["name"], "*"))
        for v in pod.get("volumes") or []:
            srcs = [v["secret"]] if "secret" in v else [s["secret"] for s in (v.get("projected") or {}).get("sources", []) if "secret" in s]
            for s in srcs:
                name = s.get("secretName") or s.get("name")
                if name in tls:
                    continue  # made by cert-manager from this chart's Certificate
                for it in s.get("items") or [{"key": "*"}]:
                    pairs.add((name, it["key"]))
    if optional is not None:
        optional |= maybe - pairs
    return pairs


def produced(docs):
    """{(secret, key): source} of the ExternalSecrets that copy from a store (dev copies, prod)."""
    out, generated = {}, {}
    for d in docs:
        if d.get("kind") != "ExternalSecret":
            continue
        spec = d["spec"]
        target = (spec.get("target") or {}).get("name") or d["metadata"]["name"]
        if spec.get("dataFrom"):
            keys = set()
            for df in spec["dataFrom"]:
                need("generatorRef" in (df.get("sourceRef") or {}), f"{target}: dataFrom without a generator")
                for rw in df.get("rewrite") or []:
                    keys.add(rw["regexp"]["target"])
            need(len(keys) == len(spec["dataFrom"]), f"{target}: every generator call needs its own key")
            need(spec.get("refreshPolicy") == "CreatedOnce", f"{target}: generated values must be made once (refreshPolicy CreatedOnce)")
            generated[target] = keys
            continue
        store = spec["secretStoreRef"]
        for item in spec.get("data") or []:
            ref = item["remoteRef"]
            need(ref.get("key") and ref.get("property"), f"{target}/{item['secretKey']}: empty remote ref")
            out[(target, item["secretKey"])] = (store["kind"], store["name"], ref.get("key"), ref.get("property"))
    return out, generated


def env_of(container):
    return {e["name"]: e for e in container.get("env") or []}


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


def one(docs, kind, name=None):
    found = [d for d in by_kind(docs, kind) if name is None or d["metadata"]["name"] == name]
    if not need(len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"):
        raise SystemExit("\n".join(errors))
    return found[0]


def client_of(chart, docs, workload, pod):
    """A pod of another chart: its name label, environment values (envFrom ConfigMaps of the same
    render + literal env) and env entries of its first container."""
    c = pod["containers"][0]
    maps = {d["metadata"]["name"]: d.get("data") or {} for d in by_kind(docs, "ConfigMap")}
    values = {}
    for e in c.get("envFrom") or []:
        values.update(maps.get((e.get("configMapRef") or {}).get("name"), {}))
    env = env_of(c)
    values.update({n: e["value"] for n, e in env.items() if "value" in e})
    spec = workload["spec"]
    tpl = spec.get("template") or spec["jobTemplate"]["spec"]["template"]
    label = tpl["metadata"]["labels"].get("app.kubernetes.io/name")
    return {"name": f"{chart}/{workload['metadata']['name']}", "label": label, "values": values, "env": env}


def accounts_file():
    out = []
    for line in open(os.path.join(ROOT, "config/mosquitto/service-accounts")):
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return out


def password_env(account):
    return "FLEET_MQTT_PASSWORD_" + account.upper().replace("-", "_")


def secure_pod(name, pod):
    sc = pod.get("securityContext") or {}
    need(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == 10001 and sc.get("fsGroup") == 10001,
         f"{name}: pod runs as uid 10001, non-root, fsGroup 10001")
    need(pod.get("automountServiceAccountToken") is False, f"{name}: no service account token")
    for c in containers(pod):
        s = c.get("securityContext") or {}
        need(s.get("runAsNonRoot") is True and s.get("readOnlyRootFilesystem") is True
             and s.get("allowPrivilegeEscalation") is False and s.get("capabilities", {}).get("drop") == ["ALL"],
             f"{name}/{c['name']}: non-root, read-only root filesystem, no escalation, ALL dropped")
        need(c.get("resources", {}).get("requests") and c.get("resources", {}).get("limits"), f"{name}/{c['name']}: resources")


def mounts(container):
    return {m["name"]: m["mountPath"] for m in container.get("volumeMounts") or []}


def under(path, mount):
    return path == mount or path.startswith(mount.rstrip("/") + "/")


# Argo CD values of each environment (argocd/apps values-<env>.yaml); prod refuses to render without a
# database address and an archive bucket: syntactically real ones (the check is about Secrets).
ENV_SETS = {
    "dev": [],
    "prod": ["services.postgres.host=fleet-prod.c0ffee.eu-west-1.rds.amazonaws.com",
             "apps.fleet-tracking.values.env.FLEET_ARCHIVE_S3_BUCKET=fleet-prod-archive-ci"],
}


def env_renders(env, sets):
    """The service charts as env's Argo CD Applications render them (their valuesObject; --set CHART:KEY=VALUE
    applies on top), {chart: docs}. fleet-secrets, the broker and the database are left out: their
    own renders above are the ones compared."""
    cmd = ["helm", "template", "fleet", os.path.join(ROOT, "argocd/apps"), "-n", "argocd",
           "-f", os.path.join(ROOT, f"argocd/apps/values-{env}.yaml")]
    for s in ENV_SETS[env]:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"helm template argocd/apps ({env}) failed:\n{p.stderr}")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for app in yaml.safe_load_all(p.stdout):
            if not app or app.get("kind") != "Application":
                continue
            chart = os.path.basename(app["spec"]["source"]["path"])
            if chart in OWN:
                continue
            values = os.path.join(tmp, f"{chart}.yaml")
            with open(values, "w") as f:
                yaml.safe_dump(app["spec"]["source"]["helm"].get("valuesObject") or {}, f)
            out[chart] = render(chart, sets, values)
    return out


def check(sets):
    names = charts()
    need(all(c in names for c in OWN), f"charts {OWN} must exist")
    r = {c: render(c, sets) for c in names}
    prod_secrets = render("fleet-secrets", sets, os.path.join(ROOT, "charts/ci-values/fleet-secrets.yaml"))
    clients = [client_of(c, r[c], w, pod) for c in names if c not in OWN for w, pod in pod_specs(r[c])]

    # --- Secrets produced = Secrets consumed -----------------------------------------------------
    # Read by the charts' defaults in both modes, plus what each environment's Argo CD values turn on.
    reads, maybe = set(), set()
    for c in names:
        if c != "fleet-secrets":
            reads |= consumed(r[c], maybe)
    by_env = {}
    for env in ("dev", "prod"):
        req, opt = set(reads), set(maybe)
        for docs in env_renders(env, sets).values():
            req |= consumed(docs, opt)
        by_env[env] = (req, opt - req)
    for mode, docs in (("dev", r["fleet-secrets"]), ("prod", prod_secrets)):
        expected, optional = by_env[mode]
        if mode == "prod":
            expected = {p for p in expected if p[0] != "fleet-postgres"}
        made, generated = produced(docs)
        copies = set(made)
        for p in sorted(expected - copies):
            errors.append(f"{mode}: {p[0]}/{p[1]} is read by a chart but fleet-secrets does not produce it")
        for p in sorted(copies - expected - optional):
            errors.append(f"{mode}: fleet-secrets produces {p[0]}/{p[1]} that no chart reads")
        if mode == "dev":
            need(len(generated) == 1, "dev: one generated Secret")
            for (sec, key), (kind, store, rkey, prop) in sorted(made.items()):
                need(kind == "SecretStore" and rkey in generated and prop in generated.get(rkey, ()),
                     f"dev: {sec}/{key} copies {rkey}/{prop}, which is not generated")
        else:
            need(all(s[0] == "ClusterSecretStore" for s in made.values()), "prod: every copy from the ClusterSecretStore")
            css = by_kind(docs, "ClusterSecretStore")
            need(css and css[0]["spec"]["provider"]["aws"]["service"] == "SecretsManager"
                 and "jwt" in css[0]["spec"]["provider"]["aws"]["auth"], "prod: ClusterSecretStore on AWS Secrets Manager with IRSA (jwt)")
            need(made.get(("fleet-tracking", "postgres-password"), (0, 0, "", ""))[2].startswith("arn:aws:secretsmanager:"),
                 "prod (ci values): postgres-password from the RDS master user secret ARN")
        ca = [d for d in docs if d.get("kind") == "ConfigMap" and d["metadata"]["name"] == "fleet-postgres-ca"]
        if mode == "prod":
            need(ca and ca[0]["data"].get("ca.pem", "").startswith("-----BEGIN CERTIFICATE-----"),
                 "prod (ci values): ConfigMap fleet-postgres-ca with key ca.pem")

        # --- same values where one credential is read twice -------------------------------------
        mqtt = one(r["fleet-mqtt"], "StatefulSet")
        init = next(c for c in mqtt["spec"]["template"]["spec"]["initContainers"] if c["name"] == "dynsec")
        broker_refs = {n: e["valueFrom"]["secretKeyRef"] for n, e in env_of(init).items() if n.startswith("FLEET_MQTT_PASSWORD_")}
        pg_source = made.get(("fleet-postgres", "postgres-password")) if mode == "dev" else None
        for cl in clients:
            svc, cm, env = cl["name"], cl["values"], cl["env"]
            if "FLEET_MQTT_HOST" not in cm:
                continue
            user = cm.get("FLEET_MQTT_USERNAME")
            ref = (env.get("FLEET_MQTT_PASSWORD", {}).get("valueFrom") or {}).get("secretKeyRef")
            if need(user and ref, f"{svc}: MQTT username and password from a Secret"):
                bref = broker_refs.get(password_env(user))
                if need(bref, f"{svc}: MQTT username {user} is not a broker account"):
                    need(made.get((ref["name"], ref["key"])) == made.get((bref["name"], bref["key"])) is not None,
                         f"{mode}: {svc}'s {ref['name']}/{ref['key']} and the broker's {bref['name']}/{bref['key']} ({user}) are not the same credential")
            pref = (env.get("FLEET_POSTGRES_PASSWORD", {}).get("valueFrom") or {}).get("secretKeyRef")
            if pref:
                src = made.get((pref["name"], pref["key"]))
                pg_source = pg_source or src
                need(src is not None and src == pg_source,
                     f"{mode}: {svc}'s {pref['name']}/{pref['key']} is not the database's password")

    # --- broker accounts ----------------------------------------------------------------------------
    accounts = accounts_file() + ["dynsec-admin"]
    need(set(broker_refs) == {password_env(a) for a in accounts},
         f"broker init env {sorted(broker_refs)} != config/mosquitto/service-accounts + dynsec-admin")
    need(all(ref["key"] == a for a in accounts for n, ref in broker_refs.items() if n == password_env(a)),
         "broker Secret keys are the account names")
    need({k for s, k in reads if s == "fleet-mqtt"} == set(accounts), "the broker reads exactly one key per account")

    # --- broker: listeners, Service, volume, security, network policy -------------------------------
    cmq = one(r["fleet-mqtt"], "ConfigMap", "fleet-mqtt-config")["data"]
    conf = cmq["mosquitto.conf"]
    need(cmq["init-dynsec.sh"] == open(os.path.join(ROOT, "config/mosquitto/docker/init-dynsec.sh")).read().rstrip("\n"),
         "the init script is config/mosquitto/docker/init-dynsec.sh")
    listeners, cur = {}, None
    for line in conf.splitlines():
        f = line.split()
        if f and f[0] == "listener":
            cur = int(f[1]); listeners[cur] = {"bind": f[2:]}
        elif f and cur and f[0] in ("certfile", "keyfile"):
            listeners[cur][f[0]] = f[1]
    pod = mqtt["spec"]["template"]["spec"]
    main = pod["containers"][0]
    mm = mounts(main)
    need(set(listeners) == {1883, 8883}, f"broker listeners {sorted(listeners)} != 1883, 8883")
    need(not listeners.get(1883, {}).get("certfile"), "1883 is plain MQTT")
    need(all(under(listeners.get(8883, {}).get(k, ""), mm.get("tls", "-")) for k in ("certfile", "keyfile")),
         "8883 has TLS with the certificate and key of the mounted TLS Secret")
    need(not any(l["bind"] for l in listeners.values()), "listeners bind every interface of the pod")
    for opt in ("persistence_location", "plugin_opt_config_file"):
        m = re.search(rf"^{opt} (\S+)$", conf, re.M)
        need(m and under(m.group(1), mm.get("data", "-")), f"broker {opt} is on the data volume")
    need(re.search(r"^persistence true$", conf, re.M) and re.search(r"^allow_anonymous false$", conf, re.M),
         "broker persistence on, anonymous refused")
    need(under("/var/lib/mosquitto/auth", mounts(init).get("data", "-")) and env_of(init)["FLEET_DYNSEC_DIR"]["value"] == "/var/lib/mosquitto/auth",
         "the init container writes the dynsec file on the data volume")
    ports = {p["name"]: p["containerPort"] for p in main["ports"]}
    need(ports == {"mqtt": 1883, "mqtts": 8883}, f"broker container ports {ports}")
    svc = one(r["fleet-mqtt"], "Service", "fleet-mqtt")
    need({(p["name"], p["port"]) for p in svc["spec"]["ports"]} == {("mqtt", 1883), ("mqtts", 8883)}, "Service fleet-mqtt ports 1883, 8883")
    need(one(r["fleet-mqtt"], "Service", "fleet-mqtt-headless")["spec"].get("clusterIP") == "None", "headless Service")
    for chart, sts, path in (("fleet-mqtt", mqtt, "/var/lib/mosquitto"), ("fleet-postgres", one(r["fleet-postgres"], "StatefulSet"), "/var/lib/postgresql/data")):
        vct = [v["metadata"]["name"] for v in sts["spec"].get("volumeClaimTemplates") or []]
        need(vct == ["data"] and mounts(sts["spec"]["template"]["spec"]["containers"][0]).get("data") == path,
             f"{chart}: PVC data mounted at {path}")
        need(sts["spec"]["replicas"] == 1, f"{chart}: one replica")
        secure_pod(chart, sts["spec"]["template"]["spec"])
        need(any(d["kind"] == "ServiceAccount" for d in r[chart]), f"{chart}: own ServiceAccount")
    need(by_kind(r["fleet-mqtt"], "PodDisruptionBudget"), "fleet-mqtt: PodDisruptionBudget")
    need(main.get("readinessProbe") and main.get("livenessProbe"), "broker probes")
    need(by_kind(r["fleet-mqtt"], "Certificate"), "fleet-mqtt: cert-manager Certificate by default")

    pg = one(r["fleet-postgres"], "StatefulSet")
    pgc = pg["spec"]["template"]["spec"]["containers"][0]
    need(pgc["command"][:2] == ["/bin/sh", "/etc/fleet-postgres/start.sh"] and "pg_isready" in " ".join(pgc["readinessProbe"]["exec"]["command"]),
         "fleet-postgres: explicit command, pg_isready probes")
    need({(p["name"], p["port"]) for p in one(r["fleet-postgres"], "Service", "fleet-postgres")["spec"]["ports"]} == {("postgres", 5432)},
         "Service fleet-postgres port 5432")

    mqtt_clients = [c["label"] for c in clients if "FLEET_MQTT_HOST" in c["values"]]
    pg_clients = [c["label"] for c in clients if "FLEET_POSTGRES_HOST" in c["values"]]
    for c in clients:
        cm = c["values"]
        if "FLEET_MQTT_HOST" in cm:
            need((cm["FLEET_MQTT_HOST"], cm.get("FLEET_MQTT_PORT")) == ("fleet-mqtt", "1883"), f"{c['name']}: broker at fleet-mqtt:1883")
        if "FLEET_POSTGRES_HOST" in cm:
            need((cm["FLEET_POSTGRES_HOST"], cm.get("FLEET_POSTGRES_PORT")) == ("fleet-postgres", "5432"), f"{c['name']}: database at fleet-postgres:5432")
    need(mqtt_clients and pg_clients, "no chart uses the broker or the database?")
    for chart, clients, egress_ports in (("fleet-mqtt", mqtt_clients, {53}), ("fleet-postgres", pg_clients, set())):
        np = one(r[chart], "NetworkPolicy")["spec"]
        admitted = set()
        for rule in np["ingress"]:
            for peer in rule.get("from") or [None]:
                need(peer is not None, f"{chart}: an ingress rule without `from` admits everyone")
                for ex in ((peer or {}).get("podSelector") or {}).get("matchExpressions") or []:
                    if ex["key"] == "app.kubernetes.io/name" and ex["operator"] == "In":
                        admitted |= set(ex["values"])
        need(set(clients) <= admitted, f"{chart}: NetworkPolicy does not admit {sorted(set(clients) - admitted)}")
        need(admitted <= set(clients), f"{chart}: NetworkPolicy admits {sorted(admitted - set(clients))}, which do not use it")
        need(set(np["policyTypes"]) == {"Ingress", "Egress"}, f"{chart}: NetworkPolicy restricts egress too")
        eg = {p["port"] for rule in np.get("egress") or [] for p in rule.get("ports") or [{"port": "any"}]}
        need(eg == egress_ports, f"{chart}: egress ports {eg} != {egress_ports}")
    return r


# --- the rendered broker, for real ------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_test(r):
    for tool in ("mosquitto", "mosquitto_sub", "mosquitto_pub", "mosquitto_ctrl", "openssl"):
        if not shutil.which(tool):
            raise SystemExit(f"--broker needs {tool} (apt-get install mosquitto mosquitto-clients)")
    cm = one(r["fleet-mqtt"], "ConfigMap", "fleet-mqtt-config")["data"]
    sts = one(r["fleet-mqtt"], "StatefulSet")
    pod = sts["spec"]["template"]["spec"]
    init = pod["initContainers"][0]
    main = pod["containers"][0]
    # Passwords as the dev fleet-secrets render would lay them out: one value per generated credential,
    # copied into each Secret by (Secret, key) -> property.
    made, _ = produced(r["fleet-secrets"])
    creds = {}
    alnum = string.ascii_letters + string.digits
    value = {}
    for pair, src in made.items():
        value[pair] = creds.setdefault(src, "".join(rnd.choice(alnum) for _ in range(32)))
    p_plain, p_tls, p_init = free_port(), free_port(), free_port()
    as_root = os.geteuid() == 0
    tmp = tempfile.mkdtemp(prefix="fleet-mqtt-test.")
    paths = {"/etc/mosquitto/fleet": f"{tmp}/config", "/var/lib/mosquitto": f"{tmp}/data", "/etc/mosquitto/tls": f"{tmp}/tls", "/tmp": f"{tmp}/tmp"}

    pattern = re.compile(r"(?<![\w/])(" + "|".join(re.escape(a) for a in paths) + r")(?=/|\b)")

    def local(text):  # the pod's paths -> the test's folders, in one pass
        return pattern.sub(lambda m: paths[m.group(1)], text)

    for d in paths.values():
        os.makedirs(d)
    conf = local(cm["mosquitto.conf"])
    conf = re.sub(r"^listener 1883$", f"listener {p_plain} 127.0.0.1", conf, flags=re.M)
    conf = re.sub(r"^listener 8883$", f"listener {p_tls} 127.0.0.1", conf, flags=re.M)
    for name, text in cm.items():
        with open(f"{tmp}/config/{name}", "w") as f:
            f.write(conf if name == "mosquitto.conf" else text + "\n")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", f"{tmp}/tls/tls.key", "-out", f"{tmp}/tls/tls.crt", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    if as_root:
        subprocess.run(["chown", "-R", "10001:10001", tmp], check=True)
        os.chmod(tmp, 0o755)
    drop = ["setpriv", "--reuid=10001", "--regid=10001", "--clear-groups"] if as_root else []

    def env_for(container):
        env = {"HOME": f"{tmp}/tmp"}
        for e in container.get("env") or []:
            if "value" in e:
                env[e["name"]] = local(e["value"])
            else:
                ref = e["valueFrom"]["secretKeyRef"]
                env[e["name"]] = value[(ref["name"], ref["key"])]
        return env

    init_env = env_for(init)
    init_env["FLEET_INIT_PORT"] = str(p_init)
    secret_of = lambda account: value[("fleet-mqtt", account)]
    broker = None
    log = open(f"{tmp}/broker.log", "w")

    def run_init(what):
        p = subprocess.run(drop + [local(a) for a in init["command"]], env=init_env, capture_output=True, text=True, timeout=60)
        need(p.returncode == 0, f"broker test: init-dynsec.sh ({what}) failed: {p.stdout}{p.stderr}")
        return p.returncode == 0

    def start():
        nonlocal broker
        broker = subprocess.Popen(drop + [main["command"][0], "-c", f"{tmp}/config/mosquitto.conf"], stdout=log, stderr=log)
        probe = [local(a) for a in main["readinessProbe"]["exec"]["command"]]
        probe[-1] = probe[-1].replace("-p 1883", f"-p {p_plain}")
        penv = env_for(main)
        for _ in range(50):
            if subprocess.run(probe, env=penv, capture_output=True).returncode == 0:
                return True
            time.sleep(0.2)
        return need(False, "broker test: the readiness probe never passed")

    def stop():
        if broker and broker.poll() is None:
            broker.terminate()
            broker.wait(10)

    def client(tool, user, password, *args, tls=False):
        port = ["-p", str(p_tls), "--cafile", f"{tmp}/tls/tls.crt"] if tls else ["-p", str(p_plain)]
        auth = ["-u", user, "-P", password] if user else []
        return subprocess.run([tool, "-h", "127.0.0.1", *port, *auth, "-V", "mqttv311", *args], capture_output=True, text=True, timeout=20)

    def round_trip(what, tls):
        # Persistent session first (QoS 1), then the publish, then collect what was queued: no race.
        topic = "fleet/v1/vehicles/ci-1/telemetry"
        sub = ("mosquitto_sub", "svc-tracking", value[("fleet-tracking", "mqtt-password")])
        a = client(*sub, "-c", "-i", "ci-tracking", "-q", "1", "-t", f"$share/tracking/{topic.replace('ci-1', '+')}", "-E")
        b = client("mosquitto_pub", "fleet-sim", value[("fleet-sim", "mqtt-password")], "-q", "1", "-t", topic, "-m", what, tls=tls)
        c = client(*sub, "-c", "-i", "ci-tracking", "-q", "1", "-t", f"$share/tracking/{topic.replace('ci-1', '+')}", "-C", "1", "-W", "5")
        need(a.returncode == 0 and b.returncode == 0 and c.stdout.strip() == what,
             f"broker test: {what}: fleet-sim -> svc-tracking failed ({a.stderr}{b.stderr}{c.stderr} got {c.stdout!r})")

    try:
        if run_init("first start") and start():
            round_trip("plain", tls=False)
            round_trip("tls", tls=True)
            bad = client("mosquitto_pub", "svc-tracking", "not-the-password", "-t", "fleet/v1/events/x", "-m", "x")
            need(bad.returncode != 0, "broker test: a wrong password was accepted")
            anon = client("mosquitto_pub", None, None, "-t", "fleet/v1/events/x", "-m", "x")
            need(anon.returncode != 0, "broker test: an anonymous client was accepted")
            wrong_acct = client("mosquitto_sub", "svc-alerting", secret_of("svc-alerting"), "-t", "fleet/v1/vehicles/+/telemetry", "-C", "1", "-W", "2")
            # A refused SUBACK: mosquitto_sub says "All subscription requests were denied." (an accepted one times out).
            need("denied" in (wrong_acct.stdout + wrong_acct.stderr), f"broker test: svc-alerting's telemetry subscription was not refused (dynsec roles not applied): {wrong_acct.stderr.strip()}")
            with open(f"{tmp}/data/auth/dynamic-security.json") as f:
                state = f.read()
            need(all(f'"username":\t"{a}"' in state or f'"username": "{a}"' in state or f'"username":"{a}"' in state for a in accounts_file()),
                 "broker test: not every service account is in the dynsec state on the volume")
            stop()
            need(os.path.exists(f"{tmp}/data/mosquitto.db"), "broker test: no mosquitto.db on the volume after SIGTERM")
            if run_init("restart") and start():
                round_trip("after restart", tls=False)
    finally:
        stop()
        log.close()
        if errors:
            print(open(f"{tmp}/broker.log").read()[-3000:], file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--broker", action="store_true", help="also run the rendered broker with Debian's mosquitto")
    ap.add_argument("--set", action="append", default=[], metavar="CHART:KEY=VALUE")
    a = ap.parse_args()
    sets = {}
    for s in a.set:
        chart, _, kv = s.partition(":")
        sets.setdefault(chart, []).append(kv)
    started = time.time()
    r = check(sets)
    if a.broker and not errors:
        broker_test(r)
    for e in errors:
        print("FAIL:", e)
    print(f"check_cluster_deps: {'FAILED' if errors else 'ok'} ({len(errors)} failures, {time.time() - started:.1f} s)")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
