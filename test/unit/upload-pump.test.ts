import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { pump } from '../../src/upload/pump.ts';

const bytes = (text: string) => Buffer.from(text);

describe('pump (upload intake)', () => {
  it('feeds a stream chunk by chunk, paused while the consumer waits', async () => {
    const stream = new PassThrough();
    const seen: string[] = [];
    const pausedWhileWaiting: boolean[] = [];
    let release: (() => void) | undefined;
    const done = pump(stream, new AbortController().signal, (chunk) => {
      seen.push(Buffer.from(chunk).toString());
      if (seen.length !== 1) return undefined;
      return new Promise<void>((resolve) => {
        release = () => {
          pausedWhileWaiting.push(stream.isPaused());
          resolve();
        };
      });
    });
    stream.write(bytes('a'));
    stream.write(bytes('b'));
    stream.end(bytes('c'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a']);
    release!();
    await done;
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(pausedWhileWaiting).toEqual([true]);
  });

  it('resolves on abort even while the stream stalls, leaving it undestroyed for its owner', async () => {
    const stream = new PassThrough();
    const controller = new AbortController();
    const seen: string[] = [];
    const done = pump(stream, controller.signal, (chunk) => {
      seen.push(Buffer.from(chunk).toString());
      return undefined;
    });
    stream.write(bytes('a'));
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await done;
    expect(seen).toEqual(['a']);
    expect(stream.destroyed).toBe(false);
  });

  it('rejects with what the consumer threw, and with a stream error', async () => {
    const bad = Readable.from([bytes('a'), bytes('b')]);
    await expect(
      pump(bad, new AbortController().signal, () => {
        throw new Error('bad row');
      }),
    ).rejects.toThrow('bad row');
    const failing = new PassThrough();
    const done = pump(failing, new AbortController().signal, () => undefined);
    failing.destroy(new Error('connection reset'));
    await expect(done).rejects.toThrow('connection reset');
  });

  it('reads any other async iterable the same way', async () => {
    async function* source() {
      yield bytes('x');
      yield bytes('y');
    }
    const seen: string[] = [];
    await pump(source(), new AbortController().signal, (chunk) => {
      seen.push(Buffer.from(chunk).toString());
      return Promise.resolve();
    });
    expect(seen).toEqual(['x', 'y']);
  });
});
