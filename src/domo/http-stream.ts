/** The 2xx body of one streamed attempt (DomoHttp.stream), given to its reader chunk by chunk. */
import type { Dispatcher } from 'undici';
import { BodyReadError, type BodyReader } from './body.ts';
import { DomoError } from './errors.ts';
import { errorCode, transportError } from './http-errors.ts';

/**
 * Feeds the body to `reader` until it ends or the reader has enough (then `done` is aborted, which
 * makes undici destroy the socket); read failures become DomoErrors that say how far it got.
 */
export async function readStreamed<T>(
  response: Dispatcher.ResponseData,
  reader: BodyReader<T>,
  done: AbortController,
  where: { method: string; path: string },
  signal: AbortSignal | undefined,
): Promise<T> {
  const status = response.statusCode;
  let bytes = 0;
  try {
    for await (const chunk of response.body) {
      bytes += (chunk as Uint8Array).byteLength;
      const enough = reader.write(chunk as Uint8Array);
      if (enough === true || (enough !== false && (await enough))) {
        done.abort();
        break;
      }
    }
    return reader.end();
  } catch (error) {
    if (error instanceof BodyReadError) {
      done.abort();
      throw new DomoError({ ...where, kind: error.kind, status, message: error.message, cause: error });
    }
    if (error instanceof DomoError) throw error;
    const failure = transportError(error, where, signal);
    if (failure.kind !== 'connection') throw failure;
    // Not "could not reach Domo": it answered, and the connection broke while it did.
    throw new DomoError({
      ...where,
      kind: 'connection',
      status,
      message: `the connection broke while reading Domo's answer (${errorCode(error) ?? 'closed'}, after ${bytes} bytes)`,
      cause: error,
    });
  }
}
