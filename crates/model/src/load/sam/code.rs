//! Where a function's code is: `CodeUri` (or `Code`) as a directory beside the template. Code in
//! S3 or inline is how a template looks after packaging for AWS; Turnpike runs the local source,
//! which `cdk synth` names in the function's `Metadata` (`aws:asset:path`, a directory of
//! `cdk.out` beside the template), as SAM CLI reads it.

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

/// For code in S3 (`{S3Bucket, S3Key}` or `s3://...`) with the CDK's `Metadata`
/// `aws:asset:path`: `Some(Some(dir))` for that local directory, `Some(None)` after reporting a
/// missing one. `None` when the resource has no asset path or its code is not in S3, for
/// [`directory`] to read.
pub(super) fn cdk_asset(stack: &mut Stack<'_>, id: &str, code: &RNode) -> Option<Option<PathBuf>> {
    let in_s3 = match &code.val {
        RVal::Map(entries) => entries
            .iter()
            .any(|(k, _)| ["S3Bucket", "S3Key", "Bucket", "Key"].contains(&k.as_str())),
        RVal::Scalar(value) => value.as_str().is_some_and(|text| text.starts_with("s3://")),
        _ => false,
    };
    if !in_s3 {
        return None;
    }
    let metadata = stack.resources.get(id)?.node.as_ref()?.get("Metadata")?;
    let asset = metadata.get("aws:asset:path")?;
    let Some(text) = asset.value.as_str() else {
        let message = "aws:asset:path must be the path of the function's code directory";
        stack.error(&asset.ptr, At::Value, message);
        return Some(None);
    };
    let path = stack.dir.join(text);
    if path.is_dir() {
        return Some(Some(path));
    }
    let message = format!(
        "aws:asset:path \"{text}\": there is no directory at {}; run cdk synth again, or give Code as the path of the code's directory",
        path.display()
    );
    stack.error(&asset.ptr, At::Value, message);
    Some(None)
}
