// The task list: the API's filters and paging, live from the host's events, with bulk stop,
// retry and delete of the selected tasks.
import { api, onEvents, debounce, el, render, problem, STATUS_TEXT } from './api.js';

const params = new URLSearchParams(location.search);
const filters = {
  status: params.get('status') ?? '',
  serial: params.get('serial') ?? '',
  script_name: params.get('script_name') ?? '',
  source: params.get('source') ?? '',
  page: Number(params.get('page')) || 1,
  page_size: Number(params.get('page_size')) || 50,
};
const selected = new Set();
let notice = null;

function query() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v !== '' && v !== null) q.set(k, v);
  return q.toString();
}

function filterInput(name, label, options) {
  const change = (e) => { filters[name] = e.target.value; filters.page = 1; go(); };
  if (options) {
    return el('label', {}, `${label} `, el('select', { name, onchange: change },
      options.map(([v, t]) => el('option', { value: v, selected: String(filters[name]) === v }, t))));
  }
  return el('label', {}, `${label} `, el('input', { name, value: filters[name], onchange: change, size: 14 }));
}

function go() {
  history.replaceState(null, '', '/tasks?' + query());
  load();
}

async function bulk(action) {
  const ids = [...selected];
  if (ids.length === 0) return;
  const failures = [];
  if (action === 'delete') {
    try { await api('/task/batch', { method: 'DELETE', body: { task_ids: ids } }); } catch (e) { failures.push(e.message); }
  } else {
    for (const id of ids) {
      try { await api(`/task/${id}/${action}`, { method: 'POST' }); } catch (e) { failures.push(`task ${id}: ${e.message}`); }
    }
  }
  selected.clear();
  notice = failures.length ? el('p', { class: 'error', role: 'alert' }, failures.join('\n')) : null;
  load();
}

function row(task) {
  const progress = task.progress ? `${task.progress.percent}% ${task.progress.message ?? ''}` : '';
  return el('tr', { dataset: { id: String(task.id), status: String(task.status), source: task.source } },
    el('td', {}, el('input', {
      type: 'checkbox', checked: selected.has(task.id), 'aria-label': `select task ${task.id}`,
      onchange: (e) => (e.target.checked ? selected.add(task.id) : selected.delete(task.id)),
    })),
    el('td', {}, el('a', { href: `/tasks/${task.id}` }, task.id)),
    el('td', {}, task.script_name),
    el('td', {}, task.serial),
    el('td', {}, task.username ?? ''),
    el('td', { class: `status status-${task.status}` }, task.status_text),
    el('td', {}, progress),
    el('td', {}, task.source),
    el('td', {}, task.start_time),
    el('td', { class: 'error' }, task.error ?? ''));
}

async function load() {
  let page;
  try {
    page = await api('/task?' + query());
  } catch (error) {
    render(problem(error));
    return;
  }
  const pages = Math.max(1, Math.ceil(page.total / filters.page_size));
  const turn = (to) => () => { filters.page = to; go(); };
  render(
    el('div', { class: 'toolbar' },
      filterInput('status', 'status', [['', 'any'], ...STATUS_TEXT.map((t, i) => [String(i), t])]),
      filterInput('serial', 'phone'),
      filterInput('script_name', 'script'),
      filterInput('source', 'source', [['', 'any'], ['api', 'api'], ['ui', 'ui']]),
      el('button', { onclick: () => bulk('stop') }, 'Stop selected'),
      el('button', { onclick: () => bulk('retry') }, 'Retry selected'),
      el('button', { onclick: () => bulk('delete') }, 'Delete selected')),
    notice,
    el('table', { id: 'tasks' },
      el('thead', {}, el('tr', {}, ['', 'id', 'script', 'phone', 'account', 'status', 'progress',
        'source', 'starts', 'error'].map((h) => el('th', {}, h)))),
      el('tbody', {}, page.tasks.map(row))),
    el('div', { class: 'toolbar' },
      el('button', { disabled: filters.page <= 1, onclick: turn(filters.page - 1) }, 'Previous'),
      el('span', {}, `page ${filters.page} of ${pages} · ${page.total} tasks`),
      el('button', { disabled: filters.page >= pages, onclick: turn(filters.page + 1) }, 'Next')));
}

onEvents(['task_created', 'task_started', 'task_progress', 'task_requeued', 'task_finished', 'task_deleted'],
  debounce(load, 250));
load();
