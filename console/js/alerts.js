// Live alert feed (fleet-alerting): open alerts newest first, with "Acknowledge" on firing ones.
//
// Start: GET /v1/alerts?status=firing and ?status=acknowledged (most recently changed first). Then every 3 s
// GET /v1/alerts?updated_after=<newest updated_at seen>, which returns the changes since, oldest first: new alerts,
// acknowledgements (from here or elsewhere) and resolutions (removed from the feed). The open alerts per vehicle
// feed the "alert" health ring on the map and the health filter.

import { api, showFailure, state } from './api.js';
import { h, setChildren, fmtTime, fmtAge } from './util.js';

const POLL_MS = 3000;
const MAX_SHOWN = 200;

export class AlertFeed {
  constructor({ onVehicleAlerts, onSelectVehicle }) {
    this.root = document.getElementById('alert-feed');
    this.countEl = document.getElementById('alert-count');
    this.alerts = new Map();
    this.since = '';
    this.timer = 0;
    this.running = false;
    this.onVehicleAlerts = onVehicleAlerts;
    this.onSelectVehicle = onSelectVehicle;
    this.root.addEventListener('click', (event) => {
      const ack = event.target.closest('button.ack');
      if (ack) {
        this.acknowledge(ack.closest('[data-alert-id]').dataset.alertId, ack);
        return;
      }
      const link = event.target.closest('.vlink');
      if (link) this.onSelectVehicle(link.dataset.vehicleId);
    });
  }

  async start() {
    this.running = true;
    this.alerts.clear();
    this.since = '';
    try {
      const [firing, acknowledged] = await Promise.all([
        api('alerting', 'GET', '/v1/alerts', { query: { status: 'firing', limit: 1000 } }),
        api('alerting', 'GET', '/v1/alerts', { query: { status: 'acknowledged', limit: 1000 } }),
      ]);
      this.merge([...(firing?.alerts || []), ...(acknowledged?.alerts || [])]);
    } catch (error) {
      if (this.running) setChildren(this.root, h('p', { class: 'muted' }, `Alerts unavailable: ${error.message}`));
    }
    this.schedule();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.alerts.clear();
    this.root.replaceChildren();
    this.countEl.textContent = '';
  }

  schedule() {
    clearTimeout(this.timer);
    if (this.running) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  async poll() {
    if (!this.running) return;
    try {
      const query = { limit: 1000 };
      if (this.since) query.updated_after = this.since;
      else query.status = 'firing';
      const page = await api('alerting', 'GET', '/v1/alerts', { query });
      this.merge(page?.alerts || []);
    } catch {
      // recorded by api(); the next poll retries
    }
    this.schedule();
  }

  /** `advance`: move the tailing cursor (only for answers of the list endpoint, never for a single ack answer). */
  merge(list, advance = true) {
    for (const alert of list) {
      if (!alert || typeof alert.id !== 'string') continue;
      if (advance && typeof alert.updated_at === 'string' && (!this.since || Date.parse(alert.updated_at) > Date.parse(this.since))) this.since = alert.updated_at;
      if (alert.status === 'resolved') this.alerts.delete(alert.id);
      else this.alerts.set(alert.id, alert);
    }
    this.render();
  }

  openCount() {
    return this.alerts.size;
  }

  render() {
    if (!this.running) return;
    const sorted = [...this.alerts.values()].sort((a, b) => (Date.parse(b.fired_at) || 0) - (Date.parse(a.fired_at) || 0));
    const firing = sorted.filter((a) => a.status === 'firing').length;
    this.countEl.textContent = `${firing} firing, ${sorted.length - firing} acknowledged`;
    const items = sorted.slice(0, MAX_SHOWN).map((a) =>
      h('div', { class: `alert-item ${a.severity || ''} ${a.status}`, dataset: { alertId: a.id, status: a.status } },
        h('div', { class: 'summary-text' },
          h('span', { class: `badge ${a.severity || ''}` }, a.severity || '?'), ' ', a.summary || a.event_type || a.rule_id),
        a.status === 'firing' ? h('button', { class: 'ack', type: 'button' }, 'Acknowledge') : h('span', { class: 'badge acknowledged ack-done' }, 'ack'),
        h('div', { class: 'meta' },
          a.vehicle_id ? h('span', { class: 'vlink', dataset: { vehicleId: a.vehicle_id }, title: 'Select this vehicle' }, a.vehicle_id) : 'fleet',
          ` · ${a.rule_id || ''} · fired ${fmtTime(a.fired_at)} (${fmtAge(a.fired_at)})`,
          a.occurrences > 1 ? ` · ×${a.occurrences}` : '',
          a.acknowledged_by ? ` · ack by ${a.acknowledged_by}` : '')));
    if (!items.length) items.push(h('p', { class: 'muted' }, 'No open alerts.'));
    if (sorted.length > MAX_SHOWN) items.push(h('p', { class: 'muted' }, `… and ${sorted.length - MAX_SHOWN} older`));
    setChildren(this.root, items);
    const perVehicle = new Map();
    for (const a of sorted) if (a.vehicle_id) perVehicle.set(a.vehicle_id, (perVehicle.get(a.vehicle_id) || 0) + 1);
    this.onVehicleAlerts(perVehicle, sorted.length);
  }

  async acknowledge(id, button) {
    button.disabled = true;
    try {
      const alert = await api('alerting', 'POST', `/v1/alerts/${encodeURIComponent(id)}/ack`, { scope: 'alerts:write', body: { by: 'fleet console' } });
      if (alert) this.merge([alert], false);
      state.notify('Alert acknowledged.', 'ok');
    } catch (error) {
      button.disabled = false;
      showFailure(error, 'acknowledge alert');
    }
  }
}
