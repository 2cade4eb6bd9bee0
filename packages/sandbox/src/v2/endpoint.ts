import { createNonce, verifyV2 } from '@wxpark/signer';
import { parseXml } from '@wxpark/xml';
import type { Reply, Verdict, Why } from '../http/reply.ts';
import type { RouteHandler, RouteRequest } from '../http/router.ts';
import type { Acting, SandboxState } from '../state.ts';
import { checkFields, type FieldIssue, fieldIssue } from './fields.ts';
import { type V2Fields, type V2SignType, v2ReturnFail, v2Signed, v2Unsigned } from './reply.ts';

/** The largest APIv2 body accepted; WeChat's own documented fields fit in a few KiB. */
export const v2MaxBodyBytes = 64 * 1024;

/** A request's fields, as parsed: flat strings. */
export type V2Params = Record<string, string>;

/** What an endpoint decided: extra answer fields, or a failure (with why, for the inspector). */
export type V2Outcome = { fields: V2Fields } | { err_code: string; err_code_des: string; why?: Why };

/** One APIv2 endpoint: its own checks and business rules; the shared steps live in {@link createV2Handler}. */
export interface V2Endpoint {
  /** Service-provider path: `sub_mch_id` names a sub-merchant of `mch_id`. */
  partner: boolean;
  /**
   * `vehicle`: `sign_type` must be HMAC-SHA256, the only value the vehicle pages list. `transit`: the generic
   * APIv2 rule, MD5 or HMAC-SHA256, MD5 when absent.
   */
  signTypes: 'vehicle' | 'transit';
  /**
   * The endpoint's own field checks (a PARAM_ERROR naming the field, see {@link paramError}), then its
   * business rules. Runs on a verified request whose common fields are valid.
   */
  process(params: V2Params, acting: Acting, request: RouteRequest): V2Outcome;
}

/** A PARAM_ERROR naming the field; a plain err_code_des names it by its first word. */
export function paramError(problem: string | FieldIssue): V2Outcome {
  const issue =
    typeof problem === 'string'
      ? fieldIssue(problem.split(' ')[0]!, problem.split(' ').slice(1).join(' '), undefined, problem)
      : problem;
  return {
    err_code: 'PARAM_ERROR',
    err_code_des: issue.des,
    why: { stage: 'fields', name: issue.name, expected: issue.expected, received: issue.received },
  };
}

/** The string an APIv2 sign covers, with the key left out: what the inspector shows of a SIGNERROR. */
function signedText(params: V2Params): string {
  const text = Object.keys(params)
    .filter((name) => name !== 'sign' && params[name] !== '')
    .sort()
    .map((name) => `${name}=${params[name]}`)
    .join('&');
  const shown = text.length > 400 ? `${text.slice(0, 400)}…` : text;
  return `${shown}&key=(the merchant's APIv2 key)`;
}

function refused(reply: Reply, merchant: string | undefined, why: Why): Reply {
  return withVerdict(reply, { outcome: 'refused', ...(merchant ? { merchant } : {}), why });
}

function withVerdict(reply: Reply, verdict: Verdict): Reply {
  reply.verdict = verdict;
  return reply;
}

function signTypeOf(endpoint: V2Endpoint, claimed: string | undefined): V2SignType | undefined {
  if (endpoint.signTypes === 'vehicle') return claimed === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined;
  if (claimed === undefined || claimed === '' || claimed === 'MD5') return 'MD5';
  return claimed === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined;
}

function commonProblem(
  endpoint: V2Endpoint,
  params: V2Params,
  acting: Acting,
): string | FieldIssue | undefined {
  const basic = checkFields(params, [
    { name: 'appid', required: true, maxLength: 32 },
    { name: 'nonce_str', required: true, maxLength: 32 },
  ]);
  if (basic) return basic;
  if (params.appid !== acting.merchant.appId) {
    return fieldIssue(
      'appid',
      `${acting.merchant.appId} (bound to mch_id ${acting.merchant.mchId})`,
      params.appid,
      'appid 与 mch_id 不匹配',
    );
  }
  if (!endpoint.partner) return undefined;
  if (!params.sub_mch_id) return 'sub_mch_id 缺失';
  const configured = acting.merchant.subMerchants?.find((s) => s.subMchId === params.sub_mch_id)?.subAppId;
  if (params.sub_appid && configured !== undefined && params.sub_appid !== configured) {
    return 'sub_appid 与 sub_mch_id 不匹配';
  }
  return undefined;
}

/**
 * The steps every APIv2 call goes through, in WeChat's order: XML, merchant (and sub-merchant), sign type,
 * sign, common fields, the endpoint's fields, then its business rules. Every answer after the merchant is
 * known is signed with that merchant's key, except SIGNERROR.
 */
export function createV2Handler(endpoint: V2Endpoint, state: SandboxState): RouteHandler {
  return (request) => {
    const tooLarge = request.bodyTruncated || request.body.byteLength > v2MaxBodyBytes;
    let params: V2Params;
    try {
      if (tooLarge) throw new Error(`more than ${v2MaxBodyBytes} bytes`);
      params = parseXml(request.body, { maxBytes: v2MaxBodyBytes });
    } catch (error) {
      return refused(v2ReturnFail('XML格式错误'), undefined, {
        stage: 'body',
        name: 'body',
        expected: `<xml> with one child per field, at most ${v2MaxBodyBytes} bytes`,
        received: tooLarge
          ? `more than ${v2MaxBodyBytes} bytes`
          : `unreadable XML (${(error as Error).message})`,
      });
    }

    const merchant = state.findMerchant(params.mch_id);
    if (!merchant) {
      return refused(v2ReturnFail('mch_id参数格式错误'), params.mch_id, {
        stage: 'merchant',
        name: 'mch_id',
        expected: `a merchant of the sandbox (${state.config.merchants.map((m) => m.mchId).join(', ')})`,
        received: params.mch_id ?? '(absent)',
      });
    }
    const key = state.keyOf(merchant);
    const signType = signTypeOf(endpoint, params.sign_type);
    const acting: Acting = { merchant };
    // Answers are signed with the type the client sent (it verifies with that); an unusable sign_type gets
    // the endpoint's default.
    const reply = (outcome: V2Outcome) => {
      const fields = answerFields(acting, outcome);
      const { pathname } = request.url;
      const answer = v2Signed(
        'err_code' in outcome ? fields : state.answerOverrides.apply(pathname, pathname, fields),
        key,
        signType ?? (endpoint.signTypes === 'vehicle' ? 'HMAC-SHA256' : 'MD5'),
      );
      if (!('err_code' in outcome))
        return withVerdict(answer, { outcome: 'accepted', merchant: merchant.mchId });
      return refused(
        answer,
        merchant.mchId,
        outcome.why ?? {
          stage: 'business',
          name: outcome.err_code,
          expected: 'result_code SUCCESS',
          received: `${outcome.err_code} ${outcome.err_code_des}`,
        },
      );
    };

    if (endpoint.partner) {
      const sub = merchant.subMerchants?.find((s) => s.subMchId === params.sub_mch_id);
      if (params.sub_mch_id) acting.subMchId = params.sub_mch_id;
      const subAppId = sub?.subAppId ?? params.sub_appid;
      if (subAppId) acting.subAppId = subAppId;
      if (params.sub_mch_id && !sub) {
        return reply({
          err_code: 'NOAUTH',
          err_code_des: `sub_mch_id ${params.sub_mch_id} 未与服务商 ${merchant.mchId} 建立受理关系`,
          why: {
            stage: 'merchant',
            name: 'sub_mch_id',
            expected: `a sub-merchant of ${merchant.mchId} (${(merchant.subMerchants ?? []).map((m) => m.subMchId).join(', ') || 'none'})`,
            received: params.sub_mch_id,
          },
        });
      }
    }

    if (!signType) {
      const allowed = endpoint.signTypes === 'vehicle' ? 'HMAC-SHA256' : 'MD5 或 HMAC-SHA256';
      return reply({
        err_code: 'PARAM_ERROR',
        err_code_des: `签名类型错误，sign_type 应为 ${allowed}`,
        why: {
          stage: 'signature',
          name: 'sign_type',
          expected: allowed,
          received: params.sign_type ?? '(absent)',
        },
      });
    }
    if (!verifyV2(params, key, signType)) {
      return refused(
        v2Unsigned(answerFields(acting, { err_code: 'SIGNERROR', err_code_des: '签名错误' })),
        merchant.mchId,
        {
          stage: 'signature',
          name: 'sign',
          expected: `${signType} of "${signedText(params)}"`,
          received: params.sign ? `a ${params.sign.length}-character sign that does not match` : '(absent)',
        },
      );
    }

    const problem = commonProblem(endpoint, params, acting);
    return reply(problem ? paramError(problem) : endpoint.process(params, acting, request));
  };
}

function answerFields(acting: Acting, outcome: V2Outcome): V2Fields {
  const failed = 'err_code' in outcome;
  return {
    return_code: 'SUCCESS',
    return_msg: 'OK',
    appid: acting.merchant.appId,
    mch_id: acting.merchant.mchId,
    sub_appid: acting.subAppId,
    sub_mch_id: acting.subMchId,
    nonce_str: createNonce(32),
    result_code: failed ? 'FAIL' : 'SUCCESS',
    ...(failed ? { err_code: outcome.err_code, err_code_des: outcome.err_code_des } : outcome.fields),
  };
}
