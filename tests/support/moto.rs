//! A local moto server and boto3 against it: the workspace's one implementation, shared with the
//! crates' unit tests ([`turnpike_testkit::moto`]).

pub use turnpike_testkit::moto::{venv, Moto};
