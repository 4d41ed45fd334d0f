/**
 * The upload's intake: feeds a byte source to the splitter chunk by chunk, with back-pressure while
 * parts are at their bound, and stops at once when the upload's signal aborts.
 */
import { Readable } from 'node:stream';

/**
 * The source, ended early when the signal aborts: a caller whose body stalls (or a server that shuts
 * down mid-upload) must not keep the upload waiting for bytes that may never come.
 */
async function* abortable(source: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<IteratorResult<Uint8Array>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Ends the source (a request body is destroyed); not awaited, as a stalled source may never settle.
    void iterator.return?.()?.catch(() => undefined);
  }
}

const ignore = () => undefined;

/**
 * Feeds every chunk of `source` to `onChunk` until the source ends, the signal aborts (resolves
 * early, even while the source stalls) or onChunk throws (rejects). onChunk answers a
 * promise when the caller must wait before the next chunk (parts in flight at their bound). A Node
 * stream is read by its 'data' events, paused while waiting: async iteration costs several promises
 * per chunk, and a request body comes in chunks of 64 KB at most (about 1,700 per 100 MB).
 */
export async function pump(
  source: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  onChunk: (chunk: Uint8Array) => Promise<void> | undefined,
): Promise<void> {
  if (!(source instanceof Readable)) {
    for await (const chunk of abortable(source, signal)) {
      const wait = onChunk(chunk);
      if (wait) await wait;
      if (signal.aborted) return;
    }
    return;
  }
  const stream = source;
  if (stream.readableEnded) return;
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', finish);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    // Stopping early leaves the stream paused, not destroyed: its owner still answers on the same
    // connection (a request body is drained by the HTTP route), and a later error is its to report.
    const stop = (error?: unknown) => {
      if (done) return;
      finish(error);
      stream.pause();
      stream.on('error', ignore);
    };
    const onData = (chunk: Uint8Array) => {
      let wait: Promise<void> | undefined;
      try {
        wait = onChunk(chunk);
      } catch (error) {
        stop(error);
        return;
      }
      if (!wait) return;
      stream.pause();
      wait.then(
        () => {
          if (!done) stream.resume();
        },
        (error: unknown) => stop(error),
      );
    };
    const onEnd = () => finish();
    const onClose = () => finish(stream.readableEnded ? undefined : new Error('the body was cut short'));
    const onAbort = () => stop();
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('error', finish);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('data', onData);
  });
}
