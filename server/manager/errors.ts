// The one error type the API turns into a response: a status, a sentence and optional details.
export interface ErrorDetail {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly details: ErrorDetail[] = []) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, `${what} does not exist.`);
export const badRequest = (message: string, details: ErrorDetail[] = []) => new ApiError(400, message, details);
export const conflict = (message: string, details: ErrorDetail[] = []) => new ApiError(409, message, details);
