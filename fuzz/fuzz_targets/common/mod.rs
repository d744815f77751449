//! What the fuzz targets share: a lenient reader of raw HTTP/1.1 requests
//! (the format of the seed corpus, so that AWS's own suites seed it), and a
//! poll loop for futures that never wait on IO.
#![allow(dead_code)]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{HeaderMap, HeaderName, HeaderValue};
use tower_sigv4::sigv4::RequestView;

/// A request as raw bytes describe it: `METHOD target HTTP/1.1`, header
/// lines `name:value`, an empty line, the body. Lines end in `\n` or `\r\n`.
/// A header line named `:authority` sets the URI authority (an HTTP/2
/// request has no `Host`). Header names or values the `http` crate refuses
/// are dropped, as a server would refuse them before any layer runs.
pub struct RawRequest {
    pub method: Vec<u8>,
    pub path: Vec<u8>,
    pub query: Vec<u8>,
    pub headers: HeaderMap,
    pub authority: Option<Vec<u8>>,
    pub body: Vec<u8>,
}

/// At most this many header lines are read: a server bounds them too, and
/// the fuzzer should spend its time elsewhere.
const MAX_HEADER_LINES: usize = 256;

impl RawRequest {
    pub fn parse(data: &[u8]) -> RawRequest {
        let (head, body) = split_head(data);
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let request_line = lines.next().unwrap_or_default();
        let (method, rest) = match request_line.iter().position(|&b| b == b' ') {
            Some(i) => (&request_line[..i], &request_line[i + 1..]),
            None => (request_line, &request_line[request_line.len()..]),
        };
        let end = rest
            .windows(6)
            .rposition(|w| w == b" HTTP/")
            .unwrap_or(rest.len());
        let target = &rest[..end];
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(i) => (&target[..i], &target[i + 1..]),
            None => (target, &target[target.len()..]),
        };
        let mut headers = HeaderMap::new();
        let mut authority = None;
        for line in lines.take(MAX_HEADER_LINES) {
            if let Some(value) = line.strip_prefix(b":authority:") {
                authority = Some(trim(value).to_vec());
                continue;
            }
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                continue;
            };
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(&line[..colon]),
                HeaderValue::from_bytes(trim(&line[colon + 1..])),
            ) else {
                continue;
            };
            headers.append(name, value);
        }
        RawRequest {
            method: method.to_vec(),
            path: path.to_vec(),
            query: query.to_vec(),
            headers,
            authority,
            body: body.to_vec(),
        }
    }

    /// The view the protocol core reads.
    pub fn view(&self) -> RequestView<'_> {
        let view = RequestView::new(&self.method, &self.path, &self.query, &self.headers);
        match &self.authority {
            Some(a) => view.with_authority(a),
            None => view,
        }
    }

    /// An `http::Request` holding the same request, when `http` can hold
    /// it (its `Uri` refuses raw spaces, raw UTF-8 and some other bytes that
    /// the core itself accepts, and reads some targets differently).
    pub fn to_http<B>(&self, body: B) -> Option<http::Request<B>> {
        let mut target = self.path.clone();
        if !self.query.is_empty() {
            target.push(b'?');
            target.extend_from_slice(&self.query);
        }
        let uri: http::Uri = match &self.authority {
            Some(a) => {
                let mut full = b"https://".to_vec();
                full.extend_from_slice(a);
                full.extend_from_slice(&target);
                http::Uri::try_from(full).ok()?
            }
            None => http::Uri::try_from(target).ok()?,
        };
        // `http::Uri` reads some targets differently (`NNNNN` is an
        // authority, an empty path is `/`): only a request it holds as the
        // same path and query is the same request.
        let same_query = uri.query().unwrap_or("").as_bytes() == &self.query[..];
        if uri.path().as_bytes() != &self.path[..] || !same_query {
            return None;
        }
        let method = http::Method::from_bytes(&self.method).ok()?;
        let mut req = http::Request::builder()
            .method(method)
            .uri(uri)
            .body(body)
            .ok()?;
        *req.headers_mut() = self.headers.clone();
        Some(req)
    }
}

fn split_head(b: &[u8]) -> (&[u8], &[u8]) {
    if let Some(i) = b.windows(4).position(|w| w == b"\r\n\r\n") {
        return (&b[..i], &b[i + 4..]);
    }
    if let Some(i) = b.windows(2).position(|w| w == b"\n\n") {
        return (&b[..i], &b[i + 2..]);
    }
    (b, &[])
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|&c| c != b' ' && c != b'\t')
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| c != b' ' && c != b'\t')
        .map_or(start, |i| i + 1);
    &b[start..end]
}

/// Polls a future that never waits on IO (every store and body here is
/// in memory) to completion. A future still pending after many polls is a
/// hang, and a finding.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..10_000 {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
    panic!("a future over in-memory data never completed");
}

/// Checks that every byte is an unreserved character, `/` (when allowed)
/// or a `%XX` escape with uppercase hex: the only bytes AWS's canonical
/// encoding produces.
pub fn assert_canonical_encoding(s: &[u8], allow_slash: bool, what: &str) {
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (allow_slash && b == b'/') {
            i += 1;
        } else if b == b'%' {
            let hex = |c: Option<&u8>| matches!(c, Some(b'0'..=b'9' | b'A'..=b'F'));
            assert!(
                hex(s.get(i + 1)) && hex(s.get(i + 2)),
                "{what}: bad escape at {i} in {:?}",
                String::from_utf8_lossy(s)
            );
            i += 3;
        } else {
            panic!(
                "{what}: byte {b:#04x} at {i} in {:?}",
                String::from_utf8_lossy(s)
            );
        }
    }
}
