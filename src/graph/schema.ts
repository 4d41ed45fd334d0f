/** The schema: every domain file registers its types on the builder. */
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import { builder } from './builder.ts';
import './types/column.ts';
import './types/dataset.ts';
import './types/dataset-list.ts';
import './types/lookup.ts';
import './types/query.ts';
import './types/card.ts';
import './types/access.ts';
import './types/manage.ts';
import './types/indexing.ts';
import './types/stream/index.ts';
import './types/user.ts';
import './types/upload.ts';
import './types/version.ts';
import './types/version-mutations.ts';
import './types/rows/index.ts';
import './types/live.ts';

// @defer and @stream declared here, not added per request by yoga's plugin (src/server.ts): the SDL
// shows them, and a schema rebuilt at run time (typed roots) keeps them.
export const schema = builder.toSchema({
  sortSchema: true,
  directives: [GraphQLDeferDirective, GraphQLStreamDirective],
});
