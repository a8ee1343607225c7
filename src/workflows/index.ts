// Every workflow the worker runs; the worker bundles this file.
export { publishEvent } from './publish-event';
export { publishEvents } from './publish-events';
export { deliverEvent } from './deliver-event';
export { webhookHealth } from './webhook-health';
