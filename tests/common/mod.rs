//! Shared helpers for the integration tests: locating `../shared`, and
//! reading the raw HTTP request files of the AWS test suites.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use http::{HeaderMap, HeaderName, HeaderValue};
use tower_sigv4::sigv4::RequestView;

/// `$CARGO_MANIFEST_DIR/../shared`.
pub fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared")
}

/// `path` under `../shared` if it exists. When it does not: a test failure
/// under `CI=true`, otherwise `None` and a message (the caller skips).
pub fn shared_path(rel: &str) -> Option<PathBuf> {
    let p = shared_dir().join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "{} is missing (CI=true: shared test data must be present)",
            p.display()
        );
    }
    eprintln!("skipping: {} is missing", p.display());
    None
}

/// Reads a file that must exist (the suite folder itself was found).
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What to do with an obsolete folded header line (a line that starts with
/// whitespace continues the previous header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folding {
    /// RFC 9112 5.2: replace the fold by a space (one value).
    Unfold,
    /// Treat each continuation line as one more value of the same header
    /// (what the 2015 AWS suite expected).
    SeparateValues,
}

/// A request as the raw bytes of a test-suite file describe it.
#[derive(Clone, Debug)]
pub struct RawRequest {
    pub method: Vec<u8>,
    pub path: Vec<u8>,
    pub query: Vec<u8>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl RawRequest {
    /// Parses `METHOD target HTTP/1.1\nName:value\n...\n\nbody`. The target
    /// is everything between the first space and the last ` HTTP/`, so raw
    /// spaces and UTF-8 in the path stay as they are.
    pub fn parse(bytes: &[u8], folding: Folding) -> RawRequest {
        let text = bytes;
        let (head, body) = split_head(text);
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let request_line = lines.next().expect("request line");
        let sp = request_line
            .iter()
            .position(|&b| b == b' ')
            .expect("method");
        let method = request_line[..sp].to_vec();
        let rest = &request_line[sp + 1..];
        let end = rest
            .windows(6)
            .rposition(|w| w == b" HTTP/")
            .unwrap_or(rest.len());
        let target = &rest[..end];
        let (path, query) = match target.iter().position(|&b| b == b'?') {
            Some(i) => (target[..i].to_vec(), target[i + 1..].to_vec()),
            None => (target.to_vec(), Vec::new()),
        };
        // (name, values) in arrival order.
        let mut fields: Vec<(Vec<u8>, Vec<Vec<u8>>)> = Vec::new();
        for line in lines {
            if line.is_empty() {
                continue;
            }
            if line[0] == b' ' || line[0] == b'\t' {
                let cont = trim_ows(line);
                let (_, values) = fields.last_mut().expect("continuation after a header");
                match folding {
                    Folding::Unfold => {
                        let v = values.last_mut().unwrap();
                        v.push(b' ');
                        v.extend_from_slice(cont);
                    }
                    Folding::SeparateValues => values.push(cont.to_vec()),
                }
                continue;
            }
            let colon = line.iter().position(|&b| b == b':').expect("header colon");
            fields.push((
                line[..colon].to_vec(),
                vec![trim_ows(&line[colon + 1..]).to_vec()],
            ));
        }
        let mut headers = HeaderMap::new();
        for (name, values) in fields {
            let name = HeaderName::from_bytes(&name).expect("header name");
            for v in values {
                headers.append(
                    name.clone(),
                    HeaderValue::from_bytes(&v).expect("header value"),
                );
            }
        }
        RawRequest {
            method,
            path,
            query,
            headers,
            body: body.to_vec(),
        }
    }

    /// The view the core reads.
    pub fn view(&self) -> RequestView<'_> {
        RequestView::new(&self.method, &self.path, &self.query, &self.headers)
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

fn trim_ows(b: &[u8]) -> &[u8] {
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

/// SHA-256.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}
