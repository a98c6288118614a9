// Accounts: TikMatrix's account list (platform, phone and whether it is online, tags, login state,
// status) with its filters, and registering, tagging, disabling and removing accounts.
import { api, el, render, problem } from './api.js';

const filters = { platform: '', device: '', status: '', tag: '' };
let notice = null;

function query() {
  const q = new URLSearchParams({ page_size: '100' });
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  return q.toString();
}

async function act(work) {
  try {
    await work();
    notice = null;
  } catch (error) {
    notice = problem(error);
  }
  load();
}

function row(a) {
  const tags = el('input', { value: a.tags.join(', '), size: 18, 'aria-label': `tags of @${a.username}` });
  return el('tr', { dataset: { id: String(a.id) } },
    el('td', {}, `@${a.username}`),
    el('td', {}, a.platform),
    el('td', {}, el('a', { href: `/phones/${encodeURIComponent(a.device)}` }, a.device), a.device_name ? ` (${a.device_name})` : ''),
    el('td', {}, a.online ? 'online' : 'offline'),
    el('td', {}, a.logined ? 'signed in' : 'signed out'),
    el('td', {}, a.status),
    el('td', {}, tags, el('button', {
      onclick: () => act(() => api(`/account/${a.id}`, { method: 'PUT', body: { tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean) } })),
    }, 'save')),
    el('td', {},
      el('button', { onclick: () => act(() => api(`/account/${a.id}`, { method: 'PUT', body: { status: a.status === 'active' ? 'disabled' : 'active' } })) },
        a.status === 'active' ? 'disable' : 'enable'), ' ',
      el('button', { onclick: () => act(() => api(`/account/${a.id}`, { method: 'DELETE' })) }, 'remove')));
}

function registerForm(devices) {
  const username = el('input', { placeholder: 'username', required: true, size: 14 });
  const serial = el('select', {}, devices.map((d) => el('option', { value: d.serial }, d.serial)));
  const app = el('select', {}, el('option', { value: 'tiktok' }, 'TikTok'), el('option', { value: 'instagram' }, 'Instagram'));
  const tags = el('input', { placeholder: 'tags, comma-separated', size: 18 });
  return el('fieldset', {}, el('legend', {}, 'Register an account signed in on a phone'),
    username, ' on ', serial, ' in ', app, ' ', tags, ' ',
    el('button', {
      onclick: () => act(() => api('/account', { method: 'POST', body: {
        username: username.value.trim().replace(/^@/, ''), serial: serial.value, app: app.value,
        tags: tags.value.split(',').map((t) => t.trim()).filter(Boolean),
      } })),
    }, 'register'));
}

async function load() {
  let page, devices;
  try {
    [page, devices] = await Promise.all([api('/accounts?' + query()), api('/device')]);
  } catch (error) {
    render(problem(error));
    return;
  }
  const filter = (name, options) => el('label', {}, `${name} `, el('select', {
    onchange: (e) => { filters[name] = e.target.value; load(); },
  }, options.map(([v, t]) => el('option', { value: v, selected: filters[name] === v }, t))));
  render(
    el('h1', {}, 'Accounts'),
    el('div', { class: 'toolbar' },
      filter('platform', [['', 'any'], ['tiktok', 'TikTok'], ['instagram', 'Instagram']]),
      filter('status', [['', 'any'], ['active', 'active'], ['disabled', 'disabled']]),
      el('label', {}, 'tag ', el('input', { value: filters.tag, size: 10, onchange: (e) => { filters.tag = e.target.value.trim(); load(); } })),
      el('span', { class: 'muted' }, `${page.total} accounts`)),
    notice,
    el('table', { id: 'accounts' },
      el('thead', {}, el('tr', {}, ['account', 'app', 'phone', '', 'login', 'status', 'tags', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, page.accounts.map(row))),
    registerForm(devices));
}

load();
