// The material library: upload videos and images with tags, preview them, remove them. Posts
// with `material_source: materialLibrary` pick from here by tag.
import { api, el, render, problem } from './api.js';

let notice = null;

function preview(m) {
  const src = `/api/v1/material/${m.id}/file`;
  return m.kind === 'video'
    ? el('video', { src, controls: true, preload: 'metadata', class: 'preview' })
    : el('img', { src, alt: m.original_name, class: 'preview', loading: 'lazy' });
}

async function upload(files, tags, status) {
  const form = new FormData();
  for (const file of files) form.append('file', file);
  form.append('tags', tags);
  status.textContent = `uploading ${files.length} file(s)…`;
  const res = await fetch('/api/v1/material', { method: 'POST', body: form, credentials: 'same-origin' });
  const envelope = await res.json();
  notice = envelope.code === 0 ? el('p', { role: 'status' }, `Added ${envelope.data.length} file(s).`)
    : el('p', { class: 'error', role: 'alert' }, envelope.message);
  load();
}

async function remove(id) {
  try {
    await api(`/material/${id}`, { method: 'DELETE' });
    notice = null;
  } catch (error) {
    notice = problem(error);
  }
  load();
}

async function load() {
  let materials;
  try {
    materials = await api('/material');
  } catch (error) {
    render(problem(error));
    return;
  }
  const files = el('input', { type: 'file', multiple: true, accept: 'video/*,image/*', id: 'files' });
  const tags = el('input', { placeholder: 'tags, comma-separated', id: 'tags', size: 24 });
  const status = el('span', { class: 'muted' });
  render(
    el('h1', {}, 'Materials'),
    el('fieldset', {}, el('legend', {}, 'Upload'), files, ' ', tags, ' ',
      el('button', { id: 'upload', onclick: () => files.files.length && upload(files.files, tags.value, status) }, 'upload'), ' ', status),
    notice,
    el('div', { class: 'wall', id: 'materials' }, materials.map((m) => el('div', { class: 'tile', dataset: { id: String(m.id) } },
      preview(m),
      el('div', { class: 'serial' }, m.original_name),
      el('div', { class: 'muted' }, `${m.kind} · ${(m.size / 1048576).toFixed(1)} MiB`),
      m.tags && el('div', {}, m.tags.split(',').map((t) => el('span', { class: 'badge' }, t))),
      el('div', { class: 'muted' }, m.used_at ? `last posted ${m.used_at}` : 'never posted'),
      el('button', { onclick: () => remove(m.id) }, 'remove')))));
}

load();
