//! The accept loop: TCP, optional TLS, HTTP/1.1 and HTTP/2 through
//! hyper-util, any tower service on top.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tower::Service;

/// Connections served at once; more wait in the kernel's backlog.
const MAX_CONNECTIONS: usize = 1_024;
/// How long a client may take to finish its TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(20);
/// How long an HTTP/1 connection may wait for its next request's headers,
/// idle time between keep-alive requests included. Longer than the SDKs'
/// pool idle timeouts, so that a client does not pick a pooled connection
/// the demo is closing at that very moment.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// Serves `service` on `listener` until the returned task is aborted.
pub fn spawn<S, B>(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    service: S,
) -> JoinHandle<()>
where
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let acceptor = tls.map(TlsAcceptor::from);
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        loop {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let (stream, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    eprintln!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            let acceptor = acceptor.clone();
            let service = service.clone();
            tokio::spawn(async move {
                let _permit = permit;
                match acceptor {
                    Some(acceptor) => {
                        match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                        {
                            Ok(Ok(tls)) => serve_connection(TokioIo::new(tls), service, peer).await,
                            Ok(Err(e)) => eprintln!("TLS handshake with {peer} failed: {e}"),
                            Err(_) => eprintln!("TLS handshake with {peer} timed out"),
                        }
                    }
                    None => serve_connection(TokioIo::new(stream), service, peer).await,
                }
            });
        }
    })
}

async fn serve_connection<I, S, B>(io: I, service: S, peer: SocketAddr)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<B>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    if let Err(e) = builder
        .serve_connection(io, TowerToHyperService::new(service))
        .await
    {
        // Clients that drop a connection mid-request are routine (curl
        // after an error, SDK retries); the message helps when they are not.
        let text = e.to_string();
        if !text.contains("connection closed") && !text.contains("reset") {
            eprintln!("connection from {peer}: {text}");
        }
    }
}
