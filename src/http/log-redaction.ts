/**
 * What a log line may say about a request's URL. Secrets travel in headers
 * and bodies, which are never logged; but a share link's token is in its
 * path (`/share/{token}`, `/v1/share/{token}`), and a client may put a key in
 * a query string where it does not belong. So a logged URL keeps its path,
 * with a share token replaced, and its query's parameter names, with the
 * values of all but a few harmless parameters replaced.
 */
const redacted = '[redacted]';
const tokenInPath = /^(\/(?:v1\/)?share\/)[^/?#]+/;
/** Query parameters whose values say nothing secret: pages, filters, formats. */
const harmlessParameters = new Set([
  'limit',
  'after',
  'status',
  'format',
  'currency',
  'from',
  'to',
  'windowId',
  'groupBy',
  'participantId',
  'type',
  'types',
  'eventId',
]);

export function redactedUrlForLog(url: string): string {
  const mark = url.indexOf('?');
  const path = (mark === -1 ? url : url.slice(0, mark)).replace(tokenInPath, `$1${redacted}`);
  if (mark === -1) return path;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      return harmlessParameters.has(name) || equals === -1 ? pair : `${name}=${redacted}`;
    })
    .join('&');
  return `${path}?${query}`;
}
