#!/usr/bin/env python3
"""The observability check against a whole running suite (phase `observability-live` of scripts/test.sh).

Everything runs on free loopback ports and is stopped at the end, so it can run beside a developer's own suite:

  - a Mosquitto of its own (anonymous, `$SYS` every second), and a throw-away database in the local stack's PostgreSQL;
  - every service and fleet-sim from the debug build (`swift build --show-bin-path`), the broker exporter
    (`fleetctl broker exporter`), a signed-webhook receiver (`fleetctl webhooks receive`) subscribed to fleet-alerting;
  - Alertmanager and Prometheus with the committed configuration (config/alertmanager, config/prometheus): ports
    rewritten, 5 s scrapes and evaluations, and in this copy FleetServiceDown's `for:` shortened to 10 s.

Then, after a minute of simulated traffic plus one pause/resume and one route plan:

  1. every Prometheus target is up and every service is ready (`fleet_service_ready`);
  2. docs/metrics.md matches what every process exports (scripts/observability/check_metrics.py);
  3. every dashboard panel answers: its PromQL against this Prometheus, its SQL as the read-only role fleet_grafana
     (scripts/observability/check_panels.py);
  4. a platform alert goes end to end: fleet-routing is stopped, FleetServiceDown fires, Alertmanager forwards it to
     fleet-alerting, and a signed `alert.firing` of rule `platform` reaches the webhook receiver; fleet-routing is
     started again and the signed `alert.resolved` follows.

Usage: scripts/observability/live_check.py [--python VENV_PYTHON] [--bin-dir DIR] [--vehicles N] [--keep]
Needs the local stack (scripts/stack.sh start; FLEET_POSTGRES_* from `scripts/stack.sh env`), mosquitto, prometheus,
prometheus-alertmanager, psql, and a Python with the packages of scripts/observability/requirements.txt (--python).
Exit status 0 when every step passed.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
SERVICES = ["fleet-control", "fleet-tracking", "fleet-alerting", "fleet-health", "fleet-routing", "fleet-sim"]
# Default ports in the committed configuration, by job.
DEFAULT_PORTS = {
    "fleet-tracking": 8081, "fleet-control": 8082, "fleet-alerting": 8083, "fleet-health": 8084, "fleet-routing": 8085,
    "fleet-sim": 8089, "fleet-broker": 8090, "prometheus": 9090, "alertmanager": 9093,
}
SHORTENED_ALERT = "FleetServiceDown"


def log(message: str) -> None:
    print(f"[live-check] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, method: str = "GET", body: bytes | None = None, token: str | None = None, timeout: float = 10):
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def wait_for(what: str, condition, seconds: float, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except Exception as error:  # noqa: BLE001 - any failure means "not yet"
            last_error = error
        time.sleep(interval)
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}" + (f" (last error: {last_error})" if last_error else ""))


class Suite:
    """The processes this check started, in start order; stopped in reverse order."""

    def __init__(self, work: Path):
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str], cwd: Path = REPO) -> None:
        logfile = self.work / f"{name}.log"
        self.logs[name] = logfile
        handle = open(logfile, "ab")
        self.processes[name] = subprocess.Popen(argv, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log(f"started {name} (pid {self.processes[name].pid}, log {logfile})")

    def stop(self, name: str, grace: float = 15) -> int | None:
        process = self.processes.get(name)
        if process is None or process.poll() is not None:
            return process.returncode if process else None
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            return process.wait()

    def stop_all(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.logs[name].read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def psql(database: str, sql: str | None = None, file: Path | None = None, variables: dict[str, str] | None = None) -> str:
    argv = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", os.environ["FLEET_POSTGRES_HOST"], "-p",
            os.environ["FLEET_POSTGRES_PORT"], "-U", os.environ["FLEET_POSTGRES_USER"], "-d", database]
    for key, value in (variables or {}).items():
        argv += ["-v", f"{key}={value}"]
    argv += ["-f", str(file)] if file else ["-c", sql or ""]
    env = dict(os.environ, PGPASSWORD=os.environ["FLEET_POSTGRES_PASSWORD"])
    return subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout


def base_environment() -> dict[str, str]:
    """The process environment without any FLEET_* variable (no account or port of the developer's suite leaks in)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("FLEET_")}


def render_prometheus(work: Path, ports: dict[str, int]) -> Path:
    config = yaml.safe_load((REPO / "config/prometheus/prometheus.yml").read_text())
    config["global"]["scrape_interval"] = "5s"
    config["global"]["evaluation_interval"] = "5s"
    config["global"]["scrape_timeout"] = "5s"
    for job in config["scrape_configs"]:
        name = job["job_name"]
        if name not in ports:
            raise RuntimeError(f"prometheus.yml has a job {name} this check does not start")
        job["static_configs"] = [{"targets": [f"127.0.0.1:{ports[name]}"]}]
    config["alerting"]["alertmanagers"] = [{"static_configs": [{"targets": [f"127.0.0.1:{ports['alertmanager']}"]}]}]
    rules = work / "prometheus" / "rules"
    rules.mkdir(parents=True)
    shortened = False
    for source in sorted((REPO / "config/prometheus/rules").glob("*.yml")):
        document = yaml.safe_load(source.read_text())
        for group in document.get("groups", []):
            for rule in group.get("rules", []):
                if rule.get("alert") == SHORTENED_ALERT:
                    rule["for"] = "10s"
                    shortened = True
        (rules / source.name).write_text(yaml.safe_dump(document, sort_keys=False))
    if not shortened:
        raise RuntimeError(f"no alert {SHORTENED_ALERT} in config/prometheus/rules")
    path = work / "prometheus" / "prometheus.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def render_alertmanager(work: Path, alerting_port: int, token: str) -> Path:
    config = yaml.safe_load((REPO / "config/alertmanager/alertmanager.yml").read_text())
    config["route"]["group_wait"] = "1s"
    config["route"]["group_interval"] = "5s"
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = f"http://127.0.0.1:{alerting_port}/v1/platform-alerts"
    directory = work / "alertmanager"
    (directory / "data").mkdir(parents=True)
    token_file = directory / "alertmanager-token"
    token_file.write_text(token + "\n")
    token_file.chmod(0o600)
    path = directory / "alertmanager.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def fleetctl(bin_dir: Path, args: list[str], token: str) -> str:
    env = dict(base_environment(), FLEET_TOKEN=token, FLEET_CONFIG=str(Path(tempfile.gettempdir()) / f"fleetctl-obs-{os.getpid()}.json"))
    result = subprocess.run([str(bin_dir / "fleetctl"), *args], env=env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"fleetctl {' '.join(args)} exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="Python with scripts/observability/requirements.txt (for check_panels.py)")
    parser.add_argument("--bin-dir", help="where the executables are (default: swift build --show-bin-path)")
    parser.add_argument("--vehicles", type=int, default=60)
    parser.add_argument("--traffic-seconds", type=float, default=60, help="simulated traffic before the panels are checked")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, configs)")
    args = parser.parse_args()
    for variable in ["FLEET_POSTGRES_HOST", "FLEET_POSTGRES_PORT", "FLEET_POSTGRES_USER", "FLEET_POSTGRES_PASSWORD"]:
        if variable not in os.environ:
            log(f"{variable} is not set: run eval \"$(scripts/stack.sh env)\" first")
            return 2
    bin_dir = Path(args.bin_dir or subprocess.run(["swift", "build", "--show-bin-path"], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip())
    for name in SERVICES + ["fleetctl"]:
        if not (bin_dir / name).exists():
            log(f"{bin_dir / name} is missing: build first (swift build --build-tests)")
            return 2

    work = Path(tempfile.mkdtemp(prefix="fleet-live-check."))
    suite = Suite(work)
    database = f"fleet_obs_{secrets.token_hex(4)}"
    failures: list[str] = []
    started = time.monotonic()
    try:
        ports = {job: free_port() for job in DEFAULT_PORTS}
        ports["broker"] = free_port()
        ports["receiver"] = free_port()

        # --- the broker and the database -----------------------------------------------------------------------
        broker_conf = work / "mosquitto.conf"
        lines = [f"listener {ports['broker']} 127.0.0.1", "allow_anonymous true", "sys_interval 1", "persistence false",
                 f"log_dest file {work}/mosquitto-broker.log"]
        if os.geteuid() == 0:
            lines.append("user root")
        broker_conf.write_text("\n".join(lines) + "\n")
        suite.start("mosquitto", [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(broker_conf)], base_environment())
        wait_for("the broker", lambda: socket.create_connection(("127.0.0.1", ports["broker"]), timeout=1).close() or True, 15)
        psql(os.environ.get("FLEET_POSTGRES_DATABASE", "fleet"), f'CREATE DATABASE "{database}"')
        log(f"database {database} created")

        # --- the services ----------------------------------------------------------------------------------------
        admin_token = "fct_" + secrets.token_hex(32)
        common = dict(
            base_environment(),
            FLEET_POSTGRES_HOST=os.environ["FLEET_POSTGRES_HOST"], FLEET_POSTGRES_PORT=os.environ["FLEET_POSTGRES_PORT"],
            FLEET_POSTGRES_USER=os.environ["FLEET_POSTGRES_USER"], FLEET_POSTGRES_PASSWORD=os.environ["FLEET_POSTGRES_PASSWORD"],
            FLEET_POSTGRES_DATABASE=database, FLEET_MQTT_HOST="127.0.0.1", FLEET_MQTT_PORT=str(ports["broker"]),
            FLEET_AUTH_INTROSPECTION_URL=f"http://127.0.0.1:{ports['fleet-control']}/auth/introspect",
            FLEET_LOG_LEVEL="info",
        )
        url = {job: f"http://127.0.0.1:{port}" for job, port in ports.items()}

        def start_service(name: str, **extra: str) -> None:
            env = dict(common, FLEET_SERVICE_NAME=name, FLEET_HTTP_PORT=str(ports[name]), FLEET_MQTT_CLIENT_ID=f"{name}-obs-check", **extra)
            suite.start(name, [str(bin_dir / name)], env)

        def ready(name: str) -> bool:
            if not suite.alive(name):
                raise RuntimeError(f"{name} exited:\n{suite.tail(name)}")
            try:
                return http(f"{url[name]}/health/ready", timeout=3)[0] == 200
            except (urllib.error.URLError, OSError):
                return False

        start_service("fleet-control", FLEET_CONTROL_ADMIN_TOKEN=admin_token)
        wait_for("fleet-control ready", lambda: ready("fleet-control"), 120)

        def token(name: str, scope: str) -> str:
            output = fleetctl(bin_dir, ["tokens", "create", "--api", url["fleet-control"], "--name", name, "--scope", scope, "-o", "json"], admin_token)
            return json.loads(output)["token"]

        start_service("fleet-tracking")
        start_service("fleet-alerting", FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS="127.0.0.0/8",
                      FLEET_ALERTING_RULES_FILE=str(REPO / "config/alerting/rules.example.json"))
        start_service("fleet-health", FLEET_HEALTH_REGISTRY_URL=url["fleet-control"], FLEET_HEALTH_REGISTRY_TOKEN=token("obs-health", "fleet:read"))
        start_service("fleet-routing", FLEET_ROUTING_CONTROL_URL=url["fleet-control"], FLEET_ROUTING_CONTROL_TOKEN=token("obs-routing", "commands:write"))
        for name in ["fleet-tracking", "fleet-alerting", "fleet-health", "fleet-routing"]:
            wait_for(f"{name} ready", lambda name=name: ready(name), 180)
        start_service("fleet-sim", FLEET_SIM_VEHICLES=str(args.vehicles))
        wait_for("fleet-sim ready", lambda: ready("fleet-sim"), 120)
        suite.start("broker-exporter", [str(bin_dir / "fleetctl"), "broker", "exporter", "--host", "127.0.0.1", "--port", str(ports["broker"]),
                                        "--listen", f"127.0.0.1:{ports['fleet-broker']}", "--stale-after", "5"], base_environment())

        # A signed-webhook receiver subscribed to every alert: where the platform alert must arrive.
        created = json.loads(fleetctl(bin_dir, ["webhooks", "create", "--url", url["fleet-alerting"], "--description", "live-check", "--json",
                                                f"http://127.0.0.1:{ports['receiver']}/"], admin_token))
        suite.start("webhook-receiver", [str(bin_dir / "fleetctl"), "webhooks", "receive", "--port", str(ports["receiver"])],
                    dict(base_environment(), FLEET_WEBHOOK_SECRET=created["secret"]))

        # --- Alertmanager and Prometheus -------------------------------------------------------------------------
        am_config = render_alertmanager(work, ports["fleet-alerting"], token("obs-alertmanager", "alerts:write"))
        suite.start("alertmanager", ["prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={am_config.parent / 'data'}",
                                     f"--web.listen-address=127.0.0.1:{ports['alertmanager']}", "--cluster.listen-address="], base_environment())
        prom_config = render_prometheus(work, ports)
        suite.start("prometheus", ["prometheus", f"--config.file={prom_config}", f"--storage.tsdb.path={prom_config.parent / 'data'}",
                                   f"--web.listen-address=127.0.0.1:{ports['prometheus']}"], base_environment())
        wait_for("Prometheus ready", lambda: http(f"{url['prometheus']}/-/ready")[0] == 200, 30)

        # --- traffic and activity --------------------------------------------------------------------------------
        vehicle = "sim-0001"
        wait_for("fleet-tracking to hold sim-0001", lambda: http(f"{url['fleet-tracking']}/v1/vehicles/{vehicle}", token=admin_token)[0] == 200, 60)
        fleetctl(bin_dir, ["pause", vehicle, "--api", url["fleet-control"], "--reason", "live-check", "--wait", "30"], admin_token)
        fleetctl(bin_dir, ["resume", vehicle, "--api", url["fleet-control"], "--wait", "30"], admin_token)
        plan = {"vehicles": [{"id": "sim-0001", "capacity": 10}, {"id": "sim-0002", "capacity": 10}],
                "stops": [{"id": "casino", "location": {"lat": 43.7394, "lon": 7.4276}, "demand": 4, "service_s": 120},
                          {"id": "port", "location": {"lat": 43.7350, "lon": 7.4230}, "demand": 3, "service_s": 180}],
                "options": {"time_limit_ms": 500}}
        status, _ = http(f"{url['fleet-routing']}/v1/routes/optimize", "POST", json.dumps(plan).encode(), admin_token, timeout=60)
        log(f"pause, resume and one route plan (HTTP {status}) done")
        remaining = args.traffic_seconds - (time.monotonic() - started)
        if remaining > 0:
            log(f"letting {args.vehicles} simulated vehicles drive for {remaining:.0f} s more")
            time.sleep(remaining)

        # --- 1. targets up, services ready ----------------------------------------------------------------------
        def targets_up():
            active = json.loads(http(f"{url['prometheus']}/api/v1/targets")[1])["data"]["activeTargets"]
            down = [f"{t['labels']['job']} ({t['health']}: {t.get('lastError', '')})" for t in active if t["health"] != "up"]
            return (len(active), down) if not down and active else None
        try:
            count, _ = wait_for("every Prometheus target up", targets_up, 60, interval=2)
            log(f"ok: all {count} Prometheus targets up")
        except RuntimeError as error:
            failures.append(f"targets: {error}")
            log(f"FAILED: {error}")
        readiness = json.loads(http(f"{url['prometheus']}/api/v1/query?query=fleet_service_ready")[1])["data"]["result"]
        not_ready = [r["metric"]["job"] for r in readiness if r["value"][1] != "1"]
        if len(readiness) < 6 or not_ready:
            failures.append(f"readiness: fleet_service_ready from {len(readiness)} jobs, not ready: {not_ready}")
            log(f"FAILED: readiness {readiness}")
        else:
            log(f"ok: fleet_service_ready = 1 on all {len(readiness)} jobs")

        # --- 2. the metrics reference ---------------------------------------------------------------------------
        targets = [f"{job}={url[job]}/metrics" for job in ["fleet-tracking", "fleet-control", "fleet-alerting", "fleet-health", "fleet-routing",
                                                            "fleet-sim", "fleet-broker"]]
        result = subprocess.run([sys.executable, str(REPO / "scripts/observability/check_metrics.py"), *targets], cwd=REPO, text=True, capture_output=True)
        print(result.stdout.rstrip(), flush=True)
        if result.returncode != 0:
            failures.append("metrics reference (check_metrics.py)")
            print(result.stderr, flush=True)

        # --- 3. every panel -------------------------------------------------------------------------------------
        password_file = Path(os.environ.get("FLEET_STACK_DIR", REPO / ".stack")) / "grafana-db-password"
        if not password_file.exists():
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(secrets.token_hex(16))
            password_file.chmod(0o600)
        password = password_file.read_text().strip()
        psql(database, file=REPO / "config/grafana/postgres-readonly.sql", variables={"grafana_password": password})
        dsn = (f"host={os.environ['FLEET_POSTGRES_HOST']} port={os.environ['FLEET_POSTGRES_PORT']} dbname={database} "
               f"user=fleet_grafana password={password}")
        result = subprocess.run([args.python, str(REPO / "scripts/observability/check_panels.py"), "--prometheus", url["prometheus"], "--postgres", dsn],
                                cwd=REPO, text=True, capture_output=True)
        print(result.stdout.rstrip(), flush=True)
        if result.returncode != 0:
            failures.append("dashboard panels (check_panels.py)")
            print(result.stderr, flush=True)

        firing = json.loads(http(f"{url['prometheus']}/api/v1/alerts")[1])["data"]["alerts"]
        log("alerts pending or firing on the healthy suite (informational): "
            + (", ".join(sorted({f"{a['labels']['alertname']}[{a['state']}]" for a in firing})) or "none"))

        # --- 4. a platform alert end to end ---------------------------------------------------------------------
        log("stopping fleet-routing: FleetServiceDown must reach the webhook receiver through Alertmanager and fleet-alerting")
        suite.stop("fleet-routing")
        receiver_log = suite.logs["webhook-receiver"]

        def delivered(kind: str):
            def find():
                lines = receiver_log.read_text(errors="replace").splitlines()
                for line_number, line in enumerate(lines):
                    if '"rule_id":"platform"' in line and SHORTENED_ALERT in line and f'"type":"{kind}"' in line:
                        previous = lines[line_number - 1] if line_number else ""
                        return previous if "signature OK" in previous else None
                return None
            return find
        try:
            header = wait_for("the FleetServiceDown platform alert at the webhook receiver", delivered("alert.firing"), 120, interval=1)
            log(f"ok: signed alert.firing for {SHORTENED_ALERT} (rule platform) delivered: {header.strip()}")
            log("starting fleet-routing again: the alert must resolve the same way")
            start_service("fleet-routing", FLEET_ROUTING_CONTROL_URL=url["fleet-control"],
                          FLEET_ROUTING_CONTROL_TOKEN=token("obs-routing-2", "commands:write"))
            header = wait_for("the resolved platform alert at the webhook receiver", delivered("alert.resolved"), 180, interval=1)
            log(f"ok: signed alert.resolved for {SHORTENED_ALERT} delivered: {header.strip()}")
        except RuntimeError as error:
            failures.append(f"platform alert: {error}")
            log(f"FAILED: {error}")
            for name in ["alertmanager", "fleet-alerting", "webhook-receiver"]:
                log(f"--- last lines of {name}:\n{suite.tail(name)}")
    except Exception as error:  # noqa: BLE001 - report, clean up, fail
        failures.append(f"harness: {error}")
        log(f"FAILED: {error}")
    finally:
        suite.stop_all()
        try:
            psql(os.environ.get("FLEET_POSTGRES_DATABASE", "fleet"), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        except subprocess.CalledProcessError as error:
            log(f"could not drop {database}: {error.stderr}")
        if args.keep or failures:
            log(f"logs and configuration kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    if failures:
        log(f"FAILED ({elapsed:.0f} s): " + "; ".join(failures))
        return 1
    log(f"all checks passed ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
