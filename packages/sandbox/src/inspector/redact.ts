/** Text kept of a body shown in the inspector. */
export const shownBodyChars = 4096;

export function cut(text: string, limit = shownBodyChars): string {
  return text.length > limit ? `${text.slice(0, limit)}… (${text.length - limit} more characters)` : text;
}

/**
 * An `Authorization` header without its signature: the scheme and the parameters that name who signed and
 * when (mchid, serial_no, timestamp, nonce_str). Anything that does not parse shows as its scheme only.
 */
export function maskAuthorization(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value.slice(0, 40) : value.slice(0, Math.min(space, 40));
  if (space === -1) return `${scheme} (no parameters)`;
  const kept: string[] = [];
  for (const match of value.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) {
    const [, name, param] = match;
    if (name === 'signature') kept.push('signature=(hidden)');
    else if (['mchid', 'serial_no', 'timestamp', 'nonce_str'].includes(name!)) {
      kept.push(`${name}="${param!.slice(0, 64)}"`);
    }
  }
  return `${scheme} ${kept.length > 0 ? kept.join(',') : '(unreadable parameters)'}`;
}

/** Headers as shown: `Authorization` masked, signatures of answers and notices reduced to their length. */
export function maskHeaders(headers: Record<string, string>): Record<string, string> {
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'proxy-authorization') shown[name] = maskAuthorization(value);
    else if (lower === 'cookie') shown[name] = '(hidden)';
    else if (lower === 'wechatpay-signature') {
      shown[name] = value.startsWith('WECHATPAY/SIGNTEST/')
        ? 'WECHATPAY/SIGNTEST/… (a probe)'
        : `(hidden, ${value.length} characters)`;
    } else shown[name] = value;
  }
  return shown;
}

/** APIv2 XML with the `sign` value hidden. */
export function maskV2Sign(xml: string): string {
  return xml.replace(
    /<sign>(<!\[CDATA\[)?([^<\]]*)(\]\]>)?<\/sign>/g,
    (_all, _open, sign: string) => `<sign>(hidden, ${sign.length} characters)</sign>`,
  );
}

/** A body as shown: cut, an APIv2 sign hidden. */
export function showBody(text: string): string {
  return cut(maskV2Sign(text));
}
