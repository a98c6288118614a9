// A script's config schema (JSON Schema 2020-12, as `GET /api/v1/script/{name}` serves it) in the
// form JSON Editor renders: local `$ref`s inlined, `oneOf`/`anyOf` of consts as enums with titles,
// optional (`null`-or-T) fields as T, `if`/`then` conditionals as fields shown only when another
// field has a value, and host-file fields as a choice from the material library. The host still
// validates the whole config against the original schema when the form is sent.

/** The schema JSON Editor is given for `schema`; `materials` are the library's entries. */
export function forEditor(schema, materials) {
  const defs = schema.$defs ?? schema.definitions ?? {};
  const walk = (node, depth) => {
    if (Array.isArray(node)) return node.map((n) => walk(n, depth));
    if (node === null || typeof node !== 'object') return node;
    let out = { ...node };
    const ref = typeof out.$ref === 'string' && out.$ref.match(/^#\/(?:\$defs|definitions)\/(.+)$/);
    if (ref && depth < 16) {
      const { $ref, ...rest } = out;
      out = { ...walk(defs[ref[1]] ?? {}, depth + 1), ...rest };
    }
    for (const key of ['oneOf', 'anyOf']) {
      const branches = out[key];
      if (!Array.isArray(branches)) continue;
      const real = branches.filter((b) => b.type !== 'null');
      if (real.length > 0 && real.every((b) => 'const' in b)) {
        delete out[key];
        out.enum = real.map((b) => b.const);
        out.type = out.type ?? real[0].type ?? 'string';
        out.options = { ...(out.options ?? {}), enum_titles: real.map((b) => b.description ?? String(b.const)) };
      } else if (real.length === 1 && branches.length === 2) {
        delete out[key];
        out = { ...walk(real[0], depth + 1), ...out };
      }
    }
    if (Array.isArray(out.type)) {
      const real = out.type.filter((t) => t !== 'null');
      out.type = real.length === 1 ? real[0] : real;
    }
    if (out['x-host-path'] === 'file' && out.type === 'string') {
      out.enum = ['', ...materials.map((m) => m.path)];
      out.options = { ...(out.options ?? {}), enum_titles: ['(none)', ...materials.map((m) => `${m.original_name} (${m.kind})`)] };
    }
    for (const [key, value] of Object.entries(out)) {
      if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples') out[key] = walk(value, depth);
    }
    return out;
  };
  const { $defs, definitions, $schema, $id, allOf, ...rest } = walk(schema, 0);
  for (const rule of allOf ?? []) conditional(rest, rule);
  return rest;
}

/** `{if: {properties: {X: {const: V}}}, then: {properties: {Y: …}}}` as "show Y when X is V". */
function conditional(schema, rule) {
  const when = {};
  for (const [name, test] of Object.entries(rule.if?.properties ?? {})) {
    if ('const' in test) when[name] = test.const;
  }
  if (Object.keys(when).length === 0) return;
  for (const name of Object.keys(rule.then?.properties ?? {})) {
    const field = schema.properties?.[name];
    if (field) field.options = { ...(field.options ?? {}), dependencies: when };
  }
}

/** The editor's value with what the user left empty taken out, so the schema's defaults apply. */
export function withoutEmpty(value) {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === '' || v === null || v === undefined) continue;
    out[key] = withoutEmpty(v);
  }
  return out;
}
