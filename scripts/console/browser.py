"""Headless Chromium for the operator console's browser test and benchmark (scripts/console/browser_test.py, bench.py).

Debian's chromium and chromium-driver (installed by scripts/stack.sh) driven by Selenium (pinned in
scripts/observability/requirements.txt, venv .stack/obs-tools). Nothing is downloaded: the driver and the browser are
given by path, so Selenium Manager is never asked to fetch one.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts/observability"))

CHROMIUM = os.environ.get("FLEET_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FLEET_CHROMEDRIVER", "/usr/bin/chromedriver")
WINDOW = (1366, 768)


def start_browser(profile: Path, log_path: Path) -> webdriver.Chrome:
    """A headless Chromium with a 1366x768 viewport, its console log readable through get_log("browser")."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).exists():
            raise RuntimeError(f"{path} is missing: apt-get install chromium chromium-driver (scripts/stack.sh installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ["--headless=new", f"--window-size={WINDOW[0]},{WINDOW[1]}", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                     "--enable-precise-memory-info",  # performance.memory in real bytes, not bucketed
                     f"--user-data-dir={profile}"]:
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root
    options.set_capability("goog:loggingOptions", {"browser": "ALL"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER, log_output=str(log_path))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_script_timeout(60)
    # --window-size sizes the window; make the page's viewport exactly 1366x768 (the screenshot's size).
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    if tuple(inner) != WINDOW:
        size = driver.get_window_size()
        driver.set_window_size(size["width"] + WINDOW[0] - inner[0], size["height"] + WINDOW[1] - inner[1])
    return driver


def wait_js(driver, what: str, script: str, seconds: float, interval: float = 0.25):
    """Runs `script` (a JS expression body with `return`) until it returns something truthy; returns that."""
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = driver.execute_script(script)
            if last:
                return last
        except Exception as error:  # noqa: BLE001 - page not ready yet
            last = error
        time.sleep(interval)
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what} (last: {last!r})")


def page_ready(driver, seconds: float = 30) -> None:
    """The console's modules are loaded and it read config.json (window.fleetConsole exists)."""
    wait_js(driver, "window.fleetConsole", "return document.readyState === 'complete' && !!window.fleetConsole", seconds)


def renderer_rss(driver) -> dict[str, int]:
    """RSS in bytes of the Chromium processes under this chromedriver, by type (renderer, gpu-process, browser, …),
    read from /proc; {} where /proc is not available."""
    root = getattr(driver.service.process, "pid", None)
    if root is None or not Path("/proc").exists():
        return {}
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    totals: dict[str, int] = {}
    stack = list(children.get(root, []))
    page = os.sysconf("SC_PAGE_SIZE")
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        try:
            # Processes forked from the zygote rewrite their command line as one space-separated string.
            argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").split()
            rss = int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        if not argv or "chrom" not in argv[0]:
            continue  # the /usr/bin/chromium wrapper script's shell
        kind = next((a.split("=", 1)[1] for a in argv if a.startswith("--type=")), "browser")
        totals[kind] = totals.get(kind, 0) + rss
    return totals


def severe_console_entries(driver) -> list[str]:
    """SEVERE entries of the browser's console log since the last call (the log is drained by reading it)."""
    return [f"{entry.get('source', '')}: {entry.get('message', '')}" for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]


def stop_browser(driver, log) -> None:
    """Quits the browser if it was started; a failure to quit is logged, never raised (it runs in `finally:`)."""
    if driver is None:
        return
    try:
        driver.quit()
    except Exception as error:  # noqa: BLE001 - cleanup must go on
        log(f"could not stop the browser: {error}")
