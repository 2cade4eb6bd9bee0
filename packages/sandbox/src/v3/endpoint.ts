import type { RouteHandler, RouteRequest } from '../http/router.ts';
import type { SandboxState } from '../state.ts';
import { authenticate, type V3Merchant } from './auth.ts';
import { checkShape, FieldProblem, type Shape } from './fields.ts';
import { type V3Answer, v3Error, v3Reply } from './reply.ts';

/** The largest APIv3 body accepted; the documented requests fit in a few KiB. */
export const v3MaxBodyBytes = 64 * 1024;

/** A verified APIv3 call whose fields passed the endpoint's rules. */
export interface V3Call {
  merchant: V3Merchant;
  /** Path fields, then the body's (POST) or the query's (GET) fields, as checked. */
  fields: Record<string, unknown>;
  request: RouteRequest;
}

/** One APIv3 endpoint: its path, field rules and business rules; the shared steps are in {@link createV3Handler}. */
export interface V3Endpoint {
  method: 'GET' | 'POST';
  /** The path as WeChat documents it; `{name}` segments are path fields. */
  path: string;
  /** Rules for the `{name}` segments. */
  pathFields?: Shape;
  /** Rules for the JSON body (POST) or the query (GET). */
  fields: Shape;
  /** Business rules; throw a `FieldProblem` for a PARAM_ERROR found across fields. */
  process(call: V3Call): V3Answer | Promise<V3Answer>;
}

/** The PARAM_ERROR WeChat answers for a field, naming the input source in its message. */
export function paramError(problem: FieldProblem): V3Answer {
  const { field, location, issue } = problem.detail;
  const source = location === 'body' ? `/body${field}` : `/${location}/${field}`;
  const value = problem.detail.value;
  const answer = v3Error(400, 'PARAM_ERROR', `输入源“${source}”校验失败：${issue}`, {
    field,
    value: value ?? '',
    issue,
    location,
  });
  const received =
    value === undefined ? '(absent)' : typeof value === 'string' ? value : JSON.stringify(value);
  return { ...answer, why: { stage: 'fields', name: `${location} ${field}`, expected: issue, received } };
}

function readFields(endpoint: V3Endpoint, request: RouteRequest, body: string): Record<string, unknown> {
  const fromPath = checkShape(endpoint.pathFields ?? {}, request.params, 'path');
  if (endpoint.method === 'GET') {
    const query: Record<string, unknown> = {};
    for (const [name, value] of request.url.searchParams) if (!(name in query)) query[name] = value;
    return { ...fromPath, ...checkShape(endpoint.fields, query, 'query') };
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new FieldProblem({ field: '/', value: '', issue: '请求体应为合法的 JSON', location: 'body' });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new FieldProblem({ field: '/', value: '', issue: '请求体应为 JSON 对象', location: 'body' });
  }
  return { ...fromPath, ...checkShape(endpoint.fields, json as Record<string, unknown>, 'body') };
}

async function decide(endpoint: V3Endpoint, state: SandboxState, request: RouteRequest): Promise<V3Answer> {
  if (request.bodyTruncated || request.body.byteLength > v3MaxBodyBytes) {
    return {
      ...v3Error(400, 'INVALID_REQUEST', `请求体不能超过 ${v3MaxBodyBytes} 字节`),
      why: {
        stage: 'body',
        name: 'body',
        expected: `at most ${v3MaxBodyBytes} bytes`,
        received: `more than ${v3MaxBodyBytes} bytes`,
      },
    };
  }
  const body = request.body.toString('utf8');
  const auth = await authenticate(state, request, body);
  if (!('merchant' in auth)) return auth;
  const forced = state.v3.failures.take(request.url.pathname, endpoint.path);
  if (forced) {
    const code = (forced.body as { code: string }).code;
    return {
      ...forced,
      why: {
        stage: 'forced',
        name: 'failNext',
        expected: 'processing',
        received: `${forced.status} ${code} (queued by failNext)`,
      },
    };
  }
  try {
    const fields = readFields(endpoint, request, body);
    return await endpoint.process({ merchant: auth.merchant, fields, request });
  } catch (error) {
    if (error instanceof FieldProblem) return paramError(error);
    throw error;
  }
}

/**
 * The steps every APIv3 call goes through, in WeChat's order: body size, `Authorization`, a queued
 * `failNext` error, the fields, then the endpoint's business rules. Every answer is signed.
 */
export function createV3Handler(endpoint: V3Endpoint, state: SandboxState): RouteHandler {
  return async (request) => {
    let answer = await decide(endpoint, state, request);
    const { body } = answer;
    if (answer.status < 300 && typeof body === 'object' && body !== null && !Array.isArray(body)) {
      answer = { ...answer, body: state.answerOverrides.apply(request.url.pathname, endpoint.path, body) };
    }
    const requested = request.headers['wechatpay-serial'];
    return v3Reply(
      state.v3.keyring,
      answer,
      typeof requested === 'string' ? requested : undefined,
      claimedMerchant(request.headers.authorization),
    );
  };
}

/** The mchid an `Authorization` header names, verified or not: the inspector groups requests by it. */
export function claimedMerchant(header: string | undefined): string | undefined {
  return header ? /\bmchid="([^"]{1,32})"/.exec(header)?.[1] : undefined;
}

/** Who a call acts for: the merchant and, for a service provider, the sub-merchant. */
export interface V3Acting {
  merchant: V3Merchant;
  sub_mchid?: string;
}

/**
 * Checks `sub_mchid` against the merchant: a sub-merchant it does not serve is NO_AUTH; a service provider
 * must name one where the API says "服务商模式必填" (`required`).
 */
export function resolveActing(
  call: V3Call,
  required: boolean,
  location: 'body' | 'query' = 'body',
): V3Acting | V3Answer {
  const { merchant } = call;
  const sub = call.fields.sub_mchid as string | undefined;
  if (sub !== undefined) {
    if (!merchant.subMerchants?.some((s) => s.subMchId === sub)) {
      return v3Error(403, 'NO_AUTH', `子商户号${sub}与服务商${merchant.mchId}不存在受理关系`);
    }
    return { merchant, sub_mchid: sub };
  }
  if (required && merchant.subMerchants?.length) {
    throw new FieldProblem({
      field: location === 'body' ? '/sub_mchid' : 'sub_mchid',
      value: '',
      issue: '服务商模式下此字段为必填项',
      location,
    });
  }
  return { merchant };
}

/** The appids a call may use: the merchant's, and its sub-merchant's when acting for one. */
export function appIdsOf(acting: V3Acting): string[] {
  const sub = acting.merchant.subMerchants?.find((s) => s.subMchId === acting.sub_mchid);
  return [acting.merchant.appId, ...(sub?.subAppId ? [sub.subAppId] : [])];
}

export function isAnswer(value: V3Acting | V3Answer): value is V3Answer {
  return 'status' in value;
}
