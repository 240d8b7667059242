//! The three token endpoints a Drupal site may run, each with its own success body and its own
//! way of failing: miniOrange `POST /rest_api/id_token` (the paid edition, JSON envelope sent as
//! `text/html` on errors), contrib `jwt`'s `/jwt/token` (HTML error pages) and `simple_oauth`'s
//! `POST /oauth/token` (RFC 6749 errors). All issue the same HS256 token.

use axum::http::{header, Method, StatusCode};
use axum::response::Response;
use serde_json::json;

use super::auth::{self, AuthError, Claims};
use super::routes::{respond, with_header, Req, Shared};
use super::{html, lock, query, timestamp};

/// `POST /rest_api/id_token`: Basic credentials in, `{"token_type","iat","expires_in","jwt_token"}`
/// out, where `expires_in` is an absolute epoch as in the vendor's sibling product.
pub(super) fn id_token(shared: &Shared, req: &Req) -> Response {
    if req.method != Method::POST {
        return html::error_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    let result =
        auth::basic_credentials(req.header(header::AUTHORIZATION)).and_then(|(name, password)| {
            shared
                .accounts
                .check(&name, &password)
                .map(|(uid, _)| uid)
                .ok_or(AuthError::InvalidCredentials)
        });
    let uid = match result {
        Ok(uid) => uid,
        Err(error) => return auth::envelope(error),
    };
    let (token, claims) = issue(shared, uid);
    let body = json!({
        "token_type": "Bearer",
        "iat": claims.iat,
        "expires_in": claims.exp,
        "jwt_token": token,
    });
    respond(StatusCode::OK, "application/json", body.to_string())
}

/// `GET|POST /jwt/token`: Basic credentials in, `{"token"}` out; 401 without credentials,
/// 403 with wrong ones, both as HTML pages.
pub(super) fn jwt_token(shared: &Shared, req: &Req) -> Response {
    if req.method != Method::POST && req.method != Method::GET {
        return html::error_page(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
    }
    let uid = match auth::basic_credentials(req.header(header::AUTHORIZATION)) {
        Err(AuthError::MissingHeader | AuthError::WrongScheme) => {
            let page = html::error_page(StatusCode::UNAUTHORIZED, "Unauthorized");
            return with_header(page, header::WWW_AUTHENTICATE, "Basic realm=\"Sandbox\"");
        }
        Err(_) => None,
        Ok((name, password)) => shared.accounts.check(&name, &password).map(|(uid, _)| uid),
    };
    let Some(uid) = uid else {
        return html::error_page(StatusCode::FORBIDDEN, "Access denied");
    };
    let (token, _) = issue(shared, uid);
    respond(
        StatusCode::OK,
        "application/json",
        json!({ "token": token }).to_string(),
    )
}

/// `POST /oauth/token` with a form body: the `client_credentials` grant (a client is a user:
/// `client_id` is the name, `client_secret` the password) or the `password` grant.
pub(super) fn oauth_token(shared: &Shared, req: &Req) -> Response {
    if req.method != Method::POST {
        return oauth_error(
            OauthError::UnsupportedGrantType,
            Some("Token requests must be POST"),
        );
    }
    let form = query::pairs(&String::from_utf8_lossy(&req.body));
    let param = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    // RFC 6749 §2.3.1 also lets a client authenticate with HTTP Basic.
    let basic = auth::basic_credentials(req.header(header::AUTHORIZATION)).ok();
    let client_id = param("client_id").or_else(|| basic.as_ref().map(|(id, _)| id.clone()));
    let client_secret = param("client_secret").or_else(|| basic.as_ref().map(|(_, s)| s.clone()));

    let grant = param("grant_type");
    let uid = match grant.as_deref() {
        None => {
            return oauth_error(
                OauthError::UnsupportedGrantType,
                Some("Check that all required parameters have been provided"),
            )
        }
        Some("client_credentials") => {
            let Some(client_id) = client_id else {
                return oauth_error(
                    OauthError::InvalidRequest,
                    Some("Check the `client_id` parameter"),
                );
            };
            let client =
                client_secret.and_then(|secret| shared.accounts.check(&client_id, &secret));
            match client {
                Some((uid, _)) => uid,
                None => return oauth_error(OauthError::InvalidClient, None),
            }
        }
        Some("password") => {
            let Some(client_id) = client_id else {
                return oauth_error(
                    OauthError::InvalidRequest,
                    Some("Check the `client_id` parameter"),
                );
            };
            let client_ok = match (&client_secret, shared.accounts.by_name(&client_id)) {
                (_, None) => false,
                (None, Some(_)) => true,
                (Some(secret), Some((_, client))) => client.password == *secret,
            };
            if !client_ok {
                return oauth_error(OauthError::InvalidClient, None);
            }
            let (Some(username), Some(password)) = (param("username"), param("password")) else {
                let missing = if param("username").is_none() {
                    "username"
                } else {
                    "password"
                };
                return oauth_error(
                    OauthError::InvalidRequest,
                    Some(&format!("Check the `{missing}` parameter")),
                );
            };
            match shared.accounts.check(&username, &password) {
                Some((uid, _)) => uid,
                None => return oauth_error(OauthError::InvalidGrant, None),
            }
        }
        Some(_) => return oauth_error(OauthError::UnsupportedGrantType, None),
    };
    let (token, _) = issue(shared, uid);
    let body = json!({
        "token_type": "Bearer",
        "expires_in": shared.token_ttl,
        "access_token": token,
    });
    respond(StatusCode::OK, "application/json", body.to_string())
}

/// Sign a token for `uid`. `iat` and `exp` are whole seconds as in Drupal, and `exp` is
/// rounded up so a token stays valid for at least `--token-ttl` seconds (a ttl of 0 issues
/// tokens that are expired on arrival, for tests of expiry).
fn issue(shared: &Shared, uid: u64) -> (String, Claims) {
    let iat = timestamp::now();
    let exp = if shared.token_ttl == 0 {
        iat
    } else {
        iat.saturating_add(shared.token_ttl).saturating_add(1)
    };
    let claims = Claims { iat, exp, uid };
    let token = auth::sign(lock(&shared.site).secret(), &claims);
    (token, claims)
}

#[derive(Debug, Clone, Copy)]
enum OauthError {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnsupportedGrantType,
}

fn oauth_error(error: OauthError, hint: Option<&str>) -> Response {
    let (status, code, description) = match error {
        OauthError::InvalidRequest => (
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
        ),
        OauthError::InvalidClient => (StatusCode::UNAUTHORIZED, "invalid_client", "Client authentication failed"),
        OauthError::InvalidGrant => (StatusCode::BAD_REQUEST, "invalid_grant", "The user credentials were incorrect."),
        OauthError::UnsupportedGrantType => (
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        ),
    };
    let mut body =
        json!({ "error": code, "error_description": description, "message": description });
    if let Some(hint) = hint {
        body["hint"] = json!(hint);
    }
    respond(status, "application/json", body.to_string())
}
