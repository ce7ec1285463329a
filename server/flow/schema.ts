// Flow definition format v1: the one zod schema. flows/flow.schema.json is generated from it.
import { z } from 'zod';
import { PRIORITIZER_NAMES } from '../engine/queue/prioritizers.ts';

const id = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const stringMap = z.record(z.string(), z.string({ error: 'must be a string (property values are strings, as in NiFi)' }));

export const PositionSchema = z.object({ x: z.number(), y: z.number() });

export const SchedulingSchema = z.object({
  concurrentTasks: z.number().int().min(1).max(64).optional().describe('Triggers that may run at once (default 1).'),
  runSchedule: z.string().optional().describe('Timer-driven period such as "0 sec" (default: the processor\'s default, usually "0 sec").'),
  cron: z.string().optional().describe('CRON-driven schedule, e.g. "*/5 * * * * *"; overrides runSchedule.'),
  penaltyDuration: z.string().optional().describe('How long a penalized FlowFile waits (default "30 sec").'),
  yieldDuration: z.string().optional().describe('How long the processor backs off after yielding (default "1 sec").'),
  triggerLimit: z.number().int().min(1).optional().describe('Stop after this many triggers; the processor then counts as exhausted (like pressing Run Once N times).'),
}).strict();

export const RetrySchema = z.object({
  relationships: z.array(z.string()).min(1),
  maxRetries: z.number().int().min(1).max(100).default(10),
  backoff: z.enum(['penalize', 'yield']).default('penalize'),
  maxBackoffPeriod: z.string().default('10 mins'),
}).strict();

export const ProcessorSchema = z.object({
  id,
  type: z.string().min(1, 'must name a processor type'),
  name: z.string().optional(),
  properties: stringMap.default({}),
  autoTerminate: z.array(z.string()).default([]).describe('Relationships whose FlowFiles are dropped as finished.'),
  scheduling: SchedulingSchema.default({}),
  retry: RetrySchema.optional(),
  bulletinLevel: z.enum(['DEBUG', 'INFO', 'WARNING', 'ERROR']).optional(),
  state: z.enum(['RUNNING', 'STOPPED', 'DISABLED']).optional().describe('Desired run state (the server persists it).'),
  comments: z.string().optional(),
  position: PositionSchema.optional(),
}).strict();

export const ConnectionSchema = z.object({
  id,
  name: z.string().optional(),
  source: z.string().min(1),
  relationships: z.array(z.string()).min(1, 'must list at least one relationship'),
  destination: z.string().min(1),
  backPressure: z.object({
    objectThreshold: z.number().int().min(1).optional(),
    dataSizeThreshold: z.string().optional(),
  }).strict().optional(),
  expiration: z.string().optional().describe('FlowFile expiration, e.g. "10 mins"; "0 sec" never expires.'),
  prioritizers: z.array(z.enum(PRIORITIZER_NAMES as [string, ...string[]])).optional(),
  bends: z.array(PositionSchema).optional(),
}).strict();

export const ControllerServiceSchema = z.object({
  id,
  type: z.string().min(1),
  name: z.string().optional(),
  properties: stringMap.default({}),
  enabled: z.boolean().default(true),
  comments: z.string().optional(),
}).strict();

export const FlowSchema = z.object({
  formatVersion: z.literal(1, { error: 'must be 1' }),
  id: z.string().optional(),
  name: z.string().min(1, 'must not be empty'),
  description: z.string().optional(),
  parameters: stringMap.default({}),
  sensitiveParameters: z.array(z.string()).optional().describe('Names of parameters whose values are secret.'),
  controllerServices: z.array(ControllerServiceSchema).default([]),
  processors: z.array(ProcessorSchema),
  connections: z.array(ConnectionSchema).default([]),
}).strict();

export type FlowDefinition = z.output<typeof FlowSchema>;
export type FlowInput = z.input<typeof FlowSchema>;
export type ProcessorConfig = z.output<typeof ProcessorSchema>;
export type ConnectionConfig = z.output<typeof ConnectionSchema>;
export type ControllerServiceConfig = z.output<typeof ControllerServiceSchema>;
