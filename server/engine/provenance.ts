// Provenance events as NiFi names them. The session reports them only when a sink is enabled,
// so the hot path pays nothing when provenance is off.
export type ProvenanceEventType =
  | 'CREATE' | 'RECEIVE' | 'SEND' | 'ROUTE' | 'FORK' | 'JOIN' | 'CLONE'
  | 'ATTRIBUTES_MODIFIED' | 'CONTENT_MODIFIED' | 'DROP' | 'EXPIRE';

export interface ProvenanceEvent {
  timestamp: number;
  type: ProvenanceEventType;
  componentId: string;
  componentType: string;
  flowFileId: string;
  parentIds: string[];
  childIds: string[];
  details?: string;
  relationship?: string;
  transitUri?: string;
  attributesBefore?: Record<string, string>;
  attributesAfter?: Record<string, string>;
  size: number;
}

export interface ProvenanceSink {
  /** Whether the current commit records events (may be rationed by a rate budget). */
  readonly enabled: boolean;
  /** True when this sink never records, so nothing needs keeping just for provenance. */
  readonly off?: boolean;
  record(event: ProvenanceEvent): void;
}
