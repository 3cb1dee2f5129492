//! Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection, so a proxy removes them in
//! both directions, together with every header the `Connection` header names.

use http::header::{HeaderName, CONNECTION, TE, TRAILER, TRANSFER_ENCODING, UPGRADE};
use http::HeaderMap;

static KEEP_ALIVE: HeaderName = HeaderName::from_static("keep-alive");
static PROXY_CONNECTION: HeaderName = HeaderName::from_static("proxy-connection");

/// True for the fixed hop-by-hop headers (not counting those `Connection` lists).
pub(crate) fn is_hop_by_hop(name: &HeaderName) -> bool {
    name == CONNECTION
        || name == TE
        || name == TRAILER
        || name == TRANSFER_ENCODING
        || name == UPGRADE
        || name == KEEP_ALIVE
        || name == PROXY_CONNECTION
}

/// The header names listed in `Connection` (e.g. `Connection: keep-alive, x-private`), leaving
/// out the fixed hop-by-hop ones, which [`is_hop_by_hop`] already names: the usual
/// `Connection: keep-alive` then costs no allocation.
pub(crate) fn connection_listed(headers: &HeaderMap) -> Vec<HeaderName> {
    listed_in(headers.get_all(CONNECTION).iter().map(|v| v.as_bytes()))
}

/// [`connection_listed`] over the raw values of `Connection` fields, for a head not yet in a
/// [`HeaderMap`].
pub(crate) fn listed_in<'a>(values: impl Iterator<Item = &'a [u8]>) -> Vec<HeaderName> {
    values
        .filter_map(|v| std::str::from_utf8(v).ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|token| !token.is_empty() && !is_fixed_token(token))
        .filter_map(|token| HeaderName::from_bytes(token.as_bytes()).ok())
        .collect()
}

fn is_fixed_token(token: &str) -> bool {
    [
        "connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "keep-alive",
        "proxy-connection",
    ]
    .iter()
    .any(|fixed| token.eq_ignore_ascii_case(fixed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_fixed_set_and_what_connection_lists() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("connection", "keep-alive, X-Private,  x-other"),
            ("keep-alive", "timeout=5"),
            ("proxy-connection", "keep-alive"),
            ("te", "trailers"),
            ("trailer", "x-checksum"),
            ("transfer-encoding", "chunked"),
            ("upgrade", "h2c"),
            ("x-private", "secret"),
            ("x-other", "1"),
            ("content-type", "text/plain"),
            ("x-kept", "yes"),
        ] {
            headers.append(name, value.parse().unwrap());
        }
        let listed = connection_listed(&headers);
        let left: Vec<_> = headers
            .keys()
            .filter(|name| !is_hop_by_hop(name) && !listed.contains(name))
            .map(|name| name.as_str())
            .collect();
        assert_eq!(left, ["content-type", "x-kept"]);
    }

    #[test]
    fn connection_lists_only_names_beyond_the_fixed_set() {
        let mut headers = HeaderMap::new();
        headers.append(CONNECTION, "Keep-Alive, X-Private".parse().unwrap());
        headers.append(CONNECTION, "upgrade,close".parse().unwrap());
        assert_eq!(
            connection_listed(&headers),
            [
                HeaderName::from_static("x-private"),
                HeaderName::from_static("close")
            ]
        );
    }

    #[test]
    fn names_the_fixed_set() {
        assert!(is_hop_by_hop(&HeaderName::from_static("keep-alive")));
        assert!(is_hop_by_hop(&TRANSFER_ENCODING));
        assert!(!is_hop_by_hop(&HeaderName::from_static("content-length")));
    }
}
