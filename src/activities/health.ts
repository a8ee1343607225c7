import type { Config } from '../config';
import type { Repositories } from '../db';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface HealthActivityDeps {
  repos: Repositories;
  config: Pick<Config, 'disableAfterFailures'>;
  metrics: Metrics;
  logger: Logger;
}

export function createHealthActivities({ repos, config, metrics, logger }: HealthActivityDeps) {
  return {
    async healthSettings(): Promise<{ disableAfterFailures: number }> {
      return { disableAfterFailures: config.disableAfterFailures };
    },

    /**
     * Saves the failure count, disabling the webhook when asked; says whether it still exists, and
     * why it is disabled (absent from histories recorded before: only the current details use it).
     */
    async saveHealth(input: {
      webhookId: string;
      consecutiveFailures: number;
      disable: boolean;
      /** Counted failure reports handled so far (absent from runs recorded before it was kept). */
      failureReportsHandled?: number;
    }): Promise<{ exists: boolean; disabled: boolean; disabledReason?: string | null }> {
      const saved = await repos.webhooks.saveHealth(input.webhookId, input.consecutiveFailures, input.disable, input.failureReportsHandled);
      if (saved.disabledNow) {
        metrics.webhooksDisabled.inc();
        logger.warn({ webhookId: input.webhookId, consecutiveFailures: input.consecutiveFailures }, 'webhook disabled after consecutive failed deliveries');
      }
      return { exists: saved.exists, disabled: saved.disabled, disabledReason: saved.disabledReason };
    },

    async enableWebhook(webhookId: string): Promise<boolean> {
      const enabled = await repos.webhooks.enable(webhookId);
      if (enabled) logger.info({ webhookId }, 'webhook re-enabled');
      return enabled;
    },
  };
}
