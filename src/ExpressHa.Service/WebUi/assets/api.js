// The API as the page uses it: the same routes the cmdlets call, with the session cookie instead of the token.
// Every changing call carries the same-origin header the server asks of a web UI session.

export class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

export let onSignedOut = () => {};
export function setSignedOutHandler(fn) { onSignedOut = fn; }

export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' }, cache: 'no-store' };
  if (method !== 'GET') {
    init.headers['X-ExpressHa-Request'] = 'webui';
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try { res = await fetch(path, init); }
  catch (e) { throw new ApiError(0, 'ExpressHa.NodeUnreachable', `the node did not answer (${e.message})`); }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (res.status === 401 && path !== '/v1/session') onSignedOut();
  if (!res.ok) {
    const reasons = [...(data?.errors || []), ...(data?.refusals || []).map(r => `${r.node}: ${r.reasons.join('; ')}`)];
    throw new ApiError(res.status, data?.code || `HTTP ${res.status}`, data?.message || reasons.join('; ') || res.statusText);
  }
  return data;
}

export const enc = encodeURIComponent;
