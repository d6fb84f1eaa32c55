#!/usr/bin/env python3
"""Smoke test of the docker-compose suite built by scripts/images.sh (`scripts/images.sh smoke` runs it).

Brings docker-compose.yml up under its own project name with every published port on a free loopback port and the
images of this build (the broker, database, Prometheus and Alertmanager from Debian; Grafana is left out: it has no
Debian package and no registry is reachable here), waits until every long-running container is healthy and every
one-shot exited 0, then checks, end to end through the containers:

1. telemetry in -> position out: a vehicle provisioned through fleet-control publishes telemetry with its own broker
   account; fleet-tracking serves the position at GET /v1/vehicles/smoke-1/positions;
2. a pause acknowledged by a simulated vehicle: `fleetctl pause sim-0001 --wait` exits 0;
3. a webhook received: the vehicle's 5 % battery makes fleet-health raise low_battery, fleet-alerting fires the
   low-battery alert and delivers it, signed, to a receiver container (`fleetctl webhooks receive`), which verifies
   the signature.

Then `docker-compose down -v` (also after a failure, unless --keep). Prints the time of each step; exits 1 on a
failure with the logs of the containers involved. Standard library only.
"""

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Published ports (docker-compose.yml's variables) moved to free loopback ports, so a running local stack is no obstacle.
PORT_VARIABLES = ["FLEET_MQTT_PORT", "FLEET_POSTGRES_PORT"] + [f"FLEET_HOST_PORT_{n}" for n in (
    "TRACKING", "CONTROL", "ALERTING", "HEALTH", "ROUTING", "SIM", "BROKER_EXPORTER", "PROMETHEUS", "ALERTMANAGER",
    "GRAFANA")]
LEFT_OUT = {"grafana"}
VEHICLE = "smoke-1"
# Monaco, where the simulated fleet drives.
LAT, LON = 43.7384, 7.4246


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Smoke:
    def __init__(self, args):
        self.docker = args.docker
        self.tag = args.tag
        self.figures = args.figures
        self.keep = args.keep
        self.project = f"fleet-smoke-{os.getpid()}"
        self.network = f"{self.project}_default"
        self.receiver = f"{self.project}-receiver"
        self.admin_token = "fct_smoke_" + secrets.token_hex(16)
        self.env = dict(os.environ)
        self.ports = {v: free_port() for v in PORT_VARIABLES}
        self.env.update({k: str(v) for k, v in self.ports.items()})
        self.env.update({
            "COMPOSE_PROJECT_NAME": self.project,
            "FLEET_IMAGE_TAG": self.tag,
            "FLEET_MOSQUITTO_IMAGE": f"fleet-mosquitto:{self.tag}",
            "FLEET_POSTGRES_IMAGE": f"fleet-postgres:{self.tag}",
            "FLEET_PROMETHEUS_IMAGE": f"fleet-prometheus:{self.tag}",
            "FLEET_ALERTMANAGER_IMAGE": f"fleet-alertmanager:{self.tag}",
            "FLEET_CONTROL_ADMIN_TOKEN": self.admin_token,
            # The receiver is a container on the compose network (Docker's private ranges); allowed for this run only.
            "FLEET_ALERTING_WEBHOOK_ALLOW_CIDRS": "172.16.0.0/12,192.168.0.0/16,10.0.0.0/8",
        })
        self.start = time.monotonic()
        self.results = []

    # --- plumbing ------------------------------------------------------------------------------------------------
    def run(self, *cmd, check=True, capture=True, timeout=600):
        proc = subprocess.run(cmd, env=self.env, cwd=REPO, capture_output=capture, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
        return proc

    def compose(self, *args, **kwargs):
        return self.run("docker-compose", "-p", self.project, *args, **kwargs)

    def fleetctl(self, *args, check=True, timeout=120):
        """fleetctl from its image, on the compose network (service names resolve)."""
        return self.run(self.docker, "run", "--rm", "--network", self.network, "-e", f"FLEET_TOKEN={self.admin_token}",
                        f"fleetctl:{self.tag}", *args, check=check, timeout=timeout)

    def http(self, port, path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                         headers={"Authorization": f"Bearer {self.admin_token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()

    def record(self, step, seconds, note=""):
        self.results.append((step, seconds, note))
        print(f"[smoke] ok   {step}: {seconds:.1f} s {note}", flush=True)
        if self.figures:
            with open(self.figures, "a") as f:
                f.write(f"smoke\t{step}\t{seconds:.1f} s {note}\n")

    # --- steps ---------------------------------------------------------------------------------------------------
    def up(self):
        services = [s for s in self.compose("config", "--services").stdout.split() if s not in LEFT_OUT]
        t = time.monotonic()
        self.compose("up", "-d", "--no-build", *services, capture=False)
        deadline = time.monotonic() + 420
        while True:
            states = self.states()
            waiting = {n: s for n, s in states.items() if s not in ("healthy", "exited 0")}
            failed = {n: s for n, s in states.items() if s.startswith("exited") and s != "exited 0"}
            if failed:
                raise RuntimeError(f"containers failed: {failed}")
            if not waiting and len(states) >= len(services):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after 420 s: {waiting}")
            time.sleep(2)
        self.record("up (every container healthy, one-shots done)", time.monotonic() - t, f"{len(states)} containers")

    def states(self):
        ids = self.compose("ps", "-a", "-q").stdout.split()
        if not ids:
            return {}
        out = self.run(self.docker, "inspect", "-f",
                       "{{.Name}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
                       *ids).stdout
        states = {}
        for line in out.splitlines():
            name, status, code, *health = line.split()
            states[name.lstrip("/")] = (f"exited {code}" if status == "exited" else (health[0] if health else status))
        return states

    def telemetry_to_position(self):
        t = time.monotonic()
        creds = json.loads(self.fleetctl("vehicles", "provision", VEHICLE, "--api", "http://fleet-control:8082",
                                         "--tag", "smoke", "-o", "json").stdout)
        mqtt = creds["mqtt"]
        # fleet-alerting resolves a destination when the subscription is made (it refuses names that do not resolve),
        # but the receiver needs the secret the subscription returns: a receiver without it holds the name meanwhile.
        receive = [self.docker, "run", "-d", "--name", self.receiver, "--network", self.network, f"fleetctl:{self.tag}",
                   "webhooks", "receive", "--host", "0.0.0.0", "--port", "9099"]
        self.run(*receive)
        secret = json.loads(self.fleetctl("webhooks", "create", f"http://{self.receiver}:9099/", "--url",
                                          "http://fleet-alerting:8083", "--event", "alert.firing", "--json").stdout)["secret"]
        self.run(self.docker, "rm", "-f", self.receiver)
        self.run(*receive, "--secret", secret)
        now = int(time.time() * 1000)
        lines = []
        for seq in range(1, 4):
            lines.append(json.dumps({
                "v": 1, "vehicle_id": VEHICLE, "seq": seq, "device_time_ms": now - (3 - seq) * 1000,
                "position": {"lat": LAT + seq * 1e-4, "lon": LON, "accuracy_m": 4.0}, "speed_mps": 3.0,
                "heading_deg": 0.0, "odometer_m": 100.0 + seq, "battery_pct": 5.0, "status": "moving",
                "fault_codes": []}))
        pub = subprocess.run([self.docker, "run", "--rm", "-i", "--network", self.network, f"fleetctl:{self.tag}",
                              "mqtt", "pub", "--host", "mosquitto", "--port", "1883", "--username", mqtt["username"],
                              "--password", mqtt["password"], "-t", f"fleet/v1/vehicles/{VEHICLE}/telemetry", "--lines"],
                             input="\n".join(lines) + "\n", env=self.env, capture_output=True, text=True, timeout=60)
        if pub.returncode != 0:
            raise RuntimeError(f"publishing telemetry as {VEHICLE} failed: {pub.stdout}{pub.stderr}")
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = self.http(self.ports["FLEET_HOST_PORT_TRACKING"], f"/v1/vehicles/{VEHICLE}/positions")
                points = [f for f in json.loads(body)["features"] if f["geometry"]["type"] == "Point"]
                if status == 200 and len(points) == 3:
                    lat = points[-1]["geometry"]["coordinates"][1]
                    if abs(lat - (LAT + 3e-4)) > 1e-7:
                        raise RuntimeError(f"position out differs from telemetry in: {points[-1]}")
                    break
            except urllib.error.HTTPError as e:
                if e.code != 404:
                    raise
            except (urllib.error.URLError, ConnectionError):
                pass  # tracking briefly unreachable: try again until the deadline
            if time.monotonic() > deadline:
                raise RuntimeError(f"no position for {VEHICLE} after 60 s")
            time.sleep(1)
        self.record("telemetry in -> position out", time.monotonic() - t, "(3 samples published as the vehicle, 3 points served)")

    def pause_acknowledged(self):
        t = time.monotonic()
        out = self.fleetctl("pause", "sim-0001", "--api", "http://fleet-control:8082", "--wait", "60", "-o", "json",
                            check=False, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"fleetctl pause sim-0001 exited {out.returncode}:\n{out.stdout}\n{out.stderr}")
        self.record("pause acknowledged by sim-0001", time.monotonic() - t)
        self.fleetctl("resume", "sim-0001", "--api", "http://fleet-control:8082", "--wait", "60", check=False)

    def webhook_received(self):
        t = time.monotonic()
        deadline = time.monotonic() + 120
        while True:
            log = self.run(self.docker, "logs", self.receiver).stdout
            lines = log.splitlines()
            for i, line in enumerate(lines):
                if "signature OK" in line and i + 1 < len(lines):
                    try:
                        text = json.dumps(json.loads(lines[i + 1]))
                    except json.JSONDecodeError:
                        continue  # the body line not fully written yet
                    if VEHICLE in text and "low-battery" in text:
                        self.record("low-battery webhook received, signature verified", time.monotonic() - t)
                        return
            if "SIGNATURE INVALID" in log:
                raise RuntimeError(f"a delivery failed signature verification:\n{log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"no signed low-battery webhook for {VEHICLE} within 120 s; receiver log:\n{log}")
            time.sleep(2)

    def logs(self):
        print("[smoke] container states:", json.dumps(self.states(), indent=1), file=sys.stderr)
        for service in ("fleet-tracking", "fleet-control", "fleet-alerting", "fleet-health", "fleet-sim", "mosquitto"):
            out = self.compose("logs", "--tail", "15", service, check=False)
            print(out.stdout[-3000:], file=sys.stderr)
        print(self.run(self.docker, "logs", "--tail", "20", self.receiver, check=False).stdout, file=sys.stderr)

    def down(self):
        self.run(self.docker, "rm", "-f", self.receiver, check=False)
        self.compose("down", "-v", "--remove-orphans", check=False, timeout=300)

    def main(self):
        ok = False
        try:
            self.up()
            self.telemetry_to_position()
            self.pause_acknowledged()
            self.webhook_received()
            ok = True
        except Exception as error:  # report, show logs, tear down
            print(f"[smoke] FAILED: {error}", file=sys.stderr)
            try:
                self.logs()
            except Exception as log_error:
                print(f"[smoke] (logs unavailable: {log_error})", file=sys.stderr)
        finally:
            if self.keep:
                print(f"[smoke] kept project {self.project}; docker-compose -p {self.project} down -v when done")
            else:
                t = time.monotonic()
                self.down()
                if ok:
                    self.record("down -v", time.monotonic() - t)
        print(f"[smoke] {'passed' if ok else 'FAILED'} in {time.monotonic() - self.start:.0f} s")
        return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docker", default="docker")
    parser.add_argument("--tag", default=os.environ.get("FLEET_IMAGE_TAG", "dev"))
    parser.add_argument("--figures", default="")
    parser.add_argument("--keep", action="store_true", help="leave the project running")
    sys.exit(Smoke(parser.parse_args()).main())
