//! Sessions: who is signed in, for how long, and from where.
//!
//! tower-sessions keeps the session record in PostgreSQL (`session_store`) and the id in
//! a cookie. This module is the only code that knows what is inside a session. A
//! signed-in session holds the user's id and a random handle; the handle is the key of
//! the user's row in `user_sessions`, which lists sessions by user and is checked on
//! every request, so deleting that row (revoke, sign out everywhere, password change)
//! ends the session at the next request wherever it is.

use super::db::KeptConnection;
use super::guard::{MemberCache, MemberRow};
use super::session_store::PgSessionStore;
use super::settings::SecuritySettings;
use super::state::AppState;
use crate::auth::model::Viewer;
use crate::error::AppError;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use http::HeaderMap;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::Postgres;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_sessions::Session;
use tower_sessions::cookie::SameSite;
use uuid::Uuid;

const AUTH_KEY: &str = "auth";

/// What a signed-in session carries. Private: only this module reads or writes it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct AuthData {
    user_id: Uuid,
    handle: String,
    /// Unix seconds of the last time `user_sessions.last_seen_at` was written.
    touched_at: u64,
}

/// The signed-in user of this request, put in the request's extensions by
/// [`authenticate`] after the session, the user and the session index were re-read.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// Who it is, as pages show it.
    pub viewer: Viewer,
    /// The key of this session in `user_sessions`.
    pub handle: String,
}

/// Where a request came from, for audit entries and throttling.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    /// The client address: the TCP peer, or what a trusted proxy says.
    pub ip: Option<IpAddr>,
    /// The browser's User-Agent, cut to 300 characters.
    pub user_agent: Option<String>,
    /// The request id every log line of this request carries.
    pub request_id: Option<String>,
}

/// The session layer: PostgreSQL store, cookie settings from the security settings.
pub fn layer(
    pool: PgPool,
    settings: &SecuritySettings,
) -> tower_sessions::SessionManagerLayer<PgSessionStore> {
    let store = PgSessionStore::new(pool);
    let idle = time::Duration::seconds(settings.idle_timeout.as_secs() as i64);
    tower_sessions::SessionManagerLayer::new(store)
        .with_name(settings.session_cookie_name())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies())
        .with_path("/")
        .with_expiry(tower_sessions::Expiry::OnInactivity(idle))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn random_handle() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn store_error(err: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %err, "session store failed");
    AppError::Unavailable
}

/// The typed session of one request.
#[derive(Clone)]
pub struct AuthSession(Session);

impl AuthSession {
    /// The session of the request being served (set by the session layer).
    pub fn current() -> Result<AuthSession, AppError> {
        request_extension::<Session>()
            .map(AuthSession)
            .ok_or(AppError::Internal)
    }

    /// Signs `user_id` in: a new session id (the pre-sign-in id is dead), a new row in
    /// the session index, and the user in the session.
    pub async fn sign_in(
        &self,
        pool: &PgPool,
        user_id: Uuid,
        meta: &RequestMeta,
        settings: &SecuritySettings,
    ) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(store_error)?;
        let handle = random_handle();
        sqlx::query!(
            "insert into user_sessions (session_id, user_id, ip, user_agent, expires_at, absolute_expires_at)
             values ($1, $2, $3::text::inet, $4, now() + make_interval(secs => $5), now() + make_interval(secs => $6))",
            handle,
            user_id,
            meta.ip.map(|ip| ip.to_string()),
            meta.user_agent,
            settings.idle_timeout.as_secs_f64(),
            settings.absolute_timeout.as_secs_f64(),
        )
        .execute(pool)
        .await?;
        self.0
            .insert(
                AUTH_KEY,
                AuthData {
                    user_id,
                    handle,
                    touched_at: now_secs(),
                },
            )
            .await
            .map_err(store_error)
    }

    /// Gives the session a new id, keeping the user (after a change of privileges).
    pub async fn rotate(&self) -> Result<(), AppError> {
        self.0.cycle_id().await.map_err(store_error)
    }

    /// Ends this session: its index row and its record go, and the cookie is removed.
    pub async fn sign_out(&self, pool: &PgPool) -> Result<(), AppError> {
        if let Ok(Some(data)) = self.0.get::<AuthData>(AUTH_KEY).await {
            sqlx::query!(
                "delete from user_sessions where session_id = $1",
                data.handle
            )
            .execute(pool)
            .await?;
        }
        self.0.flush().await.map_err(store_error)
    }
}

/// The client address. The TCP peer, unless the peer is a trusted proxy: then the
/// right-most address in `X-Forwarded-For` that is not itself a trusted proxy. A client
/// can put anything in that header; only what our own proxies appended is believed.
pub fn client_ip(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    settings: &SecuritySettings,
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    let trusted = |ip: IpAddr| settings.trusted_proxies.iter().any(|r| r.contains(ip));
    if !trusted(peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .collect();
    Some(
        forwarded
            .iter()
            .rev()
            .copied()
            .find(|ip| !trusted(*ip))
            .or_else(|| forwarded.first().copied())
            .unwrap_or(peer),
    )
}

fn request_meta(request: &Request, settings: &SecuritySettings) -> RequestMeta {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(300).collect::<String>())
    };
    RequestMeta {
        ip: client_ip(peer, request.headers(), settings),
        user_agent: header("user-agent"),
        request_id: header("x-request-id"),
    }
}

/// Axum middleware: works out who is asking. Re-reads the session, the session index and
/// the user on every request (one statement, which on `/o/{org}/…` pages also reads the
/// caller's membership there for the guard), enforces the idle and absolute timeouts, and
/// writes the last-seen time at most once per touch interval. Puts [`RequestMeta`], a
/// [`MemberCache`] and, when signed in, [`CurrentUser`] into the request's extensions.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let meta = request_meta(&request, &state.security);
    request.extensions_mut().insert(meta);
    let members = MemberCache::default();
    request.extensions_mut().insert(members.clone());
    // Assets and probes never need to know who is asking: no session lookup for them.
    let path = request.uri().path();
    let anonymous_only = path.starts_with("/pkg/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/favicon.svg");
    if anonymous_only {
        return next.run(request).await;
    }
    let slug = org_segment(path).map(str::to_owned);
    // A page of an organization enters it to load its data: it may keep the connection
    // the session is read on for that (`KeptConnection`). Other requests give it back.
    let page = request.method() == http::Method::GET && slug.is_some();
    if let Some(session) = request.extensions().get::<Session>().cloned() {
        match resolve(&state, &session, slug.as_deref()).await {
            Ok(Some((user, member, conn))) => {
                if let (Some(slug), Some(member)) = (&slug, member) {
                    members.put(slug, &user, &member);
                    if let Some(kept) = conn
                        .filter(|_| page)
                        .and_then(|conn| KeptConnection::keep(state.keep_limit(), conn))
                    {
                        request.extensions_mut().insert(kept);
                    }
                }
                request.extensions_mut().insert(user);
            }
            Ok(None) => {}
            Err(err) => {
                tracing::error!(error = %err, "could not resolve the session; serving as anonymous");
            }
        }
    }
    next.run(request).await
}

/// The organization's URL segment of an `/o/{org}/…` path.
fn org_segment(path: &str) -> Option<&str> {
    path.strip_prefix("/o/")?
        .split('/')
        .next()
        .filter(|slug| !slug.is_empty())
}

/// What the middleware's statement reads: the session's auth data, the user it signs in
/// (absent when the session index row is gone or expired, or the user is disabled) and
/// the user's membership of the organization asked for.
#[derive(sqlx::FromRow)]
struct SessionRow {
    auth: Option<sqlx::types::Json<AuthData>>,
    user_id: Option<Uuid>,
    user_email: Option<String>,
    user_name: Option<String>,
    is_platform_admin: Option<bool>,
    #[sqlx(flatten)]
    member: MemberRow,
}

/// Who is signed in with `session`, their membership of `slug`'s organization, and the
/// connection that was read on when nothing else was done with it (the caller may keep
/// it for the request's tenant transaction, see [`KeptConnection`]).
async fn resolve(
    state: &AppState,
    session: &Session,
    slug: Option<&str>,
) -> Result<Option<Resolved>, String> {
    // No cookie (or one that is not a session id): anonymous, nothing to read.
    let Some(id) = session.id() else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await.map_err(|e| e.to_string())?;
    let row: Option<SessionRow> = sqlx::query_as(
        r#"select s.data -> 'auth' as auth, u.id as user_id, u.email::text as user_email,
                  u.name as user_name, u.is_platform_admin, m.*
           from tower_sessions.session s
               left join user_sessions us
                   on us.session_id = s.data -> 'auth' ->> 'handle'
                  and us.user_id = (s.data -> 'auth' ->> 'user_id')::uuid
                  and us.expires_at > now() and us.absolute_expires_at > now()
               left join users u on u.id = us.user_id and u.status = 'active'
               left join lateral member_access($2, u.id, true) m on true
           where s.id = $1 and s.expiry_date > now()"#,
    )
    .bind(id.to_string())
    .bind(slug)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| e.to_string())?;
    // Everything below but the common case reads or writes the session store, which takes
    // a connection of its own: give this one back first.
    let mut conn = Some(conn);
    let Some(row) = row else {
        drop(conn);
        // The cookie names no live session: loading it lets the session layer see that
        // and remove the cookie.
        session
            .get::<AuthData>(AUTH_KEY)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(None);
    };
    let Some(data) = row.auth.map(|a| a.0) else {
        return Ok(None);
    };
    let (Some(user_id), Some(email), Some(name), Some(is_platform_admin)) = (
        row.user_id,
        row.user_email,
        row.user_name,
        row.is_platform_admin,
    ) else {
        // Revoked, timed out or the user was disabled: the session is over.
        drop(conn);
        sqlx::query!(
            "delete from user_sessions where session_id = $1",
            data.handle
        )
        .execute(&state.pool)
        .await
        .map_err(|e| e.to_string())?;
        session.flush().await.map_err(|e| e.to_string())?;
        return Ok(None);
    };
    let now = now_secs();
    if Duration::from_secs(now.saturating_sub(data.touched_at)) >= state.security.touch_interval {
        drop(conn.take());
        sqlx::query!(
            "update user_sessions set last_seen_at = now(), expires_at = least(now() + make_interval(secs => $2), absolute_expires_at)
             where session_id = $1",
            data.handle,
            state.security.idle_timeout.as_secs_f64(),
        )
        .execute(&state.pool)
        .await
        .map_err(|e| e.to_string())?;
        // Writing the session also renews its store expiry and the cookie.
        session
            .insert(
                AUTH_KEY,
                AuthData {
                    touched_at: now,
                    ..data.clone()
                },
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let member = row.member.into_member(user_id, true);
    Ok(Some((
        CurrentUser {
            viewer: Viewer {
                id: user_id,
                email,
                name,
                is_platform_admin,
            },
            handle: data.handle,
        },
        member,
        conn,
    )))
}

/// What [`resolve`] finds: the user, their membership, the connection read on.
type Resolved = (
    CurrentUser,
    Option<super::guard::Member>,
    Option<PoolConnection<Postgres>>,
);

/// Reads the request being served (its parts, which leptos_axum puts in context) without
/// copying it: `use_context` would clone the whole request head, headers and every
/// extension, for each value read. `None` outside a request.
pub fn with_request<R>(read: impl FnOnce(&http::request::Parts) -> R) -> Option<R> {
    leptos::prelude::with_context::<http::request::Parts, _>(read)
}

/// A value the middleware put in the request's extensions.
pub fn request_extension<T: Clone + Send + Sync + 'static>() -> Option<T> {
    with_request(|parts| parts.extensions.get::<T>().cloned()).flatten()
}

/// The signed-in user of the request being served.
pub fn current_user() -> Option<CurrentUser> {
    request_extension::<CurrentUser>()
}

/// The signed-in user, or `Unauthenticated`.
pub fn require_user() -> Result<CurrentUser, AppError> {
    current_user().ok_or(AppError::Unauthenticated)
}

/// Where the request being served came from.
pub fn request_meta_of_current() -> RequestMeta {
    request_extension::<RequestMeta>().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::settings::IpRange;

    fn xff(value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", value.parse().unwrap());
        h
    }

    #[test]
    fn forwarded_for_is_ignored_from_untrusted_peers() {
        let settings = SecuritySettings::default();
        let peer = "203.0.113.9".parse().ok();
        assert_eq!(
            client_ip(peer, &xff("1.2.3.4"), &settings),
            peer,
            "a forged header changes nothing"
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_untrusted_address_is_the_client() {
        let settings = SecuritySettings {
            trusted_proxies: vec![IpRange::parse("10.0.0.0/8").unwrap()],
            ..SecuritySettings::default()
        };
        let proxy = "10.0.0.2".parse().ok();
        // The client forged "6.6.6.6"; the proxy appended the real peer 198.51.100.7.
        assert_eq!(
            client_ip(proxy, &xff("6.6.6.6, 198.51.100.7, 10.0.0.3"), &settings),
            "198.51.100.7".parse().ok()
        );
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &settings), proxy);
    }
}
