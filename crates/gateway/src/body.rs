//! The two body types the gateway moves: what it answers clients with ([`ResponseBody`]) and what it
//! sends back ends ([`UpstreamBody`]). Both are an in-memory buffer or a stream passed through
//! without collecting it, so proxying never holds a whole payload.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Limited;
use hyper::body::Incoming;
use pin_project_lite::pin_project;

use crate::gateway_response::GatewayError;
use crate::integrate::http::PooledBody;
use crate::integrate::upstream::ProxyBody;

/// Errors that can travel through a body we send to a back end.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pin_project! {
    /// A response body: bytes the gateway produced, or a back end's body streamed through.
    #[project = ResponseBodyProj]
    pub(crate) enum ResponseBody {
        Full { data: Option<Bytes> },
        Stream { #[pin] body: PooledBody },
        // The proxy hop's own client (`integrate::upstream`).
        Proxied { body: ProxyBody },
    }
}

impl ResponseBody {
    pub(crate) fn full(data: impl Into<Bytes>) -> ResponseBody {
        let data: Bytes = data.into();
        ResponseBody::Full {
            data: (!data.is_empty()).then_some(data),
        }
    }

    pub(crate) fn empty() -> ResponseBody {
        ResponseBody::Full { data: None }
    }

    pub(crate) fn stream(body: PooledBody) -> ResponseBody {
        ResponseBody::Stream { body }
    }

    pub(crate) fn proxied(body: ProxyBody) -> ResponseBody {
        ResponseBody::Proxied { body }
    }
}

impl Body for ResponseBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.project() {
            ResponseBodyProj::Full { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            ResponseBodyProj::Stream { body } => body.poll_frame(cx).map_err(Into::into),
            ResponseBodyProj::Proxied { body } => Pin::new(body).poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ResponseBody::Full { data } => data.is_none(),
            ResponseBody::Stream { body } => body.is_end_stream(),
            ResponseBody::Proxied { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ResponseBody::Full { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            ResponseBody::Stream { body } => body.size_hint(),
            ResponseBody::Proxied { body } => body.size_hint(),
        }
    }
}

/// The client's request body: still streaming, or already read whole by a stage that needed it
/// (request validation, SigV4 over the payload) and already checked against the size limit.
#[derive(Debug)]
pub(crate) enum RequestBody {
    Stream(Incoming),
    Buffered(Bytes),
}

impl RequestBody {
    /// Reads the body whole (once; later calls get the same bytes) within `max_bytes`.
    pub(crate) async fn buffer(&mut self, max_bytes: u64) -> Result<Bytes, GatewayError> {
        let taken = std::mem::replace(self, RequestBody::Buffered(Bytes::new()));
        let bytes = crate::limits::read_body(taken, max_bytes).await?;
        *self = RequestBody::Buffered(bytes.clone());
        Ok(bytes)
    }
}

pin_project! {
    /// A request body on its way to a back end: a rendered template, or the client's body streamed
    /// through with the payload limit enforced as it flows.
    #[project = UpstreamBodyProj]
    pub(crate) enum UpstreamBody {
        Full { data: Option<Bytes> },
        Stream { #[pin] body: Limited<Incoming> },
    }
}

impl UpstreamBody {
    pub(crate) fn full(data: impl Into<Bytes>) -> UpstreamBody {
        let data: Bytes = data.into();
        UpstreamBody::Full {
            data: (!data.is_empty()).then_some(data),
        }
    }

    pub(crate) fn limited(body: RequestBody, max_bytes: u64) -> UpstreamBody {
        match body {
            RequestBody::Stream(body) => {
                let limit = usize::try_from(max_bytes).unwrap_or(usize::MAX);
                UpstreamBody::Stream {
                    body: Limited::new(body, limit),
                }
            }
            RequestBody::Buffered(data) => UpstreamBody::full(data),
        }
    }
}

impl Body for UpstreamBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        match self.project() {
            UpstreamBodyProj::Full { data } => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            UpstreamBodyProj::Stream { body } => body.poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            UpstreamBody::Full { data } => data.is_none(),
            UpstreamBody::Stream { body } => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            UpstreamBody::Full { data } => {
                SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64))
            }
            UpstreamBody::Stream { body } => body.size_hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn full_bodies_yield_their_bytes_once_with_an_exact_size() {
        let body = ResponseBody::full("hello");
        assert_eq!(body.size_hint().exact(), Some(5));
        assert!(!body.is_end_stream());
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(&bytes[..], b"hello");

        let empty = ResponseBody::empty();
        assert!(empty.is_end_stream());
        assert_eq!(empty.size_hint().exact(), Some(0));

        let upstream = UpstreamBody::full(Bytes::from_static(b"abc"));
        assert_eq!(upstream.size_hint().exact(), Some(3));
        assert_eq!(&upstream.collect().await.unwrap().to_bytes()[..], b"abc");
    }
}
