// One task: its state, config, progress, live log, result, and a failed task's evidence (the
// phone's last screenshot inline, the UI dump and command log to download).
import { api, onEvents, debounce, el, render, problem } from './api.js';

const id = Number(location.pathname.split('/').pop());

const json = (value) => el('pre', {}, JSON.stringify(value, null, 2));

function field(name, value) {
  return value === null || value === undefined || value === '' ? null
    : el('tr', {}, el('th', {}, name), el('td', {}, value));
}

async function load() {
  let task, logs, artifacts;
  try {
    [task, logs, artifacts] = await Promise.all([
      api(`/task/${id}`),
      api(`/task/${id}/logs?page_size=500`),
      api(`/task/${id}/artifacts`),
    ]);
  } catch (error) {
    render(el('h1', {}, `Task ${id}`), problem(error));
    return;
  }
  document.title = `Task ${id} · phonefleet`;
  const screen = artifacts.find((a) => a.name.endsWith('.png'));
  render(
    el('h1', {}, `Task ${id} `, el('span', { class: `status status-${task.status}`, id: 'status' }, task.status_text)),
    el('div', { class: 'toolbar' },
      task.status <= 1 && el('button', { onclick: () => act('stop') }, 'Stop'),
      task.status === 3 && el('button', { onclick: () => act('retry') }, 'Retry')),
    el('section', {}, el('table', {},
      field('script', `${task.script_name}`),
      field('phone', task.serial),
      field('account', task.username),
      field('app', task.app),
      field('source', task.source),
      field('starts', task.start_time),
      field('started', task.started_at),
      field('finished', task.finished_at),
      field('retries', task.retry_count),
      field('progress', task.progress && el('span', {},
        el('progress', { max: 100, value: task.progress.percent }), ` ${task.progress.percent}% ${task.progress.message ?? ''}`)),
      field('error', task.error && el('span', { class: 'error' }, `${task.error}${task.error_kind ? ` (${task.error_kind})` : ''}`)))),
    screen && el('section', { id: 'evidence' }, el('h2', {}, 'The phone when it failed'),
      el('img', { src: screen.url, class: 'artifact-screen', alt: 'the phone\'s last screenshot' })),
    artifacts.length > 0 && el('section', {}, el('h2', {}, 'Evidence'),
      el('ul', {}, artifacts.map((a) => el('li', {}, el('a', { href: a.url, download: a.name }, a.name), ` (${a.size} bytes)`)))),
    task.result !== null && el('section', {}, el('h2', {}, 'Result'), json(task.result)),
    el('section', {}, el('h2', {}, 'Config'), json(task.script_config)),
    el('section', {}, el('h2', {}, `Log (${logs.total} lines)`),
      el('pre', { id: 'log' }, logs.lines.map((l) => `${l.at} ${l.level.padEnd(5)} ${l.message}\n`).join(''))));
  // A running script may log without reporting progress: its log is read again while it runs.
  clearTimeout(following);
  if (task.status === 1) following = setTimeout(load, 2000);
}

let following = null;

async function act(action) {
  try {
    await api(`/task/${id}/${action}`, { method: 'POST' });
  } catch (error) {
    document.getElementById('page').prepend(problem(error));
    return;
  }
  load();
}

const reload = debounce(load, 250);
onEvents(['task_started', 'task_progress', 'task_requeued', 'task_finished', 'task_deleted'], (kind, data) => {
  if (data.id === id || data.task_ids?.includes(id)) reload();
});
load();
