import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { waitFor } from '../helpers/wait';
import { entrypointCommand, type Entrypoint } from '../helpers/entrypoint-command';

export interface ServiceProcess {
  /** The process's exit code, or its signal, once it has exited. */
  exited: Promise<string>;
  /** SIGKILL: no shutdown at all, as in a crash or an OOM kill. */
  kill(): Promise<string>;
  /** SIGTERM: the graceful stop. */
  stop(): Promise<string>;
}

/** Starts a production entrypoint, compiled, as its npm script starts it, with `env`, its output appended to `logFile`; waits until `readyUrl` answers 200. */
export async function startServiceProcess(entrypoint: Entrypoint, env: NodeJS.ProcessEnv, logFile: string, readyUrl: string): Promise<ServiceProcess> {
  const command = entrypointCommand(entrypoint);
  const child = spawn(process.execPath, [...command.nodeFlags, command.script], { env: { ...process.env, ...command.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  const running = signalled(child, exited);
  try {
    await waitFor(`${entrypoint} at ${readyUrl} (log: ${logFile})`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${entrypoint} exited (log: ${logFile})`);
      return (await fetch(readyUrl)).status === 200 ? true : undefined;
    }, 60_000);
  } catch (err) {
    await running.kill();
    throw err;
  }
  return running;
}

function signalled(child: ChildProcess, exited: Promise<string>): ServiceProcess {
  const send = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return { exited, kill: () => send('SIGKILL'), stop: () => send('SIGTERM') };
}
