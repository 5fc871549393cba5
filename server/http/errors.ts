/**
 * The one error type of the HTTP layer. Every refusal has a code from this closed set, and the
 * code alone decides the status, so two handlers cannot answer the same problem differently.
 *
 * Generic codes (bad_request, forbidden, not_found, …) are used where nothing more specific helps
 * a client. The specific ones (missing_key, body_too_large, admin_disabled, …) were already on
 * the wire before this table existed: clients and the pipeline page branch on them, so they stay.
 */
export const HTTP_ERROR_STATUS = {
  bad_request: 400,
  malformed_json: 400,
  invalid_body: 400,
  invalid_batch: 400,
  empty_batch: 400,
  missing_key: 401,
  unknown_key: 401,
  admin_key_required: 401,
  admin_key_invalid: 401,
  unauthenticated: 401,
  invalid_credentials: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  admin_disabled: 403,
  cross_site_request: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  gone: 410,
  body_too_large: 413,
  batch_too_large: 413,
  unsupported_media_type: 415,
  unsupported_encoding: 415,
  invalid_inventory: 422,
  invalid_rules: 422,
  not_replayable: 422,
  backpressure: 429,
  too_many_attempts: 429,
  rate_limited: 429,
  internal: 500,
  log_unavailable: 503,
} as const satisfies Record<string, number>;

export type HttpErrorCode = keyof typeof HTTP_ERROR_STATUS;

export class HttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    /** extra response headers, e.g. Allow or Retry-After */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = HTTP_ERROR_STATUS[code];
  }

  /** the body every endpoint uses for a refusal */
  toBody(): { error: { code: HttpErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** What an unexpected failure tells the client: nothing about the cause (it is logged instead). */
export const INTERNAL_ERROR = new HttpError('internal', 'something went wrong on our side; it has been logged');

/**
 * A short, printable rendering of client input for an error message: control and non-ASCII
 * characters become `\uXXXX`, and only the first `max` characters are kept, so a message can
 * never carry binary or a large echo of the request back to the client (or into a log line).
 */
export function excerpt(input: string, max = 40): string {
  const head = input.length > max ? input.slice(0, max) : input;
  const printable = head.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return input.length > max ? `${printable}…` : printable;
}
