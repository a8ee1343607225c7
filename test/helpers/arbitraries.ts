import fc from 'fast-check';
import { z } from 'zod';

// fast-check arbitraries for fuzzing the API: values drawn from a route's own zod schema (through
// its JSON Schema), and the ways a request can go wrong.

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  format?: string;
  pattern?: string;
}

/** Values that fit a JSON Schema, mostly; refinements the schema cannot express (a private URL) may still be refused. */
function fromJsonSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map(fromJsonSchema));
  switch (Array.isArray(schema.type) ? schema.type[0] : schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record = fc.record(Object.fromEntries(Object.entries(properties).map(([key, value]) => [key, fromJsonSchema(value)])), {
        requiredKeys: schema.required ?? [],
      });
      return record;
    }
    case 'array':
      return fc.array(fromJsonSchema(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: 3 });
    case 'string':
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true, min: new Date(2000, 0), max: new Date(2100, 0) }).map((d) => d.toISOString());
      if (schema.format === 'uri') return fc.webUrl({ validSchemes: ['https'] });
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= 100);
      return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 });
    case 'number':
      return fc.double({ noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Values a zod schema (its input side) accepts, mostly. */
export const fromZod = (schema: z.ZodType) => fromJsonSchema(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);

/** Keys that reach an object's prototype when code is careless. */
export const prototypeKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__');

/** Strings that have broken services: huge, odd Unicode, control characters, injections. */
export const oddStrings = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\uD800',
    '\uDFFF\uD800',
    '\u202Eevil',
    '\uFEFF',
    'e\u0301',
    '👩‍👩‍👧‍👦'.repeat(500),
    '𝕏'.repeat(5000),
    'a'.repeat(100_000),
    "'; DROP TABLE webhooks; --",
    '../../etc/passwd',
    '%00',
    '<script>alert(1)</script>',
    '${7*7}{{7*7}}',
    'NaN',
    '-0',
    '1e309',
  ),
);

/** An array (or object) nested `depth` levels deep. */
const nested = (depth: number, object: boolean): unknown => {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = object ? { a: value } : [value];
  return value;
};
export const deeplyNested = fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([depth, object]) => nested(depth, object));

/** Any JSON value, odd strings and deep nesting included. */
export const anyValue = fc.oneof(fc.jsonValue({ maxDepth: 3 }), oddStrings, deeplyNested, fc.constantFrom(1e308, -1, 0.5, Number.MAX_SAFE_INTEGER + 2));

/** Sets `key` as an own, enumerable property, so that `__proto__` is serialised rather than becoming the prototype. */
export function withKey(object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...object };
  Object.defineProperty(copy, key, { value, enumerable: true, configurable: true, writable: true });
  return copy;
}
