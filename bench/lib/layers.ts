/**
 * Where a gateway's CPU goes, by layer, from a V8 CPU profile (`node --cpu-prof`): each sample is
 * given to the layer of the nearest frame (from the leaf up) that belongs to a known file or
 * package, so node's own socket, stream and buffer work counts for the layer that asked for it (a
 * socket write under undici is the upstream call's, under the lean lane the HTTP answer's). Only
 * samples inside the measured window count (V8's profile clock is the monotonic clock that
 * `process.hrtime` reads, on Linux), and idle time never does.
 */
import { readFile } from 'node:fs/promises';

export const LAYERS = [
  'HTTP in/out',
  'parse/validate lookup',
  'gateway rules',
  'observability',
  'execute',
  'serialise',
  'upstream call',
  'GC',
  'other',
] as const;
export type Layer = (typeof LAYERS)[number];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The first rule whose pattern the frame's URL matches decides (GC, `(program)` and JSON.stringify by name). */
const RULES: Array<[RegExp, Layer]> = [
  // Yoga's JSON result processor (one JSON.stringify) and graphql-jit's compiled stringify.
  [/graphql-yoga\/.*result-processor|graphql-jit\/.*json/, 'serialise'],
  [/node_modules\/undici\/|\/src\/domo\/(?:http|body|limit|call|endpoint)\.ts|^wasm:/, 'upstream call'],
  [
    /node_modules\/graphql\/(?:language|validation)\/|\/src\/graph\/document-cache\.ts/,
    'parse/validate lookup',
  ],
  [/graphql-yoga\/.*(?:parse|validat)/, 'parse/validate lookup'],
  [
    /node_modules\/(?:graphql\/(?:execution|type|jsutils|utilities)|@graphql-tools\/executor|graphql-jit|@pothos|dataloader)\/|\/src\/(?:graph\/types|domo|rows)\//,
    'execute',
  ],
  [
    /node_modules\/(?:pino|prom-client|@opentelemetry|thread-stream|sonic-boom)\/|\/src\/(?:ops\/(?:observe|metrics|scope|tracing)|log)\.ts/,
    'observability',
  ],
  [/\/src\/http\/lean\.ts|node_modules\/@whatwg-node\/(?:server|node-fetch|fetch)\//, 'HTTP in/out'],
  [
    /node_modules\/(?:graphql-yoga|@envelop|@graphql-yoga|@whatwg-node\/promise-helpers)\/|\/src\//,
    'gateway rules',
  ],
];

function layerOf(frame: ProfileNode['callFrame']): Layer | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(program)') return 'other';
  if (functionName === 'stringify' && url === '') return 'serialise';
  for (const [pattern, layer] of RULES) if (pattern.test(url)) return layer;
  return undefined;
}

/**
 * The share of each layer in the samples between `fromUs` and `toUs` (the monotonic clock in µs),
 * with the busy time they add up to and each layer's frames by self time (their share of all).
 */
export async function layerBreakdown(
  file: string,
  fromUs: number,
  toUs: number,
): Promise<{ busyMs: number; shares: Map<Layer, number>; top: Map<Layer, Array<[string, number]>> }> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, Layer>();
  const layerOfNode = (id: number): Layer => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const own = layerOf(node.callFrame);
    const up = parent.get(id);
    // Node's own frames (node:*, natives) are their caller's; at the root it is the HTTP server's.
    const layer = own ?? (up === undefined ? 'HTTP in/out' : layerOfNode(up));
    memo.set(id, layer);
    return layer;
  };
  const time = new Map<Layer, number>();
  const frames = new Map<Layer, Map<string, number>>();
  let at = profile.startTime;
  let busy = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i]!;
    if (at < fromUs || at > toUs) continue;
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const delta = profile.timeDeltas[i]!;
    const layer = layerOfNode(node.id);
    time.set(layer, (time.get(layer) ?? 0) + delta);
    const { functionName, url } = node.callFrame;
    const frame = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/')}`;
    const byFrame = frames.get(layer) ?? new Map<string, number>();
    byFrame.set(frame, (byFrame.get(frame) ?? 0) + delta);
    frames.set(layer, byFrame);
    busy += delta;
  }
  const shares = new Map<Layer, number>();
  for (const layer of LAYERS) shares.set(layer, (time.get(layer) ?? 0) / (busy || 1));
  const top = new Map<Layer, Array<[string, number]>>();
  for (const [layer, byFrame] of frames)
    top.set(
      layer,
      [...byFrame]
        .sort((a, b) => b[1] - a[1])
        .map(([frame, t]) => [frame, t / (busy || 1)] as [string, number]),
    );
  return { busyMs: busy / 1000, shares, top };
}
