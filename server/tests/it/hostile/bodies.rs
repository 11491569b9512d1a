//! Bodies a hostile or careless client sends: oversize (announced or streamed) and malformed
//! server-function arguments. Each gets a clear 4xx and nothing runs.

use super::login_form;
use crate::support::{browser_like_client as client, start_app};
use end2end::app_fixture::{AppFixture, ADMIN_PASSWORD, ADMIN_USER};
use end2end::audit;
use reqwest::{header, StatusCode};

/// Sends `head` (request line and headers), then `body`, on a raw connection and returns the
/// status line and the body of the answer. A raw socket because the server answers an
/// oversize request before reading it, and an HTTP client still writing would see a broken pipe.
async fn raw_exchange(app: &AppFixture, head: &str, body: &[u8]) -> (String, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = format!(
        "{}:{}",
        app.url.host_str().unwrap(),
        app.url.port().unwrap()
    );
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // Whatever of the body the server refuses to read may fail to send; the answer is what counts.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer).to_string();
    let status = answer.lines().next().unwrap_or("").to_string();
    let text = answer.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, text)
}

/// `size` bytes in HTTP/1.1 chunks of 16 KiB, as a client that never says the length sends them.
fn chunked(size: usize) -> Vec<u8> {
    let mut body = Vec::new();
    for _ in 0..size / (16 * 1024) {
        body.extend_from_slice(b"4000\r\n");
        body.extend(std::iter::repeat_n(b'a', 16 * 1024));
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    body
}

#[tokio::test]
async fn oversize_bodies_are_answered_413_with_a_reason_on_every_route() {
    let app = start_app().await;
    let form = "application/x-www-form-urlencoded";
    for path in ["/api/login", "/api/promote", "/api/search", "/login"] {
        // 300 MB announced: refused from the headers, nothing read.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {form}\r\n\
             Content-Length: 300000000\r\nConnection: close\r\n\r\n"
        );
        let (status, text) = raw_exchange(&app, &head, b"").await;
        assert!(status.contains(" 413 "), "{path}: {status}");
        assert!(text.contains("at most 64 KiB"), "{path}: {text}");
        // No length announced: refused once 64 KiB have arrived.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {form}\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        let (status, _) = raw_exchange(&app, &head, &chunked(256 * 1024)).await;
        assert!(status.contains(" 413 "), "{path} chunked: {status}");
    }
    let head = "POST /hooks/registry/local HTTP/1.1\r\nHost: x\r\n\
                Content-Length: 2000000\r\nConnection: close\r\n\r\n";
    let (status, text) = raw_exchange(&app, head, b"").await;
    assert!(status.contains(" 413 "), "{status}");
    assert!(text.contains("at most 1024 KiB"), "{text}");

    // Under the limit a form is read as before: padding the login form still logs in.
    let client = client();
    let padded = format!("{}&padding={}", login_form(), "a".repeat(60 * 1024));
    let response = client
        .post(app.url.join("/api/login").unwrap())
        .header(header::CONTENT_TYPE, form)
        .header(header::ACCEPT, "text/html")
        .body(padded)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_redirection());
    assert_eq!(response.headers()[header::LOCATION], "/");
}

#[tokio::test]
async fn malformed_server_function_arguments_are_answered_400_not_500() {
    let app = start_app().await;
    let client = client();
    client
        .post(app.url.join("/api/login").unwrap())
        .form(&[("username", ADMIN_USER), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .unwrap();
    let audit_before = audit::rows(&app.database).await;
    let cases: [(&str, &str, &str); 5] = [
        (
            "/api/promote",
            "application/x-www-form-urlencoded",
            "garbage",
        ),
        (
            "/api/promote",
            "application/x-www-form-urlencoded",
            "registry=local&repository=dev/app&tag=1&to_environment=staging&with_attachments=maybe",
        ),
        ("/api/promote", "application/json", r#"{"registry":"#),
        (
            "/api/search",
            "application/x-www-form-urlencoded",
            "text=a&page=abc",
        ),
        (
            "/api/login",
            "application/x-www-form-urlencoded",
            "username=admin",
        ),
    ];
    for (path, content_type, body) in cases {
        let response = client
            .post(app.url.join(path).unwrap())
            .header(header::CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}: {text}");
        assert!(
            text.contains("error deserializing server function arguments"),
            "{text}"
        );
    }
    assert_eq!(
        audit::rows(&app.database).await,
        audit_before,
        "nothing ran"
    );
}
