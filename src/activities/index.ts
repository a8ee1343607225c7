import { createDeliveryActivities, type DeliveryActivityDeps } from './delivery';
import { createHealthActivities, type HealthActivityDeps } from './health';

export type ActivityDeps = DeliveryActivityDeps & HealthActivityDeps;

/** Every activity the worker registers; dependencies come in so tests can pass their own. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createDeliveryActivities(deps),
    ...createHealthActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
