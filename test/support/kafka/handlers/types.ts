// Shared handler types.
import type { BrokerCore } from '../core.ts';
import type { Msg } from '../protocol/messages.ts';

export interface RequestContext {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  clientHost: string;
  /** fires when the client connection closes (ends long polls) */
  abort: AbortSignal;
}

/** Returns the response body, or null to send no response (Produce with acks=0). */
export type Handler = (broker: BrokerCore, req: Msg, ctx: RequestContext) => Msg | null | Promise<Msg | null>;

export const NO_AUTHORIZED_OPERATIONS = -2147483648;
