//! `--tls-cert`/`--tls-key`: the rustls server side (ring provider, as the
//! client's reqwest uses), built once at start.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

use super::EmulatorError;
use super::TlsFiles;

/// A TLS acceptor for `files`; an unreadable, non-PEM or mismatched cert or
/// key is a usage error naming the file.
pub(crate) fn acceptor(files: &TlsFiles) -> anyhow::Result<TlsAcceptor> {
    let certs = certificates(&files.cert)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|error| {
        EmulatorError::Tls(format!(
            "--tls-key {}: no usable PEM private key ({error})",
            files.key.display()
        ))
    })?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| EmulatorError::Tls(format!("cannot set up TLS: {error}")))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|error| {
            EmulatorError::Tls(format!(
                "--tls-cert {} with --tls-key {}: not a usable certificate and key pair ({error})",
                files.cert.display(),
                files.key.display()
            ))
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Every certificate in a PEM file, leaf first; none is an error.
fn certificates(path: &Path) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let unusable = |detail: String| {
        EmulatorError::Tls(format!(
            "--tls-cert {}: no usable PEM certificate ({detail})",
            path.display()
        ))
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|error| unusable(error.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| unusable(error.to_string()))?;
    if certs.is_empty() {
        return Err(unusable("the file holds no CERTIFICATE section".to_string()).into());
    }
    Ok(certs)
}
