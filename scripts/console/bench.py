#!/usr/bin/env python3
"""The operator console's browser benchmark (issue #18): printed, not asserted.

Starts the suite on free loopback ports (scripts/observability/suite.py, no Prometheus) with N simulated vehicles at
fleet-sim's default 1 Hz, waits until fleet-tracking knows them all, opens fleet-tracking's /console/ in Debian's
headless Chromium (1366x768) already logged in (the token is put in the page's sessionStorage, then the page is
reloaded: the measured load is a cold page open with a token, as for an operator who reopens the tab), and prints:

  - time from page open (navigation start) to the first live snapshot and to all markers drawn
    (fleetConsole.timing.allMarkersDrawnMs), and to markerCount() reaching N — target: all markers within 3 s;
  - frame time p50/p95/max over --seconds (30) of live updates (fleetConsole.frameStats(): requestAnimationFrame
    deltas), and the vehicle layer's own draw time — target: p95 frame ≤ 50 ms;
  - how many vehicles' positions changed during that window (that the updates really flowed);
  - the page's memory: performance.memory.usedJSHeapSize (precise: --enable-precise-memory-info) and the RSS of
    Chromium's renderer, GPU and browser processes (from /proc, the children of chromedriver);
  - the CPU the suite's busiest processes and Chromium used during the window, and the load average (the browser
    shares the machine with the suite it watches).

Usage (repository root, the local stack started, a release build):
  eval "$(scripts/stack.sh env)"
  .stack/obs-tools/bin/python scripts/console/bench.py [--bin-dir .build/release] [--vehicles 10000] [--seconds 30] [--browser-cpu 1]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts in the repository
from browser import page_ready, renderer_rss, start_browser, stop_browser, wait_js  # also puts scripts/observability on sys.path

from suite import Suite, http, prerequisites, wait_for

TARGET_P95_MS = 50.0
TARGET_ALL_MARKERS_MS = 3000.0
MIB = 1024 * 1024


def log(message: str) -> None:
    print(f"[console-bench] {message}", flush=True)


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (and its reaped children), in seconds."""
    fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def pin(pids: list[int], cpus: set[int]) -> None:
    """Restricts every thread of `pids` (and what they start later, which inherits it) to `cpus`."""
    for pid in pids:
        try:
            tasks = [int(task.name) for task in Path(f"/proc/{pid}/task").iterdir()]
        except OSError:
            continue
        for task in tasks:
            try:
                os.sched_setaffinity(task, cpus)
            except OSError:
                pass  # the thread ended


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    out, stack = [], list(children.get(root, []))
    while stack:
        pid = stack.pop()
        out.append(pid)
        stack.extend(children.get(pid, []))
    return out


def met(value: float, target: float) -> str:
    return f"target ≤ {target:.0f} ms: {'met' if value <= target else 'NOT met'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin-dir", help="where the executables are (default: the release build, swift build -c release --show-bin-path)")
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30, help="live updates measured for the frame times")
    parser.add_argument("--wait-seconds", type=float, default=240, help="longest wait for fleet-tracking to know every vehicle")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, profile)")
    parser.add_argument("--browser-cpu", type=int,
                        help="give Chromium this CPU alone and the suite's processes the others (PostgreSQL is not pinned): "
                             "separates the page's own frame times from a machine the suite saturates")
    args = parser.parse_args()
    bin_dir = prerequisites(args.bin_dir, log, configuration="release")
    if bin_dir is None:
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    suite = Suite(bin_dir, vehicles=args.vehicles, monitoring=False, tag="bench", work_name="console-bench", log=log)
    driver = None
    failed = False
    try:
        suite.start()
        tracking = suite.url["fleet-tracking"]
        token = suite.token("console-bench", "fleet:read")

        def known() -> int:
            return json.loads(http(f"{tracking}/v1/fleet/summary", token=suite.admin_token)[1]).get("vehicles", 0)
        waited = time.monotonic()
        try:
            wait_for(f"{args.vehicles} vehicles in fleet-tracking", lambda: known() >= args.vehicles, args.wait_seconds, interval=2)
        except RuntimeError as error:
            log(f"{error}; measuring with the {known()} it knows")
        reported = known()
        waited_s = time.monotonic() - waited
        log(f"fleet-tracking knows {reported} vehicles after {waited_s:.0f} s")

        driver = start_browser(suite.work / "chromium-profile", suite.work / "chromedriver.log")
        if args.browser_cpu is not None:
            others = set(range(os.cpu_count() or 1)) - {args.browser_cpu}
            pin([driver.service.process.pid, *descendants(driver.service.process.pid)], {args.browser_cpu})
            pin([process.pid for process in suite.processes.values() if process.poll() is None], others or {args.browser_cpu})
            log(f"Chromium pinned to CPU {args.browser_cpu}, the suite's processes to {sorted(others)}")
        # index.html by name: the figures are the page's; serving /console/ itself is the browser test's business
        # (a release build from before fleet-tracking's /console/ fix redirected it to itself).
        driver.get(suite.console_url + "index.html")
        page_ready(driver)
        driver.execute_script("sessionStorage.setItem('fleet.console.token', arguments[0])", token)
        driver.refresh()  # the measured open: boot finds the token and logs in by itself
        page_ready(driver, 180)  # fleet-tracking serves the page while it ingests N messages a second
        navigation = driver.execute_script(
            "const n = performance.getEntriesByType('navigation')[0];"
            "const slowest = performance.getEntriesByType('resource').sort((a, b) => b.duration - a.duration)[0];"
            "return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd, slowest: slowest ? [slowest.name, slowest.duration] : null}")
        wait_js(driver, "fleetConsole.ready (all markers of the snapshot drawn)", "return window.fleetConsole.ready", 180, interval=0.05)
        timing = driver.execute_script("return window.fleetConsole.timing")
        reached = wait_js(driver, f"markerCount() ≥ {reported}",
                          f"const n = window.fleetConsole.markerCount(); return n >= {reported} && [n, performance.now()]", 60, interval=0.05)

        # Positions at the start of the window, to count afterwards which vehicles' updates arrived.
        driver.execute_script(
            "const c = window.fleetConsole; window.__benchStart = new Map(c.vehicleIds().map(id => { const v = c.vehicle(id); return [id, v.lat + ',' + v.lon]; }));")
        pids = {name: suite.pid(name) for name in ["fleet-tracking", "fleet-sim", "mosquitto"]}
        chromium = descendants(driver.service.process.pid)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        before_chromium = sum(cpu_seconds(pid) for pid in chromium if Path(f"/proc/{pid}").exists())
        window_start = time.monotonic()
        driver.execute_script("window.fleetConsole.resetFrameStats()")
        time.sleep(args.seconds)
        stats = driver.execute_script("return window.fleetConsole.frameStats()")
        window = time.monotonic() - window_start
        cpu = {name: (cpu_seconds(pid) - before[name]) / window for name, pid in pids.items()}
        cpu_chromium = (sum(cpu_seconds(pid) for pid in chromium if Path(f"/proc/{pid}").exists()) - before_chromium) / window
        load = os.getloadavg()
        changed = driver.execute_script(
            "const c = window.fleetConsole; let n = 0;"
            "for (const [id, p] of window.__benchStart) { const v = c.vehicle(id); if (v && v.lat + ',' + v.lon !== p) n++; }"
            "return [n, window.__benchStart.size];")
        memory = driver.execute_script("return window.fleetConsole.memory()")
        rss = renderer_rss(driver)
        markers = driver.execute_script("return window.fleetConsole.markerCount()")
        errors = driver.execute_script("return window.fleetConsole.errors.slice()")
        version = driver.capabilities.get("browserVersion", "?")

        all_drawn = timing["allMarkersDrawnMs"]
        print(flush=True)
        print(f"console benchmark: {args.vehicles} simulated vehicles at 1 Hz, binaries {bin_dir}, headless Chromium {version} 1366x768, "
              f"{os.cpu_count()} cores" + (f", Chromium alone on CPU {args.browser_cpu}" if args.browser_cpu is not None else ""))
        print(f"  {'vehicles in fleet-tracking when the page opened':<48} {reported} (waited {waited_s:.0f} s for them)")
        slowest = f"; slowest file {navigation['slowest'][0].rsplit('/', 1)[-1]} {navigation['slowest'][1]:.0f} ms" if navigation["slowest"] else ""
        print(f"  {'page open → DOMContentLoaded, load':<48} {navigation['dom']:.0f} ms, {navigation['load']:.0f} ms{slowest}")
        print(f"  {'page open → first live snapshot':<48} {timing['firstSnapshotMs']:.0f} ms ({timing['snapshotSize']} positions)")
        print(f"  {'page open → all markers drawn':<48} {all_drawn:.0f} ms   {met(all_drawn, TARGET_ALL_MARKERS_MS)}")
        print(f"  {'page open → markerCount() ≥ vehicles (polled)':<48} ≤ {reached[1]:.0f} ms ({reached[0]} markers)")
        print(f"  {f'frame time over {window:.0f} s of live updates':<48} p50 {stats['p50']:.1f} ms, p95 {stats['p95']:.1f} ms, max {stats['max']:.1f} ms "
              f"({stats['frames']} frames)   p95 {met(stats['p95'], TARGET_P95_MS)}")
        print(f"  {'vehicle layer draw time':<48} p50 {stats['drawP50']:.1f} ms, p95 {stats['drawP95']:.1f} ms, max {stats['drawMax']:.1f} ms "
              f"({stats['drawn']} frames redrawn)")
        print(f"  {'vehicles whose position changed in the window':<48} {changed[0]} of {changed[1]}; markers drawn now {markers}")
        if memory:
            print(f"  {'JS heap (performance.memory)':<48} used {memory['usedJSHeapSize'] / MIB:.1f} MiB, total {memory['totalJSHeapSize'] / MIB:.1f} MiB")
        if rss:
            print(f"  {'Chromium RSS':<48} " + ", ".join(f"{kind} {value / MIB:.0f} MiB" for kind, value in sorted(rss.items())))
        print(f"  {'CPU used during the window (cores)':<48} " + ", ".join(f"{name} {value:.2f}" for name, value in cpu.items())
              + f", Chromium (all processes) {cpu_chromium:.2f}; load average {load[0]:.2f}")
        if errors:
            print(f"  page errors: {errors[:5]}")
    except Exception as error:  # noqa: BLE001 - report, clean up, fail
        failed = True
        log(f"FAILED: {error}")
    finally:
        stop_browser(driver, log)
        suite.close(keep=args.keep or failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
