#!/usr/bin/env python3
"""Webhook receiver for scripts/chaos.sh alerting-kill (Python standard library only).

Listens on 127.0.0.1:PORT and records every POST as one JSON line in OUT (receive time, the Standard Webhooks headers
fleet-alerting sends: webhook-id, webhook-timestamp, webhook-signature, and the body), then waits --delay-ms (a
receiver doing some work, so deliveries are in flight) and answers 200. The line is written before the answer: a
request whose sender dies before it reads the answer is recorded, as a real receiver would have processed it.

Two endpoints are not recorded:
  GET /_status                     {"received": n, "inflight": n, "last": receive time of the last POST}
  GET /_kill?pid=N&wait=S&metrics=URL&keep=PREFIX,...
                                   waits (up to S seconds) until at least one delivery is in flight, reads the victim's
                                   Prometheus metrics at URL (optional; only the names starting with one of the
                                   prefixes), sends SIGKILL to pid N at once and answers
                                   {"killed_at": time, "inflight": n, "metrics": {name{labels}: value}}; with none in
                                   flight within S seconds it kills anyway and says so ("inflight": 0).
"""
import argparse
import json
import os
import signal
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class State:
    def __init__(self, out_path):
        self.lock = threading.Condition()
        self.inflight = 0
        self.received = 0
        self.last = 0.0
        self.out = open(out_path, "a", encoding="utf-8")


def read_metrics(url, keep):
    """The samples of a Prometheus text page whose names start with one of `keep`, {"name{labels}": value}; empty if
    the page cannot be read."""
    samples = {}
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            for line in response.read().decode().splitlines():
                if line and not line.startswith("#") and line.startswith(keep):
                    name, _, value = line.rpartition(" ")
                    try:
                        samples[name] = float(value)
                    except ValueError:
                        pass
    except OSError:
        pass
    return samples


def make_handler(state, delay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as fleet-alerting's connection pool expects

        def log_message(self, *args):
            pass

        def answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/_status":
                with state.lock:
                    self.answer(200, {"received": state.received, "inflight": state.inflight, "last": state.last})
            elif url.path == "/_kill":
                query = parse_qs(url.query)
                pid = int(query["pid"][0])
                deadline = time.time() + float(query.get("wait", ["10"])[0])
                metrics_url = query.get("metrics", [None])[0]
                keep = tuple(query.get("keep", [""])[0].split(","))
                with state.lock:
                    while state.inflight == 0 and time.time() < deadline:
                        state.lock.wait(0.001)
                    inflight = state.inflight
                    metrics = read_metrics(metrics_url, keep) if metrics_url else {}
                    os.kill(pid, signal.SIGKILL)
                    killed_at = time.time()
                self.answer(200, {"killed_at": killed_at, "inflight": inflight, "metrics": metrics})
            else:
                self.answer(404, {"error": "not found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            now = time.time()
            record = {
                "t": now,
                "id": self.headers.get("webhook-id"),
                "ts": self.headers.get("webhook-timestamp"),
                "sig": self.headers.get("webhook-signature"),
                "body": body.decode("utf-8", errors="surrogateescape"),
            }
            with state.lock:
                state.out.write(json.dumps(record) + "\n")
                state.out.flush()
                state.received += 1
                state.last = now
                state.inflight += 1
                state.lock.notify_all()
            try:
                time.sleep(delay)
                self.answer(200, {"ok": True})
            except OSError:
                pass  # the sender is gone (killed mid-delivery): it never sees this answer
            finally:
                with state.lock:
                    state.inflight -= 1

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--delay-ms", type=float, default=50)
    args = parser.parse_args()
    state = State(args.out)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(state, args.delay_ms / 1000))
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()


if __name__ == "__main__":
    main()
