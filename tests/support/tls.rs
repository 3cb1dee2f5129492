//! A self-signed certificate for `localhost` made at test time with rcgen.

use std::path::PathBuf;

use super::fixture::TempDir;

/// PEM files for `--tls-cert` / `--tls-key`, and the certificate's DER for the client's roots.
pub struct TestCert {
    pub cert_pem: PathBuf,
    pub key_pem: PathBuf,
    pub cert_der: Vec<u8>,
}

pub fn self_signed(dir: &TempDir) -> TestCert {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string(), "127.0.0.1".to_string()])
            .unwrap();
    TestCert {
        cert_pem: dir.write("cert.pem", &certified.cert.pem()),
        key_pem: dir.write("key.pem", &certified.key_pair.serialize_pem()),
        cert_der: certified.cert.der().to_vec(),
    }
}
