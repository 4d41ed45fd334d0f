/**
 * The request body size limit, without yoga's per-request cost. Yoga's built-in limit pipes every
 * body through a TransformStream (about a third of the gateway's CPU per small request in
 * bench/overhead.ts). Node's HTTP parser frames a body by its Content-Length, so a body with a valid
 * Content-Length under the limit cannot grow past it: only bodies without one (chunked) need counting.
 * Yoga's own limit is turned off (`maxRequestBodySize: false`) and this plugin goes last in `plugins`,
 * where yoga puts its own, so it wraps whichever request parser was chosen.
 */
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { failure } from './errors/codes.ts';

const TOO_LARGE = failure('body_too_large');
const MALFORMED = failure('malformed_request');

const tooLarge = () =>
  createGraphQLError('Request body too large', {
    extensions: { http: { status: TOO_LARGE.httpStatus }, code: TOO_LARGE.code },
  });

export function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', {
            extensions: { http: { status: MALFORMED.httpStatus }, code: MALFORMED.code },
          });
        }
        if (Number(length) > limit) throw tooLarge();
        return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => {
        if (!req.body) return parse(req);
        let read = 0;
        const Transform =
          req.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
        const body = req.body.pipeThrough(
          new Transform({
            transform(chunk: Uint8Array, controller) {
              read += chunk.byteLength;
              if (read > limit) controller.error(tooLarge());
              else controller.enqueue(chunk);
            },
          }),
        );
        return parse(
          new fetchAPI.Request(req.url, {
            method: req.method,
            headers: req.headers,
            signal: req.signal,
            body,
            // @ts-expect-error Node's fetch needs duplex for a streamed body; not in the DOM types.
            duplex: 'half',
          }),
        );
      });
    },
  };
}
