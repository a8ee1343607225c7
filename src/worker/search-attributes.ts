import type { NativeConnection } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../domain/workflow-definitions';

const { IndexedValueType } = temporal.api.enums.v1;

/** How the server indexes each type of search attribute the service defines. */
const indexedAs: Partial<Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/** Registers the delivery search attributes on the namespace where they are missing. */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.values(searchAttributes).filter((key) => !(key.name in existing.customAttributes));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedAs[key.type]!])),
    });
  } catch (err) {
    // Another worker starting at the same moment may have added them first.
    if (!/already exists/i.test((err as Error).message)) throw err;
  }
  return missing.map((key) => key.name);
}
