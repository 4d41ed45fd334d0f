/**
 * Writing a streamed answer with backpressure, for every server here (the gateway's exports and the
 * sandbox's streamed SQL and CSV answers): no dependencies, so src/sandbox may import it too.
 */
import type { ServerResponse } from 'node:http';

/**
 * Writes a piece: nothing to wait for while the socket takes it (no promise per piece on the hot
 * path), else a promise that resolves once it drained; rejects once the client is gone.
 */
export function writeOrWait(res: ServerResponse, piece: string | Uint8Array): void | Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('the client went away'));
  if (res.write(piece)) return;
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      res.off('drain', onDrain);
      reject(new Error('the client went away'));
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
