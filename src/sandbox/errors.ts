/** Domo-shaped errors: every failure answers `{status, statusReason, message, toe}`. */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { DomoErrorResponse } from '../domo/types.ts';

export class SandboxError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new SandboxError(400, message);
export const notFound = (message: string) => new SandboxError(404, message);

/** A trace id in the style of Domo's `toe` (e.g. HJP31Q11Q3-MO40M-EIVQC). */
export function newToe(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(20);
  const pick = (from: number, length: number) =>
    Array.from(bytes.subarray(from, from + length), (b) => chars[b % chars.length]).join('');
  return `${pick(0, 10)}-${pick(10, 5)}-${pick(15, 5)}`;
}

export function errorBody(status: number, message: string, toe: string = newToe()): DomoErrorResponse {
  return { status, statusReason: STATUS_CODES[status] ?? 'Error', message, toe };
}
