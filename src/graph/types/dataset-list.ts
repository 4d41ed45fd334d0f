/** The dataset list and the Data Center search: `Query.datasets` and `Query.searchDatasets`. */
import { DATASET_ORDER_FIELDS } from '../../domo/datasets.ts';
import { builder } from '../builder.ts';
import { DatasetRef, primeDatasets, visibleTo } from './dataset.ts';
import { offsetPage, pageArgs } from './paging.ts';

const DatasetOrder = builder.enumType('DatasetOrder', {
  description: 'Orders of the dataset list.',
  values: Object.fromEntries(
    DATASET_ORDER_FIELDS.map((field) => [
      field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
      { value: field, description: `By ${field}.` },
    ]),
  ) as Record<string, { value: (typeof DATASET_ORDER_FIELDS)[number]; description: string }>,
});

const DatasetSearchSort = builder.enumType('DatasetSearchSort', {
  description: 'Sorts of a dataset search.',
  values: {
    CREATED: { value: 'create_date', description: 'By creation date.' },
    NAME: { value: 'name_sort', description: 'By name.' },
    LAST_UPDATED: { value: 'last_updated', description: 'By last data update.' },
  },
});

const SortOrder = builder.enumType('SortOrder', {
  description: 'Direction of a sort.',
  values: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } },
});

builder.queryFields((t) => ({
  datasets: t.connection(
    {
      type: DatasetRef,
      description: 'Datasets the caller can see, filtered and ordered, a page at a time.',
      args: {
        nameContains: t.arg.string({ description: 'Only names containing this text (case-insensitive).' }),
        ownerId: t.arg.id({ description: 'Only datasets of this owner.' }),
        dataProviderType: t.arg.string({ description: 'Only datasets from this provider, e.g. webform.' }),
        orderBy: t.arg({ type: DatasetOrder, description: 'Order (default by name).' }),
      },
      resolve: async (_, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const page = await ctx.domo.datasets.list({
          limit,
          offset,
          nameLike: args.nameContains ?? undefined,
          ownerId: args.ownerId ? String(args.ownerId) : undefined,
          dataProviderType: args.dataProviderType ?? undefined,
          orderBy: args.orderBy ?? undefined,
        });
        return offsetPage(
          primeDatasets(ctx, page.dataSources),
          offset,
          limit,
          page.totalCount,
          visibleTo(ctx),
        );
      },
    },
    {
      description: 'A page of datasets.',
      fields: (c) => ({
        totalCount: c.exposeInt('totalCount', { nullable: true, description: 'Matches in all.' }),
      }),
    },
    { description: 'A dataset in a page.' },
  ),
  searchDatasets: t.connection(
    {
      type: DatasetRef,
      description: "Datasets whose name matches text, through Domo's Data Center search.",
      args: {
        text: t.arg.string({ description: 'Text anywhere in the name.' }),
        sort: t.arg({ type: DatasetSearchSort, description: 'Sort field (default creation date).' }),
        order: t.arg({ type: SortOrder, description: 'Sort direction (default DESC).' }),
      },
      resolve: async (_, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const page = await ctx.domo.datasets.search({
          text: args.text ?? undefined,
          count: limit,
          offset,
          sortField: args.sort ?? undefined,
          sortOrder: args.order ?? undefined,
        });
        return offsetPage(
          primeDatasets(ctx, page.dataSources),
          offset,
          limit,
          page.totalCount,
          visibleTo(ctx),
        );
      },
    },
    {
      description: 'A page of search results.',
      fields: (c) => ({
        totalCount: c.exposeInt('totalCount', { nullable: true, description: 'Matches in all.' }),
      }),
    },
    { description: 'A dataset in search results.' },
  ),
}));
