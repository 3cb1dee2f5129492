//! Which `MethodSettings` entry applies to a method: the resource path and HTTP method an entry
//! names (`None` for CloudFormation's `/*` and `*`), shared by the throttling and the caching
//! fields, which API Gateway resolves the same way.

/// The method an entry names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selector<'a> {
    pub(crate) resource_path: Option<&'a str>,
    pub(crate) http_method: Option<&'a str>,
}

impl Selector<'_> {
    /// Whether the entry applies to `method` on `resource_path` (methods compare without case).
    pub(crate) fn applies(self, resource_path: &str, method: &str) -> bool {
        self.resource_path.is_none_or(|p| p == resource_path)
            && self
                .http_method
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }

    /// How specific the entry is: a named resource counts more than a named method, and
    /// `/*` `*` least.
    pub(crate) fn specificity(self) -> u8 {
        u8::from(self.resource_path.is_some()) * 2 + u8::from(self.http_method.is_some())
    }
}
