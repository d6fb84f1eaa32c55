// Side panel: fleet summary counts, the filters, and the vehicle list.
//
// The list is virtualised: a spacer as tall as all rows and only the ~20 rows in view (plus a few) exist in the DOM,
// so 10,000 vehicles cost nothing to scroll. Rows carry data-vehicle-id; a click selects the vehicle, Ctrl/⌘-click
// adds or removes it from the selection. The filters narrow both this list and the map (store.js `matches`).

import { h, setChildren, debounce } from './util.js';

const ROW = 26;
const OVERSCAN = 6;

export function renderSummary(summary, openAlerts) {
  const root = document.getElementById('summary');
  const byStatus = summary?.by_status || {};
  const values = {
    vehicles: summary?.vehicles,
    online: summary?.online,
    offline: summary?.offline,
    moving: byStatus.moving ?? summary?.moving,
    idle: byStatus.idle,
    paused: byStatus.paused,
    charging: byStatus.charging,
    fault: byStatus.fault,
    alerts: openAlerts,
  };
  for (const el of root.querySelectorAll('[data-count]')) {
    const key = el.dataset.count;
    const value = values[key];
    const text = Number.isFinite(value) ? String(value) : summary ? '0' : '—';
    el.dataset.value = Number.isFinite(value) ? String(value) : summary ? '0' : '';
    el.querySelector('.n').textContent = text;
  }
}

export class VehicleList {
  constructor(store, { onSelect }) {
    this.store = store;
    this.onSelect = onSelect;
    this.root = document.getElementById('vehicle-list');
    this.count = document.getElementById('vehicle-count');
    this.spacer = h('div', { class: 'spacer' });
    this.root.appendChild(this.spacer);
    this.selected = new Set();
    this.renderedVersion = -1;
    this.root.addEventListener('scroll', () => this.render(true), { passive: true });
    this.root.addEventListener('click', (event) => {
      const row = event.target.closest('.vrow');
      if (row) this.onSelect(row.dataset.vehicleId, event.ctrlKey || event.metaKey || event.shiftKey);
    });
    this.root.addEventListener('keydown', (event) => this.onKey(event));
    this.bindFilters();
  }

  bindFilters() {
    const store = this.store;
    const search = document.getElementById('search');
    const apply = () => {
      store.setFilter({
        search: search.value.trim(),
        status: document.getElementById('filter-status').value,
        tag: document.getElementById('filter-tag').value,
        online: document.getElementById('filter-online').value,
        health: document.getElementById('filter-health').value,
      });
      store.refilter();
      this.root.scrollTop = 0;
      this.render(true);
    };
    search.addEventListener('input', debounce(apply, 120));
    for (const id of ['filter-status', 'filter-tag', 'filter-online', 'filter-health']) {
      document.getElementById(id).addEventListener('change', apply);
    }
    this.applyFilters = apply;
  }

  setTags(tags) {
    const select = document.getElementById('filter-tag');
    const current = select.value;
    const sorted = [...tags].sort();
    const existing = [...select.options].slice(1).map((o) => o.value);
    if (existing.length === sorted.length && existing.every((t, i) => t === sorted[i])) return;
    setChildren(select, h('option', { value: '' }, 'any tag'), sorted.map((t) => h('option', { value: t }, t)));
    select.value = sorted.includes(current) ? current : '';
  }

  setSelected(ids) {
    this.selected = new Set(ids);
    this.render(true);
  }

  onKey(event) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const rows = this.store.filtered;
    if (!rows.length) return;
    event.preventDefault();
    const current = [...this.selected][0];
    let index = rows.findIndex((v) => v.id === current);
    index = event.key === 'ArrowDown' ? Math.min(rows.length - 1, index + 1) : Math.max(0, index - 1);
    this.onSelect(rows[index].id, false);
    const top = index * ROW;
    if (top < this.root.scrollTop) this.root.scrollTop = top;
    else if (top + ROW > this.root.scrollTop + this.root.clientHeight) this.root.scrollTop = top + ROW - this.root.clientHeight;
  }

  /** Renders the rows in view; `force` re-renders even if the filter result did not change. */
  render(force = false) {
    const store = this.store;
    store.refilter();
    if (!force && this.renderedVersion === store.filterVersion && !this.stale) return;
    this.renderedVersion = store.filterVersion;
    this.stale = false;
    const rows = store.filtered;
    this.count.textContent = store.filterActive() ? `${rows.length} of ${store.list.length}` : `${store.list.length}`;
    this.spacer.style.height = `${rows.length * ROW}px`;
    const first = Math.max(0, Math.floor(this.root.scrollTop / ROW) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((this.root.scrollTop + this.root.clientHeight) / ROW) + OVERSCAN);
    const fragment = document.createDocumentFragment();
    for (let i = first; i < last; i++) {
      const v = rows[i];
      const health = store.health(v);
      fragment.appendChild(
        h('div', { class: `vrow${this.selected.has(v.id) ? ' selected' : ''}`, role: 'option', dataset: { vehicleId: v.id }, style: { top: `${i * ROW}px` } },
          h('i', { class: `dot ${v.online === false ? '' : v.status}`, style: v.online === false ? { background: 'var(--offline)' } : null }),
          h('span', { class: 'id', title: v.id }, v.id),
          h('span', { class: 'st' }, v.status),
          h('span', { class: `hl ${health}` }, health === 'ok' ? '' : health)));
    }
    if (!rows.length) fragment.appendChild(h('div', { class: 'list-empty' }, store.list.length ? 'No vehicle matches the filters.' : 'No vehicles yet.'));
    setChildren(this.spacer, fragment);
  }

  /** Called once a second so status changes show in the rows in view. */
  tick() {
    this.stale = true;
    this.render();
  }
}
