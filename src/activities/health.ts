import type { Config } from '../config';
import type { Repositories } from '../db';

export interface HealthActivityDeps {
  repos: Repositories;
  config: Pick<Config, 'disableAfterFailures'>;
}

export function createHealthActivities({ repos, config }: HealthActivityDeps) {
  return {
    async healthSettings(): Promise<{ disableAfterFailures: number }> {
      return { disableAfterFailures: config.disableAfterFailures };
    },

    /** Saves the failure count, disabling the webhook when asked; says whether it still exists. */
    async saveHealth(input: { webhookId: string; consecutiveFailures: number; disable: boolean }): Promise<{ exists: boolean; disabled: boolean }> {
      return repos.webhooks.saveHealth(input.webhookId, input.consecutiveFailures, input.disable);
    },

    async enableWebhook(webhookId: string): Promise<boolean> {
      return repos.webhooks.enable(webhookId);
    },
  };
}
