import { allHandlersFinished, condition, continueAsNew, proxyLocalActivities, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { publishUpdate, type PublishEventInput, type RecordedPublication } from '../domain/workflow-definitions';
import { publicationsProgress } from '../domain/workflow-metadata';
import { localCallOptions, untilDone } from './durable-retry';

const { publishForWorkers } = proxyLocalActivities<Activities>(localCallOptions);

/**
 * Publications one run takes before it continues as new, well below the server's limit of updates
 * per run (history.maxTotalUpdates, 2,000 by default); a run also continues as new once the server
 * suggests it (its history grows with each event's data).
 */
export const publicationsPerRun = 500;

export interface PublishEventsInput {
  /** Publications before continuing as new; tests make it small. */
  publicationsPerRun?: number;
}

/**
 * The publication workflow: one long-running workflow per task queue that records the events the
 * TypeScript publisher sends it, each as an update answered once the event and its deliveries are
 * recorded (the workers then start the deliveries). Concurrent publications share its workflow
 * tasks, where a workflow per event (publishEvent) costs a start, a task and a close each.
 * Refused publications (an event id used for another type, an unknown integration) fail their update.
 */
export async function publishEvents(input: PublishEventsInput = {}): Promise<never> {
  const limit = input.publicationsPerRun ?? publicationsPerRun;
  let taken = 0;
  let recorded = 0;
  const full = () => taken >= limit || workflowInfo().continueAsNewSuggested;
  setHandler(
    publishUpdate,
    async (event: PublishEventInput): Promise<RecordedPublication> => {
      taken++; // here, not in the validator: validators do not run on replay
      const publication = await untilDone('recording a publication', () => publishForWorkers(event));
      setCurrentDetails(publicationsProgress(++recorded));
      return publication;
    },
    {
      // Refused before it is accepted, so not in this run's history: the publisher sends it
      // again, to the next run.
      validator: (_event: PublishEventInput) => {
        if (full()) throw new Error('this run of the publication workflow is continuing as new');
      },
    },
  );
  await condition(full);
  await condition(allHandlersFinished);
  return continueAsNew<typeof publishEvents>(input);
}
