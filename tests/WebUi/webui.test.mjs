// Browser test of the cluster web UI: Debian's chromium driven by playwright-core, headless, against two real
// expresshad processes that tests/Pester/WebUi.Tests.ps1 starts. Every check is recorded in a results file (one
// Pester test each); screenshots of the main views go to the screenshot folder for review.
// Environment: EH_URL1, EH_URL2 (server1's and server2's web UI), EH_TOKEN, EH_READONLY_TOKEN, EH_PID2 (server2's
// process), EH_SCREENSHOTS, EH_RESULTS, EH_CHROMIUM (default /usr/bin/chromium).
import { chromium } from 'playwright-core';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const env = name => { const v = process.env[name]; if (!v) throw new Error(`${name} is not set`); return v; };
const url1 = env('EH_URL1'), token = env('EH_TOKEN'), readOnlyToken = env('EH_READONLY_TOKEN');
const pid2 = Number(env('EH_PID2')), shots = env('EH_SCREENSHOTS'), resultsFile = env('EH_RESULTS');
mkdirSync(shots, { recursive: true });

const checks = [];
const figures = {};
function check(name, ok, detail = '') {
  checks.push({ name, ok: !!ok, detail: String(detail) });
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? ': ' + detail : ''}`);
}
async function step(name, fn) {
  try { await fn(); } catch (e) { check(name, false, e.stack || e.message); }
}
const save = () => writeFileSync(resultsFile, JSON.stringify({ checks, figures }, null, 2));

// The API as a script sees it (bearer token), to compare the page with the service.
async function apiGet(path) {
  const r = await fetch(new URL(path, url1), { headers: { Authorization: `Bearer ${token}` } });
  if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}

const browser = await chromium.launch({ executablePath: process.env.EH_CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
// Console errors of every page; the refusals a step provokes on purpose are listed as expected and matched exactly.
const consoleErrors = [];
const expectedRefusals = [];
function watch(page, who) {
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push({ who, text: m.text(), url: m.location()?.url || '' }); });
  page.on('pageerror', e => consoleErrors.push({ who, text: 'uncaught: ' + e.message, url: '' }));
}

try {
  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await admin.newPage();
  watch(page, 'admin');
  await page.goto(url1);

  await step('the page and its files carry a strict Content-Security-Policy', async () => {
    const r = await page.request.get(url1);
    const csp = r.headers()['content-security-policy'] || '';
    check('the page and its files carry a strict Content-Security-Policy',
      csp.includes("script-src 'self'") && csp.includes("default-src 'none'") && !csp.includes('unsafe-inline') && r.headers()['content-type'].startsWith('text/html'), csp);
  });

  await step('a wrong token is refused', async () => {
    await page.waitForSelector('#signin:not([hidden])');
    await page.screenshot({ path: join(shots, '01-sign-in.png') });
    expectedRefusals.push({ status: 401, path: '/v1/session' });
    await page.fill('#token', 'not-the-token-0123456789');
    await page.press('#token', 'Enter');
    await page.waitForFunction(() => document.getElementById('signin-error').textContent.length > 0);
    const text = await page.textContent('#signin-error');
    const cookies = await admin.cookies();
    check('a wrong token is refused', text.includes('Refused') && cookies.length === 0 && await page.isHidden('#app'), text);
  });

  await step('sign in with the API token: both nodes online', async () => {
    await page.fill('#token', token);
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#app:not([hidden])');
    await page.waitForSelector('#nodes tr[data-node=server1] [data-state=online]');
    await page.waitForSelector('#nodes tr[data-node=server2] [data-state=online]');
    await page.waitForSelector('#groups tr[data-group=failover1] [data-state=online]');
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + location.href);
    const cookie = (await admin.cookies()).find(c => c.name === 'expressha_session');
    check('sign in with the API token: both nodes online', true);
    check('the token is in no URL and no storage; the session cookie is HttpOnly and SameSite=Strict',
      !storage.includes(token) && storage.startsWith('{}{}') && cookie?.httpOnly && cookie?.sameSite === 'Strict', `${storage} ${JSON.stringify(cookie && { ...cookie, value: '…' })}`);
    await page.screenshot({ path: join(shots, '02-status.png'), fullPage: true });
  });

  await step('keyboard: the move button is reached with Tab and its dialog opens and closes with the keyboard', async () => {
    await page.focus('#tab-status');
    let reached = '';
    for (let i = 0; i < 60 && !reached.includes('Move group failover1'); i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || '');
    }
    await page.keyboard.press('Enter');
    const open = await page.waitForSelector('#confirm[open]', { timeout: 5000 }).then(() => true, () => false);
    await page.keyboard.press('Escape');
    const closed = await page.waitForSelector('#confirm:not([open])', { state: 'attached', timeout: 5000 }).then(() => true, () => false);
    check('keyboard: the move button is reached with Tab and its dialog opens and closes with the keyboard', reached.includes('Move group failover1') && open && closed, `reached ${reached}; dialog opened ${open}, closed ${closed}`);
  });

  await step('suspend and resume a monitor from the page, each confirmed and followed to its end', async () => {
    const results = [];
    for (const verb of ['Suspend', 'Resume']) {
      await page.click(`#monitors tr[data-monitor=appw] button:has-text("${verb}")`);
      await page.waitForSelector('#confirm[open]');
      await page.click('#confirm-ok');
      await page.waitForSelector(`#ops li[data-op="${verb.toLowerCase()} monitor appw"][data-result]`, { timeout: 60000 });
      results.push(await page.$eval(`#ops li[data-op="${verb.toLowerCase()} monitor appw"]`, li => li.className + ' ' + li.textContent));
      const state = (await apiGet('/v1/status')).monitors.find(m => m.name === 'appw').state;
      results.push(`service: ${state}`);
    }
    check('suspend and resume a monitor from the page, each confirmed and followed to its end',
      results[0].startsWith('done') && results[1] === 'service: suspended' && results[2].startsWith('done') && results[3] !== 'service: suspended', results.join(' | '));
  });

  await step('suspend and resume a node from the page', async () => {
    const results = [];
    for (const verb of ['Suspend', 'Resume']) {
      await page.click(`#nodes tr[data-node=server2] button:has-text("${verb}")`);
      await page.waitForSelector('#confirm[open]');
      await page.click('#confirm-ok');
      await page.waitForSelector(`#ops li[data-op="${verb.toLowerCase()} node server2"][data-result]`, { timeout: 60000 });
      results.push(await page.$eval(`#ops li[data-op="${verb.toLowerCase()} node server2"]`, li => li.className + ' ' + li.textContent));
      results.push(`service: ${(await apiGet('/v1/status')).nodes.find(n => n.name === 'server2').state}`);
    }
    check('suspend and resume a node from the page',
      results[0].startsWith('done') && results[1] === 'service: suspended' && results[2].startsWith('done') && results[3] === 'service: online', results.join(' | '));
  });

  await step('move failover1 to server2 from the page and watch it arrive', async () => {
    const before = (await apiGet('/v1/status')).groups.find(g => g.name === 'failover1').owner;
    await page.click('#groups tr[data-group=failover1] button:has-text("Move")');
    await page.waitForSelector('#confirm[open]');
    await page.selectOption('#confirm-server', 'server2');
    await page.click('#confirm-ok');
    await page.waitForSelector('#ops li[data-op="move failover1 to server2"][data-result]', { timeout: 90000 });
    const op = await page.$eval('#ops li[data-op="move failover1 to server2"]', li => ({ cls: li.className, text: li.textContent }));
    const owner = await page.textContent('#groups tr[data-group=failover1] .owner');
    const service = (await apiGet('/v1/status')).groups.find(g => g.name === 'failover1');
    check('move failover1 to server2 from the page and watch it arrive',
      before === 'server1' && op.cls === 'done' && owner === 'server2' && service.owner === 'server2' && service.state === 'online',
      `before ${before}; ${op.text}; page owner ${owner}; service ${service.owner} ${service.state}`);
    await page.screenshot({ path: join(shots, '03-moved.png'), fullPage: true });
  });

  await step('SIGKILL of the active node: the page shows it lost and the group online on the survivor', async () => {
    // The page notes the moment it first shows both facts; the group history says when the failover finished.
    await page.evaluate(() => {
      const seen = () => document.querySelector('#nodes tr[data-node=server2] [data-state=lost]')
        && document.querySelector('#groups tr[data-group=failover1] [data-state=online]')
        && document.querySelector('#groups tr[data-group=failover1] .owner')?.textContent === 'server1';
      window.__shown = null;
      new MutationObserver((_, o) => { if (seen()) { window.__shown = Date.now(); o.disconnect(); } })
        .observe(document.getElementById('view-status'), { subtree: true, childList: true, characterData: true });
    });
    const killedAt = Date.now();
    process.kill(pid2, 'SIGKILL');
    await page.waitForFunction(() => window.__shown !== null, null, { timeout: 90000, polling: 200 });
    const shown = await page.evaluate(() => window.__shown);
    let episode = null, history = null;
    for (let i = 0; i < 50 && !episode?.ended; i++) {
      history = await apiGet('/v1/groups/failover1/history');
      episode = history.episodes.filter(e => e.kind === 'failover' && e.to === 'server1' && (!e.ended || Date.parse(e.ended) >= killedAt)).at(-1) || null;
      if (!episode?.ended) await new Promise(r => setTimeout(r, 200));
    }
    if (!episode) console.log('history: ' + history.episodes.map(e => `${e.kind} ${e.from}->${e.to} ${e.began}..${e.ended} [${e.steps.map(s => s.step).join(' ')}]`).join(' / '));
    const online = Date.parse(episode?.ended);
    figures.killToPageMs = shown - killedAt;
    figures.failoverOnlineToPageMs = shown - online;
    check('SIGKILL of the active node: the page shows it lost and the group online on the survivor',
      episode && shown - online <= 2000, `kill→page ${shown - killedAt} ms; group online (history ${episode?.ended}) → page ${shown - online} ms`);
    await page.screenshot({ path: join(shots, '04-node-lost.png'), fullPage: true });
  });

  await step('failover timeline picture', async () => {
    await page.click('#tab-failovers');
    await page.waitForSelector('#failovers article.timeline svg circle', { timeout: 20000 });
    const steps = await page.$$eval('#failovers article.timeline:first-child [data-step]', gs => gs.map(g => g.getAttribute('data-step')));
    check('failover timeline picture', steps.includes('detection') && steps.includes('online'), steps.join(', '));
    await page.screenshot({ path: join(shots, '05-failovers.png'), fullPage: true });
  });

  await step('alert log with filters and search', async () => {
    await page.click('#tab-alerts');
    await page.waitForSelector('#alerts tbody tr');
    const all = await page.$$eval('#alerts tbody tr', rs => rs.length);
    await page.selectOption('#alert-filters select[name=minLevel]', 'warning');
    await page.waitForFunction(() => [...document.querySelectorAll('#alerts tbody tr')].every(r => r.dataset.level !== 'info'));
    const levels = await page.$$eval('#alerts tbody tr', rs => rs.map(r => r.dataset.level));
    await page.selectOption('#alert-filters select[name=minLevel]', '');
    await page.waitForFunction(n => document.querySelectorAll('#alerts tbody tr').length >= n, all);
    await page.fill('#alert-filters input[name=search]', 'server2');
    const searched = await page.$$eval('#alerts tbody tr', rs => rs.map(r => r.textContent));
    await page.selectOption('#alert-filters select[name=node]', 'server1');
    const nodes = await page.$$eval('#alerts tbody tr td:nth-child(2)', ts => [...new Set(ts.map(t => t.textContent))]);
    check('alert log with filters and search', all > 0 && levels.length > 0 && levels.every(l => l !== 'info')
      && searched.length > 0 && searched.length < all && searched.every(t => t.includes('server2')) && nodes.join() === 'server1',
      `${all} alerts; warning+: ${levels.length}; search: ${searched.length}; node filter: ${nodes}`);
    await page.fill('#alert-filters input[name=search]', '');
    await page.screenshot({ path: join(shots, '06-alerts.png'), fullPage: true });
  });

  const running = await apiGet('/v1/config');
  const changed = running.yaml.replace(/startup: auto/, 'startup: manual');
  await step('config: the running YAML with its generation, and the dry-run diff of a dropped file', async () => {
    await page.click('#tab-config');
    await page.waitForFunction(() => document.getElementById('config-yaml').textContent.length > 0);
    const gen = await page.textContent('#config-generation');
    // a real drop event carrying the file
    await page.evaluate(text => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'changed.yaml', { type: 'text/yaml' }));
      document.getElementById('dropzone').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, changed);
    await page.waitForSelector('#diff-summary');
    const summary = await page.textContent('#diff-summary');
    const after = await apiGet('/v1/config');
    const applyOffered = await page.isVisible('#apply-config');
    const lines = await page.$$eval('#config-diff pre.diff span', ss => ss.map(x => `${x.className}|${x.textContent.trim()}`));
    const lineDiff = lines.some(l => l.startsWith('add|') && l.includes('startup: manual'));
    const lineDiffOld = lines.some(l => l.startsWith('del|') && l.includes('startup: auto'));
    check('config: the running YAML with its generation, and the dry-run diff of a dropped file',
      gen.includes(`generation ${running.generation}`) && summary.includes('group/failover1') && after.generation === running.generation && applyOffered
        && lineDiff && lineDiffOld && lines.length < 20,
      `${gen} | ${summary} | apply offered: ${applyOffered} | ${lines.join(' / ')}`);
    await page.screenshot({ path: join(shots, '07-config-diff.png'), fullPage: true });
  });

  await step('config: applying the dropped file is a second, confirmed step (admin)', async () => {
    await page.click('#apply-config');
    await page.waitForSelector('#confirm[open]');
    await page.click('#confirm-cancel');
    const afterCancel = (await apiGet('/v1/config')).generation;
    await page.click('#apply-config');
    await page.waitForSelector('#confirm[open]');
    await page.click('#confirm-ok');
    await page.waitForSelector('#config-diff p[role=status], #config-diff p[role=alert]', { timeout: 60000 });
    const text = await page.textContent('#config-diff');
    const now = await apiGet('/v1/config');
    check('config: applying the dropped file is a second, confirmed step (admin)',
      afterCancel === running.generation && now.generation === running.generation + 1 && now.yaml.includes('startup: manual') && text.includes(`generation ${now.generation}`),
      `after cancel ${afterCancel}; now ${now.generation}; ${text.slice(-120)}`);
  });

  await step('a narrow window still shows the status table', async () => {
    await page.setViewportSize({ width: 360, height: 780 });
    await page.click('#tab-status');
    // one synchronous read: the rows may be re-rendered by a status event between two separate reads
    const { box, state, width } = await page.evaluate(() => {
      const rect = el => { const r = el?.getBoundingClientRect(); return r && { x: r.x, width: r.width, height: r.height }; };
      return { box: rect(document.querySelector('#groups tr[data-group=failover1] th')),
        state: rect(document.querySelector('#groups tr[data-group=failover1] .badge')), width: document.documentElement.clientWidth };
    });
    check('a narrow window still shows the status table', box && state && box.height > 0 && box.x >= 0 && box.x + box.width <= width && state.x + state.width <= width,
      JSON.stringify({ box, state, width }));
    await page.screenshot({ path: join(shots, '08-narrow.png'), fullPage: true });
  });

  const runningNow = await apiGet('/v1/config');
  const changedAgain = runningNow.yaml.replace(/failback: manual/, 'failback: auto');
  await step('read-only token: sees the status, cannot move (the server refuses and the page says so)', async () => {
    const ro = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const p = await ro.newPage();
    watch(p, 'read-only');
    await p.goto(url1);
    await p.fill('#token', readOnlyToken);
    await p.press('#token', 'Enter');
    await p.waitForSelector('#groups tr[data-group=failover1] [data-state=online]');
    const where = await p.textContent('#where');
    expectedRefusals.push({ status: 403, path: '/v1/groups/failover1/move' });
    await p.click('#groups tr[data-group=failover1] button:has-text("Move")');
    await p.click('#confirm-ok');
    await p.waitForSelector('#ops li.failed');
    const op = await p.$eval('#ops li', li => ({ code: li.dataset.code, text: li.textContent }));
    // the server itself, asked directly with this session: a change refused, a dry run allowed
    expectedRefusals.push({ status: 403, path: '/v1/config' });
    const direct = await p.evaluate(async yaml => {
      const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-ExpressHa-Request': 'webui' }, body: JSON.stringify(body) })
        .then(async r => ({ status: r.status, body: await r.json() }));
      return { move: await post('/v1/groups/failover1/stop', {}), dry: await post('/v1/config', { yaml, dryRun: true }), apply: await post('/v1/config', { yaml, dryRun: false }) };
    }, changedAgain);
    expectedRefusals.push({ status: 403, path: '/v1/groups/failover1/stop' });
    const still = (await apiGet('/v1/status')).groups.find(g => g.name === 'failover1');
    const gen = (await apiGet('/v1/config')).generation;
    check('read-only token: sees the status, cannot move (the server refuses and the page says so)',
      where.includes('read-only') && op.code === 'ExpressHa.ReadOnly' && op.text.includes('refused by the service')
      && direct.move.status === 403 && direct.move.body.code === 'ExpressHa.ReadOnly' && direct.dry.status === 200
      && direct.apply.status === 403 && still.state === 'online' && still.owner === 'server1' && gen === runningNow.generation,
      `${where} | ${op.code}: ${op.text} | stop ${direct.move.status} dry ${direct.dry.status} apply ${direct.apply.status}`);
    await p.screenshot({ path: join(shots, '09-read-only-refused.png'), fullPage: true });
    await p.click('#tab-config');
    await p.setInputFiles('#config-file', { name: 'changed.yaml', mimeType: 'text/yaml', buffer: Buffer.from(changedAgain) });
    await p.waitForSelector('#diff-summary');
    const roDiff = await p.textContent('#diff-summary');
    check('read-only token: the dry-run diff is shown and no apply is offered', roDiff.includes('group/failover1') && !(await p.isVisible('#apply-config')), roDiff);
    await ro.close();
  });

  // Only the refusals the steps provoked may appear, each as the browser's "failed to load resource" line.
  const unexpected = consoleErrors.filter(e => {
    const i = expectedRefusals.findIndex(x => e.text.includes(`status of ${x.status}`) && e.url.includes(x.path));
    if (i < 0) return true;
    expectedRefusals.splice(i, 1);
    return false;
  });
  check('no console errors during the tests (other than the refusals provoked on purpose)', unexpected.length === 0, JSON.stringify(unexpected));
} catch (e) {
  check('the browser test ran to its end', false, e.stack || e.message);
} finally {
  save();
  await browser.close();
}
process.exit(checks.every(c => c.ok) ? 0 : 1);
