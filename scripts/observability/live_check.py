#!/usr/bin/env python3
"""The observability check against a whole running suite (phase `observability-live` of scripts/test.sh).

Everything runs on free loopback ports and is stopped at the end, so it can run beside a developer's own suite:

  - a Mosquitto of its own (anonymous, `$SYS` every second), and a throw-away database in the local stack's PostgreSQL;
  - every service and fleet-sim from the debug build (`swift build --show-bin-path`), the broker exporter
    (`fleetctl broker exporter`), a signed-webhook receiver (`fleetctl webhooks receive`) subscribed to fleet-alerting;
  - Alertmanager and Prometheus with the committed configuration (config/alertmanager, config/prometheus): ports
    rewritten, 5 s scrapes and evaluations, and in this copy FleetServiceDown's `for:` shortened to 10 s.
  (That start-up is scripts/observability/suite.py, shared with the operator console's browser tests.)

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
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the repository
# The suite's start-up is shared with the console's browser tests (scripts/console/).
from suite import REPO, SHORTENED_ALERT, Suite, http, prerequisites, psql, wait_for


def log(message: str) -> None:
    print(f"[live-check] {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="Python with scripts/observability/requirements.txt (for check_panels.py)")
    parser.add_argument("--bin-dir", help="where the executables are (default: swift build --show-bin-path)")
    parser.add_argument("--vehicles", type=int, default=60)
    parser.add_argument("--traffic-seconds", type=float, default=60, help="simulated traffic before the panels are checked")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, configs)")
    args = parser.parse_args()
    bin_dir = prerequisites(args.bin_dir, log)
    if bin_dir is None:
        return 2

    suite = Suite(bin_dir, vehicles=args.vehicles, monitoring=True, tag="obs", work_name="live-check", log=log)
    url, admin_token = suite.url, suite.admin_token
    failures: list[str] = []
    started = time.monotonic()
    try:
        # The broker, a throw-away database, every service, fleet-sim, the broker exporter, a webhook receiver,
        # Alertmanager and Prometheus (scripts/observability/suite.py).
        suite.start()

        # --- traffic and activity --------------------------------------------------------------------------------
        vehicle = "sim-0001"
        wait_for("fleet-tracking to hold sim-0001", lambda: http(f"{url['fleet-tracking']}/v1/vehicles/{vehicle}", token=admin_token)[0] == 200, 60)
        suite.fleetctl(["pause", vehicle, "--api", url["fleet-control"], "--reason", "live-check", "--wait", "30"])
        suite.fleetctl(["resume", vehicle, "--api", url["fleet-control"], "--wait", "30"])
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
        psql(suite.database, file=REPO / "config/grafana/postgres-readonly.sql", variables={"grafana_password": password})
        dsn = (f"host={os.environ['FLEET_POSTGRES_HOST']} port={os.environ['FLEET_POSTGRES_PORT']} dbname={suite.database} "
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
            suite.start_routing("obs-routing-2")
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
        suite.close(keep=args.keep or bool(failures))
    elapsed = time.monotonic() - started
    if failures:
        log(f"FAILED ({elapsed:.0f} s): " + "; ".join(failures))
        return 1
    log(f"all checks passed ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
