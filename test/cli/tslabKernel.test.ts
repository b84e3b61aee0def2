/**
 * The project's tslab kernel (scripts/tslab-kernel.cjs) queues the sends of a zeromq socket: zeromq 6 rejects a
 * second send while one waits (EBUSY), which killed the tslab kernel mid-cell on a loaded machine.
 */
import { strict as assert } from 'assert';
import { createRequire } from 'module';
import * as path from 'path';

interface ZmqSocket {
  send(message: string | string[]): Promise<void>;
  connect(address: string): void;
  bind(address: string): Promise<void>;
  receive(): Promise<Buffer[]>;
  close(): void;
  readonly lastEndpoint: string | null;
}
type SocketClass = new () => ZmqSocket;

const kernel = createRequire(__filename)(path.join(__dirname, '../../scripts/tslab-kernel.cjs')) as {
  serialiseSends(cls: SocketClass): void;
  tslabZeromq(): { Dealer: SocketClass; Router: SocketClass };
};
const zmq = kernel.tslabZeromq();

describe('tslab kernel: one zeromq send at a time', () => {
  it('zeromq alone refuses a second send while the first waits for a peer (the failure the launcher prevents)', () => {
    const dealer = new zmq.Dealer();
    try {
      const first = dealer.send('a');
      first.catch(() => undefined);
      // thrown synchronously: inside tslab's async message handler it became an unhandled rejection
      assert.throws(() => dealer.send('b'), (e: NodeJS.ErrnoException) => e.code === 'EBUSY');
    } finally {
      dealer.close();
    }
  });

  it('serialised sends wait their turn and arrive in order once a peer connects', async () => {
    class QueuedDealer extends zmq.Dealer {}
    kernel.serialiseSends(QueuedDealer);
    kernel.serialiseSends(QueuedDealer); // patching twice must not queue twice
    const dealer = new QueuedDealer();
    const router = new zmq.Router();
    try {
      const sends = ['a', 'b', 'c'].map((m) => dealer.send(m));
      // tcp, not inproc: a send waiting for a peer is not woken by an inproc connection
      await router.bind('tcp://127.0.0.1:*');
      dealer.connect(router.lastEndpoint as string);
      await Promise.all(sends);
      const received: string[] = [];
      for (let i = 0; i < 3; i++) received.push((await router.receive())[1].toString());
      assert.deepEqual(received, ['a', 'b', 'c']);
      // the base class is untouched
      assert.notEqual(QueuedDealer.prototype.send, zmq.Dealer.prototype.send);
    } finally {
      dealer.close();
      router.close();
    }
  });
});
