//! The method ARN of a request (`methodArn`, HTTP APIs' `routeArn`):
//! `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`, with the request's own
//! method and path (not the route's template), the path as received after the stage. A WebSocket
//! event's has no method or path but its route key: `.../{apiId}/{stage}/$connect`.

use turnpike_model::REGION;

use crate::context::{RequestContext, ACCOUNT_ID};

/// The method ARN of the request `ctx` describes.
pub(crate) fn method_arn(ctx: &RequestContext) -> String {
    let api = ctx.api.as_ref().map_or("", |a| a.id.as_str());
    let stage = ctx.stage.as_ref().map_or("", |s| s.name.as_str());
    if let Some(ws) = &ctx.websocket {
        let route = &ws.route_key;
        return format!("arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}/{route}");
    }
    let path = path_after_stage(ctx);
    format!(
        "arn:aws:execute-api:{REGION}:{ACCOUNT_ID}:{api}/{stage}/{}/{}",
        ctx.http_method.as_str(),
        path.strip_prefix('/').unwrap_or(path)
    )
}

/// `method_arn` as API Gateway shows it in access-denied messages: the account masked but for
/// its last four digits (`********9012`).
pub(crate) fn masked(arn: &str) -> String {
    let tail = ACCOUNT_ID
        .get(ACCOUNT_ID.len().saturating_sub(4)..)
        .unwrap_or("");
    arn.replacen(&format!(":{ACCOUNT_ID}:"), &format!(":********{tail}:"), 1)
}

/// The raw request path after the stage segment (`$default` stages have none); the
/// `/restapis/{id}/{stage}/_user_request_/` form reads as the path after it.
fn path_after_stage(ctx: &RequestContext) -> &str {
    let path = ctx.path.as_str();
    if let Some((_, rest)) = path
        .strip_prefix("/restapis/")
        .and_then(|after| after.split_once("/_user_request_"))
    {
        return if rest.is_empty() { "/" } else { rest };
    }
    if ctx.stage.as_ref().is_none_or(|s| s.is_default()) {
        return path;
    }
    let after_slash = path.strip_prefix('/').unwrap_or(path);
    after_slash
        .find('/')
        .and_then(|i| after_slash.get(i..))
        .unwrap_or("/")
}
