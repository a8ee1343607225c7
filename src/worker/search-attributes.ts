import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { searchAttributes } from '../domain/workflow-definitions';

const keyword = temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

/** Registers the delivery search attributes on the namespace where they are missing. */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(searchAttributes)
    .map((key) => key.name)
    .filter((name) => !(name in existing.customAttributes));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
    });
  } catch (err) {
    // Another worker starting at the same moment may have added them first.
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
  return missing;
}
