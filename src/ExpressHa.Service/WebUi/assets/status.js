// The status view: nodes with their heartbeat paths, groups, resources, monitors, mirrors, and the cluster's
// partition resolution and fencing. Rendered from the event stream's "status" and "mirrors" events.
import { h, badge, clear } from './dom.js';
import { enc } from './api.js';
import { confirmAction, runOperation } from './ops.js';

let current = null;

// A re-render replaces the rows; the control that had the keyboard focus gets it back (found by its label).
function keepingFocus(render) {
  const label = document.activeElement?.getAttribute('aria-label');
  render();
  if (label && document.activeElement === document.body) {
    const again = [...document.querySelectorAll('#view-status button[aria-label]')].find(b => b.getAttribute('aria-label') === label);
    if (again && !again.disabled) again.focus();
  }
}

export function renderStatus(s) { keepingFocus(() => renderStatusRows(s)); }
export function renderMirrors(report) { keepingFocus(() => renderMirrorRows(report)); }

function renderStatusRows(s) {
  current = s;
  const summary = clear(document.getElementById('summary'));
  const row = (k, v) => summary.append(h('dt', {}, k), h('dd', {}, v));
  row('Cluster', s.clusterName);
  row('Seen from', `${s.reportingNode} (coordinator ${s.coordinator ?? 'none'})`);
  row('Config generation', String(s.configGeneration));
  row('Partition resolution', s.partitionResolution || 'none');
  row('Fencing', s.fencing || 'off');

  fill('nodes', s.nodes.map(n => h('tr', { 'data-node': n.name },
    h('th', { scope: 'row' }, n.name, n.name === s.reportingNode ? ' (this node)' : ''),
    h('td', {}, badge(n.state, n.state === 'lost' ? 'lost (not answering)' : n.state)),
    h('td', {}, n.state === 'lost' ? `unknown (last report: ${n.serviceState || 'none'})` : n.serviceState ? badge(n.serviceState) : '—'),
    h('td', {}, h('ul', { class: 'paths' }, n.paths.map(p => h('li', {}, `${p.interconnect} ${p.address} `, badge(p.state))))),
    h('td', { class: 'actions' },
      button('Suspend', `Suspend node ${n.name}`, () => nodeOp(n.name, 'suspend'), n.state !== 'online'),
      button('Resume', `Resume node ${n.name}`, () => nodeOp(n.name, 'resume'), n.state !== 'suspended')))));

  fill('groups', s.groups.map(g => h('tr', { 'data-group': g.name },
    h('th', { scope: 'row' }, g.name),
    h('td', {}, badge(g.state)),
    h('td', { class: 'owner' }, g.owner ?? '—'),
    h('td', {}, g.servers.join(' → ')),
    h('td', {}, h('ul', { class: 'paths' }, g.resources.map(r => h('li', {}, `${r.name} (${r.type}) `, badge(r.state))))),
    h('td', { class: 'actions' },
      button('Start', `Start group ${g.name}`, () => groupOp(g, 'start'), g.state === 'online'),
      button('Stop', `Stop group ${g.name}`, () => groupOp(g, 'stop'), g.state === 'offline'),
      button('Move', `Move group ${g.name}`, () => groupOp(g, 'move'), g.state !== 'online')))));

  fill('monitors', s.monitors.map(m => h('tr', { 'data-monitor': m.name },
    h('th', { scope: 'row' }, m.name), h('td', {}, m.type), h('td', {}, m.target ?? '—'),
    h('td', {}, badge(m.state)), h('td', {}, m.node ?? '—'), h('td', {}, m.message ?? ''),
    h('td', { class: 'actions' },
      button('Suspend', `Suspend monitor ${m.name}`, () => monitorOp(m.name, 'suspend'), m.state === 'suspended'),
      button('Resume', `Resume monitor ${m.name}`, () => monitorOp(m.name, 'resume'), m.state !== 'suspended')))), 'No monitors in the config.');

  // mirrors come in their own event, sent only while the config has some
  if (!s.groups.some(g => g.resources.some(r => r.type === 'mirror'))) renderMirrorRows({ mirrors: [], missingNodes: [] });
}

function renderMirrorRows(report) {
  const rows = report.mirrors.map(m => h('tr', { 'data-mirror': m.name, 'data-node': m.node },
    h('th', { scope: 'row' }, m.name), h('td', {}, m.node), h('td', {}, badge(m.role)),
    h('td', {}, badge(m.connection)), h('td', {}, badge(m.disk)),
    h('td', {}, `${Number(m.syncPercent).toFixed(1)} %`, m.sync !== 'None' ? ` (${m.sync})` : ''),
    h('td', {}, m.resyncBytesPerSecond ? `${(m.resyncBytesPerSecond / 1048576).toFixed(1)} MiB/s` : '—'),
    h('td', { class: 'actions' }, m.role === 'Primary' ? [
      button('Suspend', `Suspend mirror ${m.name}`, () => mirrorOp(m.name, 'suspend'), m.connection === 'Suspended'),
      button('Resume', `Resume mirror ${m.name}`, () => mirrorOp(m.name, 'resume'), m.connection !== 'Suspended')] : '')));
  for (const n of report.missingNodes) rows.push(h('tr', {}, h('td', { colspan: 8 }, badge('lost', `${n}: did not answer`))));
  fill('mirrors', rows, 'No mirrors in the config.');
}

function fill(id, rows, empty) {
  const body = clear(document.querySelector(`#${id} tbody`));
  if (rows.length === 0 && empty) body.append(h('tr', {}, h('td', { colspan: 8, class: 'note' }, empty)));
  else body.append(...rows);
}

function button(text, label, action, disabled) {
  return h('button', { type: 'button', 'aria-label': label, disabled, onclick: action }, text);
}

async function groupOp(g, verb) {
  const others = g.servers.filter(x => x !== g.owner);
  const servers = verb === 'move' ? others : verb === 'start' ? g.servers : null;
  const text = verb === 'stop' ? `Stop ${g.name} on ${g.owner ?? 'every node'}? Its resources stop in reverse dependency order.`
    : verb === 'move' ? `Move ${g.name} from ${g.owner} to the chosen server? It stops on ${g.owner}, then starts there.`
    : `Start ${g.name} on the chosen server?`;
  const answer = await confirmAction({ title: `${verb[0].toUpperCase()}${verb.slice(1)} group ${g.name}`, text, servers, selected: servers?.[0] });
  if (!answer.ok) return;
  const target = answer.server;
  await runOperation({
    label: `${verb} ${g.name}` + (target && verb !== 'stop' ? ` to ${target}` : ''),
    path: `/v1/groups/${enc(g.name)}/${verb}`,
    body: verb === 'stop' ? {} : { node: target },
    until: s => {
      const now = s.groups.find(x => x.name === g.name);
      return verb === 'stop' ? now?.state === 'offline' : now?.state === 'online' && (!target || now.owner === target);
    },
  });
}

async function nodeOp(node, verb) {
  const answer = await confirmAction({ title: `${verb === 'suspend' ? 'Suspend' : 'Resume'} node ${node}`,
    text: verb === 'suspend' ? `Suspend the cluster service on ${node}? Its monitors pause and it takes no new groups.` : `Resume the cluster service on ${node}?` });
  if (!answer.ok) return;
  await runOperation({ label: `${verb} node ${node}`, path: `/v1/nodes/${enc(node)}/${verb}`,
    until: s => s.nodes.find(n => n.name === node)?.state === (verb === 'suspend' ? 'suspended' : 'online') });
}

async function monitorOp(monitor, verb) {
  const answer = await confirmAction({ title: `${verb === 'suspend' ? 'Suspend' : 'Resume'} monitor ${monitor}`,
    text: verb === 'suspend' ? `Suspend monitor ${monitor}? It stops checking until resumed.` : `Resume monitor ${monitor}?` });
  if (!answer.ok) return;
  await runOperation({ label: `${verb} monitor ${monitor}`, path: `/v1/monitors/${enc(monitor)}/${verb}`,
    until: s => (s.monitors.find(m => m.name === monitor)?.state === 'suspended') === (verb === 'suspend') });
}

async function mirrorOp(mirror, verb) {
  const answer = await confirmAction({ title: `${verb === 'suspend' ? 'Suspend' : 'Resume'} mirror ${mirror}`,
    text: verb === 'suspend' ? `Suspend replication of ${mirror}? The standby copy stays at this point until resumed.` : `Resume replication of ${mirror}? The difference is resynced.` });
  if (!answer.ok) return;
  await runOperation({ label: `${verb} mirror ${mirror}`, path: `/v1/mirrors/${enc(mirror)}/${verb}`,
    until: (s, m) => m && m.mirrors.some(x => x.name === mirror && x.role === 'Primary')
      && m.mirrors.filter(x => x.name === mirror && x.role === 'Primary').every(x => (x.connection === 'Suspended') === (verb === 'suspend')) });
}

export const currentStatus = () => current;
