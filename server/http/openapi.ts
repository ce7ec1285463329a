// /api/openapi.json: OpenAPI 3.1 generated from the same zod schemas the API validates with.
import { z } from 'zod';
import { FlowSchema } from '../flow/schema.ts';
import {
  BulletinQuery, BulletinSchema, ContentQuery, ErrorSchema, FlowFileListQuery, FlowSummarySchema, ProvenanceEventSchema,
  ProvenanceQuery, QueueListingSchema, StatusQuery, StatusSchema,
} from './schemas.ts';

interface Route {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  query?: z.ZodObject;
  body?: string;
  response?: string | Record<string, unknown>;
  status?: number;
  contentType?: string;
}

const FlowRecord = z.object({
  id: z.string(), version: z.number().int(), createdAt: z.string(), updatedAt: z.string(),
  flow: FlowSchema, problems: z.array(z.object({ path: z.string(), message: z.string() })),
  warnings: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const ROUTES: Route[] = [
  { method: 'get', path: '/api/info', summary: 'Server information.' },
  { method: 'get', path: '/api/processor-types', summary: 'Every processor type (and controller service type) with its properties and relationships.' },
  { method: 'get', path: '/api/controller-service-types', summary: 'Every controller service type.' },
  { method: 'get', path: '/api/flow-schema', summary: 'The JSON Schema of the flow format, with per-type property rules.' },
  { method: 'get', path: '/api/openapi.json', summary: 'This document.' },
  { method: 'get', path: '/api/flows', summary: 'All flows.', response: { type: 'object', properties: { flows: { type: 'array', items: ref('FlowSummary') } } } },
  { method: 'post', path: '/api/flows', summary: 'Create a flow (processors start stopped).', body: 'Flow', response: 'FlowRecord', status: 201 },
  { method: 'post', path: '/api/flows/import', summary: 'Import an exported flow (application/json or text/plain body); a taken id gets a suffix.', body: 'Flow', response: 'FlowRecord', status: 201 },
  { method: 'get', path: '/api/flows/{id}', summary: 'A flow definition (sensitive values masked) with its version (also the ETag).', response: 'FlowRecord' },
  { method: 'put', path: '/api/flows/{id}', summary: 'Replace a flow definition; running processors are restarted. "********" keeps a stored sensitive value. Optional If-Match: "v<version>".', body: 'Flow', response: 'FlowRecord' },
  { method: 'delete', path: '/api/flows/{id}', summary: 'Stop and delete a flow.' },
  { method: 'post', path: '/api/flows/{id}/validate', summary: 'Validate the stored flow, or a candidate definition sent as the body.', body: 'Flow' },
  { method: 'get', path: '/api/flows/{id}/export', summary: 'The flow definition as a JSON attachment (sensitive values masked).', response: 'Flow' },
  { method: 'post', path: '/api/flows/{id}/start', summary: 'Start every valid, enabled processor.' },
  { method: 'post', path: '/api/flows/{id}/stop', summary: 'Stop every processor (sources first).' },
  { method: 'post', path: '/api/flows/{id}/processors/{pid}/start', summary: 'Start one processor.' },
  { method: 'post', path: '/api/flows/{id}/processors/{pid}/stop', summary: 'Stop one processor.' },
  { method: 'post', path: '/api/flows/{id}/processors/{pid}/run-once', summary: 'Trigger a stopped processor once.' },
  { method: 'post', path: '/api/flows/{id}/processors/{pid}/enable', summary: 'Enable a disabled processor.' },
  { method: 'post', path: '/api/flows/{id}/processors/{pid}/disable', summary: 'Disable a stopped processor.' },
  { method: 'get', path: '/api/flows/{id}/status', summary: 'Run states, validation errors, 5-minute counters, queues and bulletins.', query: StatusQuery, response: 'FlowStatus' },
  { method: 'get', path: '/api/flows/{id}/bulletins', summary: 'Bulletins, newest last.', query: BulletinQuery, response: { type: 'object', properties: { bulletins: { type: 'array', items: ref('Bulletin') } } } },
  { method: 'get', path: '/api/flows/{id}/connections/{cid}/flowfiles', summary: 'FlowFiles queued in a connection, in poll order.', query: FlowFileListQuery, response: 'QueueListing' },
  { method: 'delete', path: '/api/flows/{id}/connections/{cid}/flowfiles', summary: 'Empty a connection; returns how many FlowFiles were dropped.' },
  { method: 'get', path: '/api/flows/{id}/connections/{cid}/flowfiles/{ffid}', summary: 'One queued FlowFile with all its attributes.' },
  { method: 'get', path: '/api/flows/{id}/connections/{cid}/flowfiles/{ffid}/content', summary: 'The content, typed by its mime.type attribute, or as text or a hex dump (first 1 MiB).', query: ContentQuery, contentType: '*/*' },
  { method: 'get', path: '/api/flows/{id}/provenance', summary: 'Provenance events, newest first.', query: ProvenanceQuery, response: { type: 'object', properties: { enabled: { type: 'boolean' }, capacity: { type: 'integer' }, events: { type: 'array', items: ref('ProvenanceEvent') } } } },
];

let cached: Record<string, unknown> | undefined;

export function buildOpenApi(version: string): Record<string, unknown> {
  if (cached) return cached;
  const registry = z.registry<{ id: string }>();
  registry.add(FlowSchema, { id: 'Flow' });
  registry.add(ErrorSchema, { id: 'Error' });
  registry.add(FlowSummarySchema, { id: 'FlowSummary' });
  registry.add(FlowRecord, { id: 'FlowRecord' });
  registry.add(StatusSchema, { id: 'FlowStatus' });
  registry.add(BulletinSchema, { id: 'Bulletin' });
  registry.add(QueueListingSchema, { id: 'QueueListing' });
  registry.add(ProvenanceEventSchema, { id: 'ProvenanceEvent' });
  const { schemas } = z.toJSONSchema(registry, { io: 'input', uri: (id) => `#/components/schemas/${id}`, unrepresentable: 'any' }) as { schemas: Record<string, Record<string, unknown>> };
  for (const s of Object.values(schemas)) delete s.$schema;

  const paths: Record<string, Record<string, unknown>> = {};
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
  for (const route of ROUTES) {
    const parameters: unknown[] = [];
    for (const m of route.path.matchAll(/\{(\w+)\}/g)) parameters.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (route.query) {
      const js = z.toJSONSchema(route.query, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, Record<string, unknown>> };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: 'query', required: false, description: schema.description, schema: { ...schema, description: undefined } });
      }
    }
    const response = typeof route.response === 'string' ? ref(route.response) : route.response ?? { type: 'object' };
    const op: Record<string, unknown> = {
      summary: route.summary,
      parameters,
      responses: {
        [String(route.status ?? 200)]: { description: 'Success', content: { [route.contentType ?? 'application/json']: { schema: route.contentType ? {} : response } } },
        400: errorResponse('Invalid input (details name each problem).'),
        401: errorResponse('Missing or wrong access token.'),
        403: errorResponse('Foreign Origin or Host.'),
        404: errorResponse('No such flow, processor, connection or FlowFile.'),
        409: errorResponse('The action conflicts with the current state.'),
        413: errorResponse('Request body too large.'),
      },
    };
    if (route.body) op.requestBody = { required: route.method !== 'post' || !route.path.endsWith('/validate'), content: { 'application/json': { schema: ref(route.body) }, 'text/plain': { schema: { type: 'string' } } } };
    (paths[route.path] ??= {})[route.method] = op;
  }
  paths['/livez'] = { get: { summary: 'Liveness (no token needed).', security: [], responses: { 200: { description: 'Alive' } } } };
  paths['/readyz'] = { get: { summary: 'Readiness: 200 once flows are loaded, 503 while starting or shutting down (no token needed).', security: [], responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready' } } } };
  paths['/metrics'] = { get: { summary: 'Prometheus metrics (token required).', responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } } } };

  cached = {
    openapi: '3.1.0',
    info: { title: 'Sluice API', version, description: 'REST API of `sluice serve`. Every call needs `Authorization: Bearer <token>` unless noted. Errors are `{"error": "<sentence>", "details": [{"path", "message"}]}`.' },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas },
    paths,
  };
  return cached;
}
