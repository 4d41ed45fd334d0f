import { getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleQuery } from '../../src/example.ts';
import {
  cachedLimitCheck,
  checkOperationLimits,
  DEFAULT_LIMITS,
  measureOperations,
} from '../../src/graph/limits.ts';

const measure = (source: string) =>
  measureOperations(parse(source)).map(({ operation, depth, aliases }) => ({
    name: operation.name?.value,
    depth,
    aliases,
  }));

/** `{ a { a { … x } } }` with `levels` fields on the path. */
const nested = (levels: number) => `{ ${'a { '.repeat(levels - 1)}x${' }'.repeat(levels - 1)} }`;

describe('measureOperations: depth', () => {
  it('counts the fields on the deepest path', () => {
    expect(measure('{ x }')).toEqual([{ name: undefined, depth: 1, aliases: 0 }]);
    expect(measure('{ a { b } c { d { e } } }')[0]!.depth).toBe(3);
    expect(measure(nested(20))[0]!.depth).toBe(20);
  });

  it('follows fragment spreads and inline fragments, adding no level of their own', () => {
    const doc = `
      query Q { a { ...F } }
      fragment F on T { b { ... on U { c { ...G } } } }
      fragment G on V { d }
    `;
    expect(measure(doc)).toEqual([{ name: 'Q', depth: 4, aliases: 0 }]);
  });

  it('is safe on fragment cycles and unknown fragments', () => {
    const doc = `
      { a { ...A } }
      fragment A on T { b { ...B } }
      fragment B on T { c { ...A ...Missing } }
    `;
    expect(measure(doc)[0]!.depth).toBe(3);
    expect(measure('{ ...Self } fragment Self on Query { x { ...Self } }')[0]!.depth).toBe(1);
  });

  it('measures every operation of a document on its own', () => {
    expect(measure('query A { x } query B { a { b { c } } } mutation C { m: a { b } }')).toEqual([
      { name: 'A', depth: 1, aliases: 0 },
      { name: 'B', depth: 3, aliases: 0 },
      { name: 'C', depth: 2, aliases: 1 },
    ]);
  });

  it('gives introspection ofType chains no depth, but the rest of introspection its full depth', () => {
    expect(
      measure('{ __type(name: "X") { ofType { ofType { ofType { ofType { name } } } } } }')[0]!.depth,
    ).toBe(2);
    // Outside introspection a field named ofType is a field like any other.
    expect(measure('{ ofType { ofType { name } } }')[0]!.depth).toBe(3);
    const fanOut = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    expect(measure(fanOut)[0]!.depth).toBe(8);
  });
});

describe('measureOperations: aliases', () => {
  it('counts aliased fields, nested ones included', () => {
    expect(measure('{ a: x b: x c { d: y e } }')[0]!.aliases).toBe(3);
  });

  it("counts a fragment's aliases every time it is spread", () => {
    const doc = `
      { one: dataset { ...F } two: dataset { ...F } plain { ...F } }
      fragment F on Dataset { q1: query q2: query ... on Dataset { q3: query } }
    `;
    expect(measure(doc)[0]!.aliases).toBe(2 + 3 * 3);
  });

  it('measures a fragment once however often it is spread (no exponential walk)', () => {
    // F0 has 2 aliases; each next fragment spreads the previous one under two aliases.
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 0
        ? 'fragment F0 on T { a: x b: x }'
        : `fragment F${i} on T { a: y { ...F${i - 1} } b: y { ...F${i - 1} } }`,
    );
    const [op] = measure(`{ ...F39 } ${fragments.join(' ')}`);
    expect(op!.aliases).toBe(2 ** 41 - 2);
    expect(op!.depth).toBe(40);
  });
});

describe('checkOperationLimits', () => {
  const limits = { maxDepth: 3, maxAliases: 2 };

  it('passes what is within the limits', () => {
    expect(checkOperationLimits(parse('{ a: x b { c { d } } }'), limits)).toEqual([]);
  });

  it('refuses too deep with OPERATION_TOO_COMPLEX, naming the limit and the values', () => {
    const [error, ...rest] = checkOperationLimits(parse('query Deep { a { b { c { d } } } }'), limits);
    expect(rest).toEqual([]);
    expect(error!.message).toBe('Operation "Deep" is 4 fields deep; the limit is 3 (MAX_DEPTH)');
    expect(error!.extensions).toMatchObject({
      code: 'OPERATION_TOO_COMPLEX',
      limit: 'MAX_DEPTH',
      max: 3,
      actual: 4,
    });
    expect(error!.locations).toEqual([{ line: 1, column: 1 }]);
  });

  it('refuses too many aliases', () => {
    const [error] = checkOperationLimits(parse('{ a: x b: x c: x }'), limits);
    expect(error!.message).toMatch(/^The operation has 3 aliased fields .*the limit is 2 \(MAX_ALIASES\)$/);
    expect(error!.extensions).toMatchObject({
      code: 'OPERATION_TOO_COMPLEX',
      limit: 'MAX_ALIASES',
      max: 2,
      actual: 3,
    });
  });

  it('reports both limits when both are exceeded', () => {
    const errors = checkOperationLimits(parse('{ a: x b: x c: x d { e { f { g } } } }'), limits);
    expect(errors.map((e) => e.extensions.limit)).toEqual(['MAX_DEPTH', 'MAX_ALIASES']);
  });
});

describe('the defaults', () => {
  it("pass graphql-js's standard introspection query, with every option GraphiQL may turn on", () => {
    for (const query of [
      getIntrospectionQuery(),
      getIntrospectionQuery({
        descriptions: true,
        specifiedByUrl: true,
        directiveIsRepeatable: true,
        schemaDescription: true,
        inputValueDeprecation: true,
        oneOf: true,
      }),
    ]) {
      expect(
        checkOperationLimits(parse(query, { maxTokens: DEFAULT_LIMITS.maxTokens }), DEFAULT_LIMITS),
      ).toEqual([]);
    }
  });

  it("pass GraphiQL's example operation", () => {
    expect(
      checkOperationLimits(parse(exampleQuery, { maxTokens: DEFAULT_LIMITS.maxTokens }), DEFAULT_LIMITS),
    ).toEqual([]);
  });
});

describe('cachedLimitCheck', () => {
  const limits = { maxDepth: 3, maxAliases: 2 };

  it('answers as checkOperationLimits does, for passing and refused documents', () => {
    const check = cachedLimitCheck(limits);
    for (const source of [
      '{ a: x b { c { d } } }',
      'query Deep { a { b { c { d } } } }',
      '{ a: x b: x c: x }',
    ]) {
      const document = parse(source);
      expect(check(document)).toEqual(checkOperationLimits(document, limits));
    }
  });

  it('measures a document once: the same document gets the same answer back', () => {
    const check = cachedLimitCheck(limits);
    const document = parse('{ a: x b: x c: x d { e { f { g } } } }');
    const first = check(document);
    expect(first.map((error) => error.extensions.limit)).toEqual(['MAX_DEPTH', 'MAX_ALIASES']);
    expect(check(document)).toBe(first);
  });

  it('keys on the document, not its text: another parse of the same text is measured on its own', () => {
    const check = cachedLimitCheck(limits);
    const source = '{ a { b { c { d } } } }';
    const first = check(parse(source));
    const second = check(parse(source));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
  });

  it('keeps each limits setting apart', () => {
    const document = parse('{ a { b { c { d } } } }');
    expect(cachedLimitCheck(limits)(document)).toHaveLength(1);
    expect(cachedLimitCheck({ maxDepth: 4, maxAliases: 2 })(document)).toEqual([]);
  });
});
