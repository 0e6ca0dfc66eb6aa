// The running config (read-only) with its generation, and the difference of a dropped file against it: a dry-run
// push (POST /v1/config {dryRun: true}); applying it is a second, confirmed step, offered to the admin role only.
import { h, clear } from './dom.js';
import { api } from './api.js';
import { confirmAction, runOperation } from './ops.js';

let running = null;
let role = 'none';

export function setRole(r) { role = r; }

export async function loadConfig() {
  try {
    running = await api('GET', '/v1/config');
    document.getElementById('config-generation').textContent = `Running config of ${running.clusterName}, generation ${running.generation} (as ${running.node} holds it)`;
    document.getElementById('config-yaml').textContent = running.yaml;
  } catch (e) {
    document.getElementById('config-generation').textContent = `The running config could not be read: ${e.message} (${e.code})`;
  }
}

export function wireConfig() {
  const zone = document.getElementById('dropzone');
  zone.addEventListener('dragover', e => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', e => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) readFile(file);
  });
  zone.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); document.getElementById('config-file').click(); } });
  document.getElementById('config-file').addEventListener('change', e => { const f = e.target.files?.[0]; if (f) readFile(f); });
}

async function readFile(file) {
  const yaml = await file.text();
  const out = clear(document.getElementById('config-diff'));
  out.append(h('p', { class: 'note' }, `Comparing ${file.name} with the running config…`));
  let result;
  try {
    result = await api('POST', '/v1/config', { yaml, dryRun: true });
  } catch (e) {
    clear(out).append(h('p', { class: 'error' }, `The dry run was refused: ${e.message} (${e.code})`));
    return;
  }
  if (!running) await loadConfig();
  clear(out).append(...describe(file.name, result), lineDiff(running?.yaml ?? '', yaml));
  if (role === 'admin' && result.errors.length === 0 && result.refusals.length === 0 && !isEmpty(result.diff)) {
    out.append(h('p', {}, h('button', { type: 'button', class: 'primary', id: 'apply-config', onclick: () => apply(file.name, yaml, result) }, `Apply ${file.name}…`)));
  } else if (role !== 'admin') {
    out.append(h('p', { class: 'note' }, 'Signed in read-only: applying a config needs the API token.'));
  }
}

const isEmpty = d => d.added.length === 0 && d.removed.length === 0 && d.changed.length === 0;

function describe(name, r) {
  const d = r.diff;
  const parts = [h('h3', {}, `${name} against generation ${r.generation}`)];
  if (r.errors.length) parts.push(h('p', { class: 'error' }, 'The file is not valid; the cluster would refuse it:'), h('ul', { class: 'error' }, r.errors.map(e => h('li', {}, e))));
  if (r.refusals.length) parts.push(h('ul', { class: 'error' }, r.refusals.map(x => h('li', {}, `${x.node}: ${x.reasons.join('; ')}`))));
  if (isEmpty(d)) parts.push(h('p', { id: 'diff-summary' }, 'No difference: the cluster runs this config.'));
  else parts.push(h('dl', { id: 'diff-summary', class: 'summary' },
    h('dt', {}, 'Added'), h('dd', {}, d.added.join(', ') || '—'),
    h('dt', {}, 'Removed'), h('dd', {}, d.removed.join(', ') || '—'),
    h('dt', {}, 'Changed'), h('dd', {}, d.changed.join(', ') || '—'),
    h('dt', {}, 'Groups to restart'), h('dd', {}, d.groupRestarts.join(', ') || 'none'),
    h('dt', {}, 'Cluster suspend needed'), h('dd', {}, d.needsSuspend ? 'yes' : 'no')));
  return parts;
}

/// A line diff (longest common subsequence) of the running YAML and the file; "+ " lines are the file's.
function lineDiff(a, b) {
  const x = a.split('\n'), y = b.split('\n');
  const pre = h('pre', { class: 'diff', tabindex: 0, 'aria-label': 'Line difference, running config to file' });
  if (x.length * y.length > 4_000_000) { pre.append(h('span', {}, 'The files are too large for a line difference here.')); return pre; }
  const n = x.length, m = y.length;
  const L = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const ops = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { ops.push([' ', x[i]]); i++; j++; }
    else if (j < m && (i >= n || L[i][j + 1] >= L[i + 1][j])) { ops.push(['+', y[j]]); j++; }
    else { ops.push(['-', x[i]]); i++; }
  }
  // the changed lines with three lines around them; the rest is folded
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - 3), k + 4).some(o => o[0] !== ' '));
  let folded = 0;
  ops.forEach(([kind, line], k) => {
    if (!near[k]) { folded++; return; }
    if (folded) { pre.append(h('span', { class: 'note' }, `  … ${folded} unchanged lines`)); folded = 0; }
    pre.append(h('span', { class: kind === '+' ? 'add' : kind === '-' ? 'del' : null }, `${kind} ${line}`));
  });
  if (folded) pre.append(h('span', { class: 'note' }, `  … ${folded} unchanged lines`));
  if (!ops.some(o => o[0] !== ' ')) pre.append(h('span', {}, '  (the files are the same line by line)'));
  return pre;
}

async function apply(name, yaml, dry) {
  const answer = await confirmAction({ title: 'Apply config', text: `Push ${name} to every node (two phases: all or none)? ${dry.diff.changed.length + dry.diff.added.length + dry.diff.removed.length} objects change.` });
  if (!answer.ok) return;
  const out = document.getElementById('config-diff');
  try {
    const r = await api('POST', '/v1/config', { yaml, dryRun: false });
    document.getElementById('apply-config')?.remove();
    out.append(h('p', { class: 'note', role: 'status' }, `Applied: the cluster runs generation ${r.generation}.`));
    await loadConfig();
  } catch (e) {
    out.append(h('p', { class: 'error', role: 'alert' }, `Not applied: ${e.message} (${e.code})`));
  }
}

export { runOperation };
