//! Test support shared by the workspace's unit tests and its end-to-end tests (`tests/`): the
//! real local servers tests start for themselves, so that each is started one way everywhere.
//! Today that is [`moto`], a local AWS (Cognito, SQS, DynamoDB, ...), and the scripts of the
//! workspace's Python virtualenv ([`python`]), such as boto3's and botocore's, and temporary
//! directories ([`TempDir`]). Test code only: it
//! panics with a clear message when a tool is missing or fails.

pub mod moto;
pub mod python;
mod temp_dir;

pub use temp_dir::TempDir;
