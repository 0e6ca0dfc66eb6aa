// The cluster's alert log (GET /v1/cluster/alerts): level, module, since and count filter on the server; node and
// free-text search filter here. New alerts of this node arrive on the event stream and trigger a reload.
import { h, badge, clear } from './dom.js';
import { api, enc } from './api.js';

let entries = [];
let missing = [];

export async function loadAlerts() {
  const f = document.getElementById('alert-filters').elements;
  const q = [];
  if (f.minLevel.value) q.push(`minLevel=${enc(f.minLevel.value)}`);
  if (f.module.value.trim()) q.push(`module=${enc(f.module.value.trim())}`);
  if (f.since.value) q.push(`since=${enc(new Date(f.since.value + 'Z').toISOString())}`);
  const last = parseInt(f.last.value, 10);
  if (last > 0) q.push(`last=${last}`);
  const note = document.getElementById('alerts-note');
  try {
    const report = await api('GET', '/v1/cluster/alerts' + (q.length ? '?' + q.join('&') : ''));
    entries = report.alerts;
    missing = report.missingNodes;
    renderAlerts();
  } catch (e) {
    note.textContent = `The alert log could not be read: ${e.message} (${e.code})`;
  }
}

export function renderAlerts() {
  const f = document.getElementById('alert-filters').elements;
  const nodes = [...new Set(entries.map(e => e.node))].sort();
  const keep = f.node.value;
  f.node.replaceChildren(h('option', { value: '' }, 'all'), ...nodes.map(n => h('option', { value: n, selected: n === keep }, n)));
  const search = f.search.value.trim().toLowerCase();
  const shown = entries.filter(e => (!f.node.value || e.node === f.node.value)
    && (!search || `${e.message} ${e.module} ${e.node} ${e.level} ${e.eventId}`.toLowerCase().includes(search))).reverse();
  const body = clear(document.querySelector('#alerts tbody'));
  body.append(...shown.map(e => h('tr', { 'data-level': e.level },
    h('td', {}, e.time.replace('T', ' ').replace('Z', '')), h('td', {}, e.node), h('td', {}, badge(e.level)),
    h('td', {}, e.module), h('td', {}, String(e.eventId)), h('td', {}, e.message))));
  document.getElementById('alerts-note').textContent = `${shown.length} of ${entries.length} alerts, newest first`
    + (missing.length ? `; not answering: ${missing.join(', ')}` : '');
}
