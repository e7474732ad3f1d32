/**
 * connection.ts against a fake kernel connection: how the connection finds the
 * kernel's comm, what it sends, and how it starts over (docs/protocol.md,
 * "Comms and their lifetime").
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { ReimportConnection } from '../src/connection';
import { LOAD_EXTENSION_CODE } from '../src/loader';
import { FakeKernel, settle } from './fakekernel';

const HELLO = { v: 2, type: 'hello', version: '0.1.0' };
const SNAPSHOT = {
  v: 2,
  type: 'snapshot',
  request_ids: ['r1'],
  scope: 'user',
  modules: [
    {
      name: 'a',
      state: 'stale',
      path: 'a.py',
      user: true,
      importers: 0,
      imported_by: [],
      reason: null,
      reload_blocked: null,
      last_reload: null
    }
  ]
};

describe('ReimportConnection', () => {
  let kernel: FakeKernel;
  let page: EventTarget;
  let connection: ReimportConnection;

  let warnings: ReturnType<typeof mock.method>;

  beforeEach(() => {
    // What the connection logs is checked where it matters, not printed.
    warnings = mock.method(console, 'warn', () => undefined);
    mock.timers.enable({ apis: ['setInterval'] });
    kernel = new FakeKernel();
    page = new EventTarget();
    connection = new ReimportConnection(kernel.asKernel, page);
  });

  afterEach(() => {
    connection.dispose();
    mock.timers.reset();
    mock.restoreAll();
  });

  /** Start, and answer the comm_info question. */
  async function connect(listed = true): Promise<void> {
    connection.start();
    kernel.answerCommInfo(listed);
    await settle();
  }

  it('asks nothing before the panel shows the kernel', () => {
    assert.equal(kernel.commInfoAsked, 0);
    assert.equal(connection.state.kind, 'waiting');
    assert.equal(connection.model.connection, 'connecting');
    assert.ok(
      kernel.targets.has('ipy_reimport'),
      'the comm target is registered at once'
    );
  });

  it('says "not loaded" when the kernel lists no comm of the target', async () => {
    await connect(false);
    assert.equal(connection.state.kind, 'absent');
    assert.equal(connection.model.connection, 'no-extension');
    assert.equal(
      kernel.comms.length,
      0,
      'no comm_open to a kernel without the target'
    );
  });

  it('opens its own comm and subscribes when the kernel lists one', async () => {
    await connect(true);
    const comm = kernel.lastComm;
    assert.deepEqual(comm.opened, [{}]);
    assert.deepEqual(comm.sentTypes, ['subscribe']);
    assert.equal(connection.state.kind, 'connected');
    assert.equal(connection.model.connection, 'connected');

    comm.receive({ ...SNAPSHOT, request_ids: [comm.sent[0].id] });
    assert.equal(connection.model.rows.get('a')?.state, 'stale');
    assert.equal(connection.model.pending.size, 0);
  });

  it('waits until the kernel can answer before it asks', async () => {
    kernel.connectionStatus = 'connecting';
    connection.start();
    assert.equal(kernel.commInfoAsked, 0);
    kernel.setConnectionStatus('connected');
    assert.equal(kernel.commInfoAsked, 1);
    assert.equal(connection.state.kind, 'asking');
  });

  it("connects on the kernel's announcement, before it is shown", () => {
    kernel.announce(HELLO);
    assert.equal(connection.state.kind, 'connected');
    assert.deepEqual(kernel.lastComm.sentTypes, ['subscribe']);
  });

  it('drops a comm_info answer that comes after an announcement connected it', async () => {
    connection.start();
    kernel.announce(HELLO);
    kernel.answerCommInfo(true);
    await settle();
    assert.equal(kernel.comms.length, 1, 'one comm, not two');
  });

  it('says so when the kernel speaks another protocol version', () => {
    kernel.announce({ ...HELLO, v: 3 });
    assert.equal(connection.state.kind, 'other-version');
    assert.equal(connection.model.connection, 'other-version');
    assert.equal(kernel.comms.length, 0);
  });

  it('starts over after a kernel restart and asks the new process', async () => {
    await connect(true);
    const first = kernel.lastComm;
    first.receive(SNAPSHOT);
    kernel.setStatus('restarting');
    assert.equal(first.isDisposed, true);
    assert.equal(connection.model.rows.size, 0);
    assert.equal(connection.model.connection, 'connecting');
    assert.equal(kernel.commInfoAsked, 1, 'not while restarting');
    kernel.setStatus('idle');
    kernel.answerCommInfo(false);
    await settle();
    assert.equal(connection.model.connection, 'no-extension');
  });

  it('keeps the comm of a lost socket until a new one is open, then closes it', async () => {
    await connect(true);
    const old = kernel.lastComm;
    kernel.setConnectionStatus('disconnected');
    assert.equal(old.isDisposed, false);
    assert.equal(connection.state.kind, 'waiting');
    kernel.setConnectionStatus('connected');
    kernel.answerCommInfo(true);
    await settle();
    assert.equal(old.closed.length, 1);
    assert.notEqual(kernel.lastComm, old);
    assert.equal(connection.state.kind, 'connected');
  });

  it('connects again when the kernel lets its lease expire', async () => {
    await connect(true);
    kernel.lastComm.closeFromKernel({
      v: 2,
      type: 'goodbye',
      reason: 'expired'
    });
    assert.equal(connection.state.kind, 'asking');
    kernel.answerCommInfo(true);
    await settle();
    assert.equal(kernel.comms.length, 2);
    assert.equal(connection.model.connection, 'connected');
  });

  it('says "not loaded" when the kernel unloads the extension', async () => {
    await connect(true);
    kernel.lastComm.receive(SNAPSHOT);
    kernel.lastComm.closeFromKernel({
      v: 2,
      type: 'goodbye',
      reason: 'unloaded'
    });
    assert.equal(connection.state.kind, 'absent');
    assert.equal(connection.model.rows.size, 0);
  });

  it('says goodbye when the page goes away', async () => {
    await connect(true);
    page.dispatchEvent(new Event('pagehide'));
    assert.deepEqual(kernel.lastComm.closed, [
      { v: 2, type: 'goodbye', reason: 'page closed' }
    ]);
    page.dispatchEvent(new Event('beforeunload'));
    assert.equal(kernel.lastComm.closed.length, 1, 'once');
  });

  it('pings every 30 s while connected, and not after', async () => {
    await connect(true);
    const comm = kernel.lastComm;
    mock.timers.tick(30_000);
    mock.timers.tick(30_000);
    assert.deepEqual(comm.sentTypes, ['subscribe', 'ping', 'ping']);
    assert.equal(
      connection.model.pending.size,
      1,
      'pings are not shown as pending'
    );
    comm.closeFromKernel({ v: 2, type: 'goodbye', reason: 'unloaded' });
    mock.timers.tick(60_000);
    assert.equal(comm.sent.length, 3);
  });

  it('pings only its current comm after connecting again', async () => {
    await connect(true);
    kernel.lastComm.closeFromKernel({
      v: 2,
      type: 'goodbye',
      reason: 'expired'
    });
    kernel.answerCommInfo(true);
    await settle();
    mock.timers.tick(30_000);
    assert.deepEqual(kernel.lastComm.sentTypes, ['subscribe', 'ping']);
  });

  it('shows a reload sent during a cell as queued', async () => {
    await connect(true);
    kernel.status = 'busy';
    assert.equal(connection.reload(['a']), true);
    assert.equal(connection.model.rowPending('a'), 'queued');
    kernel.status = 'idle';
    connection.reloadStale();
    const sent = kernel.lastComm.sent;
    assert.deepEqual(sent[1], {
      v: 2,
      type: 'reload',
      id: 'r2',
      modules: ['a']
    });
    assert.deepEqual(
      connection.model.pending.get(sent[2].id)?.status,
      'running'
    );
  });

  it('sends nothing without a comm, and starts over when a send fails', async () => {
    assert.equal(connection.rescan(), false);
    await connect(true);
    kernel.lastComm.failSend = true;
    assert.equal(connection.setScope('all'), false);
    assert.equal(connection.state.kind, 'asking');
    assert.match(String(warnings.mock.calls[0].arguments[0]), /could not send/);
  });

  it('loads the extension silently and asks again, still showing "not loaded"', async () => {
    await connect(false);
    await connection.loadExtension();
    assert.deepEqual(kernel.executed, [
      { code: LOAD_EXTENSION_CODE, silent: true, store_history: false }
    ]);
    assert.equal(connection.state.kind, 'asking');
    assert.equal(connection.model.connection, 'no-extension');
    kernel.answerCommInfo(true);
    await settle();
    assert.equal(connection.model.connection, 'connected');
  });

  it('keeps the error of a failed load and offers it only to Python kernels', async () => {
    await connect(false);
    kernel.executeReply = {
      status: 'error',
      ename: 'ModuleNotFoundError',
      evalue: "No module named 'ipy_reimport'"
    };
    await connection.loadExtension();
    assert.equal(
      connection.loadState.error,
      "ModuleNotFoundError: No module named 'ipy_reimport'"
    );
    assert.equal(connection.state.kind, 'absent');
    assert.equal(connection.loadState.canLoad, true);

    const r = new FakeKernel('kernel-2');
    r.language = 'R';
    const other = new ReimportConnection(r.asKernel, page);
    await settle();
    assert.equal(other.loadState.canLoad, false);
    other.dispose();
    r.dispose();
  });

  it('keeps the comm target on every object of the kernel, and goes when the last one goes', async () => {
    const console = new FakeKernel();
    connection.attach(console.asKernel);
    assert.ok(console.targets.has('ipy_reimport'));
    let disposed = 0;
    connection.disposed.connect(() => (disposed += 1));
    await connect(true);
    kernel.dispose();
    // Its comm was opened on the object that went: ask again through the other one.
    assert.equal(connection.state.kind, 'asking');
    assert.equal(console.commInfoAsked, 1);
    assert.equal(disposed, 0);
    console.dispose();
    assert.equal(disposed, 1);
    assert.equal(connection.isDisposed, true);
  });

  it('unregisters its comm targets when disposed', () => {
    connection.dispose();
    assert.equal(kernel.targets.has('ipy_reimport'), false);
    assert.equal(connection.state.kind, 'disposed');
  });
});
