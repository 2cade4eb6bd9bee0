import {
  describeValue,
  either,
  formatChinaCompactTime,
  isCompactTime,
  object,
  oneOf,
  optional,
  type Schema,
  string,
  text,
  transform,
} from '@wxpark/core';

/** APIv2 wire fields: a flat record of strings. */
export type V2Wire = Record<string, string>;

/** 公众账号ID / 商户号 and the like: up to 32 characters. */
export const id32 = string({ maxLength: 32 });
/** 商户号: digits. */
export const mchId = string({ maxLength: 32, pattern: /^\d+$/, patternName: 'digits' });
/** 随机字符串: filled by the client when absent. */
export const nonceStr = optional(
  string({ maxLength: 32, pattern: /^[0-9A-Za-z]+$/, patternName: 'letters and digits' }),
);
/** 签名类型: the vehicle APIs use HMAC-SHA256 only. Filled when absent. */
export const signType = optional(oneOf(['HMAC-SHA256']));
/** 版本号. */
export const version = optional(oneOf(['3.0', '2.0']));

/** A `yyyyMMddHHmmss` time, or a `Date` (written in China time). */
export const compactTime: Schema<string | Date, string> = {
  expected: 'a Date or a string of 14 digits (yyyyMMddHHmmss, China time)',
  optional: false,
  check(value, path, issues) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return formatChinaCompactTime(value);
    if (typeof value === 'string' && isCompactTime(value)) return value;
    issues.push({ path, expected: this.expected, received: describeValue(value) });
    return '';
  },
};

/** A whole number of seconds written as a string (免费时长 and the like). */
export const secondsString = string({ maxLength: 16, pattern: /^\d+$/, patternName: 'digits (seconds)' });

/** An absolute http(s) URL without a query string, as WeChat requires for notify_url. */
export const notifyUrl = string({
  maxLength: 256,
  pattern: /^https?:\/\/[^\s?#]+$/,
  patternName: 'an http(s) URL without query or fragment',
});

/** An amount in fen (分), a positive integer; written as digits on the wire. */
export const fen: Schema<number, string> = {
  expected: 'a positive integer (fen)',
  optional: false,
  check(value, path, issues) {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value);
    issues.push({ path, expected: this.expected, received: describeValue(value) });
    return '';
  },
};

/**
 * `scene_info`: given as an object (encoded here as `{"scene_info":{…}}`) or as an already-encoded JSON
 * string, which is checked against the same rules and sent byte for byte as given (the signature covers
 * that exact text).
 */
export function sceneInfo<In, Out>(inner: Schema<In, Out>): Schema<In | string, string> {
  const wrapped = object({ scene_info: inner });
  const encoded: Schema<string, string> = {
    expected: 'a JSON string {"scene_info":{…}}',
    optional: false,
    check(value, path, issues) {
      if (typeof value !== 'string') {
        issues.push({ path, expected: this.expected, received: describeValue(value) });
        return '';
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        issues.push({ path, expected: this.expected, received: 'text that is not JSON' });
        return '';
      }
      wrapped.check(parsed, `${path}(json)`, issues);
      return value;
    },
  };
  const fromObject = transform(inner, (checked) => JSON.stringify({ scene_info: checked }));
  const chosen: Schema<In | string, string> = either(fromObject, encoded);
  // WeChat caps the encoded text at 1024 characters, whichever form it was given in.
  return {
    expected: chosen.expected,
    optional: false,
    check(value, path, issues) {
      const before = issues.length;
      const text = chosen.check(value, path, issues);
      if (issues.length === before && text.length > 1024) {
        issues.push({
          path,
          expected: 'at most 1024 characters once encoded as {"scene_info":{…}}',
          received: `${text.length} characters`,
        });
      }
      return text;
    },
  };
}

/** What every APIv2 request carries besides its own fields; `sign` is added when it is sent. */
export interface V2RequestEnvelope {
  /** 公众账号ID. */
  appid: string;
  /** 商户号. */
  mch_id: string;
  /** 随机字符串: generated when absent. */
  nonce_str?: string;
  /** 签名类型. @default 'HMAC-SHA256' */
  sign_type?: 'HMAC-SHA256';
}

/** What every verified APIv2 answer carries; a FAIL was already thrown as `ApiError`, so codes are SUCCESS. */
export interface V2AnswerEnvelope {
  /** 返回状态码. */
  return_code: 'SUCCESS';
  /** 返回信息. */
  return_msg?: string;
  /** 公众账号ID. */
  appid: string;
  /** 商户号. */
  mch_id: string;
  /** 随机字符串. */
  nonce_str: string;
  /** 签名, verified before the answer reaches you. */
  sign: string;
  /** 业务结果. */
  result_code: 'SUCCESS';
}

/**
 * The rules of {@link V2AnswerEnvelope} (a FAIL was already thrown as `ApiError`, and an unsigned success
 * refused, before answers are checked).
 */
export const v2AnswerFields = {
  return_code: oneOf(['SUCCESS']),
  return_msg: optional(text()),
  appid: text(),
  mch_id: text(),
  nonce_str: text(),
  sign: text(),
  result_code: oneOf(['SUCCESS']),
};

/** Flattens checked fields into wire strings, filling `sign_type` and `version` defaults. */
export function toWire(
  fields: Record<string, unknown>,
  defaults: Readonly<Record<string, string>> = {},
): V2Wire {
  const wire: V2Wire = { ...defaults };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) wire[key] = String(value);
  }
  return wire;
}
