// A timeline picture per failover (detection, fence, each resource, online), from each group's history
// (GET /v1/groups/{name}/history: every node's ownership journal and alerts).
import { h, svg, clear } from './dom.js';
import { api, enc } from './api.js';

export async function loadFailovers(groups) {
  const count = parseInt(document.getElementById('failover-count').value, 10);
  const note = document.getElementById('failovers-note');
  const episodes = [];
  const missing = new Set();
  for (const g of groups) {
    try {
      const r = await api('GET', `/v1/groups/${enc(g)}/history`);
      episodes.push(...r.episodes.filter(e => e.kind === 'failover'));
      r.missingNodes.forEach(n => missing.add(n));
    } catch (e) {
      note.textContent = `The history of ${g} could not be read: ${e.message} (${e.code})`;
      return;
    }
  }
  episodes.sort((a, b) => b.began.localeCompare(a.began));
  const shown = episodes.slice(0, count);
  note.textContent = (shown.length ? `${shown.length} of ${episodes.length} failovers, newest first` : 'No failover yet.')
    + (missing.size ? `; not answering (their part is missing): ${[...missing].join(', ')}` : '');
  clear(document.getElementById('failovers')).append(...shown.map(picture));
}

const kindClass = s => ({ detection: 'k-detection', fence: 'k-fence', online: 'k-online', failed: 'k-failed' }[s] || 'k-other');

function picture(e) {
  const t0 = Date.parse(e.began);
  const times = e.steps.map(s => Date.parse(s.time));
  const end = Math.max(e.ended ? Date.parse(e.ended) : t0, ...times);
  const span = Math.max(end - t0, 1);
  const left = 230, width = 480, rowH = 22, top = 34;
  const x = t => left + ((t - t0) / span) * width;
  const height = top + e.steps.length * rowH + 10;
  const title = `${e.group}: ${e.from ?? '?'} → ${e.to}, ${e.outcome}` + (e.durationMs != null ? ` in ${(e.durationMs / 1000).toFixed(2)} s` : '');
  const pic = svg('svg', { viewBox: `0 0 760 ${height}`, width: 760, height, role: 'img', 'aria-label': `Failover timeline: ${title}` },
    svg('title', {}, title),
    svg('rect', { class: 'bar', x: left, y: 8, width, height: 10 }),
    svg('text', { x: left, y: 30 }, '0 s'),
    svg('text', { x: left + width, y: 30, 'text-anchor': 'end' }, `${(span / 1000).toFixed(2)} s`),
    e.steps.map((s, i) => {
      const y = top + i * rowH + 12;
      const t = times[i];
      return svg('g', { 'data-step': s.step },
        svg('line', { class: 'axis', x1: left, x2: left + width, y1: y, y2: y }),
        svg('text', { x: 4, y: y + 4 }, `${s.step} · ${s.node}`),
        svg('circle', { class: kindClass(s.step), cx: x(t), cy: y, r: 6 }),
        // the offset reads on the side of the marker that has room
        x(t) > left + width - 70
          ? svg('text', { x: x(t) - 10, y: y + 4, 'text-anchor': 'end' }, `+${((t - t0) / 1000).toFixed(2)} s`)
          : svg('text', { x: x(t) + 10, y: y + 4 }, `+${((t - t0) / 1000).toFixed(2)} s`));
    }));
  return h('article', { class: 'timeline', 'data-began': e.began },
    h('h3', {}, `${e.began.replace('T', ' ').replace('Z', ' UTC')}: ${title}`),
    pic,
    h('details', {}, h('summary', {}, 'Steps'),
      h('ol', {}, e.steps.map(s => h('li', {}, `${s.time.replace('T', ' ').replace('Z', '')} ${s.node} ${s.step}: ${s.message}`)))));
}
