// Route planning (fleet-routing): pick vehicles (the selection), click stops on the map, optimise, see the plan
// drawn with its ETAs, dispatch it, and follow its progress.
//
// - "Add stops" turns the route mode on; each map click (or window.fleetConsole.addPoint) adds a numbered stop.
// - "Optimise": POST /v1/routes/optimize {"vehicles":[{"id":…}],"stops":[{"id":"s1","location":{"lat","lon"}}]}
//   (scope routes:write; vehicles start from their live positions). A 202 (queued) plan is polled with
//   GET /v1/routes/{id} until done or failed.
// - "Dispatch": POST /v1/routes/{id}/dispatch (each route becomes a follow_route command through fleet-control).
// - Plans made in this session (their ids kept in sessionStorage) are drawn on the "Routes" overlay with their
//   progress (stops reached are grey) and refreshed every 10 s; a plan re-optimised by fleet-routing
//   (`replaced_by`) is followed to its replacement.

import { api, showFailure, state, getToken, NotLoggedIn } from './api.js';
import { h, setChildren, escapeHtml, fmtTime, fmtDuration, sleep } from './util.js';

const PLANS_KEY = 'fleet.console.plans';
const COLOURS = ['#4f9dff', '#f472b6', '#a3e635', '#fb923c', '#22d3ee', '#c084fc', '#facc15', '#f87171'];
const REFRESH_MS = 10000;

export class Routes {
  constructor(L, map, { setMode, getSelected }) {
    this.L = L;
    this.map = map;
    this.setMode = setMode;
    this.getSelected = getSelected;
    this.stops = [];
    this.stopLayer = L.layerGroup().addTo(map);
    this.planLayer = L.layerGroup();
    this.plans = new Map();
    this.current = null;
    this.active = false;
    this.timer = 0;
    this.button = document.getElementById('route-mode');
    this.hint = document.getElementById('route-hint');
    this.result = document.getElementById('route-result');
    this.button.addEventListener('click', () => {
      if (!getToken()) return showFailure(new NotLoggedIn(), 'route');
      this.setMode(this.active ? null : 'route');
    });
    document.getElementById('route-optimize').addEventListener('click', () => this.optimize());
    document.getElementById('route-clear').addEventListener('click', () => this.clearStops());
    this.result.addEventListener('click', (event) => {
      if (event.target.closest('#route-dispatch')) this.dispatch();
    });
    const toggle = document.getElementById('overlay-routes');
    const apply = () => (toggle.checked ? this.planLayer.addTo(map) : this.planLayer.remove());
    toggle.addEventListener('change', apply);
    apply();
  }

  setActive(active) {
    this.active = active;
    this.button.setAttribute('aria-pressed', String(active));
    this.button.textContent = active ? 'Adding stops…' : 'Add stops';
    this.updateHint();
  }

  updateHint() {
    const vehicles = this.getSelected();
    this.hint.textContent = this.active || this.stops.length
      ? `${this.stops.length} stop(s), ${vehicles.length} vehicle(s) selected${vehicles.length ? '' : ' — select vehicle(s) on the map or in the list'}.`
      : '';
  }

  addPoint(lat, lon) {
    const id = `s${this.stops.length + 1}`;
    const marker = this.L.marker([lat, lon], {
      icon: this.L.divIcon({ className: 'stop-marker', html: escapeHtml(String(this.stops.length + 1)), iconSize: [22, 22] }),
      keyboard: false,
      interactive: false,
    }).addTo(this.stopLayer);
    this.stops.push({ id, lat, lon, marker });
    this.updateHint();
  }

  clearStops() {
    this.stops = [];
    this.stopLayer.clearLayers();
    if (this.active) this.setMode(null);
    this.updateHint();
  }

  async optimize() {
    if (!getToken()) return showFailure(new NotLoggedIn(), 'optimise route');
    const vehicles = this.getSelected();
    if (!vehicles.length) return state.notify('Select the vehicle(s) to plan for first (Ctrl/⌘-click adds more).', 'error');
    if (!this.stops.length) return state.notify('Add stops first: press “Add stops” and click them on the map.', 'error');
    if (this.active) this.setMode(null);
    const button = document.getElementById('route-optimize');
    button.disabled = true;
    setChildren(this.result, h('p', { class: 'muted' }, `Optimising ${this.stops.length} stop(s) for ${vehicles.length} vehicle(s)…`));
    try {
      const body = {
        vehicles: vehicles.map((id) => ({ id })),
        stops: this.stops.map((s) => ({ id: s.id, location: { lat: s.lat, lon: s.lon } })),
      };
      let plan = await api('routing', 'POST', '/v1/routes/optimize', { scope: 'routes:write', body });
      for (let i = 0; plan && (plan.status === 'queued' || plan.status === 'running') && i < 120; i++) {
        await sleep(1000);
        plan = await api('routing', 'GET', `/v1/routes/${encodeURIComponent(plan.id)}`);
      }
      if (!plan?.id) throw new Error('fleet-routing answered without a plan');
      this.remember(plan);
      this.current = plan.id;
      this.stops = [];
      this.stopLayer.clearLayers();
      this.updateHint();
      this.drawPlans();
      this.render();
      this.fitPlan(plan);
    } catch (error) {
      setChildren(this.result, h('p', { class: 'muted' }, `No plan: ${error.message}`));
      showFailure(error, 'optimise route');
    } finally {
      button.disabled = false;
    }
  }

  async dispatch() {
    const plan = this.plans.get(this.current);
    if (!plan) return;
    const button = document.getElementById('route-dispatch');
    if (button) button.disabled = true;
    try {
      const dispatched = await api('routing', 'POST', `/v1/routes/${encodeURIComponent(plan.id)}/dispatch`, { scope: 'routes:write' });
      this.remember(dispatched);
      const errors = dispatched?.dispatch_errors || [];
      state.notify(errors.length ? `Dispatched with ${errors.length} error(s): ${errors.map((e) => `${e.vehicle_id}: ${e.detail}`).join('; ')}` : 'Plan dispatched to its vehicles.', errors.length ? 'error' : 'ok');
      this.drawPlans();
      this.render();
    } catch (error) {
      if (button) button.disabled = false;
      showFailure(error, 'dispatch route');
    }
  }

  remember(plan) {
    this.plans.set(plan.id, plan);
    try {
      sessionStorage.setItem(PLANS_KEY, JSON.stringify([...this.plans.keys()].slice(-20)));
    } catch {
      // storage full or disabled: the plan is still shown for this page
    }
  }

  /** After login: reload this session's plans and start refreshing them. */
  async start() {
    let ids = [];
    try {
      ids = JSON.parse(sessionStorage.getItem(PLANS_KEY) || '[]');
    } catch {
      ids = [];
    }
    for (const id of Array.isArray(ids) ? ids : []) {
      try {
        this.remember(await api('routing', 'GET', `/v1/routes/${encodeURIComponent(id)}`, { expect: [404] }));
        this.current = id;
      } catch {
        this.plans.delete(id);
      }
    }
    this.drawPlans();
    this.render();
    this.schedule();
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.plans.clear();
    this.current = null;
    this.planLayer.clearLayers();
    this.clearStops();
    setChildren(this.result, h('p', { class: 'muted' }, 'Select vehicle(s), press “Add stops”, click the stops on the map, then “Optimise”.'));
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), REFRESH_MS);
  }

  async refresh() {
    for (const [id, plan] of [...this.plans]) {
      if (plan.status === 'failed' || plan.replaced_by && this.plans.has(plan.replaced_by)) continue;
      try {
        const fresh = await api('routing', 'GET', `/v1/routes/${encodeURIComponent(id)}`, { expect: [404] });
        this.remember(fresh);
        if (fresh.replaced_by && !this.plans.has(fresh.replaced_by)) {
          const next = await api('routing', 'GET', `/v1/routes/${encodeURIComponent(fresh.replaced_by)}`, { expect: [404] });
          this.remember(next);
          if (this.current === id) this.current = next.id;
        }
      } catch (error) {
        if (error?.status === 404) this.plans.delete(id);
      }
    }
    if (!getToken()) return;
    this.drawPlans();
    this.render();
    this.schedule();
  }

  drawPlans() {
    const L = this.L;
    this.planLayer.clearLayers();
    let colour = 0;
    for (const plan of this.plans.values()) {
      if (plan.replaced_by && this.plans.has(plan.replaced_by)) continue;
      for (const route of plan.routes || []) {
        const c = COLOURS[colour++ % COLOURS.length];
        route._colour = c;
        const coords = (route.geometry?.coordinates || []).filter((p) => Array.isArray(p) && p.length >= 2).map(([lon, lat]) => [lat, lon]);
        if (coords.length >= 2) {
          L.polyline(coords, { color: c, weight: 4, opacity: plan.id === this.current ? 0.9 : 0.55 })
            .bindTooltip(escapeHtml(`${route.vehicle_id}: ${route.completed_stops || 0}/${route.stops?.length || 0} stops`), { sticky: true })
            .addTo(this.planLayer);
        }
        (route.stops || []).forEach((stop, i) => {
          const done = Number.isFinite(stop.reached_at_ms) || i < (route.completed_stops || 0);
          L.marker([stop.lat, stop.lon], {
            icon: L.divIcon({ className: `stop-marker${done ? ' done' : ''}`, html: escapeHtml(String(i + 1)), iconSize: [22, 22] }),
            keyboard: false,
          }).bindTooltip(escapeHtml(`${route.vehicle_id} stop ${i + 1} (${stop.id}) · ETA ${fmtTime(stop.eta_ms)}${done ? ' · reached' : ''}`)).addTo(this.planLayer);
        });
      }
    }
  }

  fitPlan(plan) {
    const points = [];
    for (const route of plan.routes || []) for (const [lon, lat] of route.geometry?.coordinates || []) points.push([lat, lon]);
    if (points.length) this.map.fitBounds(this.L.latLngBounds(points), { padding: [60, 60], maxZoom: 16 });
  }

  render() {
    const plan = this.plans.get(this.current);
    if (!plan) return;
    const s = plan.summary || {};
    const routes = plan.routes || [];
    setChildren(this.result,
      h('div', { dataset: { planId: plan.id, status: plan.status } },
        h('div', null, h('span', { class: `badge ${plan.status === 'failed' ? 'failed' : 'completed'}` }, plan.status),
          ` plan ${plan.id.slice(0, 8)} · ${s.vehicles_used ?? routes.length} vehicle(s) · ${s.stops_assigned ?? '—'} stop(s) assigned`,
          Number.isFinite(s.distance_m) ? ` · ${(s.distance_m / 1000).toFixed(1)} km` : '',
          Number.isFinite(s.duration_s) ? ` · ${fmtDuration(s.duration_s)}` : ''),
        plan.error ? h('p', { class: 'muted' }, plan.error) : null,
        routes.map((route) => [
          h('div', { class: 'route-head' },
            h('span', { class: 'swatch', style: { background: route._colour || COLOURS[0] } }),
            route.vehicle_id,
            h('span', { class: 'muted' }, ` ${(route.distance_m / 1000).toFixed(1)} km · ${fmtDuration(route.duration_s)} · ${route.completed_stops || 0}/${route.stops?.length || 0} done`),
            route.command_id ? h('span', { class: 'badge sent' }, 'dispatched') : null),
          h('table', null,
            h('tr', null, h('th', null, '#'), h('th', null, 'stop'), h('th', null, 'ETA'), h('th', null, 'leaves'), h('th', null, '')),
            (route.stops || []).map((stop, i) => h('tr', null,
              h('td', null, String(i + 1)), h('td', null, stop.id), h('td', null, fmtTime(stop.eta_ms)), h('td', null, fmtTime(stop.departure_ms)),
              h('td', null, Number.isFinite(stop.reached_at_ms) ? `reached ${fmtTime(stop.reached_at_ms)}` : '')))),
        ]),
        plan.unassigned?.length ? h('p', { class: 'muted' }, `Unassigned: ${plan.unassigned.map((u) => `${u.id} (${u.reason})`).join(', ')}`) : null,
        plan.excluded_vehicles?.length ? h('p', { class: 'muted' }, `Left out: ${plan.excluded_vehicles.map((v) => `${v.vehicle_id} (${v.reason}: ${v.detail})`).join('; ')}`) : null,
        plan.limited_vehicles?.length ? h('p', { class: 'muted' }, `Limited: ${plan.limited_vehicles.map((v) => `${v.vehicle_id} (${v.reason})`).join('; ')}`) : null,
        plan.dispatch_errors?.length ? h('p', { class: 'muted' }, `Dispatch errors: ${plan.dispatch_errors.map((v) => `${v.vehicle_id}: ${v.detail}`).join('; ')}`) : null,
        h('div', { class: 'row' },
          plan.status === 'done' && routes.length
            ? h('button', { id: 'route-dispatch', type: 'button', disabled: Boolean(plan.dispatched_at_ms) && !plan.dispatch_errors?.length }, plan.dispatched_at_ms ? (plan.dispatch_errors?.length ? 'Dispatch again' : 'Dispatched') : 'Dispatch')
            : null)));
  }
}
