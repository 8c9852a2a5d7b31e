//! Browser-facing protections every response and request gets: state-changing requests
//! from another site are refused (login CSRF and its kin), and pages say they may not be
//! framed, sniffed or leak their address.
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use http::{header, HeaderValue, Method, StatusCode};
use tower_http::set_header::SetResponseHeaderLayer;

/// Refuses a POST (or other write) that a browser says came from another site. Browsers
/// send `Sec-Fetch-Site`; older ones at least `Origin`. A request with neither (curl, the
/// tests, a server) is not a cross-site browser request and passes.
pub async fn refuse_cross_site_writes(State(public_url): State<PublicOrigin>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || same_site(&public_url, &req) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This request came from another website, so MyStoryFlow refused it. Please use MyStoryFlow's own pages.",
    )
        .into_response()
}

/// The origin (`scheme://host[:port]`) people open the app at.
#[derive(Clone)]
pub struct PublicOrigin(String);

impl PublicOrigin {
    pub fn new(public_url: &str) -> Self {
        let origin = match public_url.find("://") {
            Some(scheme_end) => {
                let rest = &public_url[scheme_end + 3..];
                let host_end = rest.find('/').unwrap_or(rest.len());
                &public_url[..scheme_end + 3 + host_end]
            }
            None => public_url,
        };
        PublicOrigin(origin.to_ascii_lowercase())
    }
}

fn same_site(public: &PublicOrigin, req: &Request) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    match header("sec-fetch-site") {
        Some("same-origin" | "none") => true,
        Some(_) => false,
        // The Origin must be the public address, or the very host the request was sent to
        // (the app opened by another name, e.g. localhost).
        None => header("origin").is_none_or(|origin| {
            origin.eq_ignore_ascii_case(&public.0)
                || header("host").is_some_and(|host| {
                    origin.split_once("://").is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
                })
        }),
    }
}

/// What every response allows: no framing by other sites, no plugins, forms only to us, and
/// scripts only from our own files.
const POLICY: &str =
    "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; script-src 'self' 'wasm-unsafe-eval'";

/// A page's policy: [`POLICY`], plus the inline scripts Leptos writes for hydration, which
/// carry this response's `nonce`. An injected script has no nonce and does not run.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'"
    )
}

/// Headers for every response: the content security policy (pages set their own with a
/// nonce), no framing (clickjacking), no MIME sniffing, no full address sent to other sites,
/// and, behind https, HTTPS only from now on.
pub fn headers(https: bool) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let mut layers = vec![
        SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(POLICY)),
        SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ),
    ];
    if https {
        layers.push(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    layers
}

#[cfg(test)]
mod tests {
    use super::PublicOrigin;

    #[test]
    fn the_origin_is_scheme_host_and_port() {
        assert_eq!(PublicOrigin::new("https://Stories.Example.com/app").0, "https://stories.example.com");
        assert_eq!(PublicOrigin::new("http://127.0.0.1:3000").0, "http://127.0.0.1:3000");
    }
}
