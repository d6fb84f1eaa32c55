// Geofences (fleet-tracking): the saved ones as an overlay and a list (GET /v1/geofences), and drawing a new one.
//
// Drawing: "Draw" turns the mode on; each map click (or window.fleetConsole.addPoint) adds a vertex; a double-click
// or "Save" closes the ring. Saving needs a name and at least 3 vertices and sends POST /v1/geofences with a GeoJSON
// Polygon Feature {"type":"Feature","id":<slug-of-name>-<random>,"properties":{"name":…},"geometry":{"type":"Polygon",
// "coordinates":[[[lon,lat],…,first]]}} (scope geofences:write). The list can zoom to or delete a geofence.

import { api, showFailure, state, getToken, NotLoggedIn } from './api.js';
import { h, setChildren, escapeHtml, randomId } from './util.js';

export class Geofences {
  constructor(L, map, { setMode }) {
    this.L = L;
    this.map = map;
    this.setMode = setMode;
    this.layer = L.layerGroup();
    this.drawLayer = L.layerGroup().addTo(map);
    this.vertices = [];
    this.features = [];
    this.drawing = false;
    this.listEl = document.getElementById('geofence-list');
    this.hint = document.getElementById('geofence-hint');
    this.button = document.getElementById('geofence-draw');
    this.nameInput = document.getElementById('geofence-name');
    this.button.addEventListener('click', () => this.toggle());
    document.getElementById('geofence-save').addEventListener('click', () => this.save());
    this.listEl.addEventListener('click', (event) => this.onListClick(event));
    const toggle = document.getElementById('overlay-geofences');
    const apply = () => (toggle.checked ? this.layer.addTo(map) : this.layer.remove());
    toggle.addEventListener('change', apply);
    apply();
  }

  toggle() {
    if (!getToken()) {
      showFailure(new NotLoggedIn(), 'draw geofence');
      return;
    }
    this.setMode(this.drawing ? null : 'geofence');
  }

  /** Called by main.js when the map mode changes. */
  setActive(active) {
    this.drawing = active;
    this.button.setAttribute('aria-pressed', String(active));
    this.button.textContent = active ? 'Drawing…' : 'Draw';
    if (active) {
      this.vertices = [];
      this.redraw();
      this.hint.textContent = 'Click the vertices on the map; double-click or Save to close.';
    } else if (!this.vertices.length) {
      this.hint.textContent = '';
    }
  }

  addPoint(lat, lon) {
    const last = this.vertices[this.vertices.length - 1];
    if (last && last[0] === lat && last[1] === lon) return; // the clicks of a double-click
    this.vertices.push([lat, lon]);
    this.hint.textContent = `${this.vertices.length} vertices. ${this.vertices.length >= 3 ? 'Double-click or Save to close.' : ''}`;
    this.redraw();
  }

  /** Double-click while drawing: close the ring; save at once if a name is set. */
  finish() {
    if (this.vertices.length < 3) return;
    this.setMode(null);
    if (this.nameInput.value.trim()) this.save();
    else {
      this.hint.textContent = 'Name the geofence and press Save.';
      this.nameInput.focus();
    }
  }

  redraw() {
    const L = this.L;
    this.drawLayer.clearLayers();
    if (!this.vertices.length) return;
    const style = { color: '#4f9dff', weight: 2, dashArray: '6 4', fillOpacity: 0.12, interactive: false };
    if (this.vertices.length >= 3) L.polygon(this.vertices, style).addTo(this.drawLayer);
    else L.polyline(this.vertices, style).addTo(this.drawLayer);
    for (const v of this.vertices) L.circleMarker(v, { radius: 4, color: '#4f9dff', fillColor: '#0d1117', fillOpacity: 1, weight: 2, interactive: false }).addTo(this.drawLayer);
  }

  async save() {
    if (!getToken()) {
      showFailure(new NotLoggedIn(), 'save geofence');
      return;
    }
    const name = this.nameInput.value.trim();
    if (this.vertices.length < 3) {
      state.notify('A geofence needs at least 3 vertices: press Draw and click them on the map.', 'error');
      return;
    }
    if (!name) {
      state.notify('Give the geofence a name first.', 'error');
      this.nameInput.focus();
      return;
    }
    if (this.drawing) this.setMode(null);
    const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'geofence';
    const ring = this.vertices.map(([lat, lon]) => [lon, lat]);
    ring.push(ring[0]);
    const feature = { type: 'Feature', id: `${slug}-${randomId(6)}`, properties: { name }, geometry: { type: 'Polygon', coordinates: [ring] } };
    const button = document.getElementById('geofence-save');
    button.disabled = true;
    try {
      await api('tracking', 'POST', '/v1/geofences', { scope: 'geofences:write', body: feature });
      state.notify(`Geofence “${name}” saved.`, 'ok');
      this.vertices = [];
      this.nameInput.value = '';
      this.hint.textContent = '';
      this.redraw();
      await this.load();
    } catch (error) {
      showFailure(error, 'save geofence');
    } finally {
      button.disabled = false;
    }
  }

  async load() {
    try {
      const collection = await api('tracking', 'GET', '/v1/geofences');
      this.features = (collection?.features || []).filter((f) => f?.geometry?.type === 'Polygon' && Array.isArray(f.geometry.coordinates?.[0]));
    } catch (error) {
      setChildren(this.listEl, h('p', { class: 'muted' }, `Geofences unavailable: ${error.message}`));
      return;
    }
    this.render();
  }

  render() {
    const L = this.L;
    this.layer.clearLayers();
    for (const f of this.features) {
      const latlngs = f.geometry.coordinates[0].filter((p) => Array.isArray(p) && p.length >= 2).map(([lon, lat]) => [lat, lon]);
      L.polygon(latlngs, { color: '#a78bfa', weight: 1.5, fillOpacity: 0.08, interactive: true })
        .bindTooltip(escapeHtml(f.properties?.name || f.id), { sticky: true })
        .addTo(this.layer);
    }
    setChildren(this.listEl, this.features.length
      ? this.features.map((f) => h('div', { class: 'geofence-item', dataset: { geofenceId: f.id } },
          h('span', null, f.properties?.name || '(unnamed)', ' ', h('span', { class: 'gid' }, f.id)),
          h('span', null,
            h('button', { type: 'button', class: 'zoom', title: 'Zoom to it' }, 'Show'), ' ',
            h('button', { type: 'button', class: 'delete', title: 'Delete (geofences:write)' }, 'Delete'))))
      : h('p', { class: 'muted' }, 'No geofences yet. Press “Draw” on the map.'));
  }

  async onListClick(event) {
    const item = event.target.closest('[data-geofence-id]');
    if (!item) return;
    const feature = this.features.find((f) => f.id === item.dataset.geofenceId);
    if (!feature) return;
    if (event.target.closest('button.zoom')) {
      const latlngs = feature.geometry.coordinates[0].map(([lon, lat]) => [lat, lon]);
      this.map.fitBounds(this.L.latLngBounds(latlngs), { padding: [40, 40], maxZoom: 17 });
    } else if (event.target.closest('button.delete')) {
      try {
        await api('tracking', 'DELETE', `/v1/geofences/${encodeURIComponent(feature.id)}`, { scope: 'geofences:write' });
        state.notify(`Geofence “${feature.properties?.name || feature.id}” deleted.`, 'ok');
        await this.load();
      } catch (error) {
        showFailure(error, 'delete geofence');
      }
    }
  }

  clear() {
    this.features = [];
    this.vertices = [];
    this.layer.clearLayers();
    this.drawLayer.clearLayers();
    this.listEl.replaceChildren();
    this.hint.textContent = '';
  }
}
