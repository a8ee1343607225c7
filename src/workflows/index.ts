// Every workflow the worker runs; the worker bundles this file.
export { publishEvent } from './publish-event';
export { deliverEvent } from './deliver-event';
export { webhookHealth } from './webhook-health';
