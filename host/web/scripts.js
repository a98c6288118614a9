// The scripts the host has loaded: name, version, where each comes from, and its config schema;
// each links to the new-task form with it picked.
import { api, el, render, problem } from './api.js';

async function load() {
  let scripts;
  try {
    scripts = await api('/script');
  } catch (error) {
    render(problem(error));
    return;
  }
  render(
    el('h1', {}, 'Scripts'),
    el('table', { id: 'scripts' },
      el('thead', {}, el('tr', {}, ['script', 'version', 'from', 'what it does', ''].map((h) => el('th', {}, h)))),
      el('tbody', {}, scripts.map((s) => el('tr', { dataset: { name: s.name } },
        el('td', {}, s.name),
        el('td', {}, s.version, s.world ? el('div', { class: 'muted' }, s.world) : null),
        el('td', {}, s.origin),
        el('td', {}, s.description,
          el('details', {}, el('summary', {}, 'config schema'), el('pre', {}, JSON.stringify(s.config_schema, null, 2)))),
        el('td', {}, el('a', { href: `/new?script=${encodeURIComponent(s.name)}` }, 'new task')))))));
}

load();
