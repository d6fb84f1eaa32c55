"""A whole Fleet suite on free loopback ports, for the checks that drive real processes.

Used by scripts/observability/live_check.py (the observability check) and scripts/console/browser_test.py and
bench.py (the operator console in a real browser), so the start-up is written once. Everything it starts binds
127.0.0.1 on a free port and is stopped by `close()`, so it runs beside a developer's own suite:

  - a Mosquitto of its own (anonymous, `$SYS` every second), and a throw-away database in the local stack's
    PostgreSQL (FLEET_POSTGRES_* from `scripts/stack.sh env`), dropped at the end;
  - fleet-control first (with a fresh admin token), then fleet-tracking, fleet-alerting (example rules), fleet-health
    and fleet-routing (each with a token of its own from fleet-control), then fleet-sim with N simulated vehicles;
  - every service allows the console's origin (FLEET_HTTP_CORS_ORIGINS = fleet-tracking's origin) and fleet-tracking
    serves the repository's console/ with every other service's free port in /console/config.json;
  - optionally (monitoring=True) the broker exporter, a signed-webhook receiver subscribed to fleet-alerting, and
    Alertmanager and Prometheus with the committed configuration (config/alertmanager, config/prometheus): ports
    rewritten, 5 s scrapes and evaluations, and FleetServiceDown's `for:` shortened to 10 s.

    suite = Suite(bin_dir, vehicles=60, monitoring=False, log=print)
    try:
        suite.start()
        suite.url["fleet-tracking"], suite.admin_token, suite.token("name", "fleet:read"), suite.fleetctl([...])
    finally:
        suite.close()

Needs mosquitto, psql, and for monitoring prometheus, prometheus-alertmanager and PyYAML.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
SERVICES = ["fleet-control", "fleet-tracking", "fleet-alerting", "fleet-health", "fleet-routing", "fleet-sim"]
# Default ports in the committed configuration, by job.
DEFAULT_PORTS = {
    "fleet-tracking": 8081, "fleet-control": 8082, "fleet-alerting": 8083, "fleet-health": 8084, "fleet-routing": 8085,
    "fleet-sim": 8089, "fleet-broker": 8090, "prometheus": 9090, "alertmanager": 9093,
}
SHORTENED_ALERT = "FleetServiceDown"
POSTGRES_VARIABLES = ["FLEET_POSTGRES_HOST", "FLEET_POSTGRES_PORT", "FLEET_POSTGRES_USER", "FLEET_POSTGRES_PASSWORD"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, method: str = "GET", body: bytes | None = None, token: str | None = None, timeout: float = 10):
    """(status, text) of one request; raises urllib.error.HTTPError for 4xx/5xx."""
    request = urllib.request.Request(url, data=body, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def wait_for(what: str, condition, seconds: float, interval: float = 0.5):
    """Calls condition() until it returns something truthy (returned); exceptions count as "not yet"."""
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


def missing_postgres_variables() -> list[str]:
    return [variable for variable in POSTGRES_VARIABLES if variable not in os.environ]


def default_bin_dir(configuration: str = "debug") -> Path:
    """The build's executables (`swift build -c CONFIGURATION --show-bin-path`; only asks SwiftPM, builds nothing)."""
    return Path(subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"], cwd=REPO, capture_output=True, text=True,
                               check=True).stdout.strip())


def prerequisites(bin_dir: str | None, log, configuration: str = "debug") -> Path | None:
    """The executables' folder (`bin_dir`, else the build's), or None after logging what is missing: the local
    stack's FLEET_POSTGRES_* variables or an executable."""
    missing = missing_postgres_variables()
    for variable in missing:
        log(f"{variable} is not set: run eval \"$(scripts/stack.sh env)\" first")
    if missing:
        return None
    folder = Path(bin_dir) if bin_dir else default_bin_dir(configuration)
    absent = missing_executables(folder)
    for path in absent:
        log(f"{path} is missing: build first (swift build{' -c release' if configuration == 'release' else ''})")
    return None if absent else folder


def missing_executables(bin_dir: Path) -> list[Path]:
    return [bin_dir / name for name in SERVICES + ["fleetctl"] if not (bin_dir / name).exists()]


def render_prometheus(work: Path, ports: dict[str, int]) -> Path:
    import yaml  # only the monitoring part needs PyYAML

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
    import yaml

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


class Suite:
    """The suite's processes, in start order (stopped in reverse order), its ports, URLs and admin token.

    tag names this user's database (`fleet_<tag>_<hex>`), MQTT client ids (`<service>-<tag>-check`), token names and
    work folder (`fleet-<work_name>.<random>`); env adds variables per service name (e.g. {"fleet-sim": {...}}).
    """

    def __init__(self, bin_dir: Path, *, vehicles: int = 60, monitoring: bool = True, tag: str = "obs",
                 work_name: str = "live-check", env: dict[str, dict[str, str]] | None = None,
                 log: Callable[[str], None] = print):
        self.bin_dir = Path(bin_dir)
        self.vehicles = vehicles
        self.monitoring = monitoring
        self.tag = tag
        self.extra_env = env or {}
        self.log = log
        self.work = Path(tempfile.mkdtemp(prefix=f"fleet-{work_name}."))
        self.database = f"fleet_{tag}_{secrets.token_hex(4)}"
        self.database_created = False
        self.processes: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.admin_token = "fct_" + secrets.token_hex(32)
        self.ports = {job: free_port() for job in DEFAULT_PORTS}
        self.ports["broker"] = free_port()
        self.ports["receiver"] = free_port()
        self.url = {job: f"http://127.0.0.1:{port}" for job, port in self.ports.items()}
        # The console's page is served by fleet-tracking; every service lets that origin call it from a browser.
        self.console_url = f"{self.url['fleet-tracking']}/console/"
        self.common = dict(
            base_environment(),
            FLEET_POSTGRES_HOST=os.environ["FLEET_POSTGRES_HOST"], FLEET_POSTGRES_PORT=os.environ["FLEET_POSTGRES_PORT"],
            FLEET_POSTGRES_USER=os.environ["FLEET_POSTGRES_USER"], FLEET_POSTGRES_PASSWORD=os.environ["FLEET_POSTGRES_PASSWORD"],
            FLEET_POSTGRES_DATABASE=self.database, FLEET_MQTT_HOST="127.0.0.1", FLEET_MQTT_PORT=str(self.ports["broker"]),
            FLEET_AUTH_INTROSPECTION_URL=f"{self.url['fleet-control']}/auth/introspect",
            FLEET_LOG_LEVEL="info",
            FLEET_HTTP_CORS_ORIGINS=self.url["fleet-tracking"],
        )
        self.webhook_secret: str | None = None

    # --- processes ---------------------------------------------------------------------------------------------------

    def spawn(self, name: str, argv: list[str], env: dict[str, str], cwd: Path = REPO) -> None:
        logfile = self.work / f"{name}.log"
        self.logs[name] = logfile
        handle = open(logfile, "ab")
        self.processes[name] = subprocess.Popen(argv, env=env, cwd=cwd, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        handle.close()  # the child holds its own descriptor
        self.log(f"started {name} (pid {self.processes[name].pid}, log {logfile})")

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

    def alive(self, name: str) -> bool:
        return self.processes[name].poll() is None

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def tail(self, name: str, lines: int = 30) -> str:
        try:
            return "\n".join(self.logs[name].read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def service_env(self, name: str, **extra: str) -> dict[str, str]:
        env = dict(self.common, FLEET_SERVICE_NAME=name, FLEET_HTTP_PORT=str(self.ports[name]), FLEET_MQTT_CLIENT_ID=f"{name}-{self.tag}-check")
        if name == "fleet-tracking":
            env["FLEET_TRACKING_CONSOLE_DIR"] = str(REPO / "console")
            env["FLEET_TRACKING_CONSOLE_SERVICES"] = ",".join(
                f"{short}={self.url[f'fleet-{short}']}" for short in ["control", "alerting", "health", "routing"])
        env.update(self.extra_env.get(name, {}))
        env.update(extra)
        return env

    def start_service(self, name: str, **extra: str) -> None:
        self.spawn(name, [str(self.bin_dir / name)], self.service_env(name, **extra))

    def ready(self, name: str) -> bool:
        if not self.alive(name):
            raise RuntimeError(f"{name} exited:\n{self.tail(name)}")
        try:
            return http(f"{self.url[name]}/health/ready", timeout=3)[0] == 200
        except (urllib.error.URLError, OSError):
            return False

    def wait_ready(self, name: str, seconds: float) -> None:
        wait_for(f"{name} ready", lambda: self.ready(name), seconds)

    # --- identity ----------------------------------------------------------------------------------------------------

    def fleetctl(self, args: list[str], token: str | None = None) -> str:
        env = dict(base_environment(), FLEET_TOKEN=token or self.admin_token,
                   FLEET_CONFIG=str(Path(tempfile.gettempdir()) / f"fleetctl-{self.tag}-{os.getpid()}.json"))
        result = subprocess.run([str(self.bin_dir / "fleetctl"), *args], env=env, capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"fleetctl {' '.join(args)} exited {result.returncode}: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout

    def token(self, name: str, *scopes: str) -> str:
        """A new token from fleet-control with these scopes (the secret)."""
        args = ["tokens", "create", "--api", self.url["fleet-control"], "--name", name]
        for scope in scopes:
            args += ["--scope", scope]
        return json.loads(self.fleetctl(args + ["-o", "json"]))["token"]

    # --- the whole suite ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Starts everything and waits until each service is ready (raises RuntimeError otherwise; call close())."""
        ports, url = self.ports, self.url
        # The broker and the database.
        broker_conf = self.work / "mosquitto.conf"
        lines = [f"listener {ports['broker']} 127.0.0.1", "allow_anonymous true", "sys_interval 1", "persistence false",
                 f"log_dest file {self.work}/mosquitto-broker.log"]
        if os.geteuid() == 0:
            lines.append("user root")
        broker_conf.write_text("\n".join(lines) + "\n")
        self.spawn("mosquitto", [shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", str(broker_conf)], base_environment())
        wait_for("the broker", lambda: socket.create_connection(("127.0.0.1", ports["broker"]), timeout=1).close() or True, 15)
        psql(os.environ.get("FLEET_POSTGRES_DATABASE", "fleet"), f'CREATE DATABASE "{self.database}"')
        self.database_created = True
        self.log(f"database {self.database} created")

        # fleet-control first: it issues the other services' tokens.
        self.start_service("fleet-control", FLEET_CONTROL_ADMIN_TOKEN=self.admin_token)
        self.wait_ready("fleet-control", 120)
        self.start_service("fleet-tracking")
        self.start_service("fleet-alerting", FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS="127.0.0.0/8",
                           FLEET_ALERTING_RULES_FILE=str(REPO / "config/alerting/rules.example.json"))
        self.start_service("fleet-health", FLEET_HEALTH_REGISTRY_URL=url["fleet-control"],
                           FLEET_HEALTH_REGISTRY_TOKEN=self.token(f"{self.tag}-health", "fleet:read"))
        self.start_routing()
        for name in ["fleet-tracking", "fleet-alerting", "fleet-health", "fleet-routing"]:
            self.wait_ready(name, 180)
        self.start_service("fleet-sim", FLEET_SIM_VEHICLES=str(self.vehicles))
        self.wait_ready("fleet-sim", 120)
        if self.monitoring:
            self.start_monitoring()

    def start_routing(self, token_name: str | None = None) -> None:
        """(Re)starts fleet-routing with a fresh commands:write token (live_check.py restarts it after stopping it)."""
        self.start_service("fleet-routing", FLEET_ROUTING_CONTROL_URL=self.url["fleet-control"],
                           FLEET_ROUTING_CONTROL_TOKEN=self.token(token_name or f"{self.tag}-routing", "commands:write"))

    def start_monitoring(self) -> None:
        ports, url = self.ports, self.url
        self.spawn("broker-exporter", [str(self.bin_dir / "fleetctl"), "broker", "exporter", "--host", "127.0.0.1", "--port", str(ports["broker"]),
                                       "--listen", f"127.0.0.1:{ports['fleet-broker']}", "--stale-after", "5"], base_environment())
        # A signed-webhook receiver subscribed to every alert: where platform alerts must arrive.
        created = json.loads(self.fleetctl(["webhooks", "create", "--url", url["fleet-alerting"], "--description", "live-check", "--json",
                                            f"http://127.0.0.1:{ports['receiver']}/"]))
        self.webhook_secret = created["secret"]
        self.spawn("webhook-receiver", [str(self.bin_dir / "fleetctl"), "webhooks", "receive", "--port", str(ports["receiver"])],
                   dict(base_environment(), FLEET_WEBHOOK_SECRET=created["secret"]))
        am_config = render_alertmanager(self.work, ports["fleet-alerting"], self.token(f"{self.tag}-alertmanager", "alerts:write"))
        self.spawn("alertmanager", ["prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={am_config.parent / 'data'}",
                                    f"--web.listen-address=127.0.0.1:{ports['alertmanager']}", "--cluster.listen-address="], base_environment())
        prom_config = render_prometheus(self.work, ports)
        self.spawn("prometheus", ["prometheus", f"--config.file={prom_config}", f"--storage.tsdb.path={prom_config.parent / 'data'}",
                                  f"--web.listen-address=127.0.0.1:{ports['prometheus']}"], base_environment())
        wait_for("Prometheus ready", lambda: http(f"{url['prometheus']}/-/ready")[0] == 200, 30)

    def close(self, keep: bool = False) -> None:
        """Stops every process (reverse start order), drops the database, removes the work folder unless keep."""
        for name in reversed(list(self.processes)):
            self.stop(name)
        if self.database_created:
            try:
                psql(os.environ.get("FLEET_POSTGRES_DATABASE", "fleet"), f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            except subprocess.CalledProcessError as error:
                self.log(f"could not drop {self.database}: {error.stderr}")
        if keep:
            self.log(f"logs and configuration kept in {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
