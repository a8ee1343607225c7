import type { Logger } from 'pino';
import { coalescedRuns } from '../domain/coalesced-runs';

/** Where deliveries left to the workers are announced (the delivery repository's announceAwaitingStart). */
export interface AwaitingStartAnnouncer {
  announceAwaitingStart(): Promise<void>;
}

/**
 * Announces deliveries left to the workers, at most one statement at a time: publications answered
 * while one is on its way are announced by one more right after it (a listening worker claims
 * everything awaiting its start on each, so one covers them all). One that fails is logged; the
 * workers' sweep starts those deliveries a few seconds later.
 */
export function coalescedAnnouncements(to: AwaitingStartAnnouncer, logger: Logger): () => void {
  const announce = () =>
    to.announceAwaitingStart().catch((err: unknown) => logger.warn({ err }, 'deliveries not announced to the workers; their sweep will start them'));
  return coalescedRuns(announce).request;
}
