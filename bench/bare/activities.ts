import { Agent, request } from 'undici';

/** The bare delivery's one activity: a POST, failing (so Temporal retries it) unless 2xx. */
export function createBareActivities(agent: Agent) {
  return {
    async post(url: string, body: string): Promise<void> {
      const res = await request(url, { dispatcher: agent, method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.body.dump();
      if (res.statusCode < 200 || res.statusCode >= 300) throw new Error(`HTTP ${res.statusCode}`);
    },
  };
}

export type BareActivities = ReturnType<typeof createBareActivities>;
