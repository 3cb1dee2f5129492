//! `x-amazon-apigateway-integration.cacheKeyParameters`: the method request parameters whose
//! values tell a method's cached responses apart.

use super::context::{At, Ctx, Node};

/// The places a cache key parameter may come from (`method.request.<place>.<name>`).
const PLACES: &[&str] = &[
    "path",
    "querystring",
    "multivaluequerystring",
    "header",
    "multivalueheader",
];

/// Reads `cacheKeyParameters`; every entry must name a method request parameter.
pub(crate) fn read(ctx: &mut Ctx<'_>, node: &Node<'_>) -> Vec<String> {
    if ctx.array(node, "cacheKeyParameters").is_none() {
        return Vec::new();
    }
    let mut keys = Vec::new();
    for item in node.items() {
        let Some(text) = ctx.string(&item, "each cacheKeyParameters entry") else {
            continue;
        };
        if is_method_request_parameter(text) {
            if !keys.iter().any(|k| k == text) {
                keys.push(text.to_owned());
            }
        } else {
            let message = format!(
                "cacheKeyParameters entry \"{text}\" is not a method request parameter; use \
                 method.request.<place>.<name> with place one of {}",
                PLACES.join(", ")
            );
            ctx.error(&item.ptr, At::Value, message);
        }
    }
    keys
}

fn is_method_request_parameter(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("method.request.") else {
        return false;
    };
    let Some((place, name)) = rest.split_once('.') else {
        return false;
    };
    PLACES.contains(&place) && !name.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_method_request_parameters_are_keys() {
        assert!(is_method_request_parameter("method.request.querystring.q"));
        assert!(is_method_request_parameter("method.request.path.id"));
        assert!(is_method_request_parameter(
            "method.request.header.X-Tenant"
        ));
        assert!(is_method_request_parameter(
            "method.request.multivalueheader.a"
        ));
        assert!(!is_method_request_parameter("method.request.body.x"));
        assert!(!is_method_request_parameter(
            "integration.request.querystring.q"
        ));
        assert!(!is_method_request_parameter("method.request.querystring."));
        assert!(!is_method_request_parameter("method.request.querystring"));
    }
}
