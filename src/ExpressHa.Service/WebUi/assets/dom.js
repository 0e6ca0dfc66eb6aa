// Small DOM helpers: every text goes through textContent, never through HTML parsing.

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function svg(tag, attrs, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}

// A state is shown as a word and a symbol; the colour only repeats what they say.
const tone = {
  online: ['ok', '●'], normal: ['ok', '●'], up: ['ok', '●'], self: ['ok', '●'], running: ['ok', '●'], connected: ['ok', '●'],
  uptodate: ['ok', '●'], primary: ['ok', '●'], secondary: ['idle', '○'],
  starting: ['warn', '◐'], stopping: ['warn', '◐'], pending: ['warn', '◐'], warning: ['warn', '▲'], suspended: ['warn', '‖'],
  connecting: ['warn', '◐'], synctarget: ['warn', '◐'], syncsource: ['warn', '◐'], outdated: ['warn', '▲'], inconsistent: ['warn', '▲'],
  offline: ['idle', '○'], stopped: ['idle', '○'], inactive: ['idle', '○'], none: ['idle', '○'], consistent: ['idle', '○'],
  lost: ['bad', '✖'], failed: ['bad', '✖'], error: ['bad', '✖'], down: ['bad', '✖'], disconnected: ['bad', '✖'], splitbrain: ['bad', '✖'],
  keymismatch: ['bad', '✖'], authfailed: ['bad', '✖'], info: ['idle', 'i'],
};

export function badge(state, label) {
  const [t, sym] = tone[String(state || '').toLowerCase()] || ['idle', '•'];
  return h('span', { class: `badge s-${t}`, 'data-state': state || '' }, `${sym} ${label ?? state ?? ''}`);
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

export function debounce(fn, ms) {
  let t = null;
  return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); };
}
