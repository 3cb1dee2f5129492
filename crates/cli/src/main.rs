//! TODO(cli helper)
fn main() {}
