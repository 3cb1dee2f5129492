//! The bundled example (examples/ in the repository), compiled into the binary so that `turnpike
//! serve` with no PATH works from any directory.

use std::path::PathBuf;

/// The address the example documents are written for: the HTTP API proxies to the REST API there.
const WRITTEN_FOR: &str = "http://127.0.0.1:8080";

const DOCUMENTS: [(&str, &str); 2] = [
    (
        "examples/petstore.yaml",
        include_str!("../../../examples/petstore.yaml"),
    ),
    (
        "examples/petstore-http.yaml",
        include_str!("../../../examples/petstore-http.yaml"),
    ),
];

/// The example documents as (path for messages, text), with the back-end URIs pointing at
/// `base_url` (e.g. `http://127.0.0.1:39001`) so the HTTP API reaches the REST API whatever port
/// Turnpike listens on.
pub fn documents(base_url: &str) -> Vec<(PathBuf, String)> {
    DOCUMENTS
        .iter()
        .map(|(path, text)| (PathBuf::from(path), text.replace(WRITTEN_FOR, base_url)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_end_uris_follow_the_listen_address() {
        let docs = documents("http://127.0.0.1:4321");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].0, PathBuf::from("examples/petstore-http.yaml"));
        assert!(docs[1].1.contains("uri: http://127.0.0.1:4321/dev/pets"));
        assert!(!docs[1].1.contains(WRITTEN_FOR));
    }
}
