#!/usr/bin/env python3
"""Checks the dynamic-security roles of config/mosquitto/dynsec/ against a running broker (see README.md there).

The broker's dynsec state must have been made the way scripts/stack.sh (or docker/init-dynsec.sh) makes it:
service-roles.json applied, every account of config/mosquitto/service-accounts created with its role. Then:

    python3 -m venv /tmp/v && /tmp/v/bin/pip install paho-mqtt==2.1.0
    /tmp/v/bin/python config/mosquitto/dynsec/verify.py --port 11883 --credentials .stack/credentials.env

--credentials: FLEET_MQTT_PASSWORD_<ACCOUNT>=... lines (.stack/credentials.env; FLEET_MQTT_PASSWORD_DYNSEC_ADMIN
enables the checks that need the dynsec admin). Per account: allowed publishes (PUBACK 0 or 16), publishes outside
its rights (135, each on its own connection: mosquitto 2.0.11 with `max_queued_messages 0` drops the connection after
refusing a publish), allowed subscriptions including `$share/<group>/...`, refused ones (SUBACK 135); delivery through
shared subscriptions; then two throw-away vehicles provisioned by svc-provisioner over $CONTROL/dynamic-security/v1
(the per-vehicle role template), their rights, last wills, setClientPassword / disableClient / deleteClient on an
open connection, and the response format. Exit status 0 only if every check passed.
"""
import argparse
import json
import queue
import socket
import sys
import threading
import time
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

CONTROL = "$CONTROL/dynamic-security/v1"
RESPONSE = CONTROL + "/response"
OK_PUB = (0, 16)  # Success, No matching subscribers
NOT_AUTHORIZED = 135

failures = []
log_lines = []


def check(ok, what):
    line = ("ok      " if ok else "FAILED  ") + what
    print(line, flush=True)
    log_lines.append(line)
    if not ok:
        failures.append(what)


class Conn:
    """One MQTT v5 connection with blocking helpers."""

    def __init__(self, port, username, password, client_id=None, will=None, timeout=5.0):
        self.port = port
        self.username = username
        self.client_id = client_id or f"{username or 'anon'}-{uuid.uuid4().hex[:6]}"
        self.c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id, protocol=mqtt.MQTTv5)
        if username is not None:
            self.c.username_pw_set(username, password)
        if will:
            self.c.will_set(*will)
        self.connack = queue.Queue()
        self.acks = {}
        self.ack_cv = threading.Condition()
        self.messages = queue.Queue()
        self.disconnects = queue.Queue()
        self.c.on_connect = lambda c, u, f, rc, p: self.connack.put(rc.value)
        self.c.on_publish = self._on_ack
        self.c.on_subscribe = lambda c, u, mid, rcs, p: self._store(mid, [r.value for r in rcs])
        self.c.on_message = lambda c, u, m: self.messages.put((m.topic, m.payload.decode(errors="replace"), m.retain))
        self.c.on_disconnect = lambda c, u, f, rc, p: self.disconnects.put((time.monotonic(), rc.value))
        self.timeout = timeout
        self.c.connect("127.0.0.1", port, keepalive=30, clean_start=True)
        self.c.loop_start()
        try:
            self.rc = self.connack.get(timeout=timeout)
        except queue.Empty:
            self.rc = None

    def _on_ack(self, c, u, mid, rc, p):
        self._store(mid, rc.value)

    def _store(self, mid, value):
        with self.ack_cv:
            self.acks[mid] = value
            self.ack_cv.notify_all()

    def _wait(self, mid):
        with self.ack_cv:
            self.ack_cv.wait_for(lambda: mid in self.acks, timeout=self.timeout)
            return self.acks.pop(mid, None)

    def publish(self, topic, payload="x", qos=1, retain=False):
        info = self.c.publish(topic, payload, qos=qos, retain=retain)
        return self._wait(info.mid)

    def subscribe(self, topic, qos=1):
        rc, mid = self.c.subscribe(topic, qos=qos)
        got = self._wait(mid)
        return got[0] if got else None

    def drain(self, seconds=0.5):
        out = []
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return out
            try:
                out.append(self.messages.get(timeout=left))
            except queue.Empty:
                return out

    def drop(self):
        """Closes the TCP connection without DISCONNECT (the will is published)."""
        self.c.loop_stop()
        self.c.socket().close()

    def close(self):
        try:
            self.c.disconnect()
        finally:
            self.c.loop_stop()


class Provisioner:
    """svc-provisioner: sends dynsec command batches and waits for the matching response."""

    def __init__(self, port, password):
        self.conn = Conn(port, "svc-provisioner", password)
        check(self.conn.rc == 0, f"svc-provisioner connects (CONNACK {self.conn.rc})")
        rc = self.conn.subscribe(RESPONSE, qos=0)
        check(rc == 0, f"svc-provisioner subscribes {RESPONSE} (SUBACK {rc})")

    def send(self, commands):
        tag = uuid.uuid4().hex[:8]
        for i, command in enumerate(commands):
            command["correlationData"] = f"{tag}-{i}"
        puback = self.conn.publish(CONTROL, json.dumps({"commands": commands}), qos=1)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                topic, payload, _ = self.conn.messages.get(timeout=0.2)
            except queue.Empty:
                continue
            body = json.loads(payload)
            responses = body.get("responses", [])
            if any(r.get("correlationData", "").startswith(tag) for r in responses):
                return puback, responses
        return puback, None


def vehicle_commands(vid, password):
    base = f"fleet/v1/vehicles/{vid}"
    role = f"vehicle-{vid}"
    return [
        {"command": "createRole", "rolename": role, "acls": [
            {"acltype": "publishClientSend", "topic": f"{base}/telemetry", "allow": True},
            {"acltype": "publishClientSend", "topic": f"{base}/state", "allow": True},
            {"acltype": "publishClientSend", "topic": f"{base}/commands/ack", "allow": True},
            {"acltype": "subscribeLiteral", "topic": f"{base}/commands", "allow": True},
            {"acltype": "subscribeLiteral", "topic": f"{base}/desired", "allow": True},
            {"acltype": "subscribeLiteral", "topic": f"{base}/telemetry/committed", "allow": True},
        ]},
        {"command": "createClient", "username": vid, "password": password, "roles": [{"rolename": role}]},
    ]


# --- Service accounts ------------------------------------------------------------------------
V = "fleet/v1/vehicles"
E = "fleet/v1/events"
RULES = {
    "svc-tracking": {
        "pub_ok": [f"{V}/v1/telemetry/committed", f"{E}/geofence.entered", "fleet/v1/deadletter/tracking"],
        "pub_no": [f"{V}/v1/telemetry", f"{V}/v1/state", f"{V}/v1/commands", f"{V}/v1/desired", "fleet/other"],
        "sub_ok": [f"{V}/+/telemetry", f"{V}/+/state", f"$share/tracking/{V}/+/telemetry", f"$share/tracking/{V}/+/state", f"{V}/v9/telemetry"],
        "sub_no": [f"{V}/+/commands", f"{V}/#", "fleet/#", "#", f"$share/tracking/{E}/#", f"$share/tracking/{V}/#", f"{E}/+"],
    },
    "svc-health": {
        "pub_ok": [f"{E}/vehicle.health"],
        "pub_no": [f"{V}/v1/telemetry/committed", "fleet/v1/deadletter/health", f"{V}/v1/commands"],
        "sub_ok": [f"$share/health/{V}/+/telemetry", f"$share/health/{V}/+/state", f"{V}/+/telemetry"],
        "sub_no": [f"{E}/#", f"{V}/+/commands/ack", f"{V}/#"],
    },
    "svc-routing": {
        "pub_ok": [f"{E}/traffic_jam", f"{E}/traffic_cleared"],
        "pub_no": [f"{E}/fault", f"{E}/traffic_jam/x", f"{V}/v1/state", f"{V}/v1/commands", f"{V}/v1/telemetry"],
        "sub_ok": [f"$share/routing/{V}/+/telemetry", f"$share/routing/{E}/+", f"{V}/+/telemetry", f"{E}/+", f"{E}/fault"],
        "sub_no": [f"{E}/#", f"$share/routing/{E}/#", f"{V}/+/state", f"$share/routing/{V}/+/state", f"{V}/+/commands", "fleet/#"],
    },
    "svc-alerting": {
        "pub_ok": [],
        "pub_no": [f"{E}/x", f"{V}/v1/commands"],
        "sub_ok": [f"$share/alerting/{E}/#", f"$share/alerting/{E}/+", f"{E}/#"],
        "sub_no": [f"{V}/+/state", f"$share/alerting/{V}/+/telemetry", "fleet/#"],
    },
    "svc-control": {
        "pub_ok": [f"{V}/v1/commands", f"{V}/v1/desired"],
        "pub_no": [f"{V}/v1/telemetry", f"{V}/v1/state", f"{V}/v1/commands/ack", f"{E}/x", f"{V}/v1/telemetry/committed"],
        "sub_ok": [f"{V}/+/commands/ack", f"{V}/+/state", f"{V}/+/telemetry", f"$share/control/{V}/+/commands/ack", f"$share/control/{V}/+/state"],
        "sub_no": [f"{V}/+/commands", f"{V}/+/desired", f"{E}/#", f"{V}/#"],
    },
    "fleet-sim": {
        "pub_ok": [f"{V}/v1/telemetry", f"{V}/v1/state", f"{V}/v1/commands/ack", f"{V}/v1/commands"],
        "pub_no": [f"{E}/x", "fleet/v1/deadletter/sim", "fleet/other"],
        "sub_ok": [f"{V}/+/commands", f"{V}/+/desired", f"{V}/+/telemetry/committed", f"{V}/#", f"$share/sim/{V}/#"],
        "sub_no": [f"{E}/#", "fleet/#", "#"],
    },
    "fleetctl": {
        "pub_ok": ["fleet/_stack/verify", f"{E}/x", f"{V}/v1/commands", "fleet/v1/deadletter/fleetctl"],
        "pub_no": ["other/topic", CONTROL, "$SYS/broker/x"],
        "sub_ok": ["fleet/#", "$SYS/#", "$share/ops/fleet/#", "$SYS/broker/version"],
        "sub_no": ["#", "other/#", RESPONSE, "$share/ops/#"],
    },
    "svc-provisioner": {
        "pub_ok": [],  # its $CONTROL publish is checked with real commands below
        "pub_no": [f"{E}/x", f"{V}/v1/telemetry", "$CONTROL/dynamic-security/v2", "$CONTROL/other"],
        "sub_ok": [RESPONSE],
        "sub_no": [CONTROL, "$CONTROL/dynamic-security/#", "fleet/#"],
    },
}


def granted(rc):
    return rc is not None and rc < 128


def denied_publish(port, user, password, topic, qos=1):
    """Publishes on a connection of its own: with `max_queued_messages 0`, mosquitto 2.0.11 drops the connection
    right after it refused a publish (PUBACK 135 first for QoS 1). Returns (reason code, whether it was dropped)."""
    c = Conn(port, user, password)
    rc = c.publish(topic, qos=qos) if qos else (c.c.publish(topic, "x", qos=0) and None)
    try:
        c.disconnects.get(timeout=0.3)
        dropped = True
    except queue.Empty:
        dropped = False
    c.close()
    return rc, dropped


def check_accounts(port, pw):
    for account, rules in RULES.items():
        c = Conn(port, account, pw[account])
        check(c.rc == 0, f"{account}: connects (CONNACK {c.rc})")
        for t in rules["pub_ok"]:
            rc = c.publish(t)
            check(rc in OK_PUB, f"{account}: publish QoS1 {t} -> PUBACK {rc}")
        for t in rules["sub_ok"]:
            rc = c.subscribe(t)
            check(granted(rc), f"{account}: subscribe {t} -> SUBACK {rc}")
        for t in rules["sub_no"]:
            rc = c.subscribe(t)
            check(rc == NOT_AUTHORIZED, f"{account}: subscribe {t} -> SUBACK {rc} (want 135)")
        check(c.disconnects.empty(), f"{account}: still connected after its refused subscriptions")
        c.close()
        for t in rules["pub_no"]:
            rc, dropped = denied_publish(port, account, pw[account], t)
            check(rc == NOT_AUTHORIZED, f"{account}: publish QoS1 {t} -> PUBACK {rc} (want 135){', then dropped' if dropped else ''}")
    bad = Conn(port, "svc-tracking", "wrong-password")
    check(bad.rc not in (None, 0), f"svc-tracking with a wrong password refused (CONNACK {bad.rc})")
    bad.close()
    anon = Conn(port, None, None)
    check(anon.rc not in (None, 0), f"anonymous client refused (CONNACK {anon.rc})")
    anon.close()


def check_delivery(port, pw):
    # Shared subscriptions deliver, including two services in their own groups.
    tracking = Conn(port, "svc-tracking", pw["svc-tracking"])
    health = Conn(port, "svc-health", pw["svc-health"])
    control = Conn(port, "svc-control", pw["svc-control"])
    alerting = Conn(port, "svc-alerting", pw["svc-alerting"])
    routing = Conn(port, "svc-routing", pw["svc-routing"])
    sim = Conn(port, "fleet-sim", pw["fleet-sim"])
    ops = Conn(port, "fleetctl", pw["fleetctl"])
    tracking.subscribe(f"$share/tracking/{V}/+/telemetry")
    health.subscribe(f"$share/health/{V}/+/telemetry")
    control.subscribe(f"{V}/+/telemetry", qos=0)
    alerting.subscribe(f"$share/alerting/{E}/#")
    routing.subscribe(f"$share/routing/{E}/+")
    rc = sim.publish(f"{V}/v1/telemetry", "t1")
    check(rc == 0, f"fleet-sim publishes {V}/v1/telemetry with 3 subscribers -> PUBACK {rc}")
    got = [m[1] for m in tracking.drain(0.5)]
    check(got == ["t1"], f"svc-tracking receives it via $share/tracking/... ({got})")
    got = [m[1] for m in health.drain(0.2)]
    check(got == ["t1"], f"svc-health receives it via $share/health/... ({got})")
    got = [m[1] for m in control.drain(0.2)]
    check(got == ["t1"], f"svc-control receives it via the non-shared {V}/+/telemetry ({got})")
    rc = tracking.publish(f"{E}/geofence.entered", "e1")
    got_a = [m[1] for m in alerting.drain(0.5)]
    got_r = [m[1] for m in routing.drain(0.2)]
    check(rc == 0 and got_a == ["e1"] and got_r == ["e1"], f"event from svc-tracking reaches alerting and routing via $share (PUBACK {rc}, {got_a}, {got_r})")
    rc = routing.publish(f"{E}/traffic_jam", "j1")
    got_a = [m[1] for m in alerting.drain(0.5)]
    routing.drain(0.2)
    check(rc == 0 and got_a == ["j1"], f"svc-routing's traffic_jam reaches alerting via $share (PUBACK {rc}, {got_a})")
    # Share-group caveat of the acl file, restated: an account without the right cannot join a group at all.
    tracking2 = Conn(port, "svc-tracking", pw["svc-tracking"])
    health2 = Conn(port, "svc-health", pw["svc-health"])
    alerting2 = Conn(port, "svc-alerting", pw["svc-alerting"])
    r1 = tracking2.subscribe(f"$share/g2/{V}/+/telemetry")
    r2 = health2.subscribe(f"$share/g2/{V}/+/telemetry")
    r3 = alerting2.subscribe(f"$share/g2/{V}/+/telemetry")
    check(granted(r1) and granted(r2) and r3 == NOT_AUTHORIZED, f"group g2: tracking SUBACK {r1}, health {r2}, alerting {r3} (refused)")
    for i in range(6):
        sim.publish(f"{V}/v{i}/telemetry", f"m{i}")
    a = [m[1] for m in tracking2.drain(0.7)]
    b = [m[1] for m in health2.drain(0.2)]
    c = [m[1] for m in alerting2.drain(0.2)]
    check(sorted(a + b) == [f"m{i}" for i in range(6)] and not c, f"6 messages to group g2: tracking {a}, health {b}, alerting {c}: none lost")
    # fleetctl reads $SYS.
    ops.subscribe("$SYS/broker/version")
    got = ops.drain(0.5)
    check(any(t == "$SYS/broker/version" for t, _, _ in got), f"fleetctl receives $SYS/broker/version ({got[:1]})")
    for x in (tracking, health, control, alerting, routing, sim, ops, tracking2, health2, alerting2):
        x.close()


def check_vehicles(port, pw, admin_pw=None):
    prov = Provisioner(port, pw["svc-provisioner"])
    spy = None
    if admin_pw:
        # The stack's dynsec admin may subscribe to everything under $CONTROL/dynamic-security/#.
        spy = Conn(port, "dynsec-admin", admin_pw)
        spy.subscribe("$CONTROL/dynamic-security/#", qos=0)
    v1, v2 = f"vt1-{uuid.uuid4().hex[:4]}", f"vt2-{uuid.uuid4().hex[:4]}"
    puback, responses = prov.send(vehicle_commands(v1, "pw-" + v1) + vehicle_commands(v2, "pw-" + v2))
    print("        response:", json.dumps({"responses": responses}))
    check(puback == 0 and responses is not None and all("error" not in r for r in responses),
          f"provision {v1}, {v2} (createRole + createClient) over {CONTROL}: PUBACK {puback}, no error")
    if spy:
        seen = spy.drain(0.5)
        requests = [p for t, p, _ in seen if t == CONTROL]
        responses_seen = [p for t, p, _ in seen if t == RESPONSE]
        check(not requests, f"a {CONTROL} request (with the password) is not delivered to a subscriber of $CONTROL/dynamic-security/# ({len(requests)} seen)")
        check(len(responses_seen) >= 1, f"responses are broadcast: dynsec-admin also received the provisioner's response ({len(responses_seen)})")
    puback, again = prov.send(vehicle_commands(v1, "pw-" + v1))
    print("        response:", json.dumps({"responses": again}))
    check(again is not None and [r.get("error") for r in again] == ["Role already exists", "Client already exists"],
          f"provisioning {v1} again: errors {[r.get('error') for r in (again or [])]}")

    base1, base2 = f"{V}/{v1}", f"{V}/{v2}"
    c = Conn(port, v1, "pw-" + v1)
    check(c.rc == 0, f"{v1} connects (CONNACK {c.rc})")
    for t in (f"{base1}/telemetry", f"{base1}/state", f"{base1}/commands/ack"):
        rc = c.publish(t)
        check(rc in OK_PUB, f"{v1}: publish {t} -> PUBACK {rc}")
    for t in (f"{base2}/telemetry", f"{base1}/commands", f"{base1}/desired", f"{base1}/telemetry/committed", f"{E}/x"):
        rc, dropped = denied_publish(port, v1, "pw-" + v1, t)
        check(rc == NOT_AUTHORIZED, f"{v1}: publish {t} -> PUBACK {rc} (want 135){', then dropped' if dropped else ''}")
    for t in (f"{base1}/commands", f"{base1}/desired", f"{base1}/telemetry/committed"):
        rc = c.subscribe(t)
        check(granted(rc), f"{v1}: subscribe {t} -> SUBACK {rc}")
    for t in (f"{base2}/commands", f"{V}/+/commands", f"{base1}/#", f"{base1}/telemetry", f"$share/x/{base1}/commands"):
        rc = c.subscribe(t)
        check(rc == NOT_AUTHORIZED, f"{v1}: subscribe {t} -> SUBACK {rc} (want 135)")
    control = Conn(port, "svc-control", pw["svc-control"])
    tracking = Conn(port, "svc-tracking", pw["svc-tracking"])
    control.subscribe(f"{V}/+/state")
    control.publish(f"{base2}/commands", "for-v2")
    control.publish(f"{base1}/commands", "for-v1")
    tracking.publish(f"{base1}/telemetry/committed", "committed-1")
    got = sorted(m[1] for m in c.drain(0.5))
    check(got == ["committed-1", "for-v1"], f"{v1} receives its command and commit only ({got})")
    control.drain(0.3)
    c.close()

    # Last will on its own state topic: accepted at CONNECT and published when the connection drops.
    w = Conn(port, v1, "pw-" + v1, will=(f"{base1}/state", "offline", 1, False))
    check(w.rc == 0, f"{v1} connects with a will on {base1}/state (CONNACK {w.rc})")
    w.drop()
    got = [(t, p) for t, p, _ in control.drain(1.5)]
    check((f"{base1}/state", "offline") in got, f"its will is delivered to svc-control when the connection drops ({got})")
    forged = Conn(port, v1, "pw-" + v1, will=(f"{base2}/state", "offline", 1, False))
    check(forged.rc == 0, f"{v1} with a forged will on {base2}/state: CONNACK {forged.rc} (accepted at CONNECT)")
    forged.drop()
    got = [(t, p) for t, p, _ in control.drain(1.5)]
    check((f"{base2}/state", "offline") not in got, f"the forged will is dropped when published ({got})")

    # setClientPassword on a connected client.
    c = Conn(port, v1, "pw-" + v1, will=(f"{base1}/state", "offline", 1, False))
    t0 = time.monotonic()
    puback, resp = prov.send([{"command": "setClientPassword", "username": v1, "password": "pw2-" + v1}])
    check(resp is not None and "error" not in resp[0], f"setClientPassword {v1}: {resp}")
    try:
        t, rc = c.disconnects.get(timeout=2)
        check(True, f"setClientPassword drops {v1}'s open connection after {t - t0:.3f} s (DISCONNECT reason {rc})")
    except queue.Empty:
        check(False, f"setClientPassword: {v1} still connected after 2 s")
    c.c.loop_stop()
    got = [(t, p) for t, p, _ in control.drain(0.7)]
    check((f"{base1}/state", "offline") not in got, f"no will published when the broker kicks {v1} ({got})")
    old = Conn(port, v1, "pw-" + v1)
    check(old.rc not in (None, 0), f"{v1} with the old password refused (CONNACK {old.rc})")
    old.close()
    new = Conn(port, v1, "pw2-" + v1)
    check(new.rc == 0, f"{v1} with the new password connects (CONNACK {new.rc})")

    # disableClient drops it; reconnects are refused; enableClient lets it in again.
    t0 = time.monotonic()
    puback, resp = prov.send([{"command": "disableClient", "username": v1}])
    check(resp is not None and "error" not in resp[0], f"disableClient {v1}: {resp}")
    try:
        t, rc = new.disconnects.get(timeout=2)
        check(True, f"disableClient drops {v1}'s open connection after {t - t0:.3f} s (DISCONNECT reason {rc})")
    except queue.Empty:
        check(False, f"disableClient: {v1} still connected after 2 s")
    new.c.loop_stop()
    again = Conn(port, v1, "pw2-" + v1)
    check(again.rc not in (None, 0), f"disabled {v1} reconnecting refused (CONNACK {again.rc})")
    again.close()
    prov.send([{"command": "enableClient", "username": v1}])
    again = Conn(port, v1, "pw2-" + v1)
    check(again.rc == 0, f"after enableClient {v1} connects again (CONNACK {again.rc})")
    again.close()

    # deleteClient drops it at once; reconnects are refused.
    d = Conn(port, v2, "pw-" + v2, will=(f"{base2}/state", "offline", 1, False))
    check(d.rc == 0, f"{v2} connects (CONNACK {d.rc})")
    t0 = time.monotonic()
    puback, resp = prov.send([{"command": "deleteClient", "username": v2}, {"command": "deleteRole", "rolename": f"vehicle-{v2}"}])
    print("        response:", json.dumps({"responses": resp}))
    check(resp is not None and all("error" not in r for r in resp), f"deleteClient {v2} + deleteRole vehicle-{v2}")
    try:
        t, rc = d.disconnects.get(timeout=2)
        check(True, f"deleteClient drops {v2}'s open connection after {t - t0:.3f} s (DISCONNECT reason {rc})")
    except queue.Empty:
        check(False, f"deleteClient: {v2} still connected after 2 s")
    d.c.loop_stop()
    got = [(t, p) for t, p, _ in control.drain(0.7)]
    check((f"{base2}/state", "offline") not in got, f"no will published when {v2} is deleted ({got})")
    gone = Conn(port, v2, "pw-" + v2)
    check(gone.rc not in (None, 0), f"deleted {v2} reconnecting refused (CONNACK {gone.rc})")
    gone.close()
    puback, resp = prov.send([{"command": "deleteClient", "username": v2}, {"command": "getClient", "username": v1}])
    print("        response:", json.dumps({"responses": resp}))
    check(resp is not None and resp[0].get("error") == "Client not found", f"deleteClient of a missing client: {resp and resp[0]}")

    # Clean up.
    puback, resp = prov.send([{"command": "deleteClient", "username": v1}, {"command": "deleteRole", "rolename": f"vehicle-{v1}"}])
    check(resp is not None and all("error" not in r for r in resp), "clean-up: vehicles deleted")
    # Errors: invalid JSON and unknown commands.
    puback = prov.conn.publish(CONTROL, "not json", qos=1)
    deadline = time.monotonic() + 3
    body = None
    while time.monotonic() < deadline and body is None:
        try:
            _, p, _ = prov.conn.messages.get(timeout=0.2)
            body = p
        except queue.Empty:
            pass
    print("        invalid JSON ->", body)
    check(body is not None and "Payload not valid JSON" in body, f"invalid JSON: PUBACK {puback}, response {body}")
    control.close()
    tracking.close()
    prov.conn.close()
    if spy:
        spy.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--credentials", required=True, help="credentials.env")
    ap.add_argument("--admin-password", help="password of dynsec-admin (optional spy checks)")
    args = ap.parse_args()
    pw = {}
    admin_pw = args.admin_password
    for line in open(args.credentials):
        line = line.strip()
        if line.startswith("FLEET_MQTT_PASSWORD_") and "=" in line:
            key, value = line.split("=", 1)
            pw[key[len("FLEET_MQTT_PASSWORD_"):].lower().replace("_", "-")] = value
    admin_pw = admin_pw or pw.get("dynsec-admin")
    check_accounts(args.port, pw)
    check_delivery(args.port, pw)
    check_vehicles(args.port, pw, admin_pw)
    print(f"\n{len(log_lines) - len(failures)} ok, {len(failures)} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
