//! `--tls`: a certificate made at start, so that clients take their HTTPS
//! code paths (the SDKs choose their upload framing by scheme: over HTTPS
//! they stream `aws-chunked` bodies with trailing checksums).
//!
//! rcgen makes a throw-away certificate authority and a server certificate
//! it signs for `localhost`, `127.0.0.1` and `::1`; the authority's
//! certificate is written to a PEM file for clients to trust
//! (`AWS_CA_BUNDLE`, `NODE_EXTRA_CA_CERTS`, `curl --cacert`). A separate
//! authority, rather than one self-signed server certificate, is what every
//! client's verifier accepts: OpenSSL in strict mode, Node and webpki.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::ServerConfig;

/// The server's TLS configuration and the authority clients must trust.
pub struct DemoTls {
    /// The rustls configuration, offering HTTP/2 and HTTP/1.1.
    pub config: Arc<ServerConfig>,
    /// The authority's certificate, PEM.
    pub ca_pem: String,
}

/// Makes a fresh authority and server certificate.
pub fn generate() -> Result<DemoTls, String> {
    let err = |e: rcgen::Error| format!("cannot make the demo's certificate: {e}");
    let now = time::OffsetDateTime::now_utc();

    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "tower-sigv4 demo authority");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = now - time::Duration::hours(1);
    ca_params.not_after = now + time::Duration::days(30);
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let mut params = CertificateParams::new(vec!["localhost".to_owned()]).map_err(err)?;
    params
        .subject_alt_names
        .push(SanType::IpAddress([127, 0, 0, 1].into()));
    params
        .subject_alt_names
        .push(SanType::IpAddress(std::net::Ipv6Addr::LOCALHOST.into()));
    params
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = now - time::Duration::hours(1);
    params.not_after = now + time::Duration::days(30);
    let key = KeyPair::generate().map_err(err)?;
    let cert = params.signed_by(&key, &issuer).map_err(err)?;

    let chain = vec![
        CertificateDer::from(cert.der().to_vec()),
        CertificateDer::from(ca_cert.der().to_vec()),
    ];
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot configure TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .map_err(|e| format!("cannot configure TLS: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(DemoTls {
        config: Arc::new(config),
        ca_pem: ca_cert.pem(),
    })
}
