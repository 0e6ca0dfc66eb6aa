// Operations with confirmation: ask (and let the operator choose a server), send the same call the cmdlets send,
// then follow the status stream until the change is seen. A refusal shows the service's own code and reason.
import { h } from './dom.js';
import { api } from './api.js';

const watchers = new Set();
let last = { status: null, mirrors: null };

/// Feeds every watcher the newest status or mirror report from the event stream.
export function observed(kind, value) {
  last[kind] = value;
  for (const w of [...watchers]) w();
}

export function confirmAction({ title, text, servers, selected }) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-text').textContent = text;
  const choice = document.getElementById('confirm-choice');
  const select = document.getElementById('confirm-server');
  select.replaceChildren(...(servers || []).map(s => h('option', { value: s, selected: s === selected }, s)));
  choice.hidden = !servers || servers.length === 0;
  dialog.returnValue = '';
  dialog.onkeydown = e => { if (e.key === 'Escape') { e.preventDefault(); dialog.close('cancel'); } };
  return new Promise(resolve => {
    dialog.addEventListener('close', () => resolve({ ok: dialog.returnValue === 'ok', server: select.value || null }), { once: true });
    dialog.showModal();
    (servers?.length ? select : document.getElementById('confirm-ok')).focus();
  });
}

/// Runs one operation and shows its progress in the Operations list; until(status, mirrors) says when it has arrived.
export async function runOperation({ label, path, body, until, timeoutMs = 90000 }) {
  const list = document.getElementById('ops');
  const item = h('li', { class: 'pending', 'data-op': label }, `${label}: sent…`);
  list.prepend(item);
  const started = performance.now();
  let answer;
  try {
    answer = await api('POST', path, body);
  } catch (e) {
    item.className = 'failed';
    item.dataset.code = e.code;
    item.textContent = `${label}: refused by the service: ${e.message} (${e.code})`;
    return false;
  }
  item.textContent = `${label}: accepted (${answer?.message || 'ok'}); waiting for the cluster…`;
  if (!until) { finish(item, label, started, true); return true; }
  const arrived = await new Promise(resolve => {
    const check = () => {
      if (last.status && until(last.status, last.mirrors)) { watchers.delete(check); clearTimeout(timer); resolve(true); }
    };
    const timer = setTimeout(() => { watchers.delete(check); resolve(false); }, timeoutMs);
    watchers.add(check);
    check();
  });
  finish(item, label, started, arrived, timeoutMs);
  return arrived;
}

function finish(item, label, started, ok, timeoutMs) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  item.className = ok ? 'done' : 'failed';
  item.dataset.result = ok ? 'done' : 'timeout';
  item.textContent = ok ? `${label}: done in ${seconds} s` : `${label}: accepted, but not seen within ${timeoutMs / 1000} s`;
}
