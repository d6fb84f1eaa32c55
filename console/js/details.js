// The selected vehicle: latest telemetry (fleet-tracking GET /v1/vehicles/{id}), health score, active conditions
// and remaining-life estimate (fleet-health GET /v1/vehicles/{id}/health), open incidents
// (GET /v1/vehicles/{id}/incidents), recent commands (fleet-control GET /v1/vehicles/{id}/commands), and the last
// hour's track (fleet-tracking GET /v1/vehicles/{id}/positions?from=<now-1h ms>&to=<now ms>, a FeatureCollection
// whose LineString feature of kind "track" is drawn on the map). Refreshed every 5 s while selected (track: 15 s).
// A 404 from fleet-health means it has not heard of the vehicle yet; that is shown, not treated as a failure.

import { api, ApiError } from './api.js';
import { h, setChildren, fmtDateTime, fmtAge, fmtNumber, fmtDuration } from './util.js';

const REFRESH_MS = 5000;
const TRACK_MS = 15000;
const HOUR_MS = 3600 * 1000;

export class Details {
  constructor({ store, onTrack }) {
    this.store = store;
    this.onTrack = onTrack;
    this.root = document.getElementById('vehicle-details');
    this.ids = [];
    this.timer = 0;
    this.trackAt = 0;
    this.generation = 0;
  }

  show(ids) {
    this.ids = ids;
    this.generation++;
    clearTimeout(this.timer);
    this.trackAt = 0;
    if (!ids.length) {
      this.onTrack(null);
      setChildren(this.root, h('p', { class: 'muted' }, 'Click a vehicle on the map or in the list. Ctrl/⌘-click adds vehicles to the selection (for routes and pause/resume).'));
      return;
    }
    setChildren(this.root, h('p', { class: 'muted' }, `Loading ${ids[0]}…`));
    this.refresh();
  }

  stop() {
    this.ids = [];
    this.generation++;
    clearTimeout(this.timer);
  }

  async refresh() {
    const generation = this.generation;
    const id = this.ids[this.ids.length - 1];
    if (!id) return;
    const path = `/v1/vehicles/${encodeURIComponent(id)}`;
    const soft = (promise) => promise.then((value) => ({ value }), (error) => ({ error }));
    const wantTrack = performance.now() - this.trackAt > TRACK_MS;
    const now = Date.now();
    const [vehicle, health, incidents, commands, track] = await Promise.all([
      soft(api('tracking', 'GET', path, { expect: [404] })),
      soft(api('health', 'GET', `${path}/health`, { expect: [404] })),
      soft(api('health', 'GET', `${path}/incidents`, { query: { limit: 10 }, expect: [404] })),
      soft(api('control', 'GET', `${path}/commands`, { query: { limit: 8 }, expect: [404] })),
      wantTrack ? soft(api('tracking', 'GET', `${path}/positions`, { query: { from: now - HOUR_MS, to: now, limit: 10000 }, expect: [404] })) : Promise.resolve(null),
    ]);
    if (generation !== this.generation) return;
    if (track) {
      this.trackAt = performance.now();
      if (track.value) this.onTrack(id, track.value);
    }
    this.render(id, vehicle, health, incidents, commands);
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  render(id, vehicle, health, incidents, commands) {
    const live = this.store.byId.get(id);
    const others = this.ids.length > 1 ? h('p', { class: 'muted' }, `${this.ids.length} vehicles selected: ${this.ids.slice(0, 12).join(', ')}${this.ids.length > 12 ? ', …' : ''}`) : null;
    const latest = vehicle.value?.latest || {};
    const v = vehicle.value;
    const telemetry = v
      ? h('dl', null,
          h('dt', null, 'status'), h('dd', null, h('span', { class: `badge ${latest.status || ''}` }, latest.status || live?.status || '—'), latest.overspeed ? ' overspeed' : ''),
          h('dt', null, 'connectivity'), h('dd', null, v.connectivity || '—', v.last_seen ? ` · seen ${fmtAge(v.last_seen)}` : ''),
          h('dt', null, 'position'), h('dd', null, Number.isFinite(latest.lat) ? `${latest.lat.toFixed(5)}, ${latest.lon.toFixed(5)}` : '—'),
          h('dt', null, 'speed'), h('dd', null, Number.isFinite(latest.speed_mps) ? `${(latest.speed_mps * 3.6).toFixed(1)} km/h` : '—', Number.isFinite(latest.heading_deg) ? ` · heading ${Math.round(latest.heading_deg)}°` : ''),
          h('dt', null, 'energy'), h('dd', null, Number.isFinite(latest.battery_pct) ? `battery ${fmtNumber(latest.battery_pct)} %` : Number.isFinite(latest.fuel_pct) ? `fuel ${fmtNumber(latest.fuel_pct)} %` : '—'),
          h('dt', null, 'odometer'), h('dd', null, Number.isFinite(latest.odometer_m) ? `${(latest.odometer_m / 1000).toFixed(1)} km` : '—'),
          h('dt', null, 'sample'), h('dd', null, `seq ${latest.seq ?? '—'} · ${fmtDateTime(latest.device_time || latest.device_time_ms)}`, v.committed_seq !== undefined ? ` · committed ${v.committed_seq}` : ''),
          h('dt', null, 'tags'), h('dd', null, (v.tags || []).join(', ') || '—'),
          latest.geofences?.length ? [h('dt', null, 'geofences'), h('dd', null, latest.geofences.join(', '))] : null)
      : h('p', { class: 'muted' }, vehicle.error?.status === 404 ? 'fleet-tracking has no record of this vehicle.' : `Telemetry unavailable: ${vehicle.error?.message}`);

    let healthBlock;
    if (health.value) {
      const hv = health.value;
      const score = Number.isFinite(hv.score) ? hv.score : null;
      const rul = hv.remaining_useful_life;
      const battery = hv.battery;
      healthBlock = [
        h('dl', null,
          h('dt', null, 'health score'),
          h('dd', null, score === null ? '—' : `${score} / 100`,
            score === null ? null : h('div', { class: 'scorebar' }, h('i', { style: { width: `${score}%`, background: score >= 80 ? 'var(--ok)' : score >= 50 ? 'var(--warn)' : 'var(--danger)' } }))),
          h('dt', null, 'remaining life'),
          h('dd', null, rul ? `${fmtNumber(rul.rul_cycles)} cycles (${fmtNumber(rul.lower)}–${fmtNumber(rul.upper)})` : 'no estimate yet'),
          battery ? [h('dt', null, 'battery health'), h('dd', null, `${fmtNumber((battery.capacity_ratio ?? NaN) * 100)} % capacity`, Number.isFinite(battery.end_of_life_cycle) ? ` · end of life ≈ cycle ${fmtNumber(battery.end_of_life_cycle)}` : '')] : null,
          hv.downtime?.availability !== undefined ? [h('dt', null, 'availability'), h('dd', null, `${fmtNumber(hv.downtime.availability * 100, 1)} % (${hv.downtime.window_days} d)`)] : null),
        h('h3', null, 'Active conditions'),
        hv.active?.length
          ? h('ul', null, hv.active.map((c) => h('li', null, h('span', { class: `badge ${c.severity || ''}` }, c.severity || c.kind), ' ', c.text || c.condition, ` · since ${fmtAge(c.since)}`)))
          : h('p', { class: 'muted' }, 'None.'),
      ];
    } else {
      healthBlock = h('p', { class: 'muted' }, health.error?.status === 404 ? 'fleet-health has not heard from this vehicle yet.' : `Health unavailable: ${health.error?.message}`);
    }

    const incidentItems = incidents.value?.items || [];
    const openIncidents = incidentItems.filter((i) => i.open);
    const incidentBlock = incidents.value
      ? incidentItems.length
        ? h('ul', null, incidentItems.slice(0, 6).map((i) => h('li', null,
            h('span', { class: `badge ${i.open ? 'firing' : ''}` }, i.open ? 'open' : 'closed'), ` ${i.cause} · ${fmtDateTime(i.started_at)} · ${fmtDuration(i.duration_seconds)}`, i.detail ? ` · ${i.detail}` : '')))
        : h('p', { class: 'muted' }, 'No incidents.')
      : h('p', { class: 'muted' }, incidents.error?.status === 404 ? 'No incidents known.' : `Incidents unavailable: ${incidents.error?.message}`);

    const commandList = commands.value?.commands || [];
    const commandBlock = commands.value
      ? commandList.length
        ? h('table', null, h('tr', null, h('th', null, 'action'), h('th', null, 'status'), h('th', null, 'when')),
            commandList.map((c) => h('tr', null, h('td', null, c.action), h('td', null, h('span', { class: `badge ${c.status}` }, c.status)), h('td', null, fmtDateTime(c.created_at)))))
        : h('p', { class: 'muted' }, 'No commands.')
      : h('p', { class: 'muted' }, commands.error?.status === 404 ? 'fleet-control does not know this vehicle.' : `Commands unavailable: ${commands.error?.message}`);

    setChildren(this.root,
      others,
      h('div', { class: 'vid' }, id),
      telemetry,
      h('h3', null, 'Health'), healthBlock,
      h('h3', null, `Incidents${openIncidents.length ? ` (${openIncidents.length} open)` : ''}`), incidentBlock,
      h('h3', null, 'Recent commands'), commandBlock,
      h('p', { class: 'muted' }, 'The last hour\u2019s track is drawn on the map.'));
  }
}

export function isNotFound(error) {
  return error instanceof ApiError && error.status === 404;
}
