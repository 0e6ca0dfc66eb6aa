// The cluster web UI: sign-in, the live status from the node's event stream (GET /v1/events), and the views.
import { h, debounce } from './dom.js';
import { api, setSignedOutHandler } from './api.js';
import { renderStatus, renderMirrors, currentStatus } from './status.js';
import { observed } from './ops.js';
import { loadAlerts, renderAlerts } from './alerts.js';
import { loadFailovers } from './failovers.js';
import { loadConfig, wireConfig, setRole } from './config.js';

const $ = id => document.getElementById(id);
let events = null;
let session = null;
let view = 'status';

function showSignIn(message) {
  if (events) { events.close(); events = null; }
  session = null;
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('signin').hidden = false;
  $('where').textContent = '';
  $('link').textContent = '';
  $('signin-error').textContent = message || '';
  $('token').focus();
}

async function start() {
  $('signin').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  setRole(session.role);
  $('cluster-name').textContent = session.clusterName ? `· ${session.clusterName}` : '';
  $('where').textContent = `node ${session.node} · ${session.role === 'admin' ? 'admin' : 'read-only: the service refuses changes'}`;
  document.body.dataset.role = session.role;
  connect();
  select(view);
}

function connect() {
  if (events) events.close();
  setLink('connecting', `connecting to ${session.node}…`);
  events = new EventSource('/v1/events');
  events.addEventListener('open', () => setLink('live', `live from ${session.node}`));
  events.addEventListener('status', e => {
    const s = JSON.parse(e.data);
    renderStatus(s);
    observed('status', s);
    onStatusChange(s);
  });
  events.addEventListener('mirrors', e => { const m = JSON.parse(e.data); renderMirrors(m); observed('mirrors', m); });
  events.addEventListener('alert', () => { if (view === 'alerts') reloadAlerts(); });
  events.addEventListener('signedOut', () => showSignIn('The session ended; sign in again.'));
  events.addEventListener('error', async () => {
    if (events.readyState === EventSource.CLOSED) {
      // the server refused the stream: the session is gone, or the node answers something else than a stream
      try {
        const s = await api('GET', '/v1/session');
        if (s.role === 'none') showSignIn('The session ended; sign in again.'); else setTimeout(connect, 1000);
      } catch { setTimeout(connect, 2000); }
    } else {
      setLink('lost', `connection to ${session?.node} lost; retrying (other nodes keep the cluster's view)`);
    }
  });
}

function setLink(state, text) {
  const el = $('link');
  el.dataset.state = state;
  el.textContent = (state === 'live' ? '● ' : state === 'lost' ? '✖ ' : '◐ ') + text;
}

const reloadAlerts = debounce(loadAlerts, 300);
const reloadFailovers = debounce(() => { const s = currentStatus(); if (s) loadFailovers(s.groups.map(g => g.name)); }, 500);
let lastOwners = '';

function onStatusChange(s) {
  const owners = s.groups.map(g => `${g.name}=${g.owner}/${g.state}`).join(',');
  if (owners !== lastOwners) {
    lastOwners = owners;
    if (view === 'failovers') reloadFailovers();
  }
}

function select(name) {
  view = name;
  for (const v of ['status', 'alerts', 'failovers', 'config']) {
    $(`tab-${v}`).setAttribute('aria-selected', String(v === name));
    $(`tab-${v}`).tabIndex = v === name ? 0 : -1;
    $(`view-${v}`).hidden = v !== name;
  }
  if (name === 'alerts') loadAlerts();
  if (name === 'failovers') reloadFailovers();
  if (name === 'config') loadConfig();
}

function wire() {
  $('signin-form').addEventListener('submit', async e => {
    e.preventDefault();
    $('signin-error').textContent = '';
    const token = $('token').value;
    $('token').value = '';
    try {
      await api('POST', '/v1/session', { token });
      session = await api('GET', '/v1/session');
      if (session.role === 'none') throw new Error('the node did not keep the session (are cookies blocked?)');
      start();
    } catch (err) {
      $('signin-error').textContent = err.status === 401 ? `Refused: ${err.message}` : `Sign-in failed: ${err.message} (${err.code})`;
    }
  });
  $('sign-out').addEventListener('click', async () => {
    try { await api('DELETE', '/v1/session'); } catch { /* signed out either way */ }
    showSignIn('Signed out.');
  });
  const tabs = ['status', 'alerts', 'failovers', 'config'];
  for (const v of tabs) $(`tab-${v}`).addEventListener('click', () => select(v));
  document.querySelector('.tabs').addEventListener('keydown', e => {
    const i = tabs.indexOf(view);
    const next = e.key === 'ArrowRight' ? tabs[(i + 1) % tabs.length] : e.key === 'ArrowLeft' ? tabs[(i + tabs.length - 1) % tabs.length] : null;
    if (next) { e.preventDefault(); select(next); $(`tab-${next}`).focus(); }
  });
  const filters = $('alert-filters');
  filters.addEventListener('submit', e => e.preventDefault());
  for (const name of ['minLevel', 'module', 'since', 'last']) filters.elements[name].addEventListener('change', loadAlerts);
  filters.elements.node.addEventListener('change', renderAlerts);
  filters.elements.search.addEventListener('input', renderAlerts);
  $('failover-count').addEventListener('change', reloadFailovers);
  wireConfig();
  setSignedOutHandler(() => { if (session) showSignIn('The node asked to sign in again (session expired or signed out).'); });
}

wire();
api('GET', '/v1/session')
  .then(s => { if (s.role === 'none') showSignIn(''); else { session = s; start(); } })
  .catch(e => showSignIn(`The node did not answer: ${e.message}`));
