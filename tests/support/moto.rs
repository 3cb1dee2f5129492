//! A local moto server, boto3 against it and the virtualenv's JSON-answering scripts: the
//! workspace's one implementation, shared with the crates' unit tests ([`turnpike_testkit`]).

pub use turnpike_testkit::moto::Moto;
pub use turnpike_testkit::python::{python_json, venv};
