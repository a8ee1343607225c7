import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from './helpers/app';

/**
 * The Grafana dashboard docker-compose.yml provisions (ops/grafana/dashboards) charts only metrics
 * the service exports: every metric its queries name is on /metrics of a process running the API
 * and a worker (under `npm start` they share it; in compose, Prometheus scrapes both).
 */

const dashboard = JSON.parse(readFileSync(path.join(__dirname, '../ops/grafana/dashboards/webhook-delivery.json'), 'utf8'));

const promqlWords = new Set(['by', 'without', 'and', 'or', 'unless', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool']);

/** The metric names a PromQL expression reads: not functions, keywords, labels, ranges or strings. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without)\s*\([^)]*\)/g, '')
    .replace(/\[[^\]]*\]/g, '');
  return [...bare.matchAll(/([A-Za-z_:][\w:]*)(\s*\()?/g)]
    .filter(([, , call]) => !call)
    .map(([, word]) => word)
    .filter((word) => !promqlWords.has(word));
}

/** A histogram's series name their family with a suffix. */
const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ worker: true });
});
afterAll(() => t.close());

describe('the Grafana dashboard', () => {
  const exprs: string[] = dashboard.panels.flatMap((panel: { targets: Array<{ expr: string }> }) => panel.targets.map((target) => target.expr));

  it('has the panels operators asked for', () => {
    expect(dashboard.panels.map((panel: { title: string }) => panel.title)).toEqual([
      'Deliveries per second by outcome',
      'Attempt latency percentiles',
      'Failed attempts by error class',
      'Webhooks disabled',
      'Worker task slots',
    ]);
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(a_bucket{x="y"}[5m]))) / b')).toEqual(['a_bucket', 'b']);
  });

  it('names only metrics exported on /metrics', async () => {
    const res = await request(t.app).get('/metrics').expect(200);
    const exported = new Set([...res.text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
    const named = [...new Set(exprs.flatMap(metricNames))];
    expect(named.length).toBeGreaterThanOrEqual(5);
    expect(named.filter((name) => !exported.has(family(name)))).toEqual([]);
    // The worker's task slots carry values, not just their description.
    expect(res.text).toMatch(/^webhook_worker_task_slots_available\{worker_type="activity"\} 100$/m);
  });
});
