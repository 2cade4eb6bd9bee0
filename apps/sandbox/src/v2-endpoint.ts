import { createNonce, verifyV2 } from '@wxpark/signer';
import { parseXml } from '@wxpark/xml';
import type { RouteHandler } from './router.ts';
import type { Acting, SandboxState } from './state.ts';
import { checkFields } from './v2-fields.ts';
import { type V2Fields, type V2SignType, v2ReturnFail, v2Signed, v2Unsigned } from './v2-reply.ts';

/** The largest APIv2 body accepted; WeChat's own documented fields fit in a few KiB. */
export const v2MaxBodyBytes = 64 * 1024;

/** A request's fields, as parsed: flat strings. */
export type V2Params = Record<string, string>;

/** What an endpoint decided: extra answer fields, or a business failure. */
export type V2Outcome = { fields: V2Fields } | { err_code: string; err_code_des: string };

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
  process(params: V2Params, acting: Acting): V2Outcome;
}

export function paramError(err_code_des: string): V2Outcome {
  return { err_code: 'PARAM_ERROR', err_code_des };
}

function signTypeOf(endpoint: V2Endpoint, claimed: string | undefined): V2SignType | undefined {
  if (endpoint.signTypes === 'vehicle') return claimed === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined;
  if (claimed === undefined || claimed === '' || claimed === 'MD5') return 'MD5';
  return claimed === 'HMAC-SHA256' ? 'HMAC-SHA256' : undefined;
}

function commonProblem(endpoint: V2Endpoint, params: V2Params, acting: Acting): string | undefined {
  const basic = checkFields(params, [
    { name: 'appid', required: true, maxLength: 32 },
    { name: 'nonce_str', required: true, maxLength: 32 },
  ]);
  if (basic) return basic;
  if (params.appid !== acting.merchant.appId) return 'appid 与 mch_id 不匹配';
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
    if (request.bodyTruncated || request.body.byteLength > v2MaxBodyBytes) return v2ReturnFail('XML格式错误');
    let params: V2Params;
    try {
      params = parseXml(request.body, { maxBytes: v2MaxBodyBytes });
    } catch {
      return v2ReturnFail('XML格式错误');
    }

    const merchant = state.findMerchant(params.mch_id);
    if (!merchant) return v2ReturnFail('mch_id参数格式错误');
    const key = state.keyOf(merchant);
    const signType = signTypeOf(endpoint, params.sign_type);
    const acting: Acting = { merchant };
    // Answers are signed with the type the client sent (it verifies with that); an unusable sign_type gets
    // the endpoint's default.
    const reply = (outcome: V2Outcome) => {
      const fields = answerFields(acting, outcome);
      const { pathname } = request.url;
      return v2Signed(
        'err_code' in outcome ? fields : state.answerOverrides.apply(pathname, pathname, fields),
        key,
        signType ?? (endpoint.signTypes === 'vehicle' ? 'HMAC-SHA256' : 'MD5'),
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
        });
      }
    }

    if (!signType) {
      const allowed = endpoint.signTypes === 'vehicle' ? 'HMAC-SHA256' : 'MD5 或 HMAC-SHA256';
      return reply({ err_code: 'PARAM_ERROR', err_code_des: `签名类型错误，sign_type 应为 ${allowed}` });
    }
    if (!verifyV2(params, key, signType)) {
      return v2Unsigned(answerFields(acting, { err_code: 'SIGNERROR', err_code_des: '签名错误' }));
    }

    const problem = commonProblem(endpoint, params, acting);
    return reply(problem ? paramError(problem) : endpoint.process(params, acting));
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
