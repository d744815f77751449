//! A borrowed view of the parts of a request that SigV4 signs.
//!
//! The core works on bytes: AWS's own test suites contain request lines that
//! [`http::Uri`] cannot hold (a raw space, raw UTF-8), and a verifier must
//! refuse or hash whatever arrives, never panic on it.

use http::HeaderMap;

/// The parts of a request that are signed: method, path and query as they
/// came on the wire, the headers, and the URI authority (the `host` of an
/// HTTP/2 request, which has no `Host` header).
///
/// ```
/// use tower_sigv4::sigv4::RequestView;
///
/// let req = http::Request::get("https://example.amazonaws.com/a%20b?x=1")
///     .body(())
///     .unwrap();
/// let (parts, _) = req.into_parts();
/// let view = RequestView::from_parts(&parts);
/// assert_eq!(view.path(), b"/a%20b");
/// assert_eq!(view.query(), b"x=1");
/// assert_eq!(view.authority(), Some(&b"example.amazonaws.com"[..]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RequestView<'a> {
    method: &'a [u8],
    path: &'a [u8],
    query: &'a [u8],
    headers: &'a HeaderMap,
    authority: Option<&'a [u8]>,
}

impl<'a> RequestView<'a> {
    /// A view of `parts`.
    pub fn from_parts(parts: &'a http::request::Parts) -> Self {
        let uri = &parts.uri;
        RequestView {
            method: parts.method.as_str().as_bytes(),
            path: uri.path().as_bytes(),
            query: uri.query().unwrap_or("").as_bytes(),
            headers: &parts.headers,
            authority: uri
                .authority()
                .map(|a| strip_userinfo(a.as_str().as_bytes())),
        }
    }

    /// A view of raw pieces: `path` and `query` exactly as on the wire (the
    /// query without its `?`), any bytes.
    pub fn new(method: &'a [u8], path: &'a [u8], query: &'a [u8], headers: &'a HeaderMap) -> Self {
        RequestView {
            method,
            path,
            query,
            headers,
            authority: None,
        }
    }

    /// A view of a raw request target (`/path?query`, split at the first `?`).
    pub fn from_target(method: &'a [u8], target: &'a [u8], headers: &'a HeaderMap) -> Self {
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(i) => (&target[..i], &target[i + 1..]),
            None => (target, &target[target.len()..]),
        };
        RequestView::new(method, path, query, headers)
    }

    /// With the URI authority (`host[:port]`), used for the `host` header when
    /// the request has no `Host` header.
    pub fn with_authority(mut self, authority: &'a [u8]) -> Self {
        self.authority = Some(strip_userinfo(authority));
        self
    }

    /// The method, as sent.
    pub fn method(&self) -> &'a [u8] {
        self.method
    }

    /// The path, as sent.
    pub fn path(&self) -> &'a [u8] {
        self.path
    }

    /// The query string without its `?`, as sent (empty when there is none).
    pub fn query(&self) -> &'a [u8] {
        self.query
    }

    /// The headers.
    pub fn headers(&self) -> &'a HeaderMap {
        self.headers
    }

    /// The URI authority, if known.
    pub fn authority(&self) -> Option<&'a [u8]> {
        self.authority
    }

    /// The value the canonical `host` header takes when the request has no
    /// `Host` header.
    pub(crate) fn host_fallback(&self) -> Option<&'a [u8]> {
        self.authority
    }
}

fn strip_userinfo(a: &[u8]) -> &[u8] {
    match a.iter().rposition(|&b| b == b'@') {
        Some(i) => &a[i + 1..],
        None => a,
    }
}
