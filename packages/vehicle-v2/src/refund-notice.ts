import { SignatureError, WxparkError } from '@wxpark/core';
import { decryptV2RefundInfo, SignerError, type V2ApiKey } from '@wxpark/signer';
import { parseXml, XmlError } from '@wxpark/xml';

// 退款结果通知 (APIv2), as the official page lists it (pay.weixin.qq.com/doc/v2/partner/4011989265, the same
// table as wiki/doc/api/jsapi.php?chapter=9_16): an outer XML of return_code, return_msg, appid, mch_id,
// (sub_appid, sub_mch_id), nonce_str and req_info, with no sign; req_info decrypts to `<root>…</root>` XML
// holding the fields below.

/** 退款状态 of 退款结果通知: SUCCESS 退款成功, CHANGE 退款异常, REFUNDCLOSE 退款关闭 (open). */
export type RefundNoticeStatus = 'SUCCESS' | 'CHANGE' | 'REFUNDCLOSE' | (string & {});

/** The decrypted `req_info` of a 退款结果通知: every value as WeChat sends it (amounts in fen, as digits). */
export interface RefundResultNotice {
  /** 微信订单号. */
  transaction_id: string;
  /** 商户订单号. */
  out_trade_no: string;
  /** 微信退款单号. */
  refund_id: string;
  /** 商户退款单号. */
  out_refund_no: string;
  /** 订单金额 (fen). */
  total_fee: string;
  /** 应结订单金额 (fen): present when the order used a non-recharge coupon. */
  settlement_total_fee?: string;
  /** 申请退款金额 (fen). */
  refund_fee: string;
  /** 退款金额 (fen): 申请退款金额 less non-recharge coupon refunds. */
  settlement_refund_fee: string;
  /** 退款状态. */
  refund_status: RefundNoticeStatus;
  /** 退款成功时间, `yyyy-MM-dd HH:mm:ss` China time: when refund_status is SUCCESS. */
  success_time?: string;
  /** 退款入账账户 (WeChat's spelling), e.g. 招商银行信用卡0403, 支付用户的零钱. */
  refund_recv_accout: string;
  /** 退款资金来源: REFUND_SOURCE_RECHARGE_FUNDS or REFUND_SOURCE_UNSETTLED_FUNDS (open). */
  refund_account: string;
  /** 退款发起来源: API or VENDOR_PLATFORM (open). */
  refund_request_source: string;
  [field: string]: string | undefined;
}

/** Without these the notice names no refund and no outcome: refused rather than handed on. */
const required = ['out_refund_no', 'refund_id', 'refund_status'] as const;

/** What `req_info` must decrypt to: WeChat's `<root>` element (an `<xml>` root is read the same way). */
const rootElement = /^\s*<(root|xml)>([\s\S]*)<\/\1>\s*$/;

function notDecrypted(message: string, cause?: unknown): SignatureError {
  return new SignatureError({
    code: 'DECRYPT_FAILED',
    message,
    hint: 'a 退款结果通知 is encrypted with the APIv2 key of the merchant that asked for the refund (not the APIv3 key); check apiKey, and that the body reached you unchanged',
    path: 'notice.req_info',
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Decrypts and reads the `req_info` of an APIv2 退款结果通知. The notice is not signed: the APIv2 key that
 * encrypted req_info is its only proof of origin, and AES-256-ECB checks no integrity, so whole 16-byte
 * blocks of a genuine req_info could be dropped or repeated by someone who captured it without the result
 * failing to parse. Confirm a refund with 查询退款 before anything irreversible. Only the decrypted fields are returned: the
 * outer appid, mch_id, sub_mch_id and nonce_str are covered by nothing (the notice has no sign), so anyone
 * could change them; the refund is named by its out_refund_no and refund_id instead.
 *
 * @throws `SignatureError` `DECRYPT_FAILED` when req_info does not decrypt under `key` to `<root>` XML (a
 * wrong key, changed bytes, a forgery); `WxparkError` `MALFORMED_NOTICE` when it decrypts but lacks
 * out_refund_no, refund_id or refund_status.
 */
export function decryptRefundNotice(reqInfo: string, key: V2ApiKey): RefundResultNotice {
  let plaintext: string;
  try {
    plaintext = decryptV2RefundInfo(reqInfo, key);
  } catch (error) {
    if (!SignerError.isInstance(error)) throw error;
    throw notDecrypted(`the APIv2 refund notice's req_info: ${error.message}`, error);
  }
  const root = rootElement.exec(plaintext);
  let received: Record<string, string>;
  try {
    if (!root) throw new Error('not a <root> element');
    received = parseXml(`<xml>${root[2]}</xml>`);
  } catch (error) {
    // ECB has no tag: a wrong key or changed bytes can leave valid padding over bytes that are not XML.
    if (!root || XmlError.isInstance(error)) {
      throw notDecrypted("the APIv2 refund notice's req_info did not decrypt to <root> XML", error);
    }
    throw error;
  }
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(received)) if (value !== '') fields[name] = value;
  const missing = required.filter((name) => fields[name] === undefined);
  if (missing.length > 0) {
    throw new WxparkError({
      code: 'MALFORMED_NOTICE',
      message: `the APIv2 refund notice's req_info lacks ${missing.join(', ')}`,
    });
  }
  return fields as RefundResultNotice;
}
