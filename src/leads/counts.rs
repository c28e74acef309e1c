//! The list's match counts, kept until the tenant's leads change.
//!
//! Counting the matches of a filter or a search reads every matching row (up to the cap,
//! 10,001), which on a large tenant costs 5-25 ms where the page of rows costs under one.
//! The count of a given filter, scope and tenant is therefore kept in memory and dropped
//! as soon as any lead of that tenant changes: every statement writing `leads` sends a
//! notification on commit (migration `…_leads_changed_notify.sql`), and each server
//! listens for it ([`listen`]). While the listener is not connected (at start, or after
//! the connection dropped, when notifications may have been missed) nothing is served
//! from memory and everything kept is dropped, so a count is never older than the last
//! change the server was told about.
//!
//! A count computed while a change arrived is not kept: [`CountCache::token`] is taken
//! before the query and [`CountCache::put`] stores only if no change for the tenant came
//! in between.

use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use uuid::Uuid;

/// The notification channel the leads trigger sends on.
pub const CHANNEL: &str = "revdesk_leads_changed";
/// At most this many counts are kept; past it the cache starts over.
const CAPACITY: usize = 20_000;

/// Counts per tenant and filter; see the module documentation.
#[derive(Debug, Default)]
pub struct CountCache {
    live: AtomicBool,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Bumped when everything is dropped.
    epoch: u64,
    /// Bumped for a tenant when its leads change.
    generations: HashMap<Uuid, u64>,
    entries: HashMap<(Uuid, String), (Token, i64)>,
}

/// Where the cache stood when a count's query started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    epoch: u64,
    generation: u64,
}

impl Inner {
    fn token(&self, org: Uuid) -> Token {
        Token {
            epoch: self.epoch,
            generation: self.generations.get(&org).copied().unwrap_or(0),
        }
    }
}

impl CountCache {
    /// Whether counts are being kept and served (the listener is connected).
    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// The kept count of `key` in `org`, if it is still valid.
    pub fn get(&self, org: Uuid, key: &str) -> Option<i64> {
        if !self.is_live() {
            return None;
        }
        let inner = self.inner.lock().ok()?;
        let (token, n) = inner.entries.get(&(org, key.to_owned()))?;
        (*token == inner.token(org)).then_some(*n)
    }

    /// The state to pass to [`CountCache::put`] with a count about to be computed.
    pub fn token(&self, org: Uuid) -> Option<Token> {
        if !self.is_live() {
            return None;
        }
        self.inner.lock().ok().map(|inner| inner.token(org))
    }

    /// Keeps `n` for `key`, unless the tenant changed since `token` was taken.
    pub fn put(&self, org: Uuid, key: String, token: Token, n: i64) {
        if !self.is_live() {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.token(org) != token {
            return;
        }
        if inner.entries.len() >= CAPACITY {
            inner.entries.clear();
        }
        inner.entries.insert((org, key), (token, n));
    }

    /// A tenant's leads changed: its counts are no longer valid.
    pub fn tenant_changed(&self, org: Uuid) {
        if let Ok(mut inner) = self.inner.lock() {
            *inner.generations.entry(org).or_insert(0) += 1;
            inner.entries.retain(|(o, _), _| *o != org);
        }
    }

    /// Drops every count (a change without a tenant, or notifications possibly missed).
    pub fn drop_all(&self) {
        if let Ok(mut inner) = self.inner.lock() {
            inner.epoch += 1;
            inner.entries.clear();
        }
    }

    fn set_live(&self, live: bool) {
        if !live {
            self.live.store(false, Ordering::Release);
        }
        self.drop_all();
        if live {
            self.live.store(true, Ordering::Release);
        }
    }
}

/// Listens for lead changes for the life of the process, reconnecting after a second
/// when the connection fails; while disconnected the cache serves nothing.
pub async fn listen(pool: PgPool, cache: std::sync::Arc<CountCache>) {
    loop {
        if let Err(err) = listen_once(&pool, &cache).await {
            tracing::warn!(error = %err, "lead change notifications interrupted; counts are not cached until they resume");
        }
        cache.set_live(false);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn listen_once(pool: &PgPool, cache: &CountCache) -> Result<(), sqlx::Error> {
    let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    cache.set_live(true);
    // `try_recv` yields `None` when the connection was lost (notifications may have been
    // missed); the caller then starts over with an empty cache.
    while let Some(notification) = listener.try_recv().await? {
        match Uuid::parse_str(notification.payload()) {
            Ok(org) => cache.tenant_changed(org),
            Err(_) => cache.drop_all(),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live() -> CountCache {
        let cache = CountCache::default();
        cache.set_live(true);
        cache
    }

    #[test]
    fn nothing_is_kept_or_served_while_not_live() {
        let cache = CountCache::default();
        let org = Uuid::now_v7();
        assert_eq!(cache.token(org), None);
        let live = live();
        let token = live.token(org).unwrap();
        live.put(org, "k".into(), token, 7);
        assert_eq!(live.get(org, "k"), Some(7));
        live.set_live(false);
        assert_eq!(live.get(org, "k"), None);
        live.set_live(true);
        assert_eq!(live.get(org, "k"), None, "reconnecting starts empty");
    }

    #[test]
    fn a_change_drops_the_tenants_counts_and_only_theirs() {
        let cache = live();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        for org in [a, b] {
            let token = cache.token(org).unwrap();
            cache.put(org, "k".into(), token, 3);
        }
        cache.tenant_changed(a);
        assert_eq!((cache.get(a, "k"), cache.get(b, "k")), (None, Some(3)));
        cache.drop_all();
        assert_eq!(cache.get(b, "k"), None);
    }

    #[test]
    fn a_count_computed_across_a_change_is_not_kept() {
        let cache = live();
        let org = Uuid::now_v7();
        let token = cache.token(org).unwrap();
        cache.tenant_changed(org);
        cache.put(org, "k".into(), token, 5);
        assert_eq!(cache.get(org, "k"), None);
        let token = cache.token(org).unwrap();
        cache.drop_all();
        cache.put(org, "k".into(), token, 5);
        assert_eq!(cache.get(org, "k"), None);
    }
}
