//! End-to-end tests of the host with real worker processes, one file per topic.

mod awslambdaric;
mod lifecycle;
mod node;
mod pool;
mod provided;
mod python;
mod runtime_api;
mod watch;
