const chinaOffsetMs = 8 * 60 * 60 * 1000;

function chinaParts(date: Date): string[] {
  if (Number.isNaN(date.getTime())) throw new RangeError('invalid Date');
  // China Standard Time has had no daylight saving since 1991, so a fixed +08:00 is exact.
  const shifted = new Date(date.getTime() + chinaOffsetMs).toISOString();
  return [
    shifted.slice(0, 4),
    shifted.slice(5, 7),
    shifted.slice(8, 10),
    shifted.slice(11, 13),
    shifted.slice(14, 16),
    shifted.slice(17, 19),
  ];
}

/** `yyyyMMddHHmmss` in China time, as APIv2 time fields are written. */
export function formatChinaCompactTime(date: Date): string {
  return chinaParts(date).join('');
}

/** RFC 3339 in China time (`2026-11-24T10:34:56+08:00`), as APIv3 time fields are written. */
export function formatChinaRfc3339(date: Date): string {
  const [year, month, day, hour, minute, second] = chinaParts(date);
  return `${year}-${month}-${day}T${hour}:${minute}:${second}+08:00`;
}

/** RFC 3339 with a numeric offset or Z, and a real calendar time. */
export function isRfc3339(value: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/.test(value) &&
    !Number.isNaN(Date.parse(value))
  );
}
