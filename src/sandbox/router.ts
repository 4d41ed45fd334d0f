/** A small path router: `/api/data/v3/datasources/:id` patterns, matched by method and segments. */
import type { IncomingMessage } from 'node:http';
import { badRequest } from './errors.ts';

export interface SandboxRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw request, for handlers that stream the body (CSV parts). */
  raw: IncomingMessage;
  /** The body read whole and parsed as JSON; undefined when empty. */
  json<T = unknown>(): Promise<T | undefined>;
  /** The body read whole as UTF-8 text. */
  text(): Promise<string>;
  /** Aborted when the client goes away before the answer is sent, or the sandbox closes. */
  signal: AbortSignal;
}

export interface SandboxResponse {
  status?: number;
  /** Sent as JSON; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Sends a JSON body piece by piece instead of `body` (chunked): `write` resolves once the socket
   * can take more, so a slow reader slows the producer down. A failure after the first piece cuts
   * the connection, so the client sees a broken answer rather than a short one.
   */
  stream?: (write: (piece: string | Uint8Array) => void | Promise<void>) => Promise<void>;
}

export type Handler = (request: SandboxRequest) => Promise<SandboxResponse> | SandboxResponse;

interface Route {
  method: string;
  segments: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  on(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler });
    return this;
  }
  get(pattern: string, handler: Handler) {
    return this.on('GET', pattern, handler);
  }
  post(pattern: string, handler: Handler) {
    return this.on('POST', pattern, handler);
  }
  put(pattern: string, handler: Handler) {
    return this.on('PUT', pattern, handler);
  }
  delete(pattern: string, handler: Handler) {
    return this.on('DELETE', pattern, handler);
  }

  /** The route for a method and path, with its parameters; `allowed` lists methods when only the path matched. */
  match(
    method: string,
    path: string,
  ): { handler: Handler; params: Record<string, string> } | { allowed: string[] } | null {
    const parts = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    return allowed.length ? { allowed } : null;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = parts[i]!;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        throw badRequest(`malformed path parameter ${expected.slice(1)}`);
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
