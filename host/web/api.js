// What every page of the dashboard shares: calls to the host's REST API (same origin, the login
// cookie sent by the browser), its live events, and a small DOM builder.

/** An answer whose envelope `code` is not 0: `code`, `message` and `data` as the API sent them. */
export class ApiError extends Error {
  constructor(envelope) {
    super(envelope.message || `error ${envelope.code}`);
    this.code = envelope.code;
    this.data = envelope.data;
  }
}

/** `data` of the envelope at `url` (a path of this host); throws ApiError on a non-zero code. */
export async function request(url, { method = 'GET', body } = {}) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(url, init);
  if (res.status === 401) {
    location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
    throw new Error('not logged in');
  }
  const envelope = await res.json();
  if (envelope.code !== 0) throw new ApiError(envelope);
  return envelope.data;
}

/** `data` of the REST API's `path` (under /api/v1). */
export const api = (path, options) => request('/api/v1' + path, options);

/** Calls `handler(kind, data)` for each host event of the given kinds, from one EventSource. */
export function onEvents(kinds, handler) {
  const source = new EventSource('/api/v1/events');
  for (const kind of kinds) {
    source.addEventListener(kind, (e) => handler(kind, JSON.parse(e.data)));
  }
  return source;
}

/** `fn` called at most once per `ms`, after the last call of a burst. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** An element: `el('a', {href: '/x', class: 'y'}, 'text', child)`; `on*` attributes are listeners. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** The page's main element, emptied and given `children`. */
export function render(...children) {
  const page = document.getElementById('page');
  page.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return page;
}

/** A message in the page for an error an action met. */
export function problem(error) {
  const lines = [error.message];
  for (const e of error.data?.errors ?? []) lines.push(`${e.path || '(config)'}: ${e.message}`);
  return el('p', { class: 'error', role: 'alert' }, lines.join('\n'));
}

export const STATUS_TEXT = ['pending', 'running', 'completed', 'failed'];
