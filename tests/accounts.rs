//! Accounts and sessions as an attacker tries them: fixation, replay, timeouts, sign out
//! everywhere, account enumeration, throttling with forged addresses; and the account
//! flows people use: sign up, password reset, invitations, demotion. Figures are printed
//! (`cargo test -- --show-output`).

mod common;

use common::{Client, PASSWORD, World, app, app_with, urlencode};
use http::StatusCode;
use revdesk::server::settings::{IpRange, SecuritySettings};
use sqlx::PgPool;
use std::time::Duration;

fn sign_in_body(email: &str, password: &str) -> String {
    format!(
        "email={}&password={}",
        urlencode(email),
        urlencode(password)
    )
}

async fn signed_in(client: &mut Client) -> bool {
    let reply = client.call("load_account", "").await;
    assert!(!reply.status.is_server_error(), "{}", reply.body);
    reply.status == StatusCode::OK
}

#[sqlx::test]
async fn session_ids_change_at_sign_in_and_die_at_sign_out(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;

    // Fixation: the attacker plants a session id before the victim signs in.
    let planted = format!("revdesk_session={}", tower_sessions::session::Id::default());
    let mut victim = Client::new(&app);
    victim.cookie = Some(planted.clone());
    victim.sign_in(&world.email("admin"), PASSWORD).await;
    assert_ne!(
        victim.cookie.as_deref(),
        Some(planted.as_str()),
        "a new id at sign-in"
    );
    let mut attacker = Client::new(&app);
    attacker.cookie = Some(planted);
    let fixation_accepted = signed_in(&mut attacker).await as u32;

    // A signed-in session, then its cookie replayed after sign-out.
    let mut replay = victim.clone();
    assert!(signed_in(&mut victim).await);
    victim.call("sign_out", "").await;
    assert!(victim.cookie.is_none(), "the cookie is removed at sign-out");
    let replay_accepted = signed_in(&mut replay).await as u32;

    println!(
        "sessions: pre-sign-in id accepted after sign-in {fixation_accepted}; cookie replayed after sign-out accepted {replay_accepted}"
    );
    assert_eq!(fixation_accepted, 0);
    assert_eq!(replay_accepted, 0);
}

#[sqlx::test]
async fn idle_and_absolute_timeouts_end_sessions(pool: PgPool) {
    let world = World::create(&pool).await;
    let idle = app_with(
        pool.clone(),
        SecuritySettings {
            idle_timeout: Duration::from_secs(2),
            touch_interval: Duration::from_millis(200),
            ..SecuritySettings::default()
        },
    );
    let mut client = Client::new(&idle);
    client.sign_in(&world.email("viewer"), PASSWORD).await;
    assert!(signed_in(&mut client).await);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let idle_accepted = signed_in(&mut client).await as u32;

    let absolute = app_with(
        pool.clone(),
        SecuritySettings {
            idle_timeout: Duration::from_secs(60),
            absolute_timeout: Duration::from_secs(3),
            touch_interval: Duration::from_millis(200),
            ..SecuritySettings::default()
        },
    );
    let mut client = Client::new(&absolute);
    client.sign_in(&world.email("viewer"), PASSWORD).await;
    // Busy all along: activity keeps the idle timer fresh, never the absolute one.
    let mut active_before_deadline = 0;
    for _ in 0..5 {
        if signed_in(&mut client).await {
            active_before_deadline += 1;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let absolute_accepted = signed_in(&mut client).await as u32;
    println!(
        "sessions: after idle expiry accepted {idle_accepted}; after absolute expiry accepted {absolute_accepted} (active requests before it: {active_before_deadline})"
    );
    assert_eq!(idle_accepted, 0);
    assert_eq!(absolute_accepted, 0);
    assert_eq!(
        active_before_deadline, 5,
        "activity within the deadline is served"
    );
}

#[sqlx::test]
async fn sign_out_everywhere_and_revoke_end_other_sessions(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let email = world.email("finance");
    let mut devices = Vec::new();
    for _ in 0..3 {
        let mut c = Client::new(&app);
        c.sign_in(&email, PASSWORD).await;
        devices.push(c);
    }
    // Revoke one from another, by the id the account page lists.
    let account = devices[0].call("load_account", "").await;
    let listed: serde_json::Value = serde_json::from_str(&account.body).unwrap();
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 3);
    let other = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    devices[0]
        .call("revoke_session", &format!("id={other}"))
        .await;
    let mut alive = 0;
    for d in devices.iter_mut() {
        alive += signed_in(d).await as u32;
    }
    assert_eq!(alive, 2, "exactly the revoked session ended");

    devices[0].call("sign_out_everywhere", "").await;
    let mut surviving = 0;
    for d in devices.iter_mut() {
        surviving += signed_in(d).await as u32;
    }
    println!("sessions: surviving \"sign out everywhere\" {surviving}");
    assert_eq!(surviving, 0);
    let audited: Vec<String> = sqlx::query_scalar(
        "select action from platform_audit_logs where action like 'session.%' order by created_at",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(audited, ["session.revoked", "session.revoked_all"]);

    let mut fresh = Client::new(&app);
    fresh.sign_in(&email, PASSWORD).await;
    let renamed = fresh.call("update_profile", "name=Fiona+G").await;
    assert!(renamed.status.is_success(), "{}", renamed.body);
    let detail: serde_json::Value = sqlx::query_scalar(
        "select detail from platform_audit_logs where action = 'profile.updated'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(detail["after"]["name"], "Fiona G");
}

#[sqlx::test]
async fn unknown_emails_and_wrong_passwords_look_the_same(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut client = Client::new(&app);
    let wrong = client
        .call(
            "sign_in",
            &sign_in_body(&world.email("owner"), "not-the-password"),
        )
        .await;
    let unknown = client
        .call(
            "sign_in",
            &sign_in_body("nobody-at-all@example.com", "not-the-password"),
        )
        .await;
    println!(
        "sign-in: wrong password {} / unknown email {}; bodies identical: {}",
        wrong.status,
        unknown.status,
        wrong.body == unknown.body
    );
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(client.cookie.is_none(), "no session for a failed sign-in");
    let recorded: i64 = sqlx::query_scalar(
        "select count(*) from platform_audit_logs where action = 'sign_in.failed'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(recorded, 2, "every attempt is audited");
}

/// A sign-in attempt claiming to come from `forwarded_for`.
async fn attempt(
    app: &axum::Router,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> StatusCode {
    let request = http::Request::post("/api/sign_in")
        .header("host", "localhost")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded_for)
        .body(axum::body::Body::from(sign_in_body(email, password)))
        .unwrap();
    common::send(app, request).await.status
}

#[sqlx::test]
async fn throttling_holds_under_a_rotated_forwarded_for(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let target = world.email("owner");
    // Per account: five failures, each "from" another address.
    for n in 0..5 {
        let status = attempt(
            &app,
            &format!("198.51.100.{n}"),
            &target,
            "guess-guess-guess",
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = attempt(&app, "198.51.100.99", &target, PASSWORD).await;
    // Per client: a password spray over many accounts from one peer, each request with a
    // new forged X-Forwarded-For.
    let mut refused = 0;
    for n in 0..25 {
        let status = attempt(
            &app,
            &format!("203.0.113.{n}"),
            &format!("spray-{n}@example.com"),
            "guess-guess-guess",
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    println!(
        "throttling: right password after 5 failures (rotated X-Forwarded-For) -> {}; spray of 25 accounts from one peer (rotated X-Forwarded-For), refused {refused}",
        locked.as_u16()
    );
    assert_eq!(locked, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused, 10, "20 failures per client address, then refused");

    // Behind a configured proxy the forwarded address is the client, so another client
    // of the same proxy is not locked out by the first one's failures.
    let proxied = app_with(
        pool.clone(),
        SecuritySettings {
            trusted_proxies: vec![IpRange::parse("127.0.0.1").unwrap()],
            ..SecuritySettings::default()
        },
    );
    let status = attempt(&proxied, "192.0.2.10", &world.email("viewer"), PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[sqlx::test]
async fn sign_up_creates_an_organization_with_its_owner(pool: PgPool) {
    let app = app(pool.clone());
    let mut client = Client::new(&app);
    let weak = client
        .call(
            "sign_up",
            "name=Ann+Lee&email=ann%40acme.test&password=password123&organization=Acme+Robotics",
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("common"), "{}", weak.body);
    let reply = client
        .call(
            "sign_up",
            "name=Ann+Lee&email=ann%40acme.test&password=plum+orchard+42&organization=Acme+Robotics",
        )
        .await;
    assert!(reply.status.is_success(), "{} {}", reply.status, reply.body);
    assert!(client.cookie.is_some(), "signed in at once");
    let context = client.call("load_org_context", "org=acme-robotics").await;
    assert_eq!(context.status, StatusCode::OK, "{}", context.body);
    assert!(
        context.body.contains(r#""role":"Owner""#),
        "{}",
        context.body
    );
    // The same name again gets its own slug; the same email is refused.
    let mut second = Client::new(&app);
    let again = second
        .call(
            "sign_up",
            "name=Bo&email=ann%40acme.test&password=plum+orchard+42&organization=Acme+Robotics",
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already exists"));
}

async fn last_link(pool: &PgPool, to: &str, marker: &str) -> String {
    let body: String = sqlx::query_scalar(
        "select body_text from email_outbox where to_address = $1 order by created_at desc, id desc limit 1",
    )
    .bind(to)
    .fetch_one(pool)
    .await
    .unwrap();
    let start = body.find(marker).expect("the email carries the link");
    body[start + marker.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

#[sqlx::test]
async fn a_password_reset_works_once_and_ends_every_session(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let email = world.email("marketing");
    let mut old_device = Client::new(&app);
    old_device.sign_in(&email, PASSWORD).await;

    let mut anon = Client::new(&app);
    let unknown = anon
        .call("request_password_reset", "email=nobody%40example.com")
        .await;
    let known = anon
        .call(
            "request_password_reset",
            &format!("email={}", urlencode(&email)),
        )
        .await;
    assert_eq!(
        unknown.status, known.status,
        "no hint whether the address exists"
    );
    let token = last_link(&pool, &email, "token=").await;
    let reply = anon
        .call(
            "reset_password",
            &format!("token={token}&password=fresh+river+stones"),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    assert!(
        !signed_in(&mut old_device).await,
        "sessions end with a reset"
    );
    let reused = anon
        .call(
            "reset_password",
            &format!("token={token}&password=another+river+stone"),
        )
        .await;
    assert_eq!(
        reused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "single use"
    );
    let mut fresh = Client::new(&app);
    fresh.sign_in(&email, "fresh river stones").await;
}

#[sqlx::test]
async fn invitations_create_memberships_for_new_and_existing_users(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut owner = Client::new(&app);
    owner.sign_in(&world.email("owner"), PASSWORD).await;
    let invitee = format!("newcomer-{}@example.com", world.tag);
    let reply = owner
        .call(
            "invite_member",
            &world.fill(&format!(
                "org={{org}}&email={}&role=sales_rep&team_id={{team}}",
                urlencode(&invitee)
            )),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    let token = last_link(&pool, &invitee, "/invitations/").await;
    let mut newcomer = Client::new(&app);
    let reply = newcomer
        .call(
            "accept_invitation",
            &format!("token={token}&name=New+Comer&password=plum+orchard+42"),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    let context = newcomer
        .call("load_org_context", &world.fill("org={org}"))
        .await;
    assert!(
        context.body.contains(r#""role":"SalesRep""#),
        "{}",
        context.body
    );
    let again = Client::new(&app)
        .call(
            "accept_invitation",
            &format!("token={token}&name=X&password=plum+orchard+42"),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::CONFLICT,
        "an invitation is used once"
    );

    // An existing user (owner of B) must sign in as themselves to accept.
    let existing = world.email("owner_b");
    owner
        .call(
            "invite_member",
            &world.fill(&format!(
                "org={{org}}&email={}&role=finance",
                urlencode(&existing)
            )),
        )
        .await;
    let token = last_link(&pool, &existing, "/invitations/").await;
    let mut anon = Client::new(&app);
    let refused = anon
        .call("accept_invitation", &format!("token={token}"))
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    let mut wrong_user = Client::new(&app);
    wrong_user.sign_in(&world.email("viewer"), PASSWORD).await;
    let wrong = wrong_user
        .call("accept_invitation", &format!("token={token}"))
        .await;
    assert_eq!(wrong.status, StatusCode::CONFLICT);
    let mut them = Client::new(&app);
    them.sign_in(&existing, PASSWORD).await;
    let accepted = them
        .call("accept_invitation", &format!("token={token}"))
        .await;
    assert!(accepted.status.is_success(), "{}", accepted.body);
    let memberships = them.call("load_memberships", "").await;
    assert!(memberships.body.contains(&world.slug_a) && memberships.body.contains(&world.slug_b));
}

#[sqlx::test]
async fn a_demotion_or_removal_applies_on_the_next_request(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut admin = Client::new(&app);
    admin.sign_in(&world.email("admin"), PASSWORD).await;
    let org = world.fill("org={org}");
    assert_eq!(
        admin.call("load_members", &org).await.status,
        StatusCode::OK
    );
    let mut owner = Client::new(&app);
    owner.sign_in(&world.email("owner"), PASSWORD).await;
    let admin_id = world.users["admin"].0;
    let reply = owner
        .call(
            "change_member_role",
            &format!("{org}&user_id={admin_id}&role=viewer"),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    assert_eq!(
        admin.call("load_members", &org).await.status,
        StatusCode::FORBIDDEN
    );
    owner
        .call("remove_member", &format!("{org}&user_id={admin_id}"))
        .await;
    assert_eq!(
        admin.call("load_org_context", &org).await.status,
        StatusCode::NOT_FOUND
    );
    let denials: i64 = sqlx::query_scalar(
        "select count(*) from audit_logs where organization_id = $1 and action = 'permission.denied'",
    )
    .bind(world.org_a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(denials, 1, "the refused call is in the audit log");
}

/// A manager may invite and remove members, but not give or take away the power over
/// roles: an admin is invited and removed only by someone who manages roles, whether
/// that power comes with the base role or with an extra role.
#[sqlx::test]
async fn only_those_who_manage_roles_invite_or_remove_an_admin(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let org = world.fill("org={org}");
    let mut manager = Client::new(&app);
    manager.sign_in(&world.email("manager"), PASSWORD).await;
    let mut admin = Client::new(&app);
    admin.sign_in(&world.email("admin"), PASSWORD).await;
    let mut owner = Client::new(&app);
    owner.sign_in(&world.email("owner"), PASSWORD).await;

    let second = urlencode(&format!("manager-too-{}@example.com", world.tag));
    let invite = manager
        .call("invite_member", &format!("{org}&email={second}&role=admin"))
        .await;
    assert_eq!(
        invite.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        invite.body
    );
    assert!(
        invite
            .body
            .contains("Only members who manage roles can invite admins.")
    );

    let admin_id = world.users["admin"].0;
    let removal = manager
        .call("remove_member", &format!("{org}&user_id={admin_id}"))
        .await;
    assert_eq!(removal.status, StatusCode::FORBIDDEN, "{}", removal.body);
    assert_eq!(
        admin.call("load_members", &org).await.status,
        StatusCode::OK,
        "the admin is still a member and still an admin"
    );
    let members = manager.get(&world.fill("/o/{org}/members")).await;
    assert!(
        !members.body.contains(&format!("value=\"{admin_id}\"")),
        "the manager is not offered to remove the admin"
    );
    assert!(
        members
            .body
            .contains(&format!("value=\"{}\"", world.victim)),
        "but is offered to remove a viewer"
    );
    let refusals: i64 = sqlx::query_scalar(
        "select count(*) from audit_logs where organization_id = $1 and action = 'permission.denied' and entity_id = 'roles.manage'",
    )
    .bind(world.org_a)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(refusals, 1, "the refused removal is in the audit log");

    // The power over roles by an extra role protects as the base role does.
    let rep_id = world.users["sales_rep"].0;
    let grant = owner
        .call(
            "grant_role",
            &format!("{org}&user_id={rep_id}&role=system:admin"),
        )
        .await;
    assert!(grant.status.is_success(), "{}", grant.body);
    let removal = manager
        .call("remove_member", &format!("{org}&user_id={rep_id}"))
        .await;
    assert_eq!(removal.status, StatusCode::FORBIDDEN, "{}", removal.body);

    // A member without it is the manager's to remove; the admin is the owner's.
    let removal = manager
        .call("remove_member", &world.fill("org={org}&user_id={victim}"))
        .await;
    assert!(removal.status.is_success(), "{}", removal.body);
    let removal = owner
        .call("remove_member", &format!("{org}&user_id={admin_id}"))
        .await;
    assert!(removal.status.is_success(), "{}", removal.body);
    assert_eq!(
        admin.call("load_org_context", &org).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn support_access_is_explicit_time_limited_read_only_and_audited(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut operator = Client::new(&app);
    operator.sign_in(&world.email("platform"), PASSWORD).await;
    let org = world.fill("org={org}");
    assert_eq!(
        operator.call("load_dashboard", &org).await.status,
        StatusCode::NOT_FOUND
    );
    let reply = operator
        .call(
            "start_support_session",
            &world.fill("organization_id={org_id}&reason=Ticket+77+cannot+invite&minutes=30"),
        )
        .await;
    assert!(reply.status.is_success(), "{}", reply.body);
    assert_eq!(
        operator.call("load_dashboard", &org).await.status,
        StatusCode::OK
    );
    assert_eq!(
        operator.call("load_audit", &org).await.status,
        StatusCode::OK
    );
    let write = operator
        .call(
            "invite_member",
            &format!("{org}&email=x%40example.com&role=viewer"),
        )
        .await;
    assert_eq!(write.status, StatusCode::FORBIDDEN, "support is read-only");
    let entries: Vec<String> = sqlx::query_scalar(
        "select action from audit_logs where organization_id = $1 and support_session_id is not null order by created_at",
    )
    .bind(world.org_a)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(entries, ["support.started", "permission.denied"]);
    operator
        .call(
            "end_support_session",
            &world.fill("organization_id={org_id}"),
        )
        .await;
    assert_eq!(
        operator.call("load_dashboard", &org).await.status,
        StatusCode::NOT_FOUND
    );
}

#[sqlx::test]
async fn suspended_organizations_are_closed_to_their_members(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut operator = Client::new(&app);
    operator.sign_in(&world.email("platform"), PASSWORD).await;
    let mut member = Client::new(&app);
    member.sign_in(&world.email("viewer"), PASSWORD).await;
    let org = world.fill("org={org}");
    assert_eq!(
        member.call("load_dashboard", &org).await.status,
        StatusCode::OK
    );
    operator
        .call(
            "set_tenant_status",
            &world.fill("organization_id={org_id}&status=suspended"),
        )
        .await;
    let refused = member.call("load_dashboard", &org).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Suspended"), "{}", refused.body);
    operator
        .call(
            "set_tenant_status",
            &world.fill("organization_id={org_id}&status=active"),
        )
        .await;
    assert_eq!(
        member.call("load_dashboard", &org).await.status,
        StatusCode::OK
    );
}

#[sqlx::test]
async fn record_scope_limits_the_leads_a_sales_rep_counts(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let rep = world.users["sales_rep"].0;
    let mut tx = common::platform_tx(&pool).await;
    // 2 assigned to the rep, 1 to the rep's team, 3 to nobody in particular.
    for (assignee, team) in [
        (Some(rep), None),
        (Some(rep), None),
        (None, Some(world.team)),
        (None, None),
        (None, None),
        (None, None),
    ] {
        sqlx::query("insert into leads (organization_id, id, assignee_id, team_id, first_name) values ($1, $2, $3, $4, 'Lead')")
            .bind(world.org_a)
            .bind(uuid::Uuid::now_v7())
            .bind(assignee)
            .bind(team)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let org = world.fill("org={org}");
    let mut counts = Vec::new();
    for role in ["sales_rep", "owner", "viewer"] {
        let mut client = Client::new(&app);
        client.sign_in(&world.email(role), PASSWORD).await;
        let reply = client.call("load_dashboard", &org).await;
        let dashboard: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        counts.push((
            role,
            dashboard["visible_leads"].as_i64().unwrap(),
            dashboard["lead_scope"].clone(),
        ));
    }
    println!("record scope: {counts:?}");
    // The world already has one lead, assigned to the rep.
    assert_eq!(counts[0].1, 4, "own three plus the team's one");
    assert_eq!(counts[0].2, "Team");
    assert_eq!(counts[1].1, 7);
    assert_eq!(counts[2].1, 7);
}

#[sqlx::test]
async fn the_audit_log_filters_and_pages_by_keyset(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let mut owner = Client::new(&app);
    owner.sign_in(&world.email("owner"), PASSWORD).await;
    // 60 real mutations, and one refused call by another member.
    for n in 0..60 {
        let reply = owner
            .call(
                "create_team",
                &world.fill(&format!("org={{org}}&name=Team+{n}")),
            )
            .await;
        assert!(reply.status.is_success(), "{}", reply.body);
    }
    let mut viewer = Client::new(&app);
    viewer.sign_in(&world.email("viewer"), PASSWORD).await;
    viewer.call("load_members", &world.fill("org={org}")).await;

    let page = |query: String| {
        let mut owner = owner.clone();
        async move {
            let reply = owner.call("load_audit", &query).await;
            assert_eq!(reply.status, http::StatusCode::OK, "{}", reply.body);
            serde_json::from_str::<serde_json::Value>(&reply.body).unwrap()
        }
    };
    let first = page(world.fill("org={org}&query[action]=team")).await;
    let entries = first["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 50);
    assert!(entries.iter().all(|e| e["action"] == "team.created"));
    let cursor = first["next"].as_str().expect("a next page").to_owned();
    let second = page(world.fill(&format!(
        "org={{org}}&query[action]=team&query[before]={}",
        urlencode(&cursor)
    )))
    .await;
    assert_eq!(second["entries"].as_array().unwrap().len(), 10);
    assert!(second["next"].is_null());
    let ids = |v: &serde_json::Value| {
        v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let (a, b) = (ids(&first), ids(&second));
    assert!(a.iter().all(|id| !b.contains(id)), "pages do not overlap");

    let denied = page(world.fill(&format!(
        "org={{org}}&query[actor]={}",
        urlencode(&world.email("viewer"))
    )))
    .await;
    let denied = denied["entries"].as_array().unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0]["action"], "permission.denied");
    let bad = owner
        .call("load_audit", &world.fill("org={org}&query[from]=yesterday"))
        .await;
    assert_eq!(bad.status, http::StatusCode::UNPROCESSABLE_ENTITY);

    // The page's filter form sends its empty fields too; the address keeps the set ones.
    let audit = world.fill("/o/{org}/audit");
    let reply = owner
        .navigate(&format!("{audit}?actor=&action=team&entity=&from=&to="))
        .await;
    assert_eq!(reply.status, http::StatusCode::FOUND);
    assert_eq!(reply.header("location"), format!("{audit}?action=team"));
    let reply = owner.navigate(&format!("{audit}?action=team")).await;
    assert_eq!(reply.status, http::StatusCode::OK);
    assert!(reply.body.contains("team.created"));
    println!(
        "audit log: 61 entries, filtered page sizes {} + {}, denial found by actor",
        a.len(),
        b.len()
    );
}

#[sqlx::test]
async fn weak_hashes_are_upgraded_at_sign_in(pool: PgPool) {
    use argon2::PasswordHasher;
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let weak = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 1, 1, None).unwrap(),
    )
    .hash_password(
        PASSWORD.as_bytes(),
        &argon2::password_hash::SaltString::generate(&mut argon2::password_hash::rand_core::OsRng),
    )
    .unwrap()
    .to_string();
    let email = world.email("viewer");
    sqlx::query("update users set password_hash = $2 where email = $1")
        .bind(&email)
        .bind(&weak)
        .execute(&pool)
        .await
        .unwrap();
    Client::new(&app).sign_in(&email, PASSWORD).await;
    let stored: String = sqlx::query_scalar("select password_hash from users where email = $1")
        .bind(&email)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
}

#[sqlx::test]
async fn a_second_permission_check_is_audited_when_it_refuses(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    // A manager may manage members but not roles: changing a role needs both.
    let mut manager = Client::new(&app);
    manager.sign_in(&world.email("manager"), PASSWORD).await;
    let reply = manager
        .call(
            "change_member_role",
            &world.fill("org={org}&user_id={victim}&role=finance"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let denied: Vec<String> = sqlx::query_scalar(
        "select entity_id from audit_logs where organization_id = $1 and action = 'permission.denied'",
    )
    .bind(world.org_a)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(denied, ["roles.manage"]);
}

/// The organization switcher lists every organization the viewer belongs to, the current
/// one marked: on tenant pages from the frame's membership read, elsewhere loaded on its
/// own. An organization where their membership is suspended is not listed.
#[sqlx::test]
async fn the_switcher_lists_the_viewers_organizations(pool: PgPool) {
    let app = app(pool.clone());
    let world = World::create(&pool).await;
    let owner = world.users["owner"].0;
    let mut tx = common::platform_tx(&pool).await;
    sqlx::query(
        "insert into organization_members (organization_id, user_id, role) values ($1, $2, 'sales_rep')",
    )
    .bind(world.org_b)
    .bind(owner)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut client = Client::new(&app);
    client.sign_in(&world.email("owner"), PASSWORD).await;
    let switcher = |html: &str| -> String {
        let start = html
            .find("data-slot=\"organization-switcher\"")
            .expect("the page has a switcher");
        let end = start + html[start..].find("data-slot=\"user-menu\"").unwrap();
        html[start..end].to_owned()
    };
    let tenant_page = client.get(&format!("/o/{}/leads", world.slug_a)).await;
    assert_eq!(tenant_page.status, StatusCode::OK);
    let on_tenant = switcher(&tenant_page.body);
    let account_page = client.get("/account").await;
    let elsewhere = switcher(&account_page.body);
    println!(
        "switcher on a tenant page lists A {} and B {}; on /account A {} and B {}",
        on_tenant.contains(&format!("href=\"/o/{}", world.slug_a)),
        on_tenant.contains(&format!("href=\"/o/{}", world.slug_b)),
        elsewhere.contains(&format!("href=\"/o/{}", world.slug_a)),
        elsewhere.contains(&format!("href=\"/o/{}", world.slug_b)),
    );
    for list in [&on_tenant, &elsewhere] {
        assert!(
            list.contains(&format!("href=\"/o/{}", world.slug_a)),
            "{list}"
        );
        assert!(
            list.contains(&format!("href=\"/o/{}", world.slug_b)),
            "{list}"
        );
    }
    assert_eq!(
        on_tenant.matches("aria-current=\"true\"").count(),
        1,
        "{on_tenant}"
    );
    assert!(
        on_tenant.contains("Sales rep"),
        "the role in B is shown: {on_tenant}"
    );

    sqlx::query("update organization_members set status = 'suspended' where organization_id = $1 and user_id = $2")
        .bind(world.org_b)
        .bind(owner)
        .execute(&pool)
        .await
        .unwrap();
    let after = switcher(&client.get(&format!("/o/{}/leads", world.slug_a)).await.body);
    assert!(
        !after.contains(&format!("href=\"/o/{}", world.slug_b)),
        "{after}"
    );
}
