//! TLS from PEM files: the server configuration (offering HTTP/2 and HTTP/1.1 by ALPN) and extra
//! CA certificates for `https` integration endpoints.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::TlsAcceptor;

use crate::config::TlsConfig;
use crate::error::ServeError;

/// An acceptor for `config`'s certificate chain and key; errors name the file at fault.
pub(crate) fn acceptor(config: &TlsConfig) -> Result<TlsAcceptor, ServeError> {
    let certs = certificates(&config.cert, "certificate")?;
    let key = private_key(&config.key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls_error = |e: rustls::Error| ServeError::Tls {
        cert: config.cert.clone(),
        key: config.key.clone(),
        message: e.to_string(),
    };
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(tls_error)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(tls_error)?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(server)))
}

fn open(path: &Path, what: &'static str) -> Result<BufReader<File>, ServeError> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| ServeError::TlsFile {
            what,
            path: path.to_path_buf(),
            message: format!("cannot read it: {e}"),
        })
}

/// The certificates of a PEM CA bundle, for `https` integration endpoints.
pub(crate) fn ca_bundle(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    certificates(path, "CA bundle")
}

fn certificates(
    path: &Path,
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let certs = rustls_pemfile::certs(&mut open(path, what)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ServeError::TlsFile {
            what,
            path: path.to_path_buf(),
            message: format!("not valid PEM: {e}"),
        })?;
    if certs.is_empty() {
        return Err(ServeError::TlsFile {
            what,
            path: path.to_path_buf(),
            message: "no CERTIFICATE block found; expected a PEM certificate chain".into(),
        });
    }
    Ok(certs)
}

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, ServeError> {
    let what = "private key";
    rustls_pemfile::private_key(&mut open(path, what)?)
        .map_err(|e| ServeError::TlsFile {
            what,
            path: path.to_path_buf(),
            message: format!("not valid PEM: {e}"),
        })?
        .ok_or_else(|| ServeError::TlsFile {
            what,
            path: path.to_path_buf(),
            message: "no PRIVATE KEY block found; expected a PKCS#8, PKCS#1 or SEC1 PEM key".into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn temp(name: &str, content: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("turnpike-tls-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let missing = TlsConfig {
            cert: PathBuf::from("/nonexistent/cert.pem"),
            key: PathBuf::from("/nonexistent/key.pem"),
        };
        let err = acceptor(&missing).err().unwrap().to_string();
        assert!(
            err.starts_with("TLS certificate /nonexistent/cert.pem: cannot read it:"),
            "{err}"
        );

        let empty = temp("empty.pem", "not pem at all\n");
        let config = TlsConfig {
            cert: empty.clone(),
            key: empty.clone(),
        };
        let err = acceptor(&config).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "TLS certificate {}: no CERTIFICATE block found; expected a PEM certificate chain",
                empty.display()
            )
        );
    }
}
