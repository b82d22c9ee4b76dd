import type { ErrorCode, KeywardError, SignedEnvelope } from '@keyward/core';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The one place where refusals meet HTTP statuses. */
const STATUS: Readonly<Record<ErrorCode, number>> = {
  MALFORMED_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PRODUCT_NOT_FOUND: 404,
  PRODUCT_CODE_TAKEN: 409,
  POLICY_NOT_FOUND: 404,
  LICENSE_NOT_FOUND: 404,
  SERIAL_INVALID: 400,
  SERIAL_UNKNOWN: 404,
  LICENSE_SUSPENDED: 403,
  LICENSE_REVOKED: 403,
  LICENSE_EXPIRED: 403,
  SERIAL_BOUND_ELSEWHERE: 409,
  NOT_BOUND_HERE: 409,
  NOT_BOUND: 409,
  TRANSFER_LIMIT_REACHED: 409,
  REQUEST_REPLAYED: 409,
  REQUEST_STALE: 400,
  SIGNATURE_INVALID: 400,
  UNKNOWN_KEY_ID: 400,
  FILE_CORRUPTED: 400,
  WRONG_FILE_KIND: 400,
  WRONG_KEY: 400,
  DECRYPTION_FAILED: 400,
  WRONG_COMPUTER: 400,
  TAMPER_DETECTED: 403,
  CLOCK_ROLLBACK: 400,
  EVALUATION_EXPIRED: 403,
  NOT_ACTIVATED: 409,
  LICENSE_FROZEN: 403,
  GRACE_PERIOD_ENDED: 403,
  ANSWER_UNSIGNED: 502,
  ACTIVATION_PENDING: 409,
  UNLOCK_NEEDS_FILE: 422,
  ANSWER_MISMATCH: 502,
  NETWORK_UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  FROM_MISMATCH: 409,
  ALREADY_APPLIED: 409,
  PACKAGE_OUTDATED: 409,
  PACKAGE_OUT_OF_ORDER: 409,
  UPDATE_NEEDS_FILE: 422,
  CODE_MISTYPED: 400,
  COUNTER_EXHAUSTED: 409,
  NAME_NOT_FOUND: 404,
  DEALER_NOT_FOUND: 404,
  DEALER_LOGIN_TAKEN: 409,
  LOGIN_FAILED: 401,
  ORDER_NOT_FOUND: 404,
  ORDER_NOT_AUTHORIZED: 409,
  ORDER_ALREADY_AUTHORIZED: 409,
  ORDER_PROCESSED: 409,
  ORDER_CANCELLED: 409,
  ORDER_EXPIRED: 410,
  ORDER_WRONG_KEY: 409,
  AUTHORIZATION_INVALID: 403,
  ORDER_LOCKED: 423,
  SITE_NOT_FOUND: 404,
  SITE_KEY_TAKEN: 409,
  SITE_NOT_REGISTERED: 409,
  WRONG_SITE: 400,
  SITE_LICENSE_NOT_FOUND: 404,
  SITE_LICENSE_EXISTS: 409,
  SITE_LICENSE_EXPIRED: 403,
  ITEM_NOT_LICENSED: 404,
  NO_SEAT_AVAILABLE: 409,
  LEASE_NOT_FOUND: 404,
  LEASE_EXPIRED: 410,
  BORROW_TOO_LONG: 400,
  INTERNAL_ERROR: 500,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** RFC 9457 problem details, with Keyward's stable code and the request id to quote to support. */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly requestId: string;
  readonly facts?: Readonly<Record<string, unknown>>;
  /** On the machine API: the vendor's signed refusal, over the asker's nonce. */
  readonly refusal?: SignedEnvelope;
}

export function problemBody(error: KeywardError, requestId: string): ProblemBody {
  const body: ProblemBody = {
    type: `urn:keyward:error:${error.code}`,
    title: error.message,
    status: statusOf(error.code),
    code: error.code,
    message: error.message,
    requestId,
  };
  return error.detail === undefined ? body : { ...body, facts: error.detail };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  error: KeywardError,
  refusal?: SignedEnvelope,
): FastifyReply {
  const problem = problemBody(error, request.id);
  const body = refusal === undefined ? problem : { ...problem, refusal };
  return reply.code(body.status).type('application/problem+json').send(body);
}
