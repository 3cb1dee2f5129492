use super::*;

fn headers(list: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in list {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    map
}

fn encoded(method: Method, target: &str, list: &[(&str, &str)], body: &[u8]) -> String {
    let mut out = Vec::new();
    encode_request(&mut out, &method, target, "up:8080", &headers(list), body);
    String::from_utf8(out).unwrap()
}

#[test]
fn encodes_the_head_with_host_and_no_length_without_a_body() {
    assert_eq!(
        encoded(
            Method::GET,
            "/pets?x=1",
            &[("accept", "*/*"), ("x-a", "1"), ("x-a", "2")],
            b""
        ),
        "GET /pets?x=1 HTTP/1.1\r\nhost: up:8080\r\naccept: */*\r\nx-a: 1\r\nx-a: 2\r\n\r\n"
    );
    // A Host of the caller's wins; an empty target is `/`.
    assert_eq!(
        encoded(Method::DELETE, "", &[("host", "other")], b""),
        "DELETE / HTTP/1.1\r\nhost: other\r\n\r\n"
    );
    // Without a body the client's own Content-Length goes as it is.
    assert_eq!(
        encoded(
            Method::POST,
            "/",
            &[("host", "h"), ("content-length", "0")],
            b""
        ),
        "POST / HTTP/1.1\r\nhost: h\r\ncontent-length: 0\r\n\r\n"
    );
}

#[test]
fn a_body_goes_after_the_head_with_its_own_length() {
    assert_eq!(
        encoded(
            Method::POST,
            "/in",
            &[("host", "h"), ("content-length", "99"), ("content-type", "text/plain")],
            b"hello world"
        ),
        "POST /in HTTP/1.1\r\nhost: h\r\ncontent-type: text/plain\r\ncontent-length: 11\r\n\r\nhello world"
    );
}

fn parse(bytes: &[u8], method: Method) -> (Result<Option<ResponseHead>, CodecError>, BytesMut) {
    let mut buf = BytesMut::from(bytes);
    let result = parse_response(&mut buf, &method, None);
    (result, buf)
}

fn head(bytes: &[u8], method: Method) -> (ResponseHead, BytesMut) {
    let (result, rest) = parse(bytes, method);
    (result.unwrap().unwrap(), rest)
}

#[test]
fn parses_a_head_and_leaves_the_body() {
    let (head, rest) = head(
        b"HTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\nSet-Cookie: c=1\r\n\r\nhello",
        Method::GET,
    );
    assert_eq!(head.status, StatusCode::CREATED);
    assert_eq!(head.framing, Framing::Length(5));
    assert!(head.keep_alive);
    let values: Vec<_> = head.headers.get_all("x-a").iter().collect();
    assert_eq!(values, ["1", "2"]);
    assert_eq!(head.headers["set-cookie"], "c=1");
    assert_eq!(head.headers.len(), 4);
    assert_eq!(&rest[..], b"hello");
}

/// The names a client sees, in order, after `rules`.
fn client_names(bytes: &[u8], rules: BackendHeaders) -> (Vec<(String, String)>, ResponseHead) {
    let mut buf = BytesMut::from(bytes);
    let head = parse_response(&mut buf, &Method::GET, Some(&rules))
        .unwrap()
        .unwrap();
    let names = head
        .headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    (names, head)
}

#[test]
fn settles_client_facing_names_while_framing_reads_the_originals() {
    use turnpike_model::{ApiKind, IntegrationType};
    let wire = b"HTTP/1.1 200 OK\r\nServer: up\r\nDate: d\r\nContent-Length: 2\r\n\
        Connection: keep-alive, X-Private\r\nX-Private: p\r\nKeep-Alive: timeout=5\r\n\
        x-amzn-RequestId: theirs\r\nETag: e\r\n\r\nok";
    // REST HTTP_PROXY: owned names renamed, `Connection` kept as renamed, what it lists dropped
    // with the fixed hop-by-hop ones.
    let (names, head) = client_names(
        wire,
        BackendHeaders::of(ApiKind::Rest, IntegrationType::HttpProxy),
    );
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    };
    assert_eq!(
        names,
        pairs(&[
            ("x-amzn-remapped-server", "up"),
            ("x-amzn-remapped-date", "d"),
            ("x-amzn-remapped-content-length", "2"),
            ("x-amzn-remapped-connection", "keep-alive, X-Private"),
            ("x-amzn-remapped-x-amzn-requestid", "theirs"),
            ("etag", "e"),
        ])
    );
    assert_eq!(head.framing, Framing::Length(2));
    assert!(head.keep_alive);
    // HTTP APIs rename nothing and drop the hop-by-hop headers and what `Connection` lists.
    let (names, head) = client_names(
        wire,
        BackendHeaders::of(ApiKind::Http, IntegrationType::HttpProxy),
    );
    assert_eq!(
        names,
        pairs(&[
            ("server", "up"),
            ("date", "d"),
            ("content-length", "2"),
            ("x-amzn-requestid", "theirs"),
            ("etag", "e"),
        ])
    );
    assert_eq!(head.framing, Framing::Length(2));
    // A dropped `Transfer-Encoding` still frames the body, and `Connection: close` still ends
    // the connection.
    let (names, head) = client_names(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        BackendHeaders::of(ApiKind::Http, IntegrationType::HttpProxy),
    );
    assert_eq!(names, pairs(&[]));
    assert_eq!(head.framing, Framing::Chunked);
    assert!(!head.keep_alive);
}

#[test]
fn a_head_split_anywhere_waits_for_the_rest() {
    let full = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
    let head_len = full.len() - 2;
    for cut in 0..head_len {
        let (result, rest) = parse(&full[..cut], Method::GET);
        assert_eq!(result.unwrap().map(|h| h.status), None, "cut at {cut}");
        assert_eq!(rest.len(), cut, "nothing consumed at {cut}");
    }
    let (head, rest) = head(full, Method::GET);
    assert_eq!(head.framing, Framing::Length(2));
    assert_eq!(&rest[..], b"ok");
}

#[test]
fn rejects_oversized_malformed_and_upgrading_heads() {
    let mut big = b"HTTP/1.1 200 OK\r\n".to_vec();
    big.extend_from_slice(b"set-cookie: ");
    big.resize(MAX_HEAD_BYTES + 1, b'a');
    // Incomplete and already over the limit.
    assert_eq!(
        parse(&big, Method::GET).0.unwrap_err(),
        CodecError::HeadTooLarge
    );
    let mut many = b"HTTP/1.1 200 OK\r\n".to_vec();
    for i in 0..200 {
        many.extend_from_slice(format!("x-{i}: 1\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_eq!(
        parse(&many, Method::GET).0.unwrap_err(),
        CodecError::InvalidHead("too many headers")
    );
    assert_eq!(
        parse(b"HTTTP/1.1 200 OK\r\n\r\n", Method::GET)
            .0
            .unwrap_err(),
        CodecError::InvalidHead("malformed")
    );
    assert_eq!(
        parse(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n",
            Method::GET
        )
        .0
        .unwrap_err(),
        CodecError::SwitchingProtocols
    );
}

#[test]
fn frames_bodies_as_rfc_9112_says() {
    let cases: &[(&[u8], Method, Framing, bool)] = &[
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
            Method::HEAD,
            Framing::Empty,
            true,
        ),
        (
            b"HTTP/1.1 204 No Content\r\n\r\n",
            Method::GET,
            Framing::Empty,
            true,
        ),
        (
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n",
            Method::GET,
            Framing::Empty,
            true,
        ),
        (
            b"HTTP/1.1 100 Continue\r\n\r\n",
            Method::POST,
            Framing::Empty,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
            Method::GET,
            Framing::Empty,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n",
            Method::GET,
            Framing::Length(7),
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            Method::GET,
            Framing::Chunked,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
            Method::GET,
            Framing::Chunked,
            true,
        ),
        // Chunked must be last; a Content-Length beside Transfer-Encoding spends the connection.
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            Method::GET,
            Framing::Close,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
            Method::GET,
            Framing::Chunked,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\n\r\n",
            Method::GET,
            Framing::Close,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: Close\r\n\r\n",
            Method::GET,
            Framing::Length(1),
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
            Method::GET,
            Framing::Length(1),
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n",
            Method::GET,
            Framing::Length(1),
            true,
        ),
    ];
    for (bytes, method, framing, keep_alive) in cases {
        let (head, _) = head(bytes, method.clone());
        let text = String::from_utf8_lossy(bytes);
        assert_eq!(head.framing, *framing, "{text}");
        assert_eq!(head.keep_alive, *keep_alive, "{text}");
    }
    for bad in [
        &b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"[..],
        b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n",
    ] {
        assert_eq!(
            parse(bad, Method::GET).0.unwrap_err(),
            CodecError::InvalidContentLength,
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// Feeds `wire` to a chunked decoder `step` bytes at a time; the data and what is left over.
fn dechunk(wire: &[u8], step: usize) -> Result<(Vec<u8>, Vec<u8>), CodecError> {
    let mut decoder = Chunked::new();
    let mut buf = BytesMut::new();
    let mut out = Vec::new();
    let mut fed = 0;
    loop {
        match decoder.decode(&mut buf)? {
            Decoded::Data(data) => out.extend_from_slice(&data),
            Decoded::Done => return Ok((out, buf.to_vec())),
            Decoded::NeedMore => {
                assert!(fed < wire.len(), "decoder wants more than the wire has");
                let end = (fed + step).min(wire.len());
                buf.extend_from_slice(&wire[fed..end]);
                fed = end;
            }
        }
    }
}

#[test]
fn decodes_chunks_with_extensions_and_trailers_split_at_every_byte() {
    let wire = b"5;name=value\r\nhello\r\n6 ; x=\"y\"\r\n world\r\nA\r\n0123456789\r\n0;last\r\nx-checksum: abc\r\nx-more: 1\r\n\r\n";
    for step in 1..=wire.len() {
        let (data, rest) = dechunk(wire, step).unwrap();
        assert_eq!(data, b"hello world0123456789", "step {step}");
        assert!(rest.is_empty(), "step {step}");
    }
    // What follows the body stays in the buffer for the caller to judge.
    let (data, rest) = dechunk(b"2\r\nok\r\n0\r\n\r\nHTTP/1.1 200", 64).unwrap();
    assert_eq!(data, b"ok");
    assert_eq!(rest, b"HTTP/1.1 200");
    // Bare LF line endings are tolerated.
    let (data, _) = dechunk(b"3\nabc\n0\n\n", 64).unwrap();
    assert_eq!(data, b"abc");
}

#[test]
fn rejects_broken_chunks() {
    assert_eq!(
        dechunk(b"zz\r\n", 64).unwrap_err(),
        CodecError::InvalidChunk("no chunk size")
    );
    assert_eq!(
        dechunk(b"5x\r\nhello\r\n", 64).unwrap_err(),
        CodecError::InvalidChunk("invalid chunk size")
    );
    assert_eq!(
        dechunk(b"3\r\nabcXY0\r\n\r\n", 64).unwrap_err(),
        CodecError::InvalidChunk("no CRLF after data")
    );
    assert_eq!(
        dechunk(b"1000000000000000\r\n", 64).unwrap_err(),
        CodecError::InvalidChunk("chunk size too large")
    );
    let long = vec![b'1'; MAX_CHUNK_LINE + 10];
    assert_eq!(
        dechunk(&long, 64).unwrap_err(),
        CodecError::InvalidChunk("line too long")
    );
}
