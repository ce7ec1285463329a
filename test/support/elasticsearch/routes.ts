// The route table and path matching. A pattern segment `{index}` matches any segment not starting with "_"
// (ES reserves those for APIs); `{id}` matches anything. Among routes matching a path, the one with more
// literal segments wins; a path that matches only under other methods is a 405 (as ES answers).
import { bulkHandler } from './bulk.ts';
import { clusterHealth, rootInfo } from './cluster.ts';
import type { Handler } from './context.ts';
import { getFaults, getStats, resetAll, resetFaults, setFaults } from './control.ts';
import { createDoc, deleteDoc, docExists, getDoc, getSource, indexDoc, updateDoc } from './documents.ts';
import { errors } from './errors.ts';
import { createIndex, deleteIndex, getIndex, getMapping, indexExists, refresh } from './indices.ts';
import { count, search } from './search.ts';

interface Route {
  methods: string[];
  pattern: string[];
  handler: Handler;
  /** name used in stats, e.g. "POST /{index}/_bulk" */
  name: string;
  control: boolean;
}

const routes: Route[] = [];
function route(methods: string, path: string, handler: Handler): void {
  const pattern = path === '/' ? [] : path.slice(1).split('/');
  for (const m of methods.split(','))
    routes.push({ methods: [m], pattern, handler, name: `${m} ${path}`, control: path.startsWith('/_test/') });
}

route('GET,HEAD', '/', rootInfo);
route('GET', '/_cluster/health', clusterHealth);
route('GET', '/_cluster/health/{index}', clusterHealth);
route('POST,PUT', '/_bulk', bulkHandler);
route('POST,PUT', '/{index}/_bulk', bulkHandler);
route('GET,POST', '/_search', search);
route('GET,POST', '/{index}/_search', search);
route('GET,POST', '/_count', count);
route('GET,POST', '/{index}/_count', count);
route('GET,POST', '/_refresh', refresh);
route('GET,POST', '/{index}/_refresh', refresh);
route('GET', '/_mapping', getMapping);
route('GET', '/{index}/_mapping', getMapping);
route('PUT', '/{index}', createIndex);
route('HEAD', '/{index}', indexExists);
route('GET', '/{index}', getIndex);
route('DELETE', '/{index}', deleteIndex);
route('PUT,POST', '/{index}/_doc/{id}', indexDoc);
route('POST', '/{index}/_doc', indexDoc);
route('GET', '/{index}/_doc/{id}', getDoc);
route('HEAD', '/{index}/_doc/{id}', docExists);
route('DELETE', '/{index}/_doc/{id}', deleteDoc);
route('PUT,POST', '/{index}/_create/{id}', createDoc);
route('POST', '/{index}/_update/{id}', updateDoc);
route('GET', '/{index}/_source/{id}', getSource);
route('GET', '/_test/faults', getFaults);
route('POST,PUT', '/_test/faults', setFaults);
route('DELETE', '/_test/faults', resetFaults);
route('GET', '/_test/stats', getStats);
route('POST', '/_test/reset', resetAll);

export interface RouteMatch {
  handler: Handler;
  params: Record<string, string>;
  name: string;
  control: boolean;
}

function matchPattern(pattern: string[], segments: string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    const s = segments[i];
    if (p.startsWith('{')) {
      const name = p.slice(1, -1);
      if (name === 'index' && s.startsWith('_') && s !== '_all') return null;
      if (s === '') return null;
      params[name] = s;
    } else if (p !== s) return null;
  }
  return params;
}

const literalCount = (r: Route) => r.pattern.filter((p) => !p.startsWith('{')).length;

/** Find the handler for a request, or throw the ES error for "no handler" (400) / wrong method (405). */
export function matchRoute(method: string, path: string, segments: string[]): RouteMatch {
  const candidates: { route: Route; params: Record<string, string> }[] = [];
  for (const r of routes) {
    const params = matchPattern(r.pattern, segments);
    if (params) candidates.push({ route: r, params });
  }
  if (candidates.length === 0) throw errors.noHandler(path, method);
  const best = Math.max(...candidates.map((c) => literalCount(c.route)));
  const top = candidates.filter((c) => literalCount(c.route) === best);
  const hit = top.find((c) => c.route.methods.includes(method));
  if (!hit) {
    const allowed = [...new Set(top.flatMap((c) => c.route.methods))];
    throw errors.methodNotAllowed(path, method, allowed);
  }
  return { handler: hit.route.handler, params: hit.params, name: hit.route.name, control: hit.route.control };
}
