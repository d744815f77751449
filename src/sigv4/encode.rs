//! AWS URI encoding, written straight into a sink (the SHA-256 hasher on the
//! hot path, a byte buffer for error reports): the canonical URI under each
//! service's path rule, and the canonical query string.
//!
//! Every function takes arbitrary bytes. Nothing here can panic on input.

use std::cmp::Ordering;

use super::settings::{PercentEncodingMode, UriPathNormalizationMode, UriPathRule};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Where canonical bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
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

#[inline]
fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `0-9` or `A-F`: a hex digit as the canonical encoding writes it.
#[inline]
fn is_upper_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
}

/// The byte of a valid `%XX` escape starting at `i`.
#[inline]
fn escape_at(s: &[u8], i: usize) -> Option<u8> {
    if s.get(i) != Some(&b'%') {
        return None;
    }
    let hi = hex_val(*s.get(i + 1)?)?;
    let lo = hex_val(*s.get(i + 2)?)?;
    Some(hi << 4 | lo)
}

#[inline]
fn put_escaped<S: Sink>(sink: &mut S, b: u8) {
    sink.put(&[
        b'%',
        HEX_UPPER[usize::from(b >> 4)],
        HEX_UPPER[usize::from(b & 15)],
    ]);
}

/// Encodes `bytes` as they stand: unreserved bytes (and `/` when
/// `keep_slash`) as themselves, every other byte, `%` included, as `%XX`.
pub(crate) fn write_encoded<S: Sink>(sink: &mut S, bytes: &[u8], keep_slash: bool) {
    let mut run = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            continue;
        }
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
pub(crate) fn write_reencoded<S: Sink>(
    sink: &mut S,
    bytes: &[u8],
    keep_slash: bool,
    plus_is_space: bool,
) {
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if is_unreserved(b) || (keep_slash && b == b'/') {
            i += 1;
            continue;
        }
        let escape = escape_at(bytes, i);
        if escape.is_some_and(|d| !is_unreserved(d))
            && is_upper_hex(bytes[i + 1])
            && is_upper_hex(bytes[i + 2])
        {
            // Already in canonical form (`%2F`, `%3D`: what signers send):
            // part of the run, so that runs of escapes (session tokens,
            // `X-Amz-Credential`) are written in one piece, not three bytes
            // at a time.
            i += 3;
            continue;
        }
        if run < i {
            sink.put(&bytes[run..i]);
        }
        let (decoded, width) = match escape {
            Some(d) => (d, 3),
            None if plus_is_space && b == b'+' => (b' ', 1),
            None => (b, 1),
        };
        if is_unreserved(decoded) {
            sink.put(&[decoded]);
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

/// True when the canonical encoding of `raw` is `raw` itself.
#[inline]
fn is_canonical(raw: &[u8]) -> bool {
    raw.iter().all(|&b| is_unreserved(b))
}

/// Compares the canonical encodings of two query components.
pub(crate) fn cmp_encoded(a: &[u8], b: &[u8]) -> Ordering {
    if is_canonical(a) && is_canonical(b) {
        return a.cmp(b);
    }
    Reencoded::new(a).cmp(Reencoded::new(b))
}

/// Percent-decodes one query component (`+` is a space). `None` when nothing
/// needs decoding (the raw bytes are the value).
pub(crate) fn decode_query_component(raw: &[u8]) -> Option<Vec<u8>> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return None;
    }
    let mut out = Vec::with_capacity(raw.len());
    // Plain runs are copied whole; only escapes and `+` are handled a byte
    // at a time.
    let (mut run, mut i) = (0, 0);
    while i < raw.len() {
        let (decoded, width) = match raw[i] {
            b'+' => (b' ', 1),
            b'%' => match escape_at(raw, i) {
                Some(d) => (d, 3),
                None => {
                    i += 1;
                    continue;
                }
            },
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&raw[run..i]);
        out.push(decoded);
        i += width;
        run = i;
    }
    out.extend_from_slice(&raw[run..]);
    Some(out)
}

/// Whether the decoded form of `raw` equals `expected`, without allocating.
pub(crate) fn decoded_eq(raw: &[u8], expected: &[u8]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < raw.len() {
        let (d, w) = match escape_at(raw, i) {
            Some(d) => (d, 3),
            None if raw[i] == b'+' => (b' ', 1),
            None => (raw[i], 1),
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
    query
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.iter().position(|&b| b == b'=') {
            Some(i) => (&p[..i], &p[i + 1..]),
            None => (p, &p[p.len()..]),
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
        sink.put(b"/");
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
    sink.put(b"/");
    let kept = kept.as_slice();
    for (i, seg) in kept.iter().enumerate() {
        if i > 0 {
            sink.put(b"/");
        }
        write(sink, seg);
    }
    if ends_in_dir && !kept.is_empty() {
        sink.put(b"/");
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
    let empty: &[u8] = &[];
    let mut pairs: InlineStack<(&[u8], &[u8]), 16> = InlineStack::new((empty, empty));
    for (k, v) in query_pairs(query) {
        if !skip(k) {
            pairs.push((k, v));
        }
    }
    let pairs = pairs.as_mut_slice();
    // Unstable sort: it never allocates, and pairs that compare equal have
    // the same canonical bytes, so their order cannot show.
    pairs.sort_unstable_by(|a, b| cmp_encoded(a.0, b.0).then_with(|| cmp_encoded(a.1, b.1)));
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            sink.put(b"&");
        }
        write_reencoded(sink, k, false, true);
        sink.put(b"=");
        write_reencoded(sink, v, false, true);
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
}
