/** The typed client SDK: the client, and every operation of sdk/operations as a typed document. */
export * from './client.ts';
export * from './generated/graphql.ts';
