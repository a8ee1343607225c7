import { PassThrough } from 'node:stream';
import { createLogger } from '../src/logger';

/** The lines a logger wrote to its destination. */
function capture(pretty: boolean) {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { logger: createLogger('info', { pretty, destination: out }), lines: () => chunks.join('').split('\n').filter(Boolean) };
}

describe('createLogger', () => {
  it('writes JSON lines for machines', () => {
    const { logger, lines } = capture(false);
    logger.info({ deliveryId: 'dlv_1', attempt: 2 }, 'delivery attempt failed');
    expect(JSON.parse(lines()[0])).toMatchObject({ level: 30, service: 'webhooks', deliveryId: 'dlv_1', attempt: 2, msg: 'delivery attempt failed' });
  });

  it('writes one readable line per entry for a person at a terminal', () => {
    const { logger, lines } = capture(true);
    logger.info({ deliveryId: 'dlv_1', attempt: 2 }, 'delivery attempt failed');
    logger.debug('not at info');
    expect(lines()).toHaveLength(1);
    expect(lines()[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: delivery attempt failed \{"deliveryId":"dlv_1","attempt":2\}$/);
  });
});
