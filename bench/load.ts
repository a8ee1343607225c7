/**
 * The bench's load process: the receiver and every side's publishers, in a process of their own so
 * that the acknowledgements and receipts it times are not queued behind the service's or bare
 * Temporal's worker (they run in the bench's main process). Driven by bench/load-process.ts over IPC.
 */
import { startBenchReceiver } from './receiver';
import { runScenario, type ScenarioRequest, type Timings } from './scenarios';
import { createSide, type Side, type SideName, type Targets } from './sides';

export type LoadCommand = { type: 'run'; side: SideName; request: ScenarioRequest } | { type: 'close' };
export type LoadReply =
  | { type: 'ready'; url: string; failingUrl: string }
  | { type: 'done'; timings: Timings }
  | { type: 'failed'; message: string };

async function main(): Promise<void> {
  const targets = JSON.parse(process.env.BENCH_LOAD_TARGETS!) as Targets;
  const receiver = await startBenchReceiver();
  const sides = new Map<SideName, Side>();
  const send = (reply: LoadReply) => process.send!(reply);
  process.on('message', (command: LoadCommand) => {
    if (command.type === 'close') {
      void Promise.all([...sides.values()].map((side) => side.close()))
        .then(() => receiver.close())
        .finally(() => process.exit(0));
      return;
    }
    void (async () => {
      if (!sides.has(command.side)) sides.set(command.side, await createSide(command.side, targets));
      return runScenario(sides.get(command.side)!, receiver, command.request);
    })().then(
      (timings) => send({ type: 'done', timings }),
      (err: unknown) => send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
  send({ type: 'ready', url: receiver.url, failingUrl: receiver.failingUrl });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
