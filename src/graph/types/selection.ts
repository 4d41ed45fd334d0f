/** What a field's selection asks for, read from the operation (fragments followed). */
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/** True when the field's selection names a field outside `names` (in any fragment, any branch). */
export function selectsBeyond(info: GraphQLResolveInfo, names: ReadonlySet<string>): boolean {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode | undefined): boolean => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === 'Field') {
        if (!names.has(selection.name.value)) return true;
      } else if (selection.kind === 'InlineFragment') {
        if (walk(selection.selectionSet)) return true;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        if (walk(info.fragments[selection.name.value]?.selectionSet)) return true;
      }
    }
    return false;
  };
  return info.fieldNodes.some((node) => walk(node.selectionSet));
}
