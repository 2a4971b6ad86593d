// Resource globs: `*` matches any run of characters within one `/`
// segment and everything else is literal, as DESIGN.md §7 asks.

/** ResourceMatcher tells whether a resource matches one compiled glob. */
export type ResourceMatcher = (resource: string) => boolean;

// A segment is either literal text or the literal pieces around its `*`s.
type SegmentMatcher = string | readonly string[];

// Globs come from rules, which are few, but matchResource is public and a
// caller could pass endless distinct globs; past this size the oldest
// compiled glob is dropped.
const CACHE_LIMIT = 4096;
const cache = new Map<string, ResourceMatcher>();

/**
 * matchResource tells whether resource (`engine/<mount>/<operation>`)
 * matches glob. Both are split on `/` and must have as many segments; a
 * `*` never reaches across a `/`. Each glob is compiled once and cached.
 */
export function matchResource(glob: string, resource: string): boolean {
  return compileGlob(glob)(resource);
}

/**
 * compileGlob returns the matcher for glob, from the cache when it was
 * compiled before. No regular expression is built, so no character of a
 * glob can change what the pattern means, and matching never backtracks.
 */
export function compileGlob(glob: string): ResourceMatcher {
  const cached = cache.get(glob);
  if (cached !== undefined) return cached;

  const segments = glob.split('/').map(compileSegment);
  const matcher: ResourceMatcher = (resource) => {
    const parts = resource.split('/');
    if (parts.length !== segments.length) return false;
    return segments.every((segment, i) =>
      matchSegment(segment, parts[i] ?? ''),
    );
  };

  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(glob, matcher);
  return matcher;
}

function compileSegment(segment: string): SegmentMatcher {
  return segment.includes('*') ? segment.split('*') : segment;
}

// pieces are the literal texts between `*`s (at least two). The first must
// start the segment and the last end it; the ones between are found left
// to right, each as early as possible, which is enough because `*` may
// stand for any text: an earlier match never rules out a later piece.
function matchSegment(matcher: SegmentMatcher, segment: string): boolean {
  if (typeof matcher === 'string') return matcher === segment;

  const first = matcher[0] ?? '';
  const last = matcher[matcher.length - 1] ?? '';
  if (segment.length < first.length + last.length) return false;
  if (!segment.startsWith(first) || !segment.endsWith(last)) return false;

  const end = segment.length - last.length;
  let at = first.length;
  for (let i = 1; i < matcher.length - 1; i++) {
    const piece = matcher[i] ?? '';
    const found = segment.indexOf(piece, at);
    if (found === -1 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}
