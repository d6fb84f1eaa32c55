#!/usr/bin/env python3
"""The operator console in a real browser (issue #18): headless Chromium driven by Selenium against a whole suite.

Starts the suite on free loopback ports (scripts/observability/suite.py: its own Mosquitto, a throw-away database,
every service from the debug build, fleet-sim with --vehicles simulated vehicles; no Prometheus), opens
fleet-tracking's /console/ in Debian's headless Chromium, and checks, each printed ok/FAILED:

  1. the page loads without console errors (browser log, level SEVERE) and refuses to act without a token: no
     vehicles are loaded, Pause and Draw only show the refusal, a wrong token is refused at login;
  2. logged in with an operator token: a marker for every vehicle fleet-tracking knows, markers move (drawn positions
     change within a few seconds), the search and the status filter change the list (and the map);
  3. pausing a vehicle from the page: the command is shown acknowledged (#command-status data-status), the vehicle
     reports `paused` and its marker stops; resuming it the same way, it moves again;
  4. an alert appears in the feed (a platform alert posted the way Alertmanager does, POST /v1/platform-alerts) and
     is acknowledged from the page (its Acknowledge button), as fleet-alerting's GET /v1/alerts/{id} confirms;
  5. a geofence drawn on the page (Draw, four vertices through fleetConsole.addPoint, a name, Save) is stored in
     fleet-tracking (GET /v1/geofences) and listed on the page;
  6. no console errors while logged in; a screenshot of the running page (1366x768) is saved to --screenshot
     (default .stack/console-test/console.png; docs/images/console.png is one).

Usage (repository root, the local stack started; scripts/observability/check.sh installs the venv):
  eval "$(scripts/stack.sh env)"
  .stack/obs-tools/bin/python scripts/console/browser_test.py [--bin-dir D] [--vehicles 60] [--screenshot F] [--keep]
Exit status 0 when every check passed, 1 otherwise, 2 when something it needs is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import secrets
import signal
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the repository
from browser import REPO, page_ready, severe_console_entries, start_browser, stop_browser, wait_js  # also puts scripts/observability on sys.path
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from suite import Suite, http, prerequisites, wait_for

OPERATOR_SCOPES = ["fleet:read", "commands:write", "alerts:write", "geofences:write", "routes:write"]


def log(message: str) -> None:
    print(f"[console-test] {message}", flush=True)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (lat, lon) points, equirectangular (fine for metres apart)."""
    lat = math.radians((a[0] + b[0]) / 2)
    return 6_371_000 * math.hypot(math.radians(b[0] - a[0]), math.radians(b[1] - a[1]) * math.cos(lat))


class Checks:
    def __init__(self):
        self.failures: list[str] = []

    def ok(self, name: str, detail: str = "") -> None:
        print(f"ok      {name}" + (f": {detail}" if detail else ""), flush=True)

    def failed(self, name: str, detail: str) -> None:
        self.failures.append(name)
        print(f"FAILED  {name}: {detail}", flush=True)

    def check(self, name: str, passed: bool, detail: str) -> bool:
        (self.ok if passed else self.failed)(name, detail)
        return passed

    def run(self, name: str, step) -> None:
        """Runs one step; a step returns its detail (ok) or raises (FAILED with the error)."""
        try:
            self.ok(name, step() or "")
        except Exception as error:  # noqa: BLE001 - each check reports its own failure and the others still run
            self.failed(name, str(error))


def drawn_positions(driver) -> dict[str, dict]:
    return driver.execute_script(
        "const c = window.fleetConsole; const out = {};"
        "for (const id of c.vehicleIds()) out[id] = c.vehicle(id);"
        "return out;")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", help="where the executables are (default: the debug build, swift build --show-bin-path)")
    parser.add_argument("--vehicles", type=int, default=60, help="simulated vehicles (default 60)")
    parser.add_argument("--screenshot", default=str(REPO / ".stack/console-test/console.png"),
                        help="where to save the screenshot (default: .stack/console-test/console.png)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, profile, screenshot)")
    args = parser.parse_args()
    bin_dir = prerequisites(args.bin_dir, log)
    if bin_dir is None:
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the suite on kill too (finally: below)

    suite = Suite(bin_dir, vehicles=args.vehicles, monitoring=False, tag="console", work_name="console-test", log=log)
    checks = Checks()
    driver = None
    started = time.monotonic()
    screenshot = Path(args.screenshot).resolve()
    try:
        suite.start()
        tracking = suite.url["fleet-tracking"]
        admin = suite.admin_token
        operator = suite.token("console-operator", *OPERATOR_SCOPES)

        def reported() -> int:
            return json.loads(http(f"{tracking}/v1/fleet/summary", token=admin)[1]).get("vehicles", 0)
        count = wait_for(f"all {args.vehicles} simulated vehicles in fleet-tracking", lambda: reported() >= args.vehicles and reported(), 90)
        log(f"fleet-tracking knows {count} vehicles; opening {suite.console_url}")

        driver = start_browser(suite.work / "chromium-profile", suite.work / "chromedriver.log")
        driver.get(suite.console_url)

        # --- 1. loads cleanly, refuses to act without a token -----------------------------------------------------
        def loads_cleanly():
            page_ready(driver)
            time.sleep(1.0)  # let config.json and the first module work settle before reading the log
            severe = severe_console_entries(driver)
            page_errors = driver.execute_script("return window.fleetConsole.errors.slice()")
            if severe or page_errors:
                raise RuntimeError(f"console errors {severe}, page errors {page_errors}")
            title = driver.title
            return f"'{title}', Leaflet {driver.execute_script('return window.L && L.version')}, no SEVERE console entries"
        checks.run("page loads without console errors", loads_cleanly)

        def refuses_without_token():
            ids = driver.execute_script("return window.fleetConsole.vehicleIds().length")
            rows = len(driver.find_elements(By.CSS_SELECTOR, "#vehicle-list [data-vehicle-id]"))
            if ids or rows:
                raise RuntimeError(f"{ids} vehicles / {rows} rows loaded before logging in")
            driver.find_element(By.ID, "pause").click()
            message = wait_js(driver, "the refusal message", "const m = document.getElementById('message'); return !m.hidden && m.textContent", 5)
            if "log in" not in message.lower():
                raise RuntimeError(f"Pause without a token showed {message!r}, not a refusal")
            driver.find_element(By.ID, "geofence-draw").click()
            if driver.execute_script("return window.fleetConsole.mode()") is not None:
                raise RuntimeError("Draw started a geofence without a token")
            if driver.execute_script("return window.fleetConsole.addPoint(43.74, 7.42)") is not False:
                raise RuntimeError("addPoint accepted a vertex without a token")
            driver.find_element(By.ID, "token").send_keys("fct_" + "0" * 64)
            driver.find_element(By.ID, "login").click()
            refused = wait_js(driver, "the login refusal", "return document.getElementById('login-error').textContent", 15)
            if driver.execute_script("return window.fleetConsole.vehicleIds().length"):
                raise RuntimeError("vehicles loaded with a wrong token")
            return f"no vehicles; Pause → {message!r}; Draw does nothing; wrong token → {refused!r}"
        checks.run("refuses to act without a token", refuses_without_token)
        severe_console_entries(driver)  # the wrong token's 401 is an expected network error: drain it

        # --- 2. log in: markers, movement, filters ----------------------------------------------------------------
        token_input = driver.find_element(By.ID, "token")
        token_input.clear()
        token_input.send_keys(operator)
        driver.find_element(By.ID, "login").click()

        def markers():
            wait_js(driver, "fleetConsole.ready", "return window.fleetConsole.ready", 30)
            known = reported()
            drawn = wait_js(driver, f"{known} markers", f"const n = window.fleetConsole.markerCount(); return n >= {known} && n", 15)
            timing = driver.execute_script("return window.fleetConsole.timing")
            return (f"{drawn} markers for {known} vehicles in fleet-tracking; first snapshot {timing['firstSnapshotMs']:.0f} ms, "
                    f"all drawn {timing['allMarkersDrawnMs']:.0f} ms after page start")
        checks.run("markers for the simulated vehicles", markers)

        def movement():
            before = drawn_positions(driver)
            time.sleep(4)
            after = drawn_positions(driver)
            moving = [i for i, v in after.items() if v["status"] == "moving"]
            moved = [i for i in moving if i in before and metres((before[i]["drawnLat"], before[i]["drawnLon"]),
                                                                 (after[i]["drawnLat"], after[i]["drawnLon"])) > 0.5]
            # Vehicles wait at junctions and stops too: a quarter of the moving ones is plenty to see the stream work.
            if not moving or len(moved) < max(1, len(moving) // 4):
                raise RuntimeError(f"{len(moved)} of {len(moving)} moving vehicles' markers moved in 4 s")
            return f"{len(moved)} of {len(moving)} moving vehicles' markers moved in 4 s"
        checks.run("markers move", movement)

        def filters():
            total = driver.execute_script("return window.fleetConsole.vehicleIds().length")
            search = driver.find_element(By.ID, "search")
            search.send_keys("sim-001")
            # The list is virtualised (only the rows in view exist): #vehicle-count says "<matching> of <all>".
            counted = wait_js(driver, "the search to narrow the list",
                              "const t = document.getElementById('vehicle-count').textContent; return t.includes(' of ') && t", 5)
            rows = driver.execute_script("return [...document.querySelectorAll('#vehicle-list [data-vehicle-id]')].map(e => e.dataset.vehicleId)")
            expected = sorted(i for i in drawn_positions(driver) if "sim-001" in i)
            if sorted(rows) != expected or counted != f"{len(expected)} of {total}":
                raise RuntimeError(f"search sim-001 listed {rows} ({counted!r}); expected {expected}")
            wait_js(driver, "the map to show only the matches", f"return window.fleetConsole.markerCount() === {len(expected)}", 5)
            search.clear()
            driver.execute_script("document.getElementById('search').dispatchEvent(new Event('input'))")
            wait_js(driver, "the full list again", f"return window.fleetConsole.markerCount() === {total}", 5)
            # A status some but not all vehicles have; if they all share one (all moving), another one: the list and
            # the map must then be empty.
            statuses = [v["status"] for v in drawn_positions(driver).values()]
            common = max(set(statuses), key=statuses.count)
            partial = sorted({s for s in statuses if statuses.count(s) < len(statuses)}, key=statuses.count)
            status = partial[-1] if partial else next(s for s in ["idle", "paused", "charging", "fault", "moving"] if s != common)
            Select(driver.find_element(By.ID, "filter-status")).select_by_value(status)
            # Wait for the list's count and the map's next frame to agree.
            counted, markers = wait_js(driver, "the status filter",
                                       "const t = document.getElementById('vehicle-count').textContent, n = window.fleetConsole.markerCount();"
                                       "return t.includes(' of ') && parseInt(t) === n && [t, n]", 5)
            matching = int(counted.split(" of ")[0])
            listed = driver.execute_script("return [...document.querySelectorAll('#vehicle-list .vrow .st')].map(e => e.textContent)")
            if matching >= total or any(s != status for s in listed) or len(listed) > matching or markers != matching:
                raise RuntimeError(f"status {status}: {counted!r}, rows {listed}, {markers} markers")
            if matching == 0 and "No vehicle matches" not in driver.find_element(By.ID, "vehicle-list").text:
                raise RuntimeError(f"status {status}: nothing matches but the list does not say so")
            Select(driver.find_element(By.ID, "filter-status")).select_by_value("")
            wait_js(driver, "the unfiltered list", f"return window.fleetConsole.markerCount() === {total}", 5)
            return (f"search 'sim-001' → {len(rows)} rows and markers of {total}; status {status} → {counted} "
                    f"({markers} markers; every row {status})")
        checks.run("filtering changes the list", filters)

        # --- 3. pause and resume from the page ----------------------------------------------------------------------
        def pause_and_resume():
            positions = drawn_positions(driver)
            vehicle = next((i for i in sorted(positions) if positions[i]["status"] == "moving"), None)
            if vehicle is None:
                raise RuntimeError("no moving vehicle to pause")
            driver.execute_script("window.fleetConsole.select(arguments[0])", vehicle)
            driver.find_element(By.ID, "pause").click()
            status = wait_js(driver, "the pause command acknowledged",
                             "const s = document.getElementById('command-status'); return s.textContent.startsWith('pause') && "
                             "['acknowledged', 'completed', 'failed', 'rejected', 'expired'].includes(s.dataset.status) && s.dataset.status", 30)
            if status not in ("acknowledged", "completed"):
                raise RuntimeError(f"pause of {vehicle} ended {status}: {driver.find_element(By.ID, 'command-status').text}")
            wait_js(driver, f"{vehicle} paused", f"return window.fleetConsole.vehicle('{vehicle}').status === 'paused'", 20)
            time.sleep(1.5)  # the last glide (≤ one update interval) ends
            first = driver.execute_script("return window.fleetConsole.vehicle(arguments[0])", vehicle)
            time.sleep(3)
            second = driver.execute_script("return window.fleetConsole.vehicle(arguments[0])", vehicle)
            drift = metres((first["drawnLat"], first["drawnLon"]), (second["drawnLat"], second["drawnLon"]))
            if second["status"] != "paused" or drift > 0.5:
                raise RuntimeError(f"{vehicle} after pausing: status {second['status']}, marker moved {drift:.1f} m in 3 s")
            driver.find_element(By.ID, "resume").click()
            status = wait_js(driver, "the resume command acknowledged",
                             "const s = document.getElementById('command-status'); return s.textContent.startsWith('resume') && "
                             "['acknowledged', 'completed', 'failed', 'rejected', 'expired'].includes(s.dataset.status) && s.dataset.status", 30)
            if status not in ("acknowledged", "completed"):
                raise RuntimeError(f"resume of {vehicle} ended {status}")
            resumed = wait_js(driver, f"{vehicle} not paused", f"const s = window.fleetConsole.vehicle('{vehicle}').status; return s !== 'paused' && s", 20)
            return f"{vehicle}: pause {status}, status paused, marker still ({drift:.2f} m in 3 s); resume acknowledged, status {resumed}"
        checks.run("pause from the page is acknowledged and the marker stops; resume", pause_and_resume)

        # --- 4. an alert in the feed, acknowledged from the page --------------------------------------------------
        def alert_feed():
            name = f"ConsoleBrowserTest{secrets.token_hex(3)}"
            notification = {"version": "4", "status": "firing", "receiver": "fleet-alerting", "alerts": [{
                "status": "firing", "labels": {"alertname": name, "severity": "warning"},
                "annotations": {"summary": f"{name}: raised by the console browser test"},
                "startsAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "fingerprint": secrets.token_hex(8)}]}
            writer = suite.token("console-test-alertmanager", "alerts:write")
            status, body = http(f"{suite.url['fleet-alerting']}/v1/platform-alerts", "POST", json.dumps(notification).encode(), writer)
            if json.loads(body).get("fired") != 1:
                raise RuntimeError(f"POST /v1/platform-alerts answered {status} {body}")

            def find():
                alerts = json.loads(http(f"{suite.url['fleet-alerting']}/v1/alerts?status=firing&limit=1000", token=admin)[1])["alerts"]
                return next((a["id"] for a in alerts if name in (a.get("summary") or "")), None)
            alert_id = wait_for(f"alert {name} in fleet-alerting", find, 20)
            item = f"#alert-feed [data-alert-id='{alert_id}']"
            wait_js(driver, "the alert in the feed", f"return document.querySelector(\"{item} button.ack\") !== null", 20)
            driver.find_element(By.CSS_SELECTOR, f"{item} button.ack").click()
            shown = wait_js(driver, "the feed to show it acknowledged",
                            f"const e = document.querySelector(\"{item}\"); return e && e.dataset.status === 'acknowledged' && e.dataset.status", 15)
            stored = json.loads(http(f"{suite.url['fleet-alerting']}/v1/alerts/{alert_id}", token=admin)[1])
            if stored.get("status") != "acknowledged":
                raise RuntimeError(f"GET /v1/alerts/{alert_id}: status {stored.get('status')}")
            return f"alert {alert_id} ({name}) shown, acknowledged from the page (feed: {shown}; fleet-alerting: {stored['status']}, by {stored.get('acknowledged_by')!r})"
        checks.run("an alert appears in the feed and is acknowledged from the page", alert_feed)

        # --- 5. a geofence drawn on the page -----------------------------------------------------------------------
        def geofence():
            name = f"browser test {secrets.token_hex(3)}"
            driver.find_element(By.ID, "geofence-draw").click()
            if driver.execute_script("return window.fleetConsole.mode()") != "geofence":
                raise RuntimeError("Draw did not start the geofence mode")
            for lat, lon in [(43.7330, 7.4150), (43.7330, 7.4250), (43.7420, 7.4250), (43.7420, 7.4150)]:
                if driver.execute_script("return window.fleetConsole.addPoint(arguments[0], arguments[1])", lat, lon) is not True:
                    raise RuntimeError("addPoint refused a vertex while drawing")
            driver.find_element(By.ID, "geofence-name").send_keys(name)
            driver.find_element(By.ID, "geofence-save").click()

            def stored():
                features = json.loads(http(f"{tracking}/v1/geofences", token=admin)[1])["features"]
                return next((f for f in features if (f.get("properties") or {}).get("name") == name), None)
            feature = wait_for(f"geofence {name!r} in fleet-tracking", stored, 15)
            ring = feature["geometry"]["coordinates"][0]
            if len(ring) != 5 or ring[0] != ring[-1]:
                raise RuntimeError(f"stored ring {ring}: expected the 4 vertices closed")
            wait_js(driver, "the geofence in the page's list", f"return document.getElementById('geofence-list').textContent.includes({json.dumps(name)})", 10)
            return f"{feature['id']} ({name!r}, {len(ring) - 1} vertices) stored in fleet-tracking and listed on the page"
        checks.run("a geofence drawn on the page is stored in fleet-tracking", geofence)

        # --- 6. no console errors while logged in; the screenshot ------------------------------------------------
        def no_errors():
            severe = severe_console_entries(driver)
            page_errors = driver.execute_script("return window.fleetConsole.errors.slice()")
            if severe or page_errors:
                raise RuntimeError(f"console errors {severe}, page errors {page_errors}")
            return "no SEVERE console entries and fleetConsole.errors empty"
        checks.run("no console errors while logged in", no_errors)

        def take_screenshot():
            driver.execute_script("window.fleetConsole.select(arguments[0])", sorted(drawn_positions(driver))[0])
            time.sleep(2.5)  # the details panel's reads and a couple of live updates
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            if not driver.save_screenshot(str(screenshot)):
                raise RuntimeError("save_screenshot failed")
            size = driver.execute_script("return [window.innerWidth, window.innerHeight]")
            return f"{screenshot} ({size[0]}x{size[1]})"
        checks.run("screenshot", take_screenshot)
    except Exception as error:  # noqa: BLE001 - report, clean up, fail
        checks.failed("harness", str(error))
    finally:
        stop_browser(driver, log)
        suite.close(keep=args.keep or bool(checks.failures))
    elapsed = time.monotonic() - started
    if checks.failures:
        log(f"FAILED ({elapsed:.0f} s): " + "; ".join(checks.failures))
        return 1
    log(f"all checks passed ({elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
