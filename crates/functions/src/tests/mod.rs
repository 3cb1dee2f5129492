//! End-to-end tests of the host with real worker processes, one file per topic.

mod awslambdaric;
mod lifecycle;
mod pool;
mod provided;
mod python;
mod runtime_api;
