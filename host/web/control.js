// One phone, or group control: the leader's live screen, where a click is a tap and a drag a
// swipe, replayed on every selected phone (scaled by the host to each screen); keys, text, shell
// commands, APK installs and reboots likewise; each phone's outcome shown. `/phones/SERIAL` is
// this page for one phone.
import { api, el, render, problem } from './api.js';

const REFRESH_MS = Number(document.querySelector('meta[name="thumbnail-refresh-ms"]')?.content) || 2000;

const params = new URLSearchParams(location.search);
function pathSerial() {
  if (!location.pathname.startsWith('/phones/')) return null;
  const raw = location.pathname.slice('/phones/'.length);
  try { return decodeURIComponent(raw); } catch { return raw; }
}
const single = pathSerial();
let selected = single ? [single] : (params.get('serials') ?? '').split(',').filter(Boolean);
let leader = single ?? params.get('leader') ?? selected[0] ?? null;
let screenSize = null; // the leader's, from X-Screen-Size
let devices = [];
let groups = [];
const screen = el('img', { id: 'leader-screen', alt: 'the leader\'s screen', draggable: 'false' });
const outcomes = el('div', { id: 'outcomes' });

async function send(action) {
  if (selected.length === 0) {
    outcomes.replaceChildren(el('p', { class: 'error' }, 'Select at least one phone.'));
    return;
  }
  const serials = [leader, ...selected.filter((s) => s !== leader)].filter(Boolean);
  const body = { serials, action, take_over: document.getElementById('take-over')?.checked ?? false };
  if (screenSize) body.screen = screenSize;
  try {
    const results = await api('/control', { method: 'POST', body });
    outcomes.replaceChildren(el('table', { id: 'results' },
      el('thead', {}, el('tr', {}, ['phone', 'result', 'at', 'ms', 'output'].map((h) => el('th', {}, h)))),
      el('tbody', {}, results.map((r) => el('tr', { dataset: { serial: r.serial, ok: String(r.ok) } },
        el('td', {}, r.serial),
        el('td', { class: r.ok ? 'status-2' : 'status-3' }, r.ok ? 'done' : r.error),
        el('td', {}, r.at ? r.at.join(', ') : ''),
        el('td', {}, r.took_ms),
        el('td', {}, r.output !== null ? el('pre', {}, r.output) : ''))))));
  } catch (error) {
    outcomes.replaceChildren(problem(error));
  }
}

/** Where on the leader's screen (its pixels) a pointer event on the picture is. */
function phonePoint(event) {
  const box = screen.getBoundingClientRect();
  const x = Math.round(((event.clientX - box.left) / box.width) * screenSize.width);
  const y = Math.round(((event.clientY - box.top) / box.height) * screenSize.height);
  return [Math.max(0, x), Math.max(0, y)];
}

let pressed = null;
screen.addEventListener('pointerdown', (event) => {
  if (!screenSize) return;
  event.preventDefault();
  pressed = { at: phonePoint(event), time: performance.now() };
});
screen.addEventListener('pointerup', (event) => {
  if (!pressed || !screenSize) return;
  const [x2, y2] = phonePoint(event);
  const [x1, y1] = pressed.at;
  const moved = Math.hypot(x2 - x1, y2 - y1) > screenSize.width * 0.02;
  const duration = Math.min(3000, Math.max(100, Math.round(performance.now() - pressed.time)));
  pressed = null;
  send(moved ? { kind: 'swipe', x1, y1, x2, y2, duration_ms: duration } : { kind: 'tap', x: x1, y: y1 });
});

async function refreshScreen() {
  for (;;) {
    if (leader && document.visibilityState === 'visible') {
      try {
        const res = await fetch(`/api/v1/device/${encodeURIComponent(leader)}/thumbnail?size=large`,
          { cache: 'no-store', credentials: 'same-origin' });
        if (res.status === 200) {
          const [width, height] = (res.headers.get('x-screen-size') ?? '').split('x').map(Number);
          if (width && height) screenSize = { width, height };
          const url = URL.createObjectURL(await res.blob());
          const old = screen.src;
          screen.src = url;
          screen.dataset.ready = 'true';
          if (old.startsWith('blob:')) URL.revokeObjectURL(old);
        }
      } catch { /* the next round tries again */ }
    }
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
  }
}

function pickers() {
  if (single) return null;
  const online = devices.filter((d) => d.online);
  return el('fieldset', { id: 'phones' }, el('legend', {}, 'Phones (the leader\'s screen is shown)'),
    el('label', {}, 'Select a group ', el('select', {
      onchange: (e) => {
        const group = groups.find((g) => String(g.id) === e.target.value);
        if (group) { selected = group.serials.filter((s) => online.some((d) => d.serial === s)); leader = selected[0] ?? null; screenSize = null; draw(); }
      },
    }, el('option', { value: '' }, '—'), groups.map((g) => el('option', { value: String(g.id) }, g.name)))),
    el('table', {}, el('tbody', {}, online.map((d) => el('tr', {},
      el('td', {}, el('input', {
        type: 'checkbox', name: 'follow', value: d.serial, checked: selected.includes(d.serial),
        onchange: (e) => { selected = e.target.checked ? [...selected, d.serial] : selected.filter((s) => s !== d.serial); if (!selected.includes(leader)) { leader = selected[0] ?? null; screenSize = null; } draw(); },
      })),
      el('td', {}, el('label', {}, el('input', {
        type: 'radio', name: 'leader', value: d.serial, checked: d.serial === leader,
        onchange: () => { leader = d.serial; if (!selected.includes(d.serial)) selected.push(d.serial); screenSize = null; draw(); },
      }), ' leader')),
      el('td', {}, `${d.serial}${d.model ? ` (${d.model})` : ''}${d.busy ? ' · busy' : ''}`))))));
}

function controls() {
  const text = el('input', { id: 'text', placeholder: 'text to type (any language)', size: 30 });
  const shell = el('input', { id: 'shell', placeholder: 'shell command', size: 30 });
  const apk = el('input', { id: 'apk', placeholder: 'APK path on this host (inside a --file-root)', size: 30 });
  return el('div', {},
    el('div', { class: 'toolbar' },
      ['back', 'home', 'recents'].map((key) => el('button', { id: `key-${key}`, onclick: () => send({ kind: 'key', key }) }, key)),
      el('button', { id: 'wake', onclick: () => send({ kind: 'wake' }) }, 'wake'),
      el('label', {}, el('input', { type: 'checkbox', id: 'take-over' }), ' take over running tasks'),
      el('button', { id: 'release', onclick: () => send({ kind: 'release' }) }, 'give back to the queue')),
    el('div', { class: 'toolbar' }, text,
      el('button', { id: 'send-text', onclick: () => send({ kind: 'text', text: text.value }) }, 'type')),
    el('div', { class: 'toolbar' }, shell,
      el('button', { id: 'run-shell', onclick: () => send({ kind: 'shell', command: shell.value }) }, 'run')),
    el('div', { class: 'toolbar' }, apk,
      el('button', { id: 'install', onclick: () => send({ kind: 'install', path: apk.value.trim() }) }, 'install'),
      el('button', {
        id: 'reboot',
        onclick: () => confirm(`Reboot ${selected.length} phone(s)?`) && send({ kind: 'reboot' }),
      }, 'reboot')));
}

async function recentTasks() {
  if (!single) return null;
  try {
    const page = await api(`/task?serial=${encodeURIComponent(single)}&page_size=10`);
    return el('section', {}, el('h2', {}, 'Recent tasks'), el('ul', {}, page.tasks.map((t) =>
      el('li', {}, el('a', { href: `/tasks/${t.id}` }, `task ${t.id}`), ` ${t.script_name} `,
        el('span', { class: `status-${t.status}` }, t.status_text)))));
  } catch (error) {
    return problem(error);
  }
}

async function draw() {
  render(
    el('h1', {}, single ? single : 'Group control'),
    el('div', { class: 'control' },
      el('div', { class: 'screen' }, leader ? screen : el('p', { class: 'muted' }, 'Pick a leader.')),
      el('div', { class: 'side' }, pickers(), controls(), outcomes, await recentTasks())));
}

try {
  [devices, groups] = await Promise.all([api('/device'), api('/group')]);
} catch (error) {
  render(problem(error));
}
await draw();
refreshScreen();
