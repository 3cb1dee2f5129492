//! Test support shared by the workspace's unit tests and its end-to-end tests (`tests/`): the
//! real local servers tests start for themselves, so that each is started one way everywhere.
//! Today that is [`moto`], a local AWS (Cognito, SQS, DynamoDB, ...) from the workspace's
//! virtualenv. Test code only: it panics with a clear message when a tool is missing.

pub mod moto;
