// The phones wall: every phone as a tile with its live thumbnail, state, readiness, task and
// accounts, filtered by group, state and busy/idle, kept current by the host's events.
import { api, onEvents, debounce, el, render, problem } from './api.js';

const REFRESH_MS = Number(document.querySelector('meta[name="thumbnail-refresh-ms"]')?.content) || 2000;

const filters = { group: '', state: 'all', busy: 'all' };
let devices = [];
let groups = [];
const progress = new Map(); // task id -> {percent, message}
const tiles = new Map(); // serial -> {tile, img, etag, url}
const visible = new Set();

const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) {
    const serial = entry.target.dataset.serial;
    if (entry.isIntersecting) {
      visible.add(serial);
      // A tile scrolled into view for the first time shows its screen at once.
      if (!tiles.get(serial)?.url) refresh(serial).catch(() => {});
    } else {
      visible.delete(serial);
    }
  }
});

function select(name, options) {
  return el('label', {}, `${name} `,
    el('select', { name, onchange: (e) => { filters[name] = e.target.value; draw(); } },
      options.map(([value, text]) => el('option', { value, selected: filters[name] === value }, text))));
}

function shown(device) {
  if (filters.group) {
    const group = groups.find((g) => String(g.id) === filters.group);
    if (!group?.serials.includes(device.serial)) return false;
  }
  if (filters.state === 'online' && !device.online) return false;
  if (filters.state === 'offline' && device.online) return false;
  if (filters.busy === 'busy' && !device.busy) return false;
  if (filters.busy === 'idle' && device.busy) return false;
  return true;
}

function readiness(device) {
  const r = device.readiness;
  if (!r) return null;
  const parts = [];
  if (r.android) parts.push(`Android ${r.android.release}`);
  if (r.screen) parts.push(`${r.screen[0]}×${r.screen[1]}`);
  if (r.problem) parts.push(r.problem);
  return parts.join(' · ') || null;
}

function tileOf(device) {
  let entry = tiles.get(device.serial);
  if (!entry) {
    const img = el('img', { alt: `screen of ${device.serial}`, class: 'thumb' });
    entry = { img, etag: null, url: null, tile: null };
    tiles.set(device.serial, entry);
  }
  const task = device.current_task;
  const p = task ? progress.get(task) : null;
  const tile = el('div', {
    class: `tile${device.online ? '' : ' offline'}`,
    dataset: { serial: device.serial, state: device.state, busy: String(device.busy) },
  },
  entry.img,
  el('div', { class: 'serial' }, el('a', { href: `/phones/${encodeURIComponent(device.serial)}` }, device.serial)),
  el('div', {}, device.model ?? '', ' ', el('span', { class: 'badge' }, device.state),
    ' ', el('span', { class: `badge${device.busy ? ' busy' : ''}` }, device.busy ? 'busy' : 'idle')),
  readiness(device) && el('div', { class: 'muted' }, readiness(device)),
  task && el('div', {}, el('a', { href: `/tasks/${task}` }, `task ${task}`),
    el('progress', { max: 100, value: p?.percent ?? 0, title: p?.message ?? '', dataset: { task: String(task) } })),
  device.waiting_tasks > 0 && el('div', { class: 'muted' }, `${device.waiting_tasks} waiting`),
  device.accounts.length > 0 && el('div', { class: 'muted' }, device.accounts.join(' ')),
  device.note && el('div', { class: 'error' }, device.note));
  if (entry.tile) observer.unobserve(entry.tile);
  entry.tile = tile;
  observer.observe(tile);
  return tile;
}

function draw() {
  const showing = devices.filter(shown);
  render(
    el('div', { class: 'toolbar' },
      el('strong', {}, `${showing.length} of ${devices.length} phones`),
      select('group', [['', 'all groups'], ...groups.map((g) => [String(g.id), g.name])]),
      select('state', [['all', 'any state'], ['online', 'online'], ['offline', 'offline']]),
      select('busy', [['all', 'busy or idle'], ['busy', 'busy'], ['idle', 'idle']])),
    el('div', { class: 'wall', id: 'wall' }, showing.map(tileOf)));
}

async function load() {
  try {
    let running;
    [devices, groups, running] = await Promise.all([api('/device'), api('/group'), api('/task?status=1&page_size=100')]);
    for (const task of running.tasks) if (task.progress) progress.set(task.id, task.progress);
    draw();
  } catch (error) {
    render(problem(error));
  }
}

/** One refresh of a visible tile's thumbnail; the host answers 304 when no newer frame came. */
async function refresh(serial) {
  const entry = tiles.get(serial);
  const device = devices.find((d) => d.serial === serial);
  if (!entry || !device?.online) return;
  const headers = entry.etag ? { 'if-none-match': entry.etag } : {};
  const res = await fetch(`/api/v1/device/${encodeURIComponent(serial)}/thumbnail`,
    { headers, cache: 'no-store', credentials: 'same-origin' });
  if (res.status !== 200) return;
  entry.etag = res.headers.get('etag');
  const url = URL.createObjectURL(await res.blob());
  if (entry.url) URL.revokeObjectURL(entry.url);
  entry.url = url;
  entry.img.src = url;
}

async function refreshLoop() {
  for (;;) {
    if (document.visibilityState === 'visible') {
      await Promise.allSettled([...visible].map(refresh));
    }
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
  }
}

const reload = debounce(load, 300);
onEvents(['device_online', 'device_offline', 'task_started', 'task_finished', 'task_created',
  'task_deleted', 'task_requeued', 'task_progress'], (kind, data) => {
  if (kind === 'task_progress') {
    progress.set(data.id, data);
    // Only that tile's bar changes; the wall is not drawn again.
    const bar = document.querySelector(`#wall progress[data-task="${data.id}"]`);
    if (bar) {
      bar.value = data.percent;
      bar.title = data.message;
    }
    return;
  }
  reload();
});
await load();
refreshLoop();
