//! Where a function's code is: `CodeUri` (or `Code`) as a directory beside the template. Code in
//! S3 or inline is how a template looks after packaging for AWS; Turnpike runs the local source.

use std::path::PathBuf;

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::load::context::At;

/// The code directory `node` names, relative to the template's directory.
pub(super) fn directory(stack: &mut Stack<'_>, node: &RNode, key: &str) -> Option<PathBuf> {
    if let RVal::Map(entries) = &node.val {
        let message = if entries.iter().any(|(k, _)| k == "ZipFile") {
            format!("{key}.ZipFile (inline code) is not supported by Turnpike; put the code in a directory and give its path as {key}")
        } else if entries.iter().any(|(k, _)| k == "ImageUri") {
            format!("{key}.ImageUri names a container image, which Turnpike does not run; give the code directory as {key}")
        } else {
            format!("{key} in S3 is not supported by Turnpike: it runs local code, so give {key} as the path of the code's directory (as before sam package)")
        };
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    let text = stack.text(node, key)?;
    if text.starts_with("s3://") {
        let message = format!("{key} \"{text}\" is in S3, which Turnpike does not read: give the path of the code's local directory (as before sam package)");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    let path = stack.dir.join(&text);
    if path.is_dir() {
        return Some(path);
    }
    let message = if path.is_file() {
        format!("{key} \"{text}\" is a file; Turnpike runs a function from the directory that holds its code, so unpack it or point {key} at the source directory")
    } else {
        format!(
            "{key} \"{text}\": there is no directory at {}",
            path.display()
        )
    };
    stack.error(&node.ptr, At::Value, message);
    None
}
