/** One field rule, checked the way WeChat reports problems: the first failure, naming the field. */
export interface FieldRule {
  name: string;
  required?: boolean;
  maxLength?: number;
  pattern?: RegExp;
  /** Says what `pattern` expects, in the answer's words. */
  patternDes?: string;
  values?: readonly string[];
}

export const compactTime = { pattern: /^\d{14}$/, patternDes: 'yyyyMMddHHmmss' } as const;
export const seconds = { maxLength: 16, pattern: /^\d+$/, patternDes: '秒数（数字）' } as const;
/** notify_url: absolute http(s), no query string or fragment (WeChat appends nothing and accepts none). */
export const notifyUrl = {
  maxLength: 256,
  pattern: /^https?:\/\/[^\s?#]+$/,
  patternDes: '不带参数的 http(s) 地址',
} as const;

/** A field that failed its rule: the err_code_des WeChat answers, and the parts the inspector shows. */
export interface FieldIssue {
  /** The err_code_des, starting with the field's name. */
  des: string;
  name: string;
  expected: string;
  received: string;
}

export function fieldIssue(name: string, expected: string, received: unknown, des?: string): FieldIssue {
  const shown =
    typeof received === 'string' ? received : received === undefined ? '' : JSON.stringify(received);
  return { des: des ?? `${name} ${expected}`, name, expected, received: shown };
}

/**
 * Checks `record` against `rules` and returns the first bad field (named with `prefix`, e.g. `scene_info.`),
 * or undefined. Empty strings count as missing, as in APIv2 signing.
 */
export function checkFields(
  record: Record<string, unknown>,
  rules: readonly FieldRule[],
  prefix = '',
): FieldIssue | undefined {
  for (const rule of rules) {
    const name = `${prefix}${rule.name}`;
    const value = record[rule.name];
    if (value === undefined || value === null || value === '') {
      if (rule.required) return fieldIssue(name, '缺失', value, `${name} 缺失`);
      continue;
    }
    if (typeof value !== 'string') return fieldIssue(name, '应为字符串', value);
    if (rule.maxLength !== undefined && [...value].length > rule.maxLength) {
      return fieldIssue(
        name,
        `长度不能超过${rule.maxLength}个字符`,
        value,
        `${name} 长度不能超过${rule.maxLength}个字符`,
      );
    }
    if (rule.pattern && !rule.pattern.test(value))
      return fieldIssue(name, `格式错误，应为${rule.patternDes ?? rule.pattern}`, value);
    if (rule.values && !rule.values.includes(value))
      return fieldIssue(name, `取值错误，应为 ${rule.values.join(' | ')}`, value);
  }
  return undefined;
}

/** Reads `scene_info`: JSON text `{"scene_info":{…}}`. Returns the inner object, or an err_code_des. */
export function readSceneInfo(
  text: string | undefined,
): { scene: Record<string, unknown> } | { problem: string } {
  if (text === undefined || text === '') return { problem: 'scene_info 缺失' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: 'scene_info 不是合法的 JSON 文本' };
  }
  const inner = isRecord(parsed) ? parsed.scene_info : undefined;
  if (!isRecord(inner)) return { problem: 'scene_info 应为 {"scene_info":{…}} 形式的 JSON 文本' };
  return { scene: inner };
}

/**
 * Checks a request's own fields, then its scene_info against the rules of its trade_scene (which `rules`
 * must have checked). Returns the scene, or an err_code_des naming the first bad field.
 */
export function checkSceneRequest(
  params: Record<string, string>,
  rules: readonly FieldRule[],
  sceneRules: Readonly<Record<string, readonly FieldRule[]>>,
): { scene: Record<string, unknown> } | { problem: string | FieldIssue } {
  const top = checkFields(params, rules);
  if (top) return { problem: top };
  const read = readSceneInfo(params.scene_info);
  if ('problem' in read) return read;
  const problem = checkFields(read.scene, sceneRules[params.trade_scene ?? ''] ?? [], 'scene_info.');
  return problem ? { problem } : read;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string value of a scene field, if it is one. */
export function sceneString(scene: Record<string, unknown>, name: string): string | undefined {
  const value = scene[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
