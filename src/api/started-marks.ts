import type { Logger } from 'pino';
import type { StartedMarks } from '../client/delivery-workflows';

/** How long marks collect before one statement writes them all. */
const everyMs = 1_000;
/** Written at once when this many are waiting (one statement's list of ids stays short). */
const atMost = 1_000;

/**
 * Marks deliveries started in batches: one statement a second for all the deliveries this process
 * started meanwhile, instead of one per publication. Unmarked, a delivery whose first record comes
 * more than the sweep's 30 s after its publication (a long burst) is started again by the sweep and
 * refused by Temporal: a start the server need not make. A mark lost (a crash, the database away)
 * costs just that.
 */
export function batchedStartedMarks(marks: StartedMarks, logger: Logger): StartedMarks {
  let waiting: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const write = () => {
    clearTimeout(timer);
    timer = undefined;
    const ids = waiting;
    waiting = [];
    marks.markStarted(ids).catch((err: unknown) => logger.warn({ err, deliveries: ids.length }, 'deliveries not marked started; the sweep will find them started'));
  };
  return {
    async markStarted(ids) {
      waiting.push(...ids);
      if (waiting.length >= atMost) write();
      else timer ??= setTimeout(write, everyMs).unref();
    },
  };
}
