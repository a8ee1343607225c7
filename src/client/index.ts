// The package entry for producer services and receivers.
export { createPublisher, validatePublishRequest, EventValidationError, PublicationRefusedError } from './publisher';
export type { Publisher, PublishRequest, PublishedEvent, PublisherOptions, ValidationIssue } from './publisher';
export { eventCatalog, eventTypes, subscribableEventTypes } from '../domain/event-catalog';
export type { EventType, EventData, SubscribableEventType } from '../domain/event-catalog';
export { verifyWebhookSignature, WebhookVerificationError } from './verify-signature';
export type { VerifyOptions, VerifyFailureReason } from './verify-signature';
