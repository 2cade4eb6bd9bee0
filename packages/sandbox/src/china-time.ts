const chinaOffsetMs = 8 * 60 * 60 * 1000;

/** `yyyyMMddHHmmss` in China time (UTC+8, no daylight saving), as APIv2 writes times. */
export function formatChinaTime(date: Date): string {
  const shifted = new Date(date.getTime() + chinaOffsetMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    String(shifted.getUTCFullYear()).padStart(4, '0') +
    pad(shifted.getUTCMonth() + 1) +
    pad(shifted.getUTCDate()) +
    pad(shifted.getUTCHours()) +
    pad(shifted.getUTCMinutes()) +
    pad(shifted.getUTCSeconds())
  );
}

/** RFC 3339 in China time (`2026-11-24T10:34:56+08:00`), as APIv3 writes times. */
export function formatChinaRfc3339(date: Date): string {
  const t = formatChinaTime(date);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}+08:00`;
}

/** `yyyy-MM-dd HH:mm:ss` in China time, as the APIv2 refund APIs write 退款成功时间. */
export function formatChinaDateTime(date: Date): string {
  const t = formatChinaTime(date);
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)} ${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}`;
}
