//! API Gateway's template objects: `$input` (request body and parameters, with a JSONPath
//! subset) and `$util` (escaping and encoding helpers).

pub(crate) mod input;
pub(crate) mod jsonpath;
pub(crate) mod util;
