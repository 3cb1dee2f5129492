//! Route selection: which route a message goes to.
//!
//! The API's route selection expression (`$request.body.action`) is evaluated on a message that
//! is a JSON object; the string it finds is the route key when a route has that key. A message
//! that is not JSON, lacks the member, holds something other than a string there, or names no
//! route goes to `$default` ("Working with routes for WebSocket APIs").

use serde_json::Value;
use turnpike_model::RouteSelection;

use super::{CompiledWebSocketApi, CompiledWsRoute};

/// The value of `selection` in `message`, if it finds a string.
pub(crate) fn selection_value(selection: &RouteSelection, message: &[u8]) -> Option<String> {
    let RouteSelection::Body(members) = selection;
    let value: Value = serde_json::from_slice(message).ok()?;
    let mut at = &value;
    for member in members {
        at = at.as_object()?.get(member)?;
    }
    at.as_str().map(str::to_owned)
}

/// The route `message` goes to: the selected one, else `$default`; `None` when neither exists.
pub(crate) fn select<'a>(
    api: &'a CompiledWebSocketApi,
    message: &[u8],
) -> Option<&'a CompiledWsRoute> {
    let selected = selection_value(&api.model.route_selection, message);
    selected
        .as_deref()
        .filter(|key| !key.starts_with('$'))
        .and_then(|key| api.route(key))
        .or_else(|| api.route("$default"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(path: &[&str]) -> RouteSelection {
        RouteSelection::Body(path.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn the_expression_walks_json_objects_to_a_string() {
        let action = RouteSelection::action();
        assert_eq!(
            selection_value(&action, br#"{"action":"send","x":1}"#),
            Some("send".into())
        );
        assert_eq!(
            selection_value(&body(&["a", "b"]), br#"{"a":{"b":"deep"}}"#),
            Some("deep".into())
        );
        assert_eq!(selection_value(&action, br#"{"action":7}"#), None);
        assert_eq!(selection_value(&action, br#"{"other":"x"}"#), None);
        assert_eq!(selection_value(&action, br#"["action"]"#), None);
        assert_eq!(selection_value(&action, b"plain text"), None);
    }
}
