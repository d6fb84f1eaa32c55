// Base layers and the traffic overlay.
//
// - Road network (fleet-routing GET /v1/map/roads, scope fleet:read): a GeoJSON FeatureCollection of LineStrings
//   with `name` ("" if none), `speed_kmh` (free-flow speed) and `oneway`, drawn with a canvas renderer so the page
//   works without internet and without tiles. Faster roads are drawn wider and brighter.
// - Optional raster tiles: config.json's tile_url (e.g. "https://tile.example/{z}/{x}/{y}.png"), under the roads.
// - Traffic jams (fleet-routing GET /v1/traffic/jams, every 15 s while the "Traffic jams" overlay is on): a red
//   circle per jam, sized by how far below free flow it is, with the road, speed and age in its tooltip.

import { api } from './api.js';
import { escapeHtml, fmtAge } from './util.js';

/** Faster roads wider and brighter (free-flow speed in km/h). */
function roadStyle(properties) {
  const speed = Number(properties?.speed_kmh);
  if (speed >= 80) return { color: '#7c8db5', weight: 3.2 };
  if (speed >= 60) return { color: '#6a7ca3', weight: 2.7 };
  if (speed >= 45) return { color: '#5a6b8e', weight: 2.2 };
  if (speed >= 30) return { color: '#485776', weight: 1.7 };
  return { color: '#35425a', weight: 1.2 };
}

export function addTiles(L, map, tileUrl) {
  if (!tileUrl) return null;
  return L.tileLayer(tileUrl, { maxZoom: 19, opacity: 0.55, attribution: 'tiles: configured tile server' }).addTo(map);
}

/** Loads and draws the road network; returns the layer's bounds (to fit the view) or null. */
export async function loadRoads(L, map) {
  const collection = await api('routing', 'GET', '/v1/map/roads');
  const renderer = L.canvas({ padding: 0.3 });
  const layer = L.geoJSON(collection, {
    renderer,
    interactive: false,
    style: (feature) => ({ ...roadStyle(feature?.properties), opacity: 0.9, lineCap: 'round', interactive: false }),
    filter: (feature) => feature?.geometry?.type === 'LineString' || feature?.geometry?.type === 'MultiLineString',
  });
  layer.addTo(map);
  const bounds = layer.getBounds();
  return { layer, bounds: bounds.isValid() ? bounds : null };
}

export class Jams {
  constructor(L, map) {
    this.L = L;
    this.map = map;
    this.layer = L.layerGroup();
    this.timer = 0;
    this.running = false;
    this.toggle = document.getElementById('overlay-jams');
    this.toggle.addEventListener('change', () => this.apply());
  }

  start() {
    this.running = true;
    this.apply();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.layer.clearLayers();
    this.layer.remove();
  }

  apply() {
    clearTimeout(this.timer);
    if (this.toggle.checked && this.running) {
      this.layer.addTo(this.map);
      this.poll();
    } else {
      this.layer.remove();
    }
  }

  async poll() {
    if (!this.running || !this.toggle.checked) return;
    try {
      const answer = await api('routing', 'GET', '/v1/traffic/jams');
      this.draw(answer?.jams || []);
    } catch {
      // recorded by api(); keep the last jams drawn and retry
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.poll(), 15000);
  }

  draw(jams) {
    const L = this.L;
    this.layer.clearLayers();
    for (const jam of jams) {
      if (!Number.isFinite(jam.lat) || !Number.isFinite(jam.lon)) continue;
      const ratio = jam.free_flow_kmh > 0 ? Math.max(0, Math.min(1, jam.speed_kmh / jam.free_flow_kmh)) : 0.5;
      L.circleMarker([jam.lat, jam.lon], { radius: 4 + (1 - ratio) * 4, color: '#ef4444', weight: 1.5, opacity: 0.8, fillColor: '#ef4444', fillOpacity: 0.18 })
        .bindTooltip(escapeHtml(`Jam${jam.road ? ` on ${jam.road}` : ''}: ${Math.round(jam.speed_kmh)} km/h (free flow ${Math.round(jam.free_flow_kmh)}) · since ${fmtAge(jam.started_at_ms)}`))
        .addTo(this.layer);
    }
  }
}
