//! JSON pointers (RFC 6901), the addresses load errors use.

/// Escapes one reference token: `~` → `~0`, `/` → `~1` (so `/pets/{id}` becomes `~1pets~1{id}`).
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape`].
pub(crate) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// The pointer of `key` inside the node at `parent`.
pub(crate) fn push(parent: &str, key: &str) -> String {
    format!("{parent}/{}", escape(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_slash_and_tilde_in_that_order() {
        assert_eq!(push("/paths", "/pets/{id}"), "/paths/~1pets~1{id}");
        assert_eq!(escape("a~/b"), "a~0~1b");
        assert_eq!(unescape("a~0~1b"), "a~/b");
        // "~01" is an escaped "~" followed by "1", never "/".
        assert_eq!(unescape("~01"), "~1");
    }
}
