//! The tower-sigv4 demo: an in-memory S3 and STS endpoint that real AWS
//! clients talk to, protected by `SigV4Layer`.
//!
//! ```text
//! cargo run --example demo                 # http://127.0.0.1:9090
//! cargo run --example demo -- --tls        # https, with a certificate made at start
//! cargo run --example demo -- --listen 127.0.0.1:0 --config my-identities.json
//! ```
//!
//! Then, with the keys it prints:
//!
//! ```text
//! export AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE
//! export AWS_SECRET_ACCESS_KEY=je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
//! export AWS_DEFAULT_REGION=us-east-1
//! aws --endpoint-url http://127.0.0.1:9090 sts get-caller-identity
//! aws --endpoint-url http://127.0.0.1:9090 s3 mb s3://demo
//! aws --endpoint-url http://127.0.0.1:9090 s3 cp ./README.md s3://demo/readme.md
//! ```

mod app;
mod checksum;
mod config;
mod s3;
mod server;
mod sts;
mod tls;
mod xml;

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use app::{Demo, DemoOptions};
use config::Identities;

/// An in-memory S3 and STS endpoint protected by tower-sigv4's SigV4Layer.
#[derive(Parser, Debug)]
#[command(name = "demo")]
struct Args {
    /// The address to listen on (port 0 picks a free port; the chosen
    /// address is printed).
    #[arg(long, default_value = "127.0.0.1:9090")]
    listen: SocketAddr,

    /// A JSON file of identities (roots, users, roles) instead of the
    /// built-in ones (examples/demo/identities.json).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Serve HTTPS with a certificate authority and server certificate made
    /// at start.
    #[arg(long)]
    tls: bool,

    /// Where --tls writes the certificate authority clients must trust
    /// (default: tower-sigv4-demo-ca.pem in the system's temporary folder).
    #[arg(long, value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// TEST ONLY: shift the clock that stamps the sessions STS issues by
    /// SECONDS (negative: into the past). With -1000, a session asked for
    /// with DurationSeconds=900 has expired when it is issued, while a
    /// default one-hour session stays valid for 2600 more seconds; the
    /// interop suite uses this to see ExpiredToken without waiting.
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 0,
        allow_hyphen_values = true
    )]
    sts_clock_offset: i64,
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    if let Err(message) = run(args).await {
        eprintln!("demo: {message}");
        std::process::exit(1);
    }
}

async fn run(args: Args) -> Result<(), String> {
    let identities = match &args.config {
        Some(path) => Identities::from_file(path)?,
        None => Identities::builtin(),
    };
    let described = identities.describe();
    let demo = Demo::new(DemoOptions {
        identities,
        sts_clock_offset: args.sts_clock_offset,
        limits: s3::Limits::default(),
    })?;

    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;

    let (scheme, tls) = if args.tls {
        let tls = tls::generate()?;
        let path = args
            .ca_cert
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("tower-sigv4-demo-ca.pem"));
        std::fs::write(&path, &tls.ca_pem)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        ("https", Some((tls.config, path)))
    } else {
        ("http", None)
    };
    let host = if addr.ip().is_loopback() && addr.is_ipv4() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let url = format!("{scheme}://{host}");

    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "tower-sigv4 demo: S3 and STS, region {}",
        demo.region()
    );
    let _ = writeln!(out, "identities:");
    for line in &described {
        let _ = writeln!(out, "  {line}");
    }
    if let Some((_, path)) = &tls {
        let _ = writeln!(
            out,
            "certificate authority to trust: {} (AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, curl --cacert)",
            path.display()
        );
    }
    if args.sts_clock_offset != 0 {
        let _ = writeln!(
            out,
            "TEST ONLY: STS sessions are stamped {} seconds off the real time",
            args.sts_clock_offset
        );
    }
    let _ = writeln!(out, "try: aws --endpoint-url {url} sts get-caller-identity");
    // The interop suite waits for this line and reads the address from it.
    let _ = writeln!(out, "listening on {url}");
    let _ = out.flush();
    drop(out);

    let service = app::service(demo, scheme);
    let task = server::spawn(listener, tls.map(|(config, _)| config), service);
    tokio::select! {
        _ = tokio::signal::ctrl_c() => Ok(()),
        result = task => result.map_err(|e| format!("the server stopped: {e}")),
    }
}
