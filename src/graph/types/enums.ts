/**
 * Enums read from Domo strings. Domo adds values without notice, so every such enum has an UNKNOWN
 * value and a raw-string field beside it (`typeName`, `statusName`, …): a value the gateway does not
 * know reads as UNKNOWN, never as a null (which would be a lie) nor as an error (which would null
 * the parent). Input enums that share the type refuse UNKNOWN with a BAD_USER_INPUT.
 */
import { badUserInput } from '../errors.ts';

export const UNKNOWN = 'UNKNOWN' as const;
export const UNKNOWN_DESCRIPTION = 'A value Domo sent that this gateway does not know; see the *Name field.';

/** An enum value for what Domo sent: the value itself when known, UNKNOWN when not, null when absent. */
export function knownOrUnknown<T extends string>(value: unknown, known: readonly T[]): T | 'UNKNOWN' | null {
  if (value === null || value === undefined || value === '') return null;
  return (known as readonly unknown[]).includes(value) ? (value as T) : UNKNOWN;
}

/** Enum values `{ V: { value: V, description } }` for a list of Domo strings, plus UNKNOWN. */
export function withUnknown<T extends string>(values: readonly T[], describe: (v: T) => string) {
  return {
    ...(Object.fromEntries(values.map((v) => [v, { value: v, description: describe(v) }])) as Record<
      T,
      { value: T; description: string }
    >),
    UNKNOWN: { value: UNKNOWN, description: UNKNOWN_DESCRIPTION },
  };
}

/** An input enum value, refusing UNKNOWN (it names what Domo sent, not something to send back). */
export function knownInput<T extends string>(value: T | 'UNKNOWN', field: string, known: readonly T[]): T {
  if (value === UNKNOWN) throw badUserInput(`${field} must be one of ${known.join(', ')}`, field);
  return value;
}
