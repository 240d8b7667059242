//! Who is asking: the sandbox's accounts, HS256 JWTs (signed and verified with the site's
//! secret), HTTP Basic credentials, and the miniOrange-style check that guards every API request
//! (any URI with `?_format=` or under `/jsonapi/`). The token endpoints live in `issuers`.
//!
//! As on the recorded site, a Bearer token that is forged or expired is not an error: the
//! request runs as the anonymous user, who may read published pages and write nothing.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use super::{Role, User};

/// The users of a site; a user's uid is its position plus one.
#[derive(Debug)]
pub struct Accounts {
    users: Vec<User>,
}

impl Accounts {
    /// Accounts for `users`, in uid order.
    pub fn new(users: Vec<User>) -> Accounts {
        Accounts { users }
    }

    /// The uid and user whose name and password match.
    pub fn check(&self, name: &str, password: &str) -> Option<(u64, &User)> {
        let (uid, user) = self.by_name(name)?;
        (user.password == password).then_some((uid, user))
    }

    /// The uid and user called `name`.
    pub fn by_name(&self, name: &str) -> Option<(u64, &User)> {
        let index = self.users.iter().position(|u| u.name == name)?;
        Some((index as u64 + 1, &self.users[index]))
    }

    /// The user with `uid`.
    pub fn by_uid(&self, uid: u64) -> Option<&User> {
        let index = usize::try_from(uid.checked_sub(1)?).ok()?;
        self.users.get(index)
    }
}

/// Whom a request acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// No valid credentials: reads published pages only.
    Anonymous,
    /// A signed-in user.
    User(Author),
}

/// A signed-in user as the site's rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Author {
    /// The user's id.
    pub uid: u64,
    /// What the user may do.
    pub role: Role,
}

impl Actor {
    /// The signed-in user, if any.
    pub fn author(self) -> Option<Author> {
        match self {
            Actor::Anonymous => None,
            Actor::User(author) => Some(author),
        }
    }
}

/// The claims of a sandbox token, shaped like contrib `jwt`'s: `iat`, `exp`, `drupal.uid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Claims {
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// The user the token acts for.
    pub uid: u64,
}

/// Why a token is not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum JwtError {
    /// Not three base64url segments of JSON with the expected claims.
    #[error("malformed token")]
    Malformed,
    /// Not signed with HS256 by this site.
    #[error("invalid signature")]
    BadSignature,
    /// `exp` has passed.
    #[error("token expired")]
    Expired,
}

type HmacSha256 = Hmac<Sha256>;

const JWT_HEADER: &str = r#"{"typ":"JWT","alg":"HS256"}"#;

/// Signs `claims` with HS256 under `secret`.
pub(super) fn sign(secret: &[u8], claims: &Claims) -> String {
    #[derive(Serialize)]
    struct Drupal {
        uid: String,
    }
    #[derive(Serialize)]
    struct Payload {
        iat: i64,
        exp: i64,
        drupal: Drupal,
    }
    let payload = Payload {
        iat: claims.iat,
        exp: claims.exp,
        drupal: Drupal {
            uid: claims.uid.to_string(),
        },
    };
    let payload = serde_json::to_vec(&payload).unwrap_or_default();
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(JWT_HEADER),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &signing_input).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

/// Checks `token`'s HS256 signature under `secret` and that it has not expired at `now`.
pub(super) fn verify(secret: &[u8], token: &str, now: i64) -> Result<Claims, JwtError> {
    let (signing_input, signature) = token.rsplit_once('.').ok_or(JwtError::Malformed)?;
    let (header, payload) = signing_input.split_once('.').ok_or(JwtError::Malformed)?;
    if payload.contains('.') {
        return Err(JwtError::Malformed);
    }
    let header: serde_json::Value = decode_segment(header)?;
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(JwtError::BadSignature);
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| JwtError::Malformed)?;
    mac(secret, signing_input)
        .verify_slice(&signature)
        .map_err(|_| JwtError::BadSignature)?;
    let payload: serde_json::Value = decode_segment(payload)?;
    let number = |key: &str| payload.get(key).and_then(serde_json::Value::as_i64);
    let uid = match payload.pointer("/drupal/uid") {
        Some(serde_json::Value::String(s)) => s.parse().ok(),
        Some(value) => value.as_u64(),
        None => None,
    };
    let (Some(iat), Some(exp), Some(uid)) = (number("iat"), number("exp"), uid) else {
        return Err(JwtError::Malformed);
    };
    // `>=` like firebase/php-jwt, which the jwt module uses: a zero lifetime is already over.
    if now >= exp {
        return Err(JwtError::Expired);
    }
    Ok(Claims { iat, exp, uid })
}

fn mac(secret: &[u8], input: &str) -> HmacSha256 {
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(secret).expect("HMAC accepts keys of any length");
    mac.update(input.as_bytes());
    mac
}

fn decode_segment(segment: &str) -> Result<serde_json::Value, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| JwtError::Malformed)
}

/// A request the miniOrange module turns away, with the code and text it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(super) enum AuthError {
    /// No `Authorization` header.
    #[error("Authorization header not received.")]
    MissingHeader,
    /// A scheme other than Basic or Bearer.
    #[error("Authorization header must be the type of Basic.")]
    WrongScheme,
    /// Basic credentials that do not decode to `name:password`.
    #[error("The request is incomplete: credentials must be username:password.")]
    IncompleteRequest,
    /// Basic credentials with an empty name.
    #[error("Username is missing in the request.")]
    MissingUsername,
    /// No user with that name and password.
    #[error("Invalid username or password")]
    InvalidCredentials,
}

impl AuthError {
    /// The `error` code of the envelope.
    pub(super) fn code(self) -> &'static str {
        match self {
            AuthError::MissingHeader => "MISSING_AUTHORIZATION_HEADER",
            AuthError::WrongScheme => "INVALID_AUTHORIZATION_HEADER_TOKEN_TYPE",
            AuthError::IncompleteRequest => "INCOMPLETE_REQUEST",
            AuthError::MissingUsername => "MISSING_USERNAME",
            AuthError::InvalidCredentials => "INVALID_CREDENTIALS",
        }
    }

    /// The HTTP status the module sends with it.
    pub(super) fn status(self) -> StatusCode {
        match self {
            AuthError::IncompleteRequest => StatusCode::BAD_REQUEST,
            _ => StatusCode::UNAUTHORIZED,
        }
    }
}

/// Name and password of a Basic `Authorization` header value.
pub(super) fn basic_credentials(header: Option<&str>) -> Result<(String, String), AuthError> {
    let header = header.ok_or(AuthError::MissingHeader)?;
    let (scheme, encoded) = header.trim().split_once(' ').unwrap_or((header.trim(), ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(AuthError::WrongScheme);
    }
    let encoded = encoded.trim();
    let decoded = STANDARD
        .decode(encoded)
        .or_else(|_| STANDARD_NO_PAD.decode(encoded))
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(AuthError::IncompleteRequest)?;
    let (name, password) = decoded
        .split_once(':')
        .ok_or(AuthError::IncompleteRequest)?;
    if name.is_empty() {
        return Err(AuthError::MissingUsername);
    }
    Ok((name.to_owned(), password.to_owned()))
}

/// Authenticates an API request from its `Authorization` header value.
pub(super) fn authenticate(
    accounts: &Accounts,
    secret: &[u8],
    header: Option<&str>,
    now: i64,
) -> Result<Actor, AuthError> {
    let header = header.ok_or(AuthError::MissingHeader)?;
    let trimmed = header.trim();
    let scheme = trimmed.split(' ').next().unwrap_or_default();
    if scheme.eq_ignore_ascii_case("bearer") {
        let token = trimmed[scheme.len()..].trim();
        let actor = verify(secret, token, now).ok().and_then(|claims| {
            let user = accounts.by_uid(claims.uid)?;
            Some(Actor::User(Author {
                uid: claims.uid,
                role: user.role,
            }))
        });
        return Ok(actor.unwrap_or(Actor::Anonymous));
    }
    let (name, password) = basic_credentials(Some(header))?;
    let (uid, user) = accounts
        .check(&name, &password)
        .ok_or(AuthError::InvalidCredentials)?;
    Ok(Actor::User(Author {
        uid,
        role: user.role,
    }))
}

/// The module's error answer: pretty-printed JSON (four-space indent) sent as `text/html`.
pub(super) fn envelope(error: AuthError) -> Response {
    #[derive(Serialize)]
    struct Envelope {
        status: &'static str,
        http_code: String,
        error: &'static str,
        error_description: String,
    }
    let body = Envelope {
        status: "error",
        http_code: error.status().as_u16().to_string(),
        error: error.code(),
        error_description: error.to_string(),
    };
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    // Serializing strings into a Vec cannot fail.
    let _ = body.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, formatter,
    ));
    let mut response = Response::new(out.into());
    *response.status_mut() = error.status();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=UTF-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"sandbox-secret";

    fn accounts() -> Accounts {
        Accounts::new(vec![
            User {
                name: "admin".into(),
                password: "admin123".into(),
                role: Role::Admin,
            },
            User {
                name: "editor".into(),
                password: "editor123".into(),
                role: Role::Editor,
            },
        ])
    }

    fn basic(credentials: &str) -> String {
        format!("Basic {}", STANDARD.encode(credentials))
    }

    #[test]
    fn tokens_round_trip_and_look_like_the_jwt_module_s() {
        let claims = Claims {
            iat: 1_795_981_949,
            exp: 1_795_985_549,
            uid: 1,
        };
        let token = sign(SECRET, &claims);
        assert!(token.starts_with("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."));
        // Same header and payload bytes as the token recorded in transcript 01.
        assert!(token.starts_with(
            "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3OTU5ODE5NDksImV4cCI6MTc5NTk4NTU0OSwiZHJ1cGFsIjp7InVpZCI6IjEifX0."
        ));
        assert_eq!(verify(SECRET, &token, claims.iat), Ok(claims));
    }

    #[test]
    fn rejected_tokens() {
        let claims = Claims {
            iat: 100,
            exp: 200,
            uid: 2,
        };
        let token = sign(SECRET, &claims);
        assert_eq!(verify(SECRET, &token, 200), Err(JwtError::Expired));
        assert_eq!(verify(b"other", &token, 150), Err(JwtError::BadSignature));
        let tampered = format!("{}AAAAA", &token[..token.len() - 5]);
        assert_eq!(verify(SECRET, &tampered, 150), Err(JwtError::BadSignature));
        for bad in ["", "a.b", "a.b.c.d", "!!.!!.!!", "eyJ9.eyJ9.", "...."] {
            assert!(verify(SECRET, bad, 150).is_err(), "{bad}");
        }
        // The recorded token of transcript 01 was signed by another site.
        let recorded = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3OTU5ODE5NDksImV4cCI6MTc5NTk4NTU0OSwiZHJ1cGFsIjp7InVpZCI6IjEifX0.rjgvyBn4gSvjYiHzxHbFv72WPE6bnqI50cBF7DtOOLs";
        assert_eq!(verify(SECRET, recorded, 0), Err(JwtError::BadSignature));
    }

    #[test]
    fn basic_credentials_cases() {
        type Case = (
            Option<String>,
            Result<(&'static str, &'static str), AuthError>,
        );
        let cases: [Case; 8] = [
            (None, Err(AuthError::MissingHeader)),
            (Some("Token abc123".into()), Err(AuthError::WrongScheme)),
            (Some(basic("admin:admin123")), Ok(("admin", "admin123"))),
            (Some(basic("admin:pa:ss")), Ok(("admin", "pa:ss"))),
            (
                Some(format!("basic {}", STANDARD.encode("a:b"))),
                Ok(("a", "b")),
            ),
            (Some(basic("nocolon")), Err(AuthError::IncompleteRequest)),
            (Some("Basic %%%".into()), Err(AuthError::IncompleteRequest)),
            (Some(basic(":pw")), Err(AuthError::MissingUsername)),
        ];
        for (header, expected) in cases {
            let got = basic_credentials(header.as_deref());
            let got = got
                .as_ref()
                .map(|(n, p)| (n.as_str(), p.as_str()))
                .map_err(|e| *e);
            assert_eq!(got, expected, "{header:?}");
        }
    }

    #[test]
    fn api_authentication() {
        let accounts = accounts();
        let editor = Actor::User(Author {
            uid: 2,
            role: Role::Editor,
        });
        let admin = Actor::User(Author {
            uid: 1,
            role: Role::Admin,
        });
        let token = sign(
            SECRET,
            &Claims {
                iat: 10,
                exp: 20,
                uid: 2,
            },
        );
        let ghost = sign(
            SECRET,
            &Claims {
                iat: 10,
                exp: 20,
                uid: 9,
            },
        );
        let cases = [
            (None, Err(AuthError::MissingHeader)),
            (Some(basic("admin:admin123")), Ok(admin)),
            (
                Some(basic("admin:wrongpass")),
                Err(AuthError::InvalidCredentials),
            ),
            (Some(basic("nobody:x")), Err(AuthError::InvalidCredentials)),
            (Some("Token abc123".to_owned()), Err(AuthError::WrongScheme)),
            (Some(format!("Bearer {token}")), Ok(editor)),
            (Some(format!("bearer  {token} ")), Ok(editor)),
            (Some(format!("Bearer {token}x")), Ok(Actor::Anonymous)),
            (Some(format!("Bearer {ghost}")), Ok(Actor::Anonymous)),
            (Some("Bearer".to_owned()), Ok(Actor::Anonymous)),
        ];
        for (header, expected) in cases {
            assert_eq!(
                authenticate(&accounts, SECRET, header.as_deref(), 15),
                expected,
                "{header:?}"
            );
        }
        let expired = format!("Bearer {token}");
        assert_eq!(
            authenticate(&accounts, SECRET, Some(&expired), 20),
            Ok(Actor::Anonymous)
        );
    }

    #[test]
    fn envelope_matches_the_recording() {
        let response = envelope(AuthError::MissingHeader);
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "text/html; charset=UTF-8"
        );
        let body = futures::executor::block_on(axum::body::to_bytes(response.into_body(), 1024));
        assert_eq!(
            std::str::from_utf8(&body.unwrap()).unwrap(),
            "{\n    \"status\": \"error\",\n    \"http_code\": \"401\",\n    \"error\": \"MISSING_AUTHORIZATION_HEADER\",\n    \"error_description\": \"Authorization header not received.\"\n}"
        );
        let incomplete = envelope(AuthError::IncompleteRequest);
        assert_eq!(incomplete.status(), StatusCode::BAD_REQUEST);
    }
}
