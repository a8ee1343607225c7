// The /docs page: plain HTML rendered from the OpenAPI document, with a stylesheet of its own
// (served separately, so the page's Content-Security-Policy needs no inline styles).

interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
}
interface Parameter { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }
interface Media { content?: Record<string, { schema?: JsonSchema }> }
export interface OperationObject {
  servers?: { url: string }[];
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: Media & { required?: boolean };
  responses: Record<string, Media & { description: string }>;
}
export interface Doc {
  servers?: { url: string }[];
  info: { title: string; version: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema>; securitySchemes?: Record<string, { description?: string }> };
}

const esc = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Escaped text with `code` and **bold**, split into paragraphs. */
const prose = (text = '') =>
  text
    .split(/\n\n+/)
    .map((para) => `<p>${esc(para).replace(/`([^`]+)`/g, '<code>$1</code>').replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')}</p>`)
    .join('');

const refName = (ref: string) => ref.split('/').pop()!;

function typeOf(schema: JsonSchema = {}): string {
  if (schema.$ref) return `<a href="#schema-${esc(refName(schema.$ref))}">${esc(refName(schema.$ref))}</a>`;
  if (schema.enum) return schema.enum.map((v) => `<code>${esc(JSON.stringify(v))}</code>`).join(' | ');
  if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
  if (schema.properties) return `{ ${Object.entries(schema.properties).map(([name, prop]) => `${esc(name)}: ${typeOf(prop)}`).join(', ')} }`;
  const types = ([] as string[]).concat(schema.type ?? 'any');
  return types.map((t) => (t === 'array' ? `array of ${typeOf(schema.items)}` : esc(t + (schema.format ? ` (${schema.format})` : '')))).join(' | ');
}

function notes(schema: JsonSchema = {}): string {
  const rules = [
    schema.description,
    schema.default !== undefined && `default ${JSON.stringify(schema.default)}`,
    schema.minimum !== undefined && `min ${schema.minimum}`,
    schema.maximum !== undefined && `max ${schema.maximum}`,
    schema.minLength !== undefined && `min length ${schema.minLength}`,
    schema.maxLength !== undefined && `max length ${schema.maxLength}`,
    schema.minItems !== undefined && `at least ${schema.minItems}`,
    schema.pattern && `pattern ${schema.pattern}`,
  ].filter(Boolean);
  return prose(rules.join('; '));
}

function fields(schema: JsonSchema = {}): string {
  if (schema.anyOf?.every((variant) => variant.properties)) {
    return schema.anyOf.map((variant) => `<p>One of:</p>${fields(variant)}`).join('');
  }
  if (!schema.properties) return `<p>${typeOf(schema)}</p>`;
  const rows = Object.entries(schema.properties).map(
    ([name, prop]) =>
      `<tr><td><code>${esc(name)}</code>${schema.required?.includes(name) ? ' <em>required</em>' : ''}</td><td>${typeOf(prop)}</td><td>${notes(prop)}</td></tr>`,
  );
  return `<table><tr><th>field</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

function parameters(params: Parameter[] = []): string {
  if (params.length === 0) return '';
  const rows = params.map(
    (p) => `<tr><td><code>${esc(p.name)}</code>${p.required ? ' <em>required</em>' : ''}</td><td>${esc(p.in)}</td><td>${typeOf(p.schema)}</td><td>${notes({ ...p.schema, description: p.description ?? p.schema?.description })}</td></tr>`,
  );
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>type</th><th>notes</th></tr>${rows.join('')}</table>`;
}

/** The path as requested: the operation's server (or the document's) and the path. */
export const fullPath = (doc: Doc, path: string, op: OperationObject) =>
  (op.servers?.[0]?.url ?? doc.servers?.[0]?.url ?? '').replace(/\/$/, '') + path;

function operation(path: string, method: string, op: OperationObject, doc: Doc): string {
  const auth = op.security?.length
    ? Object.keys(op.security[0]).map((name) => `${esc(name)} (Bearer): ${esc(doc.components?.securitySchemes?.[name]?.description ?? '')}`).join(', ')
    : 'none';
  const body = op.requestBody?.content?.['application/json']?.schema;
  const responses = Object.entries(op.responses).map(
    ([status, r]) => `<tr><td>${esc(status)}</td><td>${prose(r.description)}</td><td>${r.content ? typeOf(r.content['application/json']?.schema) : ''}</td></tr>`,
  );
  return `<article class="op">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(fullPath(doc, path, op))}</code></h3>
${prose(op.summary)}${prose(op.description)}<p><strong>Auth:</strong> ${auth}</p>
${parameters(op.parameters)}${body ? `<h4>Request body${op.requestBody?.required ? '' : ' (optional)'}: application/json</h4>${fields(body)}` : ''}
<h4>Responses</h4><table><tr><th>status</th><th>meaning</th><th>body</th></tr>${responses.join('')}</table>
</article>`;
}

/** A self-contained HTML page of the document: operations grouped by tag, then the schemas. */
export function renderDocsPage(document: object): string {
  const doc = document as Doc;
  const ops = Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
  const sections = (doc.tags ?? []).map((tag) => {
    const inTag = ops.filter(({ op }) => op.tags?.includes(tag.name));
    return `<section id="tag-${esc(tag.name)}"><h2>${esc(tag.name)}</h2>${prose(tag.description)}${inTag.map(({ path, method, op }) => operation(path, method, op, doc)).join('\n')}</section>`;
  });
  const schemas = Object.entries(doc.components?.schemas ?? {}).map(
    ([name, schema]) => `<article id="schema-${esc(name)}"><h3>${esc(name)}</h3>${prose(schema.description)}${fields(schema)}</article>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API</title><link rel="stylesheet" href="/docs/style.css"></head>
<body><header><h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>${prose(doc.info.description)}
<p>Base URL <code>/api/v1</code>. Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>
<nav>${(doc.tags ?? []).map((t) => `<a href="#tag-${esc(t.name)}">${esc(t.name)}</a>`).join(' · ')} · <a href="#schemas">Schemas</a></nav></header>
<main>${sections.join('\n')}<section id="schemas"><h2>Schemas</h2>${schemas.join('\n')}</section></main></body></html>
`;
}

export const docsStylesheet = `body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 0 auto; padding: 1rem 2rem; color: #1d232a; }
code { font: 13px ui-monospace, monospace; background: #f1f3f5; padding: 0 3px; border-radius: 3px; }
h2 { border-bottom: 2px solid #d0d7de; margin-top: 2.5rem; } h3 code { background: none; font-size: 15px; }
.op { border: 1px solid #d0d7de; border-radius: 6px; padding: 0 1rem 1rem; margin: 1rem 0; }
.method { display: inline-block; min-width: 4.5em; text-align: center; color: #fff; border-radius: 4px; font-size: 13px; padding: 2px 6px; }
.get { background: #1f6feb; } .post { background: #1a7f37; } .patch { background: #9a6700; } .delete { background: #cf222e; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; vertical-align: top; border-top: 1px solid #e5e7eb; padding: 4px 8px; }
td p { margin: 0; } em { color: #cf222e; font-size: 12px; } nav a { margin: 0 2px; }
`;
