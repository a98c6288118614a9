// The new-task form: pick a script, fill a form JSON Editor renders from its config schema, pick
// phones, groups or accounts, a start time and intervals; sent to `POST /ui/task`, which creates
// the tasks through the API's own code path with source `ui`.
import { api, request, el, render, problem } from './api.js';
import { forEditor, withoutEmpty } from './schema_form.js';

let editor = null;
let shownScript = 0; // which showScript call may still draw: the latest

/** JSON Editor, loaded once as the classic script it is (it defines `window.JSONEditor`). */
function loadEditor() {
  if (window.JSONEditor) return Promise.resolve(window.JSONEditor);
  return new Promise((resolve, reject) => {
    const script = el('script', { src: '/assets/vendor/json-editor-2.17.2/jsoneditor.js' });
    script.onload = () => resolve(window.JSONEditor);
    script.onerror = () => reject(new Error('cannot load the form library'));
    document.head.append(script);
  });
}

const checked = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

function choices(name, items) {
  if (items.length === 0) return el('p', { class: 'muted' }, 'none');
  return el('div', { class: 'targets' }, items.map(([value, label]) =>
    el('label', {}, el('input', { type: 'checkbox', name, value }), ' ', label)));
}

async function showScript(name, schemaBox, materials) {
  const call = ++shownScript;
  const script = await api(`/script/${encodeURIComponent(name)}`);
  const JSONEditor = await loadEditor();
  if (call !== shownScript) return;
  if (editor) editor.destroy();
  schemaBox.replaceChildren(el('p', { class: 'muted' }, script.description));
  const holder = el('div', { id: 'config-form' });
  schemaBox.append(holder);
  editor = new JSONEditor(holder, {
    schema: forEditor(script.config_schema, materials),
    theme: 'html',
    iconlib: null,
    disable_edit_json: true,
    disable_properties: true,
    disable_collapse: true,
    no_additional_properties: true,
    show_errors: 'interaction',
  });
}

async function submit(scriptName, message) {
  const body = { script_name: scriptName, script_config: withoutEmpty(editor.getValue()) };
  const [serials, groups, usernames] = [checked('serial'), checked('group'), checked('account')];
  if (serials.length) body.serials = serials;
  if (groups.length) body.groups = groups;
  if (usernames.length) body.usernames = usernames;
  const start = document.getElementById('start_time').value.trim();
  if (start) body.start_time = start;
  for (const key of ['min_interval', 'max_interval']) {
    const value = document.getElementById(key).value;
    if (value !== '') body[key] = Number(value);
  }
  try {
    const created = await request('/ui/task', { method: 'POST', body });
    message.replaceChildren(el('p', { id: 'created', role: 'status' }, `Created ${created.created_count} task(s): `,
      created.task_ids.map((id) => [el('a', { href: `/tasks/${id}` }, id), ' '])));
  } catch (error) {
    message.replaceChildren(problem(error));
  }
}

async function load() {
  let scripts, devices, groups, accounts, materials;
  try {
    [scripts, devices, groups, accounts, materials] = await Promise.all([
      api('/script'), api('/device'), api('/group'), api('/account'), api('/material'),
    ]);
  } catch (error) {
    render(problem(error));
    return;
  }
  const schemaBox = el('div');
  const message = el('div');
  const wanted = new URLSearchParams(location.search).get('script');
  const picker = el('select', { id: 'script', onchange: (e) => showScript(e.target.value, schemaBox, materials) },
    scripts.map((s) => el('option', { value: s.name, selected: s.name === wanted }, `${s.name} ${s.version}`)));
  render(
    el('h1', {}, 'New task'),
    el('fieldset', {}, el('legend', {}, 'Script'), picker, schemaBox),
    el('fieldset', {}, el('legend', {}, 'Phones'),
      choices('serial', devices.map((d) => [d.serial, `${d.serial}${d.model ? ` (${d.model})` : ''}`]))),
    el('fieldset', {}, el('legend', {}, 'Device groups'), choices('group', groups.map((g) => [g.name, g.name]))),
    el('fieldset', {}, el('legend', {}, 'Or accounts'),
      choices('account', accounts.map((a) => [a.username, `@${a.username} (${a.app} on ${a.serial})`]))),
    el('fieldset', {}, el('legend', {}, 'When'),
      el('label', {}, 'Start time ', el('input', { id: 'start_time', placeholder: 'now, HH:MM or RFC 3339' })), ' ',
      el('label', {}, 'Minutes between tasks on a phone: from ', el('input', { id: 'min_interval', type: 'number', min: 0, size: 4 })),
      el('label', {}, ' to ', el('input', { id: 'max_interval', type: 'number', min: 0, size: 4 }))),
    el('button', { id: 'create', onclick: () => submit(picker.value, message) }, 'Create tasks'),
    message);
  if (scripts.length) await showScript(picker.value, schemaBox, materials);
}

load();
