//! Shared helpers for the in-process tests: the real router on a fresh database.

#![allow(dead_code)] // each test binary uses a different subset

use axum::Router;
use axum::body::Body;
use http::{Request, Response};
use http_body_util::BodyExt;
use leptos::config::LeptosOptions;
use revdesk::server::{http as app_http, metrics, state::AppState};
use sqlx::PgPool;
use tower::ServiceExt;

/// A transaction as `revdesk_platform`, which row-level security lets see and write
/// every tenant: how tests put rows in place that no page of theirs creates.
pub async fn platform_tx(pool: &PgPool) -> sqlx::Transaction<'static, sqlx::Postgres> {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("set local role revdesk_platform")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx
}

/// The application exactly as `serve` builds it, on the given pool.
pub fn app(pool: PgPool) -> Router {
    app_with(pool, revdesk::server::settings::SecuritySettings::default())
}

/// The application with the list's count cache live, as `serve` runs it: the listener
/// for lead changes is started and connected before this returns.
pub async fn app_counting(
    pool: PgPool,
) -> (Router, std::sync::Arc<revdesk::leads::counts::CountCache>) {
    let counts = std::sync::Arc::new(revdesk::leads::counts::CountCache::default());
    tokio::spawn(revdesk::leads::counts::listen(pool.clone(), counts.clone()));
    for _ in 0..500 {
        if counts.is_live() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(counts.is_live(), "the change listener did not connect");
    let app = router(
        pool,
        revdesk::server::settings::SecuritySettings::default(),
        counts.clone(),
    );
    (app, counts)
}

/// The application with the given security settings (short timeouts, trusted proxies).
pub fn app_with(pool: PgPool, security: revdesk::server::settings::SecuritySettings) -> Router {
    router(pool, security, Default::default())
}

fn router(
    pool: PgPool,
    security: revdesk::server::settings::SecuritySettings,
    counts: std::sync::Arc<revdesk::leads::counts::CountCache>,
) -> Router {
    let leptos_options = LeptosOptions::builder()
        .output_name("revdesk")
        .site_root("target/site")
        .site_pkg_dir("pkg")
        .build();
    // The peer address every in-process request appears to come from.
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
    app_http::router(AppState::new(revdesk::server::state::Shared {
        stylesheet_href: "/pkg/revdesk.css".into(),
        leptos_options,
        pool,
        metrics: metrics::handle(),
        security: std::sync::Arc::new(security),
        counts,
    }))
    // The extension `axum::serve(…into_make_service_with_connect_info…)` would insert.
    .layer(axum::Extension(axum::extract::ConnectInfo(peer)))
}

/// A response with its body read into a string.
pub struct Reply {
    pub status: http::StatusCode,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

/// Sends one request through the router, in process.
pub async fn send(app: &Router, request: Request<Body>) -> Reply {
    let response: Response<Body> = app
        .clone()
        .oneshot(request)
        .await
        .expect("the router is infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// `GET path`.
pub async fn get(app: &Router, path: &str) -> Reply {
    send(app, Request::get(path).body(Body::empty()).unwrap()).await
}

/// The password of every user a [`World`] creates.
pub const PASSWORD: &str = "test-password-2026";

/// The argon2 hash of [`PASSWORD`], computed once per test process.
pub async fn password_hash() -> String {
    static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    HASH.get_or_init(|| async {
        let p = revdesk::server::password::Password::parse(PASSWORD.into()).unwrap();
        revdesk::server::password::hash(&p).await.unwrap()
    })
    .await
    .clone()
}

/// The roles a [`World`] has a user for, as the authorization matrix names them.
pub const ROLES: &[&str] = &[
    "owner",
    "admin",
    "manager",
    "sales_rep",
    "marketing",
    "finance",
    "viewer",
    "partner",
];

/// Two organizations with a user for every role in A, an owner of B, a platform admin
/// who belongs to neither, and the things the endpoints act on. Every name carries a
/// tag, so many worlds live side by side in one database.
pub struct World {
    pub tag: String,
    pub org_a: uuid::Uuid,
    pub slug_a: String,
    pub org_b: uuid::Uuid,
    pub slug_b: String,
    /// Users of A by role name, plus "owner_b" and "platform".
    pub users: std::collections::BTreeMap<String, (uuid::Uuid, String)>,
    /// A viewer of A that endpoints may change or remove.
    pub victim: uuid::Uuid,
    /// A pending invitation of A and its token.
    pub invitation: uuid::Uuid,
    pub invitation_token: String,
    /// A custom role of A and a grant of it to the victim.
    pub role: uuid::Uuid,
    pub grant: uuid::Uuid,
    /// A team of A.
    pub team: uuid::Uuid,
    /// A lead of A assigned to the sales rep (version 1).
    pub lead: uuid::Uuid,
    /// A CSV import of A, uploaded by its owner and waiting for its mapping (columns
    /// `email`, `company`; one row).
    pub import: uuid::Uuid,
}

impl World {
    /// The email address of a user of this world.
    pub fn email(&self, who: &str) -> String {
        self.users[who].1.clone()
    }

    /// Builds a world in the database.
    pub async fn create(pool: &PgPool) -> World {
        use uuid::Uuid;
        let tag = Uuid::new_v4().simple().to_string()[..10].to_owned();
        let hash = password_hash().await;
        let mut tx = platform_tx(pool).await;
        let (org_a, org_b) = (Uuid::now_v7(), Uuid::now_v7());
        let (slug_a, slug_b) = (format!("a-{tag}"), format!("b-{tag}"));
        for (id, slug) in [(org_a, &slug_a), (org_b, &slug_b)] {
            sqlx::query("insert into organizations (id, name, slug) values ($1, $2, $2)")
                .bind(id)
                .bind(slug)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        let team = Uuid::now_v7();
        sqlx::query("insert into teams (organization_id, id, name) values ($1, $2, 'Field sales')")
            .bind(org_a)
            .bind(team)
            .execute(&mut *tx)
            .await
            .unwrap();
        let mut users = std::collections::BTreeMap::new();
        let mut add = |who: &str| {
            let id = Uuid::now_v7();
            let email = format!("{who}-{tag}@example.com");
            users.insert(who.to_owned(), (id, email.clone()));
            (id, email)
        };
        let mut people: Vec<(String, Uuid, String)> = ROLES
            .iter()
            .chain(&["owner_b", "platform", "victim"])
            .map(|who| {
                let (id, email) = add(who);
                (who.to_string(), id, email)
            })
            .collect();
        people.sort();
        for (who, id, email) in &people {
            sqlx::query(
                "insert into users (id, email, password_hash, name, is_platform_admin) values ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(email)
            .bind(&hash)
            .bind(format!("{who} {tag}"))
            .bind(who == "platform")
            .execute(&mut *tx)
            .await
            .unwrap();
            let membership = match who.as_str() {
                "owner_b" => Some((org_b, "owner")),
                "platform" => None,
                "victim" => Some((org_a, "viewer")),
                role => Some((org_a, role)),
            };
            if let Some((org, role)) = membership {
                sqlx::query(
                    "insert into organization_members (organization_id, user_id, role, team_id)
                     values ($1, $2, $3::member_role, case when $3 = 'sales_rep' then $4 end)",
                )
                .bind(org)
                .bind(id)
                .bind(role)
                .bind(team)
                .execute(&mut *tx)
                .await
                .unwrap();
            }
        }
        let victim = users["victim"].0;
        sqlx::query(
            "insert into partners (organization_id, id, user_id, name, email, referral_code)
             values ($1, $2, $3, 'Partner Co', $4, $5)",
        )
        .bind(org_a)
        .bind(Uuid::now_v7())
        .bind(users["partner"].0)
        .bind(&users["partner"].1)
        .bind(format!("REF-{tag}"))
        .execute(&mut *tx)
        .await
        .unwrap();
        let invitation_token = format!("invite-token-{tag}");
        let invitation = Uuid::now_v7();
        sqlx::query(
            "insert into invitations (organization_id, id, email, role, token_hash, expires_at)
             values ($1, $2, $3, 'viewer', sha256($4::bytea), now() + interval '7 days')",
        )
        .bind(org_a)
        .bind(invitation)
        .bind(format!("invitee-{tag}@example.com"))
        .bind(invitation_token.as_bytes())
        .execute(&mut *tx)
        .await
        .unwrap();
        let role = Uuid::now_v7();
        sqlx::query(
            "insert into roles (organization_id, id, name, lead_scope) values ($1, $2, 'Auditor', 'own')",
        )
        .bind(org_a)
        .bind(role)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "insert into role_permissions (organization_id, role_id, permission) values ($1, $2, 'audit.read')",
        )
        .bind(org_a)
        .bind(role)
        .execute(&mut *tx)
        .await
        .unwrap();
        let grant = Uuid::now_v7();
        sqlx::query(
            "insert into user_roles (organization_id, id, user_id, role_id) values ($1, $2, $3, $4)",
        )
        .bind(org_a)
        .bind(grant)
        .bind(victim)
        .bind(role)
        .execute(&mut *tx)
        .await
        .unwrap();
        let lead = Uuid::now_v7();
        sqlx::query(
            "insert into leads (organization_id, id, first_name, last_name, email, company, assignee_id)
             values ($1, $2, 'Lena', 'Lead', $3, 'Lead Corp', $4)",
        )
        .bind(org_a)
        .bind(lead)
        .bind(format!("lena-{tag}@leadcorp.example"))
        .bind(users["sales_rep"].0)
        .execute(&mut *tx)
        .await
        .unwrap();
        let import = Uuid::now_v7();
        sqlx::query(
            "insert into lead_imports (organization_id, id, created_by, filename, header, total_rows)
             values ($1, $2, $3, 'leads.csv', '{email,company}', 1)",
        )
        .bind(org_a)
        .bind(import)
        .bind(users["owner"].0)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "insert into lead_import_rows (organization_id, import_id, line, cells)
             values ($1, $2, 2, jsonb_build_array($3::text, 'Import Works'))",
        )
        .bind(org_a)
        .bind(import)
        .bind(format!("imported-{tag}@example.com"))
        .execute(&mut *tx)
        .await
        .unwrap();
        tx.commit().await.unwrap();
        World {
            import,
            lead,
            tag,
            org_a,
            slug_a,
            org_b,
            slug_b,
            users,
            victim,
            invitation,
            invitation_token,
            role,
            grant,
            team,
        }
    }

    /// Replaces the placeholders of a matrix path or body with this world's values for
    /// organization A (`{org}` is A's slug).
    pub fn fill(&self, template: &str) -> String {
        template
            .replace("{org}", &self.slug_a)
            .replace("{org_id}", &self.org_a.to_string())
            .replace("{victim}", &self.victim.to_string())
            .replace("{invitation}", &self.invitation.to_string())
            .replace("{invitation_token}", &self.invitation_token)
            .replace("{role}", &self.role.to_string())
            .replace("{grant}", &self.grant.to_string())
            .replace("{team}", &self.team.to_string())
            .replace("{lead}", &self.lead.to_string())
            .replace("{import}", &self.import.to_string())
            .replace("{tag}", &self.tag)
    }
}

/// A browser: keeps the session cookie and sends same-origin requests.
#[derive(Clone)]
pub struct Client {
    pub app: Router,
    pub cookie: Option<String>,
}

impl Client {
    /// A client with no session.
    pub fn new(app: &Router) -> Client {
        Client {
            app: app.clone(),
            cookie: None,
        }
    }

    fn remember(&mut self, reply: &Reply) {
        for value in reply.headers.get_all("set-cookie") {
            let text = value.to_str().unwrap_or_default();
            if let Some(rest) = text.strip_prefix("revdesk_session=") {
                let id = rest.split(';').next().unwrap_or_default();
                let removed = text.contains("Max-Age=0") || id.is_empty();
                self.cookie = (!removed).then(|| format!("revdesk_session={id}"));
            }
        }
    }

    /// Sends a request as this browser would: its cookie and same-origin fetch headers.
    pub async fn request(&mut self, method: &str, path: &str, body: Option<&str>) -> Reply {
        self.send_accepting(method, path, body, None).await
    }

    /// `GET path` as a browser's navigation asks for it (accepting HTML): a page's
    /// redirect is then a real `302`, not the hint the server-function client gets.
    pub async fn navigate(&mut self, path: &str) -> Reply {
        let accept = Some("text/html,application/xhtml+xml,*/*;q=0.8");
        self.send_accepting("GET", path, None, accept).await
    }

    async fn send_accepting(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&str>,
        accept: Option<&str>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "localhost")
            .header("sec-fetch-site", "same-origin")
            .header("origin", "http://localhost");
        if let Some(accept) = accept {
            builder = builder.header("accept", accept);
        }
        if let Some(cookie) = &self.cookie {
            builder = builder.header("cookie", cookie);
        }
        let request = match body {
            Some(b) => builder
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(b.to_owned())),
            None => builder.body(Body::empty()),
        }
        .unwrap();
        let reply = send(&self.app, request).await;
        self.remember(&reply);
        reply
    }

    /// Uploads `content` as the file field `file` of a `multipart/form-data` post.
    pub async fn upload(&mut self, path: &str, filename: &str, content: &[u8]) -> Reply {
        let boundary = "revdesk-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = format!(
            "--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\ncontent-type: text/csv\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut builder = Request::builder()
            .method("POST")
            .uri(path)
            .header("host", "localhost")
            .header("sec-fetch-site", "same-origin")
            .header("origin", "http://localhost")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            );
        if let Some(cookie) = &self.cookie {
            builder = builder.header("cookie", cookie);
        }
        let reply = send(&self.app, builder.body(Body::from(body)).unwrap()).await;
        self.remember(&reply);
        reply
    }

    /// `POST /api/{endpoint}` with a form body, as a script would (JSON answer).
    pub async fn call(&mut self, endpoint: &str, body: &str) -> Reply {
        self.request("POST", &format!("/api/{endpoint}"), Some(body))
            .await
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Reply {
        self.request("GET", path, None).await
    }

    /// Signs in and panics unless it worked.
    pub async fn sign_in(&mut self, email: &str, password: &str) {
        let reply = self
            .call(
                "sign_in",
                &format!(
                    "email={}&password={}",
                    urlencode(email),
                    urlencode(password)
                ),
            )
            .await;
        assert!(
            reply.status.is_success() && self.cookie.is_some(),
            "sign-in as {email} failed: {} {}",
            reply.status,
            reply.body
        );
    }
}

/// Percent-encodes a form value.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
