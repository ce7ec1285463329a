// ApiVersions (version negotiation) and SaslHandshake (no SASL: always rejected).
import { SUPPORTED_VERSIONS } from '../protocol/api-keys.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Msg } from '../protocol/messages.ts';
import type { Handler } from './types.ts';

export function apiVersionsBody(errorCode: number): Msg {
  return {
    ErrorCode: errorCode,
    ApiKeys: Object.entries(SUPPORTED_VERSIONS)
      .map(([k, [min, max]]) => ({ ApiKey: Number(k), MinVersion: min, MaxVersion: max }))
      .sort((a, b) => a.ApiKey - b.ApiKey),
    ThrottleTimeMs: 0,
  };
}

export const handleApiVersions: Handler = () => apiVersionsBody(ErrorCode.NONE);

export const handleSaslHandshake: Handler = () => ({ ErrorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, Mechanisms: [] });
