//! Stage throttling: the rate and burst a stage's `MethodSettings` set for one method or, with
//! `/*` and `*`, for every method of the stage (each method still has its own bucket, as in
//! API Gateway).

use crate::method_settings::Selector;

/// One `MethodSettings` entry with `ThrottlingRateLimit` / `ThrottlingBurstLimit`.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodThrottle {
    /// The resource path (`/pets/{id}`, decoded from CloudFormation's `/~1pets~1{id}`); `None`
    /// for `/*`, every resource.
    pub resource_path: Option<String>,
    /// `GET`, ...; `None` for `*`, every method.
    pub http_method: Option<String>,
    /// Requests per second.
    pub rate_limit: f64,
    /// Bucket size.
    pub burst_limit: u64,
}

impl MethodThrottle {
    fn selector(&self) -> Selector<'_> {
        Selector {
            resource_path: self.resource_path.as_deref(),
            http_method: self.http_method.as_deref(),
        }
    }

    /// Whether it applies to `method` on `resource_path`.
    pub fn applies(&self, resource_path: &str, method: &str) -> bool {
        self.selector().applies(resource_path, method)
    }

    /// How specific it is: an exact method beats `/*` `*`.
    pub fn specificity(&self) -> u8 {
        self.selector().specificity()
    }
}

/// CloudFormation's `ResourcePath` (`/~1pets~1{id}`, `/` for the root, `/*` for all) → the
/// resource path (`None` for all). A path already written with slashes is taken as it is.
pub fn decode_resource_path(encoded: &str) -> Option<String> {
    if encoded == "/*" {
        return None;
    }
    let rest = encoded.strip_prefix('/').unwrap_or(encoded);
    if rest.starts_with("~1") {
        Some(rest.replace("~1", "/"))
    } else {
        Some(format!("/{rest}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_cloudformation_resource_paths() {
        assert_eq!(decode_resource_path("/*"), None);
        assert_eq!(decode_resource_path("/"), Some("/".into()));
        assert_eq!(
            decode_resource_path("/~1pets~1{id}"),
            Some("/pets/{id}".into())
        );
        assert_eq!(decode_resource_path("/pets"), Some("/pets".into()));
    }

    #[test]
    fn the_most_specific_setting_wins() {
        let all = MethodThrottle {
            resource_path: None,
            http_method: None,
            rate_limit: 1.0,
            burst_limit: 1,
        };
        let get = MethodThrottle {
            resource_path: Some("/pets".into()),
            http_method: Some("GET".into()),
            ..all.clone()
        };
        assert!(all.applies("/x", "POST"));
        assert!(get.applies("/pets", "get"));
        assert!(!get.applies("/pets", "POST"));
        assert!(get.specificity() > all.specificity());
    }
}
