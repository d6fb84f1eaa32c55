// Pause and resume, and the command's lifecycle until it settles.
//
// One vehicle: fleet-control POST /v1/vehicles/{id}/commands {"action":"pause"|"resume","reason":…}; several (the
// selection, or every vehicle the list shows): POST /v1/fleet/commands with `vehicle_ids` (or `"all": true` when
// no filter is active). Both carry an Idempotency-Key so a double click sends one command. Acting on more than one
// vehicle asks for a second click within 5 s instead of a modal dialog.
//
// The lifecycle is read with GET /v1/commands/{id}?wait=5s (long-poll while pending/sent), then every second until
// the command is completed, failed, rejected or expired (or 60 s passed). #command-status shows it and carries the
// status in data-status: the command's own status for one vehicle; for a batch, the least advanced status of the
// commands followed (at most 50 are followed): pending < sent < acknowledged < completed, and failed/rejected/expired
// as soon as any command ends that way.

import { api, showFailure, state, NotLoggedIn, getToken } from './api.js';
import { h, setChildren, randomId, sleep } from './util.js';

const ORDER = ['pending', 'sent', 'acknowledged', 'completed'];
const BAD = ['failed', 'rejected', 'expired'];
const FINAL = ['completed', ...BAD];
const FOLLOW_MAX = 50;

export class Commands {
  constructor({ getTargets }) {
    this.getTargets = getTargets; // () => {ids: string[], all: boolean, label: string}
    this.root = document.getElementById('command-status');
    this.generation = 0;
    this.armed = null;
    document.getElementById('pause').addEventListener('click', () => this.run('pause'));
    document.getElementById('resume').addEventListener('click', () => this.run('resume'));
  }

  reset() {
    this.generation++;
    this.root.dataset.status = '';
    this.root.replaceChildren();
  }

  async run(action) {
    if (!getToken()) {
      showFailure(new NotLoggedIn(), action);
      return;
    }
    const targets = this.getTargets();
    if (!targets.ids.length && !targets.all) {
      state.notify(targets.emptyMessage || 'Select a vehicle first (click it on the map or in the list).', 'error');
      return;
    }
    const count = targets.all ? targets.count : targets.ids.length;
    if (count > 1) {
      const key = `${action}:${targets.label}:${count}`;
      if (!this.armed || this.armed.key !== key || Date.now() - this.armed.at > 5000) {
        this.armed = { key, at: Date.now() };
        state.notify(`Click “${action === 'pause' ? 'Pause' : 'Resume'}” again within 5 s to ${action} ${count} vehicles (${targets.label}).`, 'info');
        return;
      }
    }
    this.armed = null;
    const generation = ++this.generation;
    this.show(action, targets, 'pending', 'sending…');
    try {
      const body = { action, reason: `${action} from the fleet console` };
      const headers = { 'Idempotency-Key': `console-${randomId(16)}` };
      let commands;
      if (count === 1 && !targets.all) {
        const command = await api('control', 'POST', `/v1/vehicles/${encodeURIComponent(targets.ids[0])}/commands`, { scope: 'commands:write', body, headers });
        commands = [command];
      } else {
        const selection = targets.all ? { all: true } : { vehicle_ids: targets.ids };
        const result = await api('control', 'POST', '/v1/fleet/commands', { scope: 'commands:write', body: { ...body, ...selection }, headers });
        commands = result?.commands || [];
        if (result?.summary?.skipped) state.notify(`${result.summary.skipped} vehicle(s) skipped: ${(result.skipped || []).slice(0, 3).map((s) => `${s.vehicle_id} (${s.reason})`).join(', ')}`, 'info');
      }
      if (generation !== this.generation) return;
      if (!commands.length) {
        this.show(action, targets, 'failed', 'no command was created');
        return;
      }
      await this.follow(action, targets, commands, generation);
    } catch (error) {
      if (generation !== this.generation) return;
      this.show(action, targets, 'failed', error.message);
      showFailure(error, action);
    }
  }

  async follow(action, targets, commands, generation) {
    const latest = new Map(commands.map((c) => [c.id, c]));
    const followed = commands.slice(0, FOLLOW_MAX).map((c) => c.id);
    const started = Date.now();
    for (;;) {
      const current = followed.map((id) => latest.get(id));
      const status = aggregate(current);
      this.show(action, targets, status, detail(current, commands.length));
      if (FINAL.includes(status) || Date.now() - started > 60000) return;
      const open = followed.filter((id) => !FINAL.includes(latest.get(id)?.status));
      const waiting = open.some((id) => ['pending', 'sent'].includes(latest.get(id)?.status));
      if (!waiting) await sleep(1000);
      // Long-poll one command at a time when a single one is followed; a handful in parallel for a batch.
      const batch = open.slice(0, 8);
      const results = await Promise.allSettled(batch.map((id) =>
        api('control', 'GET', `/v1/commands/${encodeURIComponent(id)}`, { query: waiting ? { wait: open.length === 1 ? '5s' : '2s' } : undefined })));
      if (generation !== this.generation) return;
      for (const r of results) if (r.status === 'fulfilled' && r.value?.id) latest.set(r.value.id, r.value);
      if (results.every((r) => r.status === 'rejected')) await sleep(2000);
    }
  }

  show(action, targets, status, text) {
    this.root.dataset.status = status;
    setChildren(this.root,
      `${action} · ${targets.label}: `,
      h('span', { class: `badge ${status}` }, status),
      text ? ` ${text}` : '');
  }
}

function aggregate(commands) {
  const statuses = commands.map((c) => c.status);
  const bad = statuses.find((s) => BAD.includes(s));
  if (bad) return bad;
  let least = ORDER.length - 1;
  for (const s of statuses) {
    const i = ORDER.indexOf(s);
    if (i >= 0 && i < least) least = i;
  }
  return ORDER[least];
}

function detail(commands, total) {
  if (commands.length === 1) {
    const c = commands[0];
    const attempts = c.attempts ? ` · ${c.attempts} send${c.attempts > 1 ? 's' : ''}` : '';
    return `${c.status_reason ? `(${c.status_reason})` : ''}${attempts}`;
  }
  const counts = {};
  for (const c of commands) counts[c.status] = (counts[c.status] || 0) + 1;
  const followed = total > FOLLOW_MAX ? ` · following ${FOLLOW_MAX} of ${total}` : '';
  return `${Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}${followed}`;
}
