import type { MessagePort } from 'node:worker_threads';
import type { PGlite, Results } from '@electric-sql/pglite';

/*
 * The embedded PGlite served to other threads (`npm start`: the worker's and the API's), each as a
 * session on a MessagePort of its own. PGlite is one PostgreSQL backend, so its sessions take
 * turns: one statement at a time, and while a session's transaction is open, only its statements
 * (another's would run inside that transaction, and be rolled back with it). Each session's knex
 * sends one statement at a time (knex-pglite's pool of one), and the sessions' statements run in
 * the order they came: the API's statement waits for at most the worker's one, not for all the
 * statements the worker has queued in its own pool.
 */

type Request = { id: number } & ({ sql: string; params?: unknown[] } | { listen: string } | { unlisten: string });
type Reply = { id: number; result?: unknown } | { id: number; error: Record<string, unknown> } | { notification: string; payload: string };

interface Session {
  port: MessagePort;
  /** Its thread has closed its port: nothing more will come from it. */
  gone: boolean;
  /** Its channels' unlisten functions (from PGlite's listen). */
  unlisten: Map<string, () => Promise<void>>;
}

interface Job {
  session: Session;
  run(): Promise<void>;
}

/** A DatabaseError's fields (code, detail, constraint...) survive the crossing; its class does not. */
function serializableError(err: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = { message: err instanceof Error ? err.message : String(err) };
  for (const [key, value] of Object.entries(err instanceof Object ? err : {})) {
    if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return fields;
}

/** Serves `pglite` to sessions attached with `attach`, on the thread that holds it. */
export function servePgliteSessions(pglite: PGlite) {
  const jobs: Job[] = [];
  let holder: Session | undefined; // the session whose transaction is open
  let running: Promise<void> | undefined;
  let closed = false;

  // The first job that came, or the holder's first while its transaction is open.
  const nextJob = (): Job | undefined => {
    const index = holder ? jobs.findIndex((job) => job.session === holder) : 0;
    return index < 0 ? undefined : jobs.splice(index, 1)[0];
  };

  const runJobs = async () => {
    await undefined; // so that `running` holds this run before it can end
    for (let job = nextJob(); job; job = nextJob()) {
      await job.run();
      holder = !closed && pglite.isInTransaction() ? job.session : undefined;
      // Gone while its statement ran, its transaction open: it would hold everyone else forever.
      if (holder?.gone) await rollBack();
    }
    running = undefined;
  };

  const rollBack = async () => {
    await pglite.query('ROLLBACK');
    holder = undefined;
  };

  /** Runs `work` in its turn, and answers request `id` (when there is one) with its result or error. */
  const enqueue = (session: Session, work: () => Promise<unknown>, id?: number) => {
    const run = async () => {
      const reply: Reply = await (closed ? Promise.reject(new Error('the embedded database is closed')) : work()).then(
        (result) => ({ id: id!, result }),
        (err: unknown) => ({ id: id!, error: serializableError(err) }),
      );
      if (id !== undefined) session.port.postMessage(reply);
    };
    jobs.push({ session, run });
    running ??= runJobs();
  };

  const handle = (session: Session, request: Request) => {
    if ('sql' in request) {
      const query = async () => {
        const { rows, fields, affectedRows } = await pglite.query(request.sql, request.params);
        return { rows, fields, affectedRows };
      };
      enqueue(session, query, request.id);
    } else if ('listen' in request) {
      const channel = request.listen;
      const forward = (payload: string) => session.port.postMessage({ notification: channel, payload } satisfies Reply);
      const listen = async () => void session.unlisten.set(channel, await pglite.listen(channel, forward));
      enqueue(session, listen, request.id);
    } else {
      const unlisten = session.unlisten.get(request.unlisten);
      session.unlisten.delete(request.unlisten);
      enqueue(session, async () => unlisten?.(), request.id);
    }
  };

  /**
   * A session ended by its thread: what it had waiting is dropped (no one waits for the answers),
   * its open transaction rolled back and its channels unlistened.
   */
  const detach = (session: Session) => {
    session.gone = true;
    for (let i = jobs.length - 1; i >= 0; i--) if (jobs[i].session === session) jobs.splice(i, 1);
    if (holder === session && !running) enqueue(session, rollBack);
    for (const unlisten of session.unlisten.values()) enqueue(session, unlisten);
  };

  return {
    attach(port: MessagePort) {
      const session: Session = { port, gone: false, unlisten: new Map() };
      port.on('message', (request: Request) => handle(session, request));
      port.once('close', () => detach(session));
    },
    /** Closes PGlite once what is running has run; what comes after is answered with an error. */
    async close() {
      closed = true;
      while (running) await running;
      await pglite.close();
    },
  };
}

/** The subset of PGlite's interface that knex-pglite and the start listener use, over a session's port. */
export interface RemotePglite {
  waitReady: Promise<void>;
  query(sql: string, params?: unknown[]): Promise<Results>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** A session of a PGlite served by another thread (servePgliteSessions), from its port. */
export function remotePglite(port: MessagePort): RemotePglite {
  let lastId = 0;
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
  const listeners = new Map<string, (payload: string) => void>();

  port.on('message', (reply: Reply) => {
    if ('notification' in reply) return listeners.get(reply.notification)?.(reply.payload);
    const waiter = pending.get(reply.id);
    pending.delete(reply.id);
    if ('error' in reply) waiter?.reject(Object.assign(new Error(String(reply.error.message)), reply.error));
    else waiter?.resolve(reply.result);
  });
  const closedError = () => new Error('the embedded database is closed');
  let closed = false;
  port.once('close', () => {
    closed = true;
    for (const waiter of pending.values()) waiter.reject(closedError());
    pending.clear();
  });

  const request = <T>(body: Omit<Request, 'id'>) =>
    new Promise<T>((resolve, reject) => {
      if (closed) return reject(closedError());
      const id = ++lastId;
      pending.set(id, { resolve: resolve as (result: unknown) => void, reject });
      port.postMessage({ id, ...body });
    });

  return {
    waitReady: Promise.resolve(),
    query: (sql, params) => request<Results>({ sql, params }),
    async listen(channel, callback) {
      listeners.set(channel, callback);
      await request({ listen: channel });
      return async () => {
        listeners.delete(channel);
        await request({ unlisten: channel });
      };
    },
    async close() {
      port.close();
    },
  };
}
