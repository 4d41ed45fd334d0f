/**
 * `npm run codegen` prints the schema to schema/schema.graphql (sorted); `codegen:check` fails when
 * the committed file has drifted from the code.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';
import { printSchema } from 'graphql';
import { schema } from './src/graph/schema.ts';

const config: CodegenConfig = {
  schema: printSchema(schema),
  generates: {
    'schema/schema.graphql': {
      plugins: ['schema-ast'],
      config: { sort: true, includeDirectives: true },
    },
  },
  silent: true,
};

export default config;
