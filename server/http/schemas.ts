// zod schemas for API inputs and outputs: requests are validated with them and /api/openapi.json is
// generated from them (with FlowSchema, the flow format itself).
import { z } from 'zod';

export const ErrorSchema = z.object({
  error: z.string().describe('One sentence saying what went wrong.'),
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional().describe('Problems by JSON path, e.g. processors[2].properties["Batch Size"].'),
});

/** An optional whole-number query parameter within [min, max]. */
const intIn = (min: number, max: number, dflt: number) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return dflt;
    const n = /^\d{1,16}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  }).describe(`${min}..${max}, default ${dflt}`);

export const FlowFileListQuery = z.object({ limit: intIn(1, 1000, 100) }).strip();

export const ContentQuery = z.object({ as: z.enum(['text', 'hex']).optional() }).strip();

export const ProvenanceTypes = ['CREATE', 'RECEIVE', 'SEND', 'ROUTE', 'FORK', 'JOIN', 'CLONE', 'ATTRIBUTES_MODIFIED', 'CONTENT_MODIFIED', 'DROP', 'EXPIRE'] as const;

export const ProvenanceQuery = z.object({
  flowfile: z.string().min(1).max(200).optional().describe('Only events about this FlowFile id (as the FlowFile, a parent or a child).'),
  processor: z.string().min(1).max(200).optional().describe('Only events from this component id (processor or connection).'),
  type: z.enum(ProvenanceTypes).optional(),
  limit: intIn(1, 10_000, 100),
}).strip();

export const BulletinQuery = z.object({
  sinceId: intIn(0, Number.MAX_SAFE_INTEGER, 0),
  processor: z.string().min(1).max(200).optional(),
  limit: intIn(1, 500, 100),
}).strip();

export const StatusQuery = z.object({ bulletins: intIn(0, 500, 50) }).strip();

export const IdParam = z.string().min(1).max(200);

export const SubscribeMessage = z.object({ flowId: z.string().min(1).max(200) }).strict();

const Counts = z.object({ count: z.number(), bytes: z.number() });

export const FlowSummarySchema = z.object({
  id: z.string(), name: z.string(), description: z.string().optional(), version: z.number().int(),
  createdAt: z.string(), updatedAt: z.string(), processors: z.number().int(), connections: z.number().int(),
  runState: z.enum(['RUNNING', 'STOPPED', 'PARTIAL', 'INVALID']),
  counts: z.object({ running: z.number(), stopped: z.number(), disabled: z.number(), invalid: z.number() }),
});

export const BulletinSchema = z.object({
  id: z.number().int(), time: z.number(), flowId: z.string(), processorId: z.string(), processorName: z.string(),
  level: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR']), message: z.string(),
});

export const StatusSchema = z.object({
  flowId: z.string(), name: z.string(), version: z.number().int(), timestamp: z.number(),
  runState: z.enum(['RUNNING', 'STOPPED', 'PARTIAL', 'INVALID']),
  counts: z.object({ running: z.number(), stopped: z.number(), disabled: z.number(), invalid: z.number() }),
  processors: z.array(z.object({
    id: z.string(), name: z.string(), type: z.string(),
    state: z.enum(['RUNNING', 'STOPPED', 'DISABLED']), desiredState: z.enum(['RUNNING', 'STOPPED', 'DISABLED']),
    valid: z.boolean(), validationErrors: z.array(z.string()), activeTasks: z.number().int(),
    in: Counts.describe('Last 5 minutes'), out: Counts.describe('Last 5 minutes'), read: Counts, written: Counts,
    totals: z.object({ in: Counts, out: Counts, tasks: z.number() }),
  })),
  connections: z.array(z.object({
    id: z.string(), name: z.string().optional(), source: z.string(), destination: z.string(), relationships: z.array(z.string()),
    queued: Counts,
    backPressure: z.object({ objectThreshold: z.number(), dataSizeThreshold: z.number(), percent: z.number(), full: z.boolean() }),
  })),
  bulletins: z.array(BulletinSchema),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const QueueListingSchema = z.object({
  connectionId: z.string(),
  queued: Counts,
  flowFiles: z.array(z.object({
    id: z.string(), size: z.number(), attributes: z.record(z.string(), z.string()), entryDate: z.number(), penalized: z.boolean(), position: z.number(),
  })),
});

export const ProvenanceEventSchema = z.object({
  id: z.number().int(), flowId: z.string(), timestamp: z.number(), type: z.enum(ProvenanceTypes),
  componentId: z.string(), componentType: z.string(), flowFileId: z.string(),
  parentIds: z.array(z.string()), childIds: z.array(z.string()), details: z.string().optional(), relationship: z.string().optional(),
  transitUri: z.string().optional(), attributesBefore: z.record(z.string(), z.string()).optional(), attributesAfter: z.record(z.string(), z.string()).optional(), size: z.number(),
});

/** Turns zod issues into API details. */
export function zodDetails(error: z.ZodError, prefix = ''): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: `${prefix}${i.path.map(String).join('.')}` || '(root)', message: i.message }));
}
