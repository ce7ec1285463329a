// Shapes of the server's API (server/http, server/manager) and of flow format v1 (server/flow/schema.ts),
// restated here so the UI builds on its own.

export interface Position { x: number; y: number }

export interface Scheduling {
  concurrentTasks?: number;
  runSchedule?: string;
  cron?: string;
  penaltyDuration?: string;
  yieldDuration?: string;
  triggerLimit?: number;
}

export interface Retry {
  relationships: string[];
  maxRetries?: number;
  backoff?: 'penalize' | 'yield';
  maxBackoffPeriod?: string;
}

export type BulletinLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type RunState = 'RUNNING' | 'STOPPED' | 'DISABLED';

export interface ProcessorConfig {
  id: string;
  type: string;
  name?: string;
  properties: Record<string, string>;
  autoTerminate: string[];
  scheduling: Scheduling;
  retry?: Retry;
  bulletinLevel?: BulletinLevel;
  state?: RunState;
  comments?: string;
  position?: Position;
}

export interface BackPressure { objectThreshold?: number; dataSizeThreshold?: string }

export interface ConnectionConfig {
  id: string;
  name?: string;
  source: string;
  relationships: string[];
  destination: string;
  backPressure?: BackPressure;
  expiration?: string;
  prioritizers?: string[];
  bends?: Position[];
}

export interface FlowDefinition {
  formatVersion: 1;
  id?: string;
  name: string;
  description?: string;
  parameters?: Record<string, string>;
  sensitiveParameters?: string[];
  controllerServices?: unknown[];
  processors: ProcessorConfig[];
  connections: ConnectionConfig[];
}

export interface Problem { path: string; message: string }

export interface FlowRecord {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
  flow: FlowDefinition;
  problems: Problem[];
  warnings?: Problem[];
}

export interface Counts { count: number; bytes: number }

export interface FlowSummary {
  id: string;
  name: string;
  description?: string;
  version: number;
  processors: number;
  connections: number;
  runState: 'RUNNING' | 'STOPPED' | 'PARTIAL' | 'INVALID';
  counts: { running: number; stopped: number; disabled: number; invalid: number };
}

export interface AllowableValue { value: string; displayName: string; description?: string }

export interface PropertyDoc {
  name: string;
  description: string;
  required: boolean;
  defaultValue?: string;
  allowableValues?: AllowableValue[];
  validator?: string;
  schema?: { type?: string; pattern?: string; enum?: string[]; [k: string]: unknown };
  expressionLanguage: string;
  sensitive: boolean;
  aliases?: string[];
  dependsOn?: { property: string; values?: string[] };
  controllerServiceType?: string;
}

export interface RelationshipDoc { name: string; description: string; terminalFailure?: boolean }

export interface ProcessorDoc {
  type: string;
  aliases?: string[];
  description: string;
  tags: string[];
  inputRequirement?: 'required' | 'allowed' | 'forbidden';
  defaultSchedule?: Scheduling;
  properties: PropertyDoc[];
  dynamicProperties: { name: string; value: string; description: string; expressionLanguage: string } | null;
  dynamicRelationships: boolean;
  relationships: RelationshipDoc[];
}

export interface ProcessorStatus {
  id: string;
  name: string;
  type: string;
  state: RunState;
  desiredState: RunState;
  valid: boolean;
  validationErrors: string[];
  activeTasks: number;
  in: Counts;
  out: Counts;
  /** Present when the server reports the processor's current relationships (dynamic ones included). */
  relationships?: string[];
}

export interface ConnectionStatus {
  id: string;
  source: string;
  destination: string;
  relationships: string[];
  queued: Counts;
  backPressure: { objectThreshold: number; dataSizeThreshold: number; percent: number; full: boolean };
}

export interface Bulletin {
  id: number;
  time: number;
  flowId: string;
  processorId: string;
  processorName: string;
  level: BulletinLevel;
  message: string;
}

export interface FlowStatus {
  flowId: string;
  name: string;
  version: number;
  timestamp: number;
  runState: FlowSummary['runState'];
  counts: FlowSummary['counts'];
  processors: ProcessorStatus[];
  connections: ConnectionStatus[];
  bulletins: Bulletin[];
  problems: Problem[];
}

export interface QueuedFlowFile {
  id: string;
  size: number;
  attributes: Record<string, string>;
  entryDate: number;
  penalized: boolean;
  position: number;
}

export interface QueueListing { connectionId: string; queued: Counts; flowFiles: QueuedFlowFile[] }
