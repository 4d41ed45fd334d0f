/**
 * Response bodies, bounded: read whole up to DOMO_MAX_RESPONSE_BYTES, or chunk by chunk by a
 * BodyReader (json-stream.ts) for answers too large to hold. No undici here: http.ts hands bodies in.
 */
import { Buffer } from 'node:buffer';

/** Default of DOMO_MAX_RESPONSE_BYTES: the largest body read whole (64 MiB). */
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Takes a response body chunk by chunk (json-stream.ts reads SQL answers so). */
export interface BodyReader<T> {
  /**
   * Takes the next chunk; true when the reader has all it needs: the rest is dropped, unread. A
   * promise holds the body where it is until it settles (backpressure: an export or a stream waits
   * for its consumer, and Domo's answer waits in the socket).
   */
  write(chunk: Uint8Array): boolean | Promise<boolean>;
  /**
   * True once the reader handed bytes on to someone else (an export's caller, a stream's
   * pages): a failure after that is never retried, since a repeat would send them twice.
   */
  readonly passedOn?: boolean;
  /** The body ended, or write() said it had enough: the answer. */
  end(): T;
}

/** What a body cannot be read for; http.ts turns it into a DomoError of this kind. */
export class BodyReadError extends Error {
  override name = 'BodyReadError';
  constructor(
    message: string,
    readonly kind: 'upstream' | 'too_large' = 'upstream',
  ) {
    super(message);
  }
}

interface Body extends AsyncIterable<unknown> {
  destroy(): unknown;
}

/**
 * Reads a body whole as text, up to `max` bytes. Past it, `cut` keeps the first `max` bytes (an
 * error body only needs its start); otherwise it is a `too_large` BodyReadError, said by
 * Content-Length before reading when there is one. The rest is never read: the body is destroyed.
 */
export async function readBounded(
  body: Body,
  contentLength: unknown,
  max: number,
  cut: boolean,
): Promise<string> {
  const tooLarge = () => {
    body.destroy();
    return new BodyReadError(
      `Domo's answer is larger than DOMO_MAX_RESPONSE_BYTES (${max} bytes)`,
      'too_large',
    );
  };
  const length = Number(contentLength);
  if (!cut && Number.isFinite(length) && length > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    const data = chunk as Buffer;
    if (bytes + data.byteLength > max) {
      if (!cut) throw tooLarge();
      chunks.push(data.subarray(0, max - bytes));
      body.destroy();
      break;
    }
    chunks.push(data);
    bytes += data.byteLength;
  }
  // TextDecoder drops a leading BOM, as undici's body.text() did.
  return new TextDecoder().decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
}
