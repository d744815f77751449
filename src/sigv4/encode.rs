//! AWS URI encoding, written straight into a sink (the SHA-256 hasher on the
//! hot path, a byte buffer for error reports): the canonical URI under each
//! service's path rule, and the canonical query string.
//!
//! Every function takes arbitrary bytes. Nothing here can panic on input.

use std::cmp::Ordering;

use super::hex_digits::{hex_table, DIGIT_VALUE};
use super::settings::{PercentEncodingMode, UriPathNormalizationMode, UriPathRule};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Where canonical bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// One byte: the separators of the canonical request, a third of its
    /// pieces, without the cost of a slice copy.
    fn put_byte(&mut self, byte: u8) {
        self.put(&[byte]);
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }

    fn put_byte(&mut self, byte: u8) {
        self.push(byte);
    }
}

/// `A-Z a-z 0-9 - . _ ~`: the bytes AWS never encodes.
#[inline]
pub(crate) fn is_unreserved(b: u8) -> bool {
    UNRESERVED[usize::from(b)]
}

/// [`is_unreserved`] as a table: one load per byte on the hot loops that
/// copy query values and paths (session tokens are hundreds of bytes).
static UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~');
        b += 1;
    }
    table
};

/// The value of a hex digit as the canonical encoding writes it (`0-9`,
/// `A-F`), or `NOT_HEX`.
static UPPER_HEX_VALUE: [u8; 256] = hex_table(false);

/// The byte of a valid `%XX` escape (hex digits of either case) starting at
/// `i`.
#[inline]
pub(crate) fn escape_at(s: &[u8], i: usize) -> Option<u8> {
    let &[p, h, l] = s.get(i..)?.first_chunk::<3>()?;
    let (h, l) = (DIGIT_VALUE[usize::from(h)], DIGIT_VALUE[usize::from(l)]);
    (p == b'%' && (h | l) & 0xf0 == 0).then_some(h << 4 | l)
}

/// Whether a `%XX` escape starting at `i` is already in canonical form:
/// uppercase hex digits of a byte that must stay escaped (`%2F`, `%3D`: what
/// signers send).
#[inline]
fn canonical_escape_at(s: &[u8], i: usize) -> bool {
    let Some(&[p, h, l]) = s.get(i..).and_then(<[u8]>::first_chunk::<3>) else {
        return false;
    };
    let (h, l) = (
        UPPER_HEX_VALUE[usize::from(h)],
        UPPER_HEX_VALUE[usize::from(l)],
    );
    p == b'%' && (h | l) & 0xf0 == 0 && !is_unreserved(h << 4 | l)
}

#[inline]
fn put_escaped<S: Sink>(sink: &mut S, b: u8) {
    sink.put(&[
        b'%',
        HEX_UPPER[usize::from(b >> 4)],
        HEX_UPPER[usize::from(b & 15)],
    ]);
}

/// Bytes tested at once by the scanning loops. A whole chunk is tested by a
/// branch-free fold, which the compiler turns into a few vector compares: a
/// long plain run (a session token) costs a fraction of an instruction per
/// byte instead of a load and a branch.
const CHUNK: usize = 16;

/// The index of the first byte at or after `i` that `keep` rejects (or the
/// length). `keep_lanes` and `keep` must agree: the first, branch-free, tests
/// whole chunks; the second, cheapest one byte at a time, the chunk that
/// holds the end of the run.
#[inline(always)]
fn skip_while(
    bytes: &[u8],
    mut i: usize,
    keep_lanes: impl Fn(u8) -> bool,
    keep: impl Fn(u8) -> bool,
) -> usize {
    // Escapes come in runs (`%2F%2F`): the first byte alone often ends the
    // run, and costs less to test than its chunk.
    match bytes.get(i) {
        Some(&b) if keep(b) => i += 1,
        _ => return i,
    }
    let all = |chunk: &[u8]| chunk.iter().fold(true, |all, &b| all & keep_lanes(b));
    loop {
        if let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<CHUNK>) {
            if !all(chunk) {
                break;
            }
            i += CHUNK;
            continue;
        }
        // Less than a chunk left (the end of most values, and all of the
        // short ones): the last bytes tested at once, overlapping bytes
        // already tested, before any test one byte at a time.
        let left = bytes.len().saturating_sub(i);
        let whole = if let Some(last) = bytes.last_chunk::<CHUNK>() {
            all(last)
        } else if left >= 8 {
            let first = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>);
            let last = bytes.last_chunk::<8>();
            first.zip(last).is_some_and(|(f, l)| all(f) & all(l))
        } else {
            false
        };
        if whole {
            return bytes.len();
        }
        break;
    }
    while let Some(&b) = bytes.get(i) {
        if !keep(b) {
            break;
        }
        i += 1;
    }
    i
}

/// The index of the first `a` or `b` at or after `i` (or the length). Whole
/// chunks are tested at once as in [`skip_while`]; the byte that ends the
/// run is found eight bytes at a time (bit tricks on a `u64`), not one by
/// one: keys and most values are shorter than a chunk.
#[inline(always)]
fn find_either(bytes: &[u8], i: usize, a: u8, b: u8) -> usize {
    find_either_from(bytes, i, a, b, true)
}

/// [`find_either`], where `chunks` says whether to test whole chunks first
/// (worth it for long runs only: the end of a key is found sooner without).
#[inline(always)]
fn find_either_from(bytes: &[u8], mut i: usize, a: u8, b: u8, chunks: bool) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let (spread_a, spread_b) = (ONES * u64::from(a), ONES * u64::from(b));
    // The high bit of each zero byte of `w`, and maybe of bytes above the
    // lowest one (the borrow runs upwards): the lowest bit set is exact.
    let zeros = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS;
    let hits = |word: &[u8; 8]| {
        let w = u64::from_le_bytes(*word);
        zeros(w ^ spread_a) | zeros(w ^ spread_b)
    };
    while let Some(chunk) = bytes.get(i..).and_then(<[u8]>::first_chunk::<CHUNK>) {
        if !chunks
            || chunk
                .iter()
                .fold(false, |any, &c| any | (c == a) | (c == b))
        {
            break;
        }
        i += CHUNK;
    }
    while let Some(word) = bytes.get(i..).and_then(<[u8]>::first_chunk::<8>) {
        let found = hits(word);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = bytes.get(i) {
        if c == a || c == b {
            break;
        }
        i += 1;
    }
    i
}

/// [`is_unreserved`] in arithmetic, for [`skip_while`]'s chunk test.
#[inline(always)]
fn unreserved_lanes(b: u8) -> bool {
    (b.wrapping_sub(b'0') < 10)
        | ((b | 0x20).wrapping_sub(b'a') < 26)
        | (b.wrapping_sub(b'-') < 2)
        | (b == b'_')
        | (b == b'~')
}

/// The index of the first byte at or after `i` that is not unreserved (nor
/// `/` when `keep_slash`).
#[inline]
fn skip_unreserved(bytes: &[u8], i: usize, keep_slash: bool) -> usize {
    skip_while(
        bytes,
        i,
        |b| unreserved_lanes(b) | (keep_slash & (b == b'/')),
        |b| is_unreserved(b) || (keep_slash && b == b'/'),
    )
}

/// The index of the first byte at or after `i` that the canonical encoding
/// would change: runs of unreserved bytes and canonical escapes are skipped
/// whole.
#[inline]
fn skip_canonical(bytes: &[u8], mut i: usize, keep_slash: bool) -> usize {
    loop {
        i = skip_unreserved(bytes, i, keep_slash);
        if !canonical_escape_at(bytes, i) {
            return i;
        }
        i += 3;
    }
}

/// Neither `%` nor `+`: a byte that decodes to itself in a query component.
#[inline(always)]
fn is_literal(b: u8) -> bool {
    (b != b'%') & (b != b'+')
}

/// The index of the first `%` or `+` at or after `i` (or the length).
#[inline]
fn skip_literal(bytes: &[u8], i: usize) -> usize {
    find_either(bytes, i, b'%', b'+')
}

/// Whether `raw` decodes to itself (holds neither `%` nor `+`).
#[inline]
pub(crate) fn is_literal_component(raw: &[u8]) -> bool {
    skip_literal(raw, 0) == raw.len()
}

/// Encodes `bytes` as they stand: unreserved bytes (and `/` when
/// `keep_slash`) as themselves, every other byte, `%` included, as `%XX`.
pub(crate) fn write_encoded<S: Sink>(sink: &mut S, bytes: &[u8], keep_slash: bool) {
    let mut run = 0;
    loop {
        let i = skip_unreserved(bytes, run, keep_slash);
        let Some(&b) = bytes.get(i) else { break };
        if run < i {
            sink.put(&bytes[run..i]);
        }
        put_escaped(sink, b);
        run = i + 1;
    }
    if run < bytes.len() {
        sink.put(&bytes[run..]);
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`), then
/// encodes every byte once. A `/` that was escaped stays escaped; a raw `/`
/// stays raw when `keep_slash`. A `%` that starts no valid escape is a literal
/// `%` and comes out as `%25`.
///
/// Bytes already in canonical form (unreserved bytes, and escapes such as
/// `%2F`) are written in runs, so that a session token full of escapes goes
/// to the sink in one piece, not three bytes at a time.
pub(crate) fn write_reencoded<S: Sink>(
    sink: &mut S,
    bytes: &[u8],
    keep_slash: bool,
    plus_is_space: bool,
) {
    let mut run = 0;
    let mut i = 0;
    loop {
        i = skip_canonical(bytes, i, keep_slash);
        let Some(&b) = bytes.get(i) else { break };
        if run < i {
            sink.put(&bytes[run..i]);
        }
        let (decoded, width) = match escape_at(bytes, i) {
            Some(d) => (d, 3),
            None if plus_is_space && b == b'+' => (b' ', 1),
            None => (b, 1),
        };
        if is_unreserved(decoded) {
            sink.put_byte(decoded);
        } else {
            put_escaped(sink, decoded);
        }
        i += width;
        run = i;
    }
    if run < bytes.len() {
        sink.put(&bytes[run..]);
    }
}

/// The bytes of the canonical encoding of one query key or value, one at a
/// time, so that two of them compare without being materialized.
struct Reencoded<'a> {
    raw: &'a [u8],
    pos: usize,
    pending: [u8; 2],
    npending: u8,
}

impl<'a> Reencoded<'a> {
    fn new(raw: &'a [u8]) -> Self {
        Reencoded {
            raw,
            pos: 0,
            pending: [0; 2],
            npending: 0,
        }
    }
}

impl Iterator for Reencoded<'_> {
    type Item = u8;

    #[inline]
    fn next(&mut self) -> Option<u8> {
        if self.npending > 0 {
            let b = self.pending[2 - usize::from(self.npending)];
            self.npending -= 1;
            return Some(b);
        }
        let b = *self.raw.get(self.pos)?;
        let decoded = match escape_at(self.raw, self.pos) {
            Some(d) => {
                self.pos += 3;
                d
            }
            None => {
                self.pos += 1;
                if b == b'+' {
                    b' '
                } else {
                    b
                }
            }
        };
        if is_unreserved(decoded) {
            Some(decoded)
        } else {
            self.pending = [
                HEX_UPPER[usize::from(decoded >> 4)],
                HEX_UPPER[usize::from(decoded & 15)],
            ];
            self.npending = 2;
            Some(b'%')
        }
    }
}

/// True when `raw` is all unreserved bytes: its canonical encoding is itself.
#[inline]
fn is_canonical(raw: &[u8]) -> bool {
    skip_unreserved(raw, 0, false) == raw.len()
}

/// Compares the canonical encodings of two query components.
pub(crate) fn cmp_encoded(a: &[u8], b: &[u8]) -> Ordering {
    if is_canonical(a) && is_canonical(b) {
        return a.cmp(b);
    }
    Reencoded::new(a).cmp(Reencoded::new(b))
}

/// The byte a query component's `%` or `+` at `i` decodes to, and how many
/// raw bytes it takes.
#[inline]
fn decode_special(raw: &[u8], i: usize) -> (u8, usize) {
    match raw.get(i) {
        Some(b'+') => (b' ', 1),
        _ => match escape_at(raw, i) {
            Some(d) => (d, 3),
            None => (b'%', 1),
        },
    }
}

/// Percent-decodes one query component (`+` is a space). `None` when nothing
/// needs decoding (the raw bytes are the value). A `%` that starts no valid
/// escape stays a literal `%`.
pub(crate) fn decode_query_component(raw: &[u8]) -> Option<Vec<u8>> {
    let mut i = skip_literal(raw, 0);
    if i == raw.len() {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    // Plain runs are copied whole; only escapes and `+` are handled a byte
    // at a time.
    let mut run = 0;
    while i < raw.len() {
        out.extend_from_slice(&raw[run..i]);
        let (decoded, width) = decode_special(raw, i);
        out.push(decoded);
        i += width;
        run = i;
        i = skip_literal(raw, i);
    }
    out.extend_from_slice(&raw[run..]);
    Some(out)
}

/// What percent-decoding a query component (`+` as a space) would give,
/// learned in one pass over the raw bytes without decoding them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DecodedShape {
    /// The length of the decoded bytes.
    pub(crate) len: usize,
    /// Every decoded byte is visible ASCII (`0x21..=0x7e`).
    pub(crate) visible_ascii: bool,
    /// Decoding changes the bytes (there is a valid escape or a `+`).
    pub(crate) changed: bool,
}

/// Checks and decodes, in one pass, a query component that must decode to
/// visible ASCII (a session token). The [`DecodedShape`] says what the raw
/// form decodes to (what the checks of a token need: its length, whether it
/// is visible ASCII); the decoded bytes come with it when they are visible
/// ASCII and differ from the raw ones (`None`: the raw bytes are the value,
/// or the value is not visible ASCII and was not decoded).
pub(crate) fn decode_visible_ascii(raw: &[u8]) -> (DecodedShape, Option<Vec<u8>>) {
    // Visible, and decodes to itself.
    let plain = |b: u8| (b.wrapping_sub(0x21) < 0x5e) & is_literal(b);
    let mut shape = DecodedShape {
        len: raw.len(),
        visible_ascii: true,
        changed: false,
    };
    let mut out: Option<Vec<u8>> = None;
    let (mut run, mut i) = (0, 0);
    loop {
        i = skip_while(raw, i, plain, plain);
        let Some(&b) = raw.get(i) else { break };
        match (b, escape_at(raw, i)) {
            (b'%', Some(d)) => {
                shape.visible_ascii &= (0x21..=0x7e).contains(&d);
                shape.changed = true;
                shape.len -= 2;
                if shape.visible_ascii {
                    let out = out.get_or_insert_with(|| Vec::with_capacity(raw.len()));
                    out.extend_from_slice(&raw[run..i]);
                    out.push(d);
                }
                i += 3;
                run = i;
            }
            // A `%` that starts no escape stays a (visible) `%`.
            (b'%', None) => i += 1,
            (b'+', _) => {
                // A space.
                shape.visible_ascii = false;
                shape.changed = true;
                i += 1;
            }
            _ => {
                shape.visible_ascii = false;
                i += 1;
            }
        }
    }
    if !shape.visible_ascii {
        return (shape, None);
    }
    if let Some(out) = &mut out {
        out.extend_from_slice(&raw[run..]);
    }
    (shape, out)
}

/// Whether the decoded form of `raw` equals `expected`, without allocating.
pub(crate) fn decoded_eq(raw: &[u8], expected: &[u8]) -> bool {
    // No raw byte decodes to more than one byte.
    if raw.len() < expected.len() {
        return false;
    }
    let (mut i, mut j) = (0, 0);
    while let Some(&b) = raw.get(i) {
        let (d, w) = if is_literal(b) {
            (b, 1)
        } else {
            decode_special(raw, i)
        };
        if expected.get(j) != Some(&d) {
            return false;
        }
        i += w;
        j += 1;
    }
    j == expected.len()
}

/// The `key=value` pairs of a query string, as on the wire. Empty pieces
/// (`a=1&&b=2`) carry nothing and are skipped, as form decoders do.
pub(crate) fn query_pairs(query: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = query;
    std::iter::from_fn(move || loop {
        if rest.is_empty() {
            return None;
        }
        // One scan to the end of the key, one to the end of the value.
        let key_end = find_either_from(rest, 0, b'&', b'=', false);
        let (pair, end) = match rest.get(key_end) {
            Some(b'=') => {
                let end = find_either(rest, key_end + 1, b'&', b'&');
                ((&rest[..key_end], &rest[key_end + 1..end]), end)
            }
            _ => ((&rest[..key_end], &rest[key_end..key_end]), key_end),
        };
        rest = rest.get(end + 1..).unwrap_or_default();
        if end > 0 {
            return Some(pair);
        }
    })
}

/// A stack that lives inline up to `N` items and spills to the heap beyond:
/// typical requests never allocate, odd ones still work.
pub(crate) struct InlineStack<T: Copy, const N: usize> {
    inline: [T; N],
    len: usize,
    spill: Vec<T>,
}

impl<T: Copy, const N: usize> InlineStack<T, N> {
    pub(crate) fn new(fill: T) -> Self {
        InlineStack {
            inline: [fill; N],
            len: 0,
            spill: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, v: T) {
        if self.spill.is_empty() && self.len < N {
            self.inline[self.len] = v;
            self.len += 1;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.inline[..self.len]);
            }
            self.spill.push(v);
        }
    }

    pub(crate) fn pop(&mut self) {
        if self.spill.is_empty() {
            self.len = self.len.saturating_sub(1);
        } else {
            self.spill.pop();
            if self.spill.is_empty() {
                self.len = 0;
            }
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        if self.spill.is_empty() {
            &mut self.inline[..self.len]
        } else {
            &mut self.spill
        }
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        if self.spill.is_empty() {
            &self.inline[..self.len]
        } else {
            &self.spill
        }
    }
}

/// Whether removing dot segments and repeated slashes would change `path`.
fn needs_normalization(path: &[u8]) -> bool {
    if path.first() != Some(&b'/') {
        return true;
    }
    let inner = &path[1..];
    let last = inner.split(|&b| b == b'/').count() - 1;
    inner
        .split(|&b| b == b'/')
        .enumerate()
        .any(|(i, seg)| matches!(seg, b"." | b"..") || (seg.is_empty() && i != last))
}

/// Writes the canonical URI of `path` under `rule`.
pub(crate) fn write_canonical_path<S: Sink>(sink: &mut S, path: &[u8], rule: UriPathRule) {
    if path.is_empty() {
        sink.put_byte(b'/');
        return;
    }
    let write = |sink: &mut S, bytes: &[u8]| match rule.encoding {
        PercentEncodingMode::Double => write_encoded(sink, bytes, true),
        PercentEncodingMode::Single => write_reencoded(sink, bytes, true, false),
    };
    if rule.normalization == UriPathNormalizationMode::Disabled || !needs_normalization(path) {
        write(sink, path);
        return;
    }
    // RFC 3986 5.2.4 over the wire bytes, and repeated slashes dropped: the
    // segments that survive, joined by '/', with the trailing slash kept
    // when the path ended in '/', '/.' or '/..'.
    let mut kept: InlineStack<&[u8], 32> = InlineStack::new(&[]);
    let mut segments = path.split(|&b| b == b'/').peekable();
    let mut ends_in_dir = false;
    while let Some(seg) = segments.next() {
        let last = segments.peek().is_none();
        match seg {
            b"" | b"." => ends_in_dir = last,
            b".." => {
                kept.pop();
                ends_in_dir = last;
            }
            s => {
                kept.push(s);
                ends_in_dir = false;
            }
        }
    }
    sink.put_byte(b'/');
    let kept = kept.as_slice();
    for (i, seg) in kept.iter().enumerate() {
        if i > 0 {
            sink.put_byte(b'/');
        }
        write(sink, seg);
    }
    if ends_in_dir && !kept.is_empty() {
        sink.put_byte(b'/');
    }
}

/// One pair of the query, as on the wire, with what sorting needs to know.
#[derive(Clone, Copy)]
struct QueryPair<'q> {
    key: &'q [u8],
    value: &'q [u8],
    /// The key is its own canonical encoding (all unreserved), as almost
    /// every key is: it compares and is written as it stands.
    plain_key: bool,
}

impl QueryPair<'_> {
    /// By canonical key, then canonical value.
    fn canonical_cmp(&self, other: &Self) -> Ordering {
        let keys = if self.plain_key && other.plain_key {
            self.key.cmp(other.key)
        } else {
            Reencoded::new(self.key).cmp(Reencoded::new(other.key))
        };
        keys.then_with(|| cmp_encoded(self.value, other.value))
    }
}

/// Writes the canonical query string: pairs decoded and encoded again,
/// sorted by encoded key then encoded value, `key=` for valueless keys.
/// `skip` leaves out the pairs whose raw key it accepts (`X-Amz-Signature`).
pub(crate) fn write_canonical_query<S: Sink>(
    sink: &mut S,
    query: &[u8],
    skip: impl Fn(&[u8]) -> bool,
) {
    if query.is_empty() {
        return;
    }
    let mut pairs: InlineStack<QueryPair<'_>, 16> = InlineStack::new(QueryPair {
        key: &[],
        value: &[],
        plain_key: true,
    });
    for (key, value) in query_pairs(query) {
        if !skip(key) {
            pairs.push(QueryPair {
                key,
                value,
                plain_key: is_canonical(key),
            });
        }
    }
    let pairs = pairs.as_mut_slice();
    // Unstable sort: it never allocates, and pairs that compare equal have
    // the same canonical bytes, so their order cannot show.
    pairs.sort_unstable_by(QueryPair::canonical_cmp);
    for (i, pair) in pairs.iter().enumerate() {
        if i > 0 {
            sink.put_byte(b'&');
        }
        if pair.plain_key {
            sink.put(pair.key);
        } else {
            write_reencoded(sink, pair.key, false, true);
        }
        sink.put_byte(b'=');
        write_reencoded(sink, pair.value, false, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &[u8], rule: UriPathRule) -> String {
        let mut v = Vec::new();
        write_canonical_path(&mut v, p, rule);
        String::from_utf8(v).unwrap()
    }

    fn query(q: &[u8]) -> String {
        let mut v = Vec::new();
        write_canonical_query(&mut v, q, |_| false);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn s3_paths_decode_then_encode_once_without_normalizing() {
        let s3 = UriPathRule::S3;
        assert_eq!(path(b"", s3), "/");
        assert_eq!(path(b"/a%20b", s3), "/a%20b");
        assert_eq!(path(b"/a b", s3), "/a%20b");
        assert_eq!(path(b"/a%2Fb", s3), "/a%2Fb");
        assert_eq!(path(b"/a%2fb", s3), "/a%2Fb");
        assert_eq!(path(b"/%7e%41", s3), "/~A");
        assert_eq!(path(b"//a/./b/../c/", s3), "//a/./b/../c/");
        assert_eq!(path(b"/100%", s3), "/100%25");
        assert_eq!(path(b"/%zz", s3), "/%25zz");
        assert_eq!(path(b"/a+b=c", s3), "/a%2Bb%3Dc");
        assert_eq!(path("/\u{1234}".as_bytes(), s3), "/%E1%88%B4");
        assert_eq!(path(b"/\xff", s3), "/%FF");
    }

    #[test]
    fn other_services_normalize_then_encode_the_wire_path_again() {
        let d = UriPathRule::DEFAULT;
        assert_eq!(path(b"/a%20b", d), "/a%2520b");
        assert_eq!(path(b"/a b/", d), "/a%20b/");
        assert_eq!(path(b"//example//", d), "/example/");
        assert_eq!(path(b"/example/..", d), "/");
        assert_eq!(path(b"/a/b/../..", d), "/");
        assert_eq!(path(b"/./", d), "/");
        assert_eq!(path(b"/./a", d), "/a");
        assert_eq!(path(b"//", d), "/");
        assert_eq!(path(b"/../a", d), "/a");
        assert_eq!(path(b"/a/b/.", d), "/a/b/");
        assert_eq!(path(b"/a/b/..", d), "/a/");
        assert_eq!(path(b"a/b", d), "/a/b");
        assert_eq!(path(b"/a/%2E%2E/b", d), "/a/%252E%252E/b");
        let deep: Vec<u8> = (0..100)
            .flat_map(|_| b"/x".iter().copied())
            .chain(*b"/..")
            .collect();
        assert_eq!(path(&deep, d).len(), 2 * 99 + 1);
    }

    #[test]
    fn query_sorts_by_encoded_key_then_value() {
        assert_eq!(query(b"a1=1&a.b=2&a-b=3&a=4"), "a=4&a-b=3&a.b=2&a1=1");
        assert_eq!(query(b"b=2&a=2&a=1&a=10"), "a=1&a=10&a=2&b=2");
        assert_eq!(query(b"k&j="), "j=&k=");
        assert_eq!(query(b"a+b=c+d&x=%20"), "a%20b=c%20d&x=%20");
        assert_eq!(query(b"a=%2f&b=/&c=%7E"), "a=%2F&b=%2F&c=~");
        assert_eq!(query(b"a=1&&b=2&"), "a=1&b=2");
        assert_eq!(query(b"%zz=%"), "%25zz=%25");
        // Encoded order, not byte order of the decoded keys: '~' (0x7E) sorts
        // after '%' of an encoded UTF-8 byte, though 0xE1 > 0x7E.
        assert_eq!(query("~=1&\u{1234}=2".as_bytes()), "%E1%88%B4=2&~=1");
        assert_eq!(
            query(b"Param1=value2&Param1=Value1"),
            "Param1=Value1&Param1=value2"
        );
        let many: Vec<u8> = (0..40)
            .rev()
            .flat_map(|i| format!("k{i:02}=&").into_bytes())
            .collect();
        let out = query(&many);
        assert!(out.starts_with("k00=&k01=&"), "{out}");
        assert!(out.ends_with("k39="));
    }

    #[test]
    fn decoding_helpers() {
        assert!(decoded_eq(b"X-Amz-Date", b"X-Amz-Date"));
        assert!(decoded_eq(b"X%2DAmz-Date", b"X-Amz-Date"));
        assert!(!decoded_eq(b"X-Amz-Dat", b"X-Amz-Date"));
        assert!(!decoded_eq(b"X-Amz-Datee", b"X-Amz-Date"));
        assert!(decoded_eq(b"a+b", b"a b"));
        assert_eq!(decode_query_component(b"abc"), None);
        assert_eq!(
            decode_query_component(b"a%2Fb+c%"),
            Some(b"a/b c%".to_vec())
        );
    }

    #[test]
    fn query_edge_cases() {
        // Escapes of either case come out uppercase; unreserved ones decoded.
        assert_eq!(query(b"a=%2f%2F%7e%7E%41"), "a=%2F%2F~~A");
        // `+` is a space in keys and values; an escaped `+` stays one.
        assert_eq!(query(b"%2B=+&+=%2b"), "%20=%2B&%2B=%20");
        // A `%` that starts no escape is a literal `%`.
        assert_eq!(
            query(b"a=%2&b=%%41&c=%g1&d=%"),
            "a=%252&b=%25A&c=%25g1&d=%25"
        );
        // Empty keys and values.
        assert_eq!(query(b"=1&=&a=&b"), "=&=1&a=&b=");
        // Repeated keys sort by value.
        assert_eq!(query(b"a=2&a=1&a=&a=10"), "a=&a=1&a=10&a=2");
        // Keys equal once decoded, sorted by value.
        assert_eq!(query(b"a%41=2&aA=1"), "aA=1&aA=2");
        assert_eq!(query(b"b=1&%61=2"), "a=2&b=1");
        // Encoded order, not decoded order: `A` (0x41) is before `[` (0x5B)
        // once decoded, after `%5B` once encoded.
        assert_eq!(query(b"A=1&[=2"), "%5B=2&A=1");
        assert_eq!(query(b"A=1&%5b=2"), "%5B=2&A=1");
        // Values compare encoded too: `+` (a space, %20) before `-`.
        assert_eq!(query(b"k=-&k=+"), "k=%20&k=-");
        // A long value with escapes across chunk boundaries.
        let long = format!(
            "t={}%2F{}+{}%3d",
            "A".repeat(15),
            "B".repeat(16),
            "C".repeat(17)
        );
        assert_eq!(
            query(long.as_bytes()),
            format!(
                "t={}%2F{}%20{}%3D",
                "A".repeat(15),
                "B".repeat(16),
                "C".repeat(17)
            )
        );
    }

    #[test]
    fn query_pairs_split_as_form_decoders_do() {
        let pairs: Vec<_> = query_pairs(b"a=1&&b&=c&d==e&").collect();
        let expected: Vec<(&[u8], &[u8])> =
            vec![(b"a", b"1"), (b"b", b""), (b"", b"c"), (b"d", b"=e")];
        assert_eq!(pairs, expected);
        assert_eq!(query_pairs(b"").count(), 0);
        assert_eq!(query_pairs(b"&&&").count(), 0);
        let long = format!("{}=1&k={}", "x".repeat(40), "v".repeat(40));
        let pairs: Vec<_> = query_pairs(long.as_bytes()).collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].0.len(), 40);
        assert_eq!(pairs[1].1.len(), 40);
    }

    #[test]
    fn decoded_shape_reads_the_raw_form() {
        let shape = |raw: &[u8]| {
            let s = decode_visible_ascii(raw).0;
            (s.len, s.visible_ascii, s.changed)
        };
        assert_eq!(shape(b""), (0, true, false));
        assert_eq!(shape(b"abc"), (3, true, false));
        assert_eq!(shape(b"a%2Fb"), (3, true, true));
        assert_eq!(shape(b"a%2fb"), (3, true, true));
        // `+` is a space, and so is `%20`: not visible.
        assert_eq!(shape(b"a+b"), (3, false, true));
        assert_eq!(shape(b"a%20b"), (3, false, true));
        // `%2B` is a visible `+`.
        assert_eq!(shape(b"a%2Bb"), (3, true, true));
        // A `%` that starts no escape is itself.
        assert_eq!(shape(b"%zz"), (3, true, false));
        assert_eq!(shape(b"ab%"), (3, true, false));
        assert_eq!(shape(b"a%2"), (3, true, false));
        // The bounds of visible ASCII, escaped and raw.
        assert_eq!(shape(b"%21%7E"), (2, true, true));
        assert_eq!(shape(b"%7F"), (1, false, true));
        assert_eq!(shape(b"%80"), (1, false, true));
        assert_eq!(shape(b"%00"), (1, false, true));
        assert_eq!(shape(b"a\x7fb"), (3, false, false));
        assert_eq!(shape("é".as_bytes()), (2, false, false));
        assert_eq!(shape(b"a b"), (3, false, false));
        // Escapes across chunk boundaries of a long value.
        let long = format!("{}%2F{}%3D%3D", "A".repeat(14), "B".repeat(30));
        assert_eq!(shape(long.as_bytes()), (14 + 1 + 30 + 2, true, true));
    }

    #[test]
    fn visible_ascii_decoding() {
        let decode = |raw: &[u8]| decode_visible_ascii(raw).1;
        // Nothing to decode: the raw bytes are the value.
        assert_eq!(decode(b"abc"), None);
        assert_eq!(decode(b"%zz%4%"), None);
        assert_eq!(decode(b"a%2Fb%2f%3D%"), Some(b"a/b/=%".to_vec()));
        // Not visible ASCII: not decoded.
        assert_eq!(decode(b"a%2Fb+c"), None);
        assert_eq!(decode(b"a%2Fb%C3%A9"), None);
        assert_eq!(decode(b"%20"), None);
    }

    #[test]
    fn decoded_eq_edge_cases() {
        assert!(decoded_eq(b"X%2dAmz-Date", b"X-Amz-Date"));
        assert!(decoded_eq(b"%58%2D%41mz%2DDate", b"X-Amz-Date"));
        assert!(!decoded_eq(b"X-Amz-Date%", b"X-Amz-Date"));
        assert!(!decoded_eq(b"X-Amz+Date", b"X-Amz-Date"));
        assert!(decoded_eq(b"%", b"%"));
        assert!(decoded_eq(b"%zz", b"%zz"));
        assert!(!decoded_eq(b"%41", b"%41"));
        assert!(decoded_eq(b"", b""));
        assert!(!decoded_eq(b"", b"a"));
    }

    /// The rules as AWS states them, the slow way: decode, encode, sort the
    /// materialized pairs.
    mod reference {
        pub(super) fn decode(raw: &[u8], plus_is_space: bool) -> Vec<u8> {
            let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
            let mut out = Vec::new();
            let mut i = 0;
            while i < raw.len() {
                let escape = match raw.get(i..i + 3) {
                    Some(&[b'%', h, l]) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
                    _ => None,
                };
                match escape {
                    Some(d) => {
                        out.push(d);
                        i += 3;
                    }
                    None => {
                        out.push(if plus_is_space && raw[i] == b'+' {
                            b' '
                        } else {
                            raw[i]
                        });
                        i += 1;
                    }
                }
            }
            out
        }

        pub(super) fn encode(bytes: &[u8], keep_slash: bool) -> Vec<u8> {
            let mut out = Vec::new();
            for &b in bytes {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
                    out.push(b);
                } else {
                    out.extend_from_slice(format!("%{b:02X}").as_bytes());
                }
            }
            out
        }

        /// Decoding then encoding, except that an escaped `/` stays escaped.
        pub(super) fn reencode(raw: &[u8], keep_slash: bool, plus_is_space: bool) -> Vec<u8> {
            if !keep_slash {
                return encode(&decode(raw, plus_is_space), false);
            }
            // Raw slashes separate pieces re-encoded on their own.
            let pieces: Vec<Vec<u8>> = raw
                .split(|&b| b == b'/')
                .map(|p| encode(&decode(p, plus_is_space), false))
                .collect();
            pieces.join(&b'/')
        }

        pub(super) fn canonical_query(query: &[u8]) -> Vec<u8> {
            let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = query
                .split(|&b| b == b'&')
                .filter(|p| !p.is_empty())
                .map(|p| {
                    let (k, v) = match p.iter().position(|&b| b == b'=') {
                        Some(i) => (&p[..i], &p[i + 1..]),
                        None => (p, &p[p.len()..]),
                    };
                    (reencode(k, false, true), reencode(v, false, true))
                })
                .collect();
            pairs.sort();
            let joined: Vec<Vec<u8>> = pairs
                .into_iter()
                .map(|(mut k, v)| {
                    k.push(b'=');
                    k.extend(v);
                    k
                })
                .collect();
            joined.join(&b'&')
        }
    }

    /// Strings over the bytes that matter (escapes whole and broken, `+`,
    /// `&`, `=`, `/`, bytes outside ASCII), with long plain runs that cross
    /// the chunks of the scanning loops.
    fn generated(n: usize) -> Vec<Vec<u8>> {
        const PIECES: &[&[u8]] = &[
            b"a",
            b"Z",
            b"0",
            b"-",
            b"~",
            b".",
            b"%",
            b"%2F",
            b"%2f",
            b"%41",
            b"%7e",
            b"%zz",
            b"%2",
            b"+",
            b"%2B",
            b"%20",
            b" ",
            b"&",
            b"=",
            b"/",
            b"\xc3",
            b"\x7f",
            b"!",
            b"[",
            b"%c3",
            b"%E1",
            b"AAAAAAAAAAAAAAAAAAAA",
            b"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
        ];
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        (0..n)
            .map(|_| {
                let len = next() % 24;
                (0..len)
                    .flat_map(|_| {
                        PIECES[(next() % PIECES.len() as u64) as usize]
                            .iter()
                            .copied()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn every_helper_agrees_with_the_reference_rules() {
        for raw in generated(4000) {
            let decoded = reference::decode(&raw, true);
            let text = String::from_utf8_lossy(&raw);
            // Decoding.
            let fast = decode_query_component(&raw).unwrap_or_else(|| raw.clone());
            assert_eq!(fast, decoded, "{text}");
            assert!(decoded_eq(&raw, &decoded), "{text}");
            let (shape, visible) = decode_visible_ascii(&raw);
            let is_visible = decoded.iter().all(|b| (0x21..=0x7e).contains(b));
            assert_eq!(shape.len, decoded.len(), "{text}");
            assert_eq!(shape.visible_ascii, is_visible, "{text}");
            assert_eq!(shape.changed, decoded != raw, "{text}");
            let expected = (is_visible && decoded != raw).then(|| decoded.clone());
            assert_eq!(visible, expected, "{text}");
            // Encoding.
            for (keep_slash, plus_is_space) in [(false, true), (true, false), (false, false)] {
                let mut fast = Vec::new();
                write_reencoded(&mut fast, &raw, keep_slash, plus_is_space);
                assert_eq!(
                    fast,
                    reference::reencode(&raw, keep_slash, plus_is_space),
                    "{text} {keep_slash} {plus_is_space}"
                );
            }
            for keep_slash in [false, true] {
                let mut fast = Vec::new();
                write_encoded(&mut fast, &raw, keep_slash);
                assert_eq!(fast, reference::encode(&raw, keep_slash), "{text}");
            }
            // The whole query.
            let mut fast = Vec::new();
            write_canonical_query(&mut fast, &raw, |_| false);
            assert_eq!(fast, reference::canonical_query(&raw), "{text}");
        }
    }

    #[test]
    fn encoded_comparison_agrees_with_the_reference() {
        let values = generated(300);
        for a in &values {
            for b in values.iter().take(60) {
                let expected =
                    reference::reencode(a, false, true).cmp(&reference::reencode(b, false, true));
                assert_eq!(cmp_encoded(a, b), expected);
            }
        }
    }
}
