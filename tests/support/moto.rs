//! A local moto server, boto3 against it and the virtualenv's JSON-answering scripts: the
//! workspace's one implementation, shared with the crates' unit tests ([`turnpike_testkit`]).

pub use turnpike_testkit::moto::Moto;
pub use turnpike_testkit::python::{python_json, venv};

/// The credentials the gateways these tests start sign their AWS calls with (moto takes any),
/// set in the test process that spawns them; no `AWS_ENDPOINT_URL` from the environment.
pub fn use_moto_credentials() {
    std::env::set_var("AWS_ACCESS_KEY_ID", "testing");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "testing");
    std::env::remove_var("AWS_SESSION_TOKEN");
    std::env::remove_var("AWS_ENDPOINT_URL");
}
