//! TODO(router helper).
