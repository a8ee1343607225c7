import type { Repositories } from '../db';
import type { DisabledReason } from '../db/webhooks';

export interface ActivityDeps {
  repos: Repositories;
}

/** The activities the worker registers; dependencies come in so tests can pass their own. */
export function createActivities({ repos }: ActivityDeps) {
  return {
    /** Turns a webhook off in the database; true when this call disabled it. */
    async disableWebhook(webhookId: string, reason: DisabledReason): Promise<boolean> {
      return repos.webhooks.disable(webhookId, reason);
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
