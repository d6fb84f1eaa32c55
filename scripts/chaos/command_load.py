#!/usr/bin/env python3
"""Steady command load through fleet-control's HTTP API for scripts/chaos.sh control-kill (standard library only).

Schedules --rate commands a second, round robin over the vehicles <prefix>-0001…, alternating `pause` and `resume`
per vehicle: `POST /v1/vehicles/{id}/commands` with `Idempotency-Key: <key>` and the key as the command's `reason`
(so every stored command, and every command on the wire, names the request it came from). A request that gets no
answer (refused connection, timeout, 5xx, 429) is sent again with the same key and body, as a real client would,
until it is answered or --give-up seconds passed; any other 4xx ends it. The bearer token comes from CHAOS_TOKEN.

With --kill-pid, once --kill-after seconds have passed it sends SIGKILL to that pid the first moment a request is in
flight and, with --observed (the file a `fleetctl mqtt sub --output json` of the commands and answers writes), a
vehicle's answer went over the broker in the last --answer-window-ms: fleet-control is then storing requests and
receiving answers (after --kill-wait seconds without such a moment: anyway). It writes {"killed_at", "inflight",
"answer_age_ms"} to --kill-record.

Writes one JSON line per request to --out when it ends: key, vehicle, action, scheduled (time it was due), attempts,
ids (command ids the API returned), replayed (answers marked Idempotent-Replayed), accepted_at, failed_at (first
attempt without an answer), errors. Runs until
--stop-file disappears, then finishes the requests under way.
"""
import argparse
import http.client
import json
import os
import queue
import signal
import threading
import time
import urllib.error
import urllib.request


class Load:
    def __init__(self, args):
        self.args = args
        self.token = os.environ["CHAOS_TOKEN"]
        self.vehicles = [f"{args.prefix}-{i:04d}" for i in range(1, args.vehicles + 1)]
        self.jobs = queue.Queue()
        self.lock = threading.Lock()
        self.inflight = 0
        self.out = open(args.out, "a", encoding="utf-8")

    def attempt(self, job, body):
        request = urllib.request.Request(
            f"{self.args.url}/v1/vehicles/{job['vehicle']}/commands", data=body, method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                     "Idempotency-Key": job["key"]})
        with self.lock:
            self.inflight += 1
        try:
            with urllib.request.urlopen(request, timeout=self.args.timeout) as response:
                return response.status, response.headers.get("Idempotent-Replayed") == "true", response.read()
        except urllib.error.HTTPError as error:
            return error.code, False, error.read()
        finally:
            with self.lock:
                self.inflight -= 1

    def run_job(self, job):
        body = json.dumps({"action": job["action"], "reason": job["key"], "ttl_seconds": self.args.ttl}).encode()
        deadline = job["scheduled"] + self.args.give_up
        delay = 0.2
        while True:
            job["attempts"] += 1
            try:
                status, replayed, payload = self.attempt(job, body)
            except (OSError, http.client.HTTPException) as error:  # refused, reset, cut off, timed out: no answer
                status, replayed, payload = None, False, str(error).encode()
            if status == 202:
                job["ids"].append(json.loads(payload)["id"])
                job["replayed"] += replayed
                job["accepted_at"] = time.time()
                break
            job["failed_at"] = job["failed_at"] or time.time()
            if len(job["errors"]) < 5:
                job["errors"].append(f"{status}: {payload[:120].decode(errors='replace')}")
            if status is not None and 400 <= status < 500 and status not in (408, 429):
                break
            if time.time() + delay > deadline:
                break
            time.sleep(delay)
            delay = min(1.0, delay * 2)
        with self.lock:
            self.out.write(json.dumps(job) + "\n")
            self.out.flush()

    def worker(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            self.run_job(job)

    def killer(self, start):
        args = self.args
        time.sleep(max(0, start + args.kill_after - time.time()))
        give_up = time.time() + args.kill_wait
        window = args.answer_window_ms / 1000
        observed = open(args.observed, "rb") if args.observed else None
        if observed:
            observed.seek(0, os.SEEK_END)
        last_answer = None
        pending = b""
        while True:
            if observed:
                chunk = observed.read()
                if chunk:
                    pending += chunk
                    lines, _, pending = pending.rpartition(b"\n")
                    if b"command_id" in lines:  # an answer (CommandAck); commands carry "id"
                        last_answer = time.time()
            with self.lock:
                inflight = self.inflight
                now = time.time()
                answering = not observed or (last_answer is not None and now - last_answer <= window)
                if (inflight > 0 and answering) or now > give_up:
                    os.kill(args.kill_pid, signal.SIGKILL)
                    killed_at = time.time()
                    break
            time.sleep(0.0005)
        age = None if last_answer is None else round((killed_at - last_answer) * 1000, 1)
        with open(args.kill_record + ".tmp", "w", encoding="utf-8") as handle:
            json.dump({"killed_at": killed_at, "inflight": inflight, "answer_age_ms": age}, handle)
        os.replace(args.kill_record + ".tmp", args.kill_record)

    def run(self):
        args = self.args
        workers = [threading.Thread(target=self.worker, daemon=True) for _ in range(args.workers)]
        for thread in workers:
            thread.start()
        start = time.time()
        if args.kill_pid:
            threading.Thread(target=self.killer, args=(start,), daemon=True).start()
        n = 0
        while os.path.exists(args.stop_file):
            due = start + n / args.rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            vehicle = self.vehicles[n % len(self.vehicles)]
            action = "pause" if (n // len(self.vehicles)) % 2 == 0 else "resume"
            self.jobs.put({"key": f"{args.prefix}-k{n:06d}", "vehicle": vehicle, "action": action, "scheduled": due,
                           "attempts": 0, "ids": [], "replayed": 0, "accepted_at": None, "failed_at": None,
                           "errors": []})
            n += 1
        for _ in workers:
            self.jobs.put(None)
        for thread in workers:
            thread.join()
        print(json.dumps({"requests": n}), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="fleet-control's base URL")
    parser.add_argument("--vehicles", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--ttl", type=int, default=60)
    parser.add_argument("--timeout", type=float, default=3)
    parser.add_argument("--give-up", type=float, default=60)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--kill-pid", type=int, default=0)
    parser.add_argument("--kill-after", type=float, default=15)
    parser.add_argument("--kill-wait", type=float, default=10)
    parser.add_argument("--kill-record", default="")
    parser.add_argument("--observed", default="")
    parser.add_argument("--answer-window-ms", type=float, default=5)
    Load(parser.parse_args()).run()


if __name__ == "__main__":
    main()
