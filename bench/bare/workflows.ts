import { proxyActivities } from '@temporalio/workflow';
import type { BareActivities } from './activities';

const { post } = proxyActivities<BareActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Bare Temporal, the yardstick: one workflow with one HTTP POST activity per delivery. */
export async function bareDelivery(url: string, body: string): Promise<void> {
  await post(url, body);
}
