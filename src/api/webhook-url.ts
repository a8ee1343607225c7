import { z } from 'zod';
import { isLiteralPrivateHost } from '../domain/target-check';
import { storableText } from './validate';

export interface WebhookUrlRules {
  allowInsecureUrls: boolean;
  allowPrivateTargets: boolean;
}

/** SPEC.md "Validation": absolute https URL (http only if allowed), ≤ 2048 chars, no credentials. */
export function webhookUrlSchema(rules: WebhookUrlRules) {
  const protocols = rules.allowInsecureUrls ? ['https:', 'http:'] : ['https:'];
  return storableText(z.string().max(2048, 'must be at most 2048 characters'))
    .superRefine((value, ctx) => {
      const problem = urlProblem(value, protocols, rules.allowPrivateTargets);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

function urlProblem(value: string, protocols: string[], allowPrivateTargets: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (!protocols.includes(url.protocol)) {
    return protocols.length === 1 ? 'must use https' : 'must use https or http';
  }
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!url.hostname) return 'must have a host';
  if (!allowPrivateTargets && isLiteralPrivateHost(url.hostname)) {
    return 'must not point to localhost or a private, loopback or otherwise non-public address';
  }
  return undefined;
}
