//! The wiring step that builds the use cases, the identity they trust, the
//! event processor, and the periodic tasks.

use super::adapters::Stores;
use crate::chatchit::Services;
use crate::config::{Config, ExternalIdentity};
use crate::ports::Overrides;
use anyhow::Context;
use chatchit_application::admin::{AdminService, ReportedContent};
use chatchit_application::auth::{AuthService, TokenLifetimes};
use chatchit_application::blocks::BlockService;
use chatchit_application::calls::CallService;
use chatchit_application::conversations::ConversationService;
use chatchit_application::friends::FriendService;
use chatchit_application::handlers;
use chatchit_application::identity::{Authenticator, ExternalAuth};
use chatchit_application::messages::MessageService;
use chatchit_application::presence::PresenceService;
use chatchit_application::processor::EventProcessor;
use chatchit_application::relay::{RelaySettings, Relays};
use chatchit_application::stories::StoryService;
use chatchit_application::throughput::Throughput;
use chatchit_application::typing::TypingService;
use chatchit_application::users::UserService;
use chatchit_application::views::ConversationViews;
use chatchit_crypto::{BcryptHasher, ExternalJwt, ExternalKeys, ExternalTokenSettings};
use chatchit_domain::ports::{
    Clock, Delivery, EventQueue, IdentityVerifier, PresenceStore, RateLimiter, TimeOrderedIds,
    TokenIssuer,
};
use chatchit_http::{AppState, HealthCheck};
use chrono::TimeDelta;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// What the use cases are built from.
pub(super) struct Wiring<'a> {
    /// Settings.
    pub(super) config: &'a Config,
    /// Stores.
    pub(super) stores: Stores,
    /// Time.
    pub(super) clock: Arc<dyn Clock>,
    /// Where events are published.
    pub(super) events: Arc<dyn EventQueue>,
    /// Where server events go.
    pub(super) delivery: Arc<dyn Delivery>,
    /// Allowances.
    pub(super) limiter: Arc<dyn RateLimiter>,
    /// Who is online.
    pub(super) presence_store: Arc<dyn PresenceStore>,
}

impl Wiring<'_> {
    /// Every use case, the event processor and the relay log's tasks.
    pub(super) fn services(
        self,
        overrides: &Overrides,
        tokens: Arc<dyn TokenIssuer>,
    ) -> anyhow::Result<(
        Services,
        Arc<EventProcessor>,
        chatchit_application::relay::RelayTasks,
    )> {
        let Self {
            config,
            stores: s,
            clock,
            events,
            delivery,
            limiter,
            presence_store,
        } = self;
        let ms = Duration::from_millis;
        let ids = overrides
            .ids
            .clone()
            .unwrap_or_else(|| Arc::new(TimeOrderedIds));
        let hasher = overrides
            .hasher
            .clone()
            .unwrap_or_else(|| Arc::new(BcryptHasher::new(config.bcrypt_cost)));
        let auth = Arc::new(
            AuthService::new(
                s.users.clone(),
                s.sessions.clone(),
                hasher,
                tokens,
                delivery.clone(),
                clock.clone(),
                TokenLifetimes {
                    access: TimeDelta::seconds(config.access_token_ttl_secs),
                    refresh: TimeDelta::days(config.refresh_token_ttl_days),
                },
            )
            .with_ids(ids.clone()),
        );
        let identity = identity(config, overrides, &auth, &s, &clock)?;
        let views = Arc::new(ConversationViews::new(
            s.users.clone(),
            s.conversations.clone(),
            s.messages.clone(),
        ));
        let (relays, relay_tasks) = Relays::start(
            s.messages.clone(),
            &events,
            clock.clone(),
            RelaySettings {
                sweep_every: ms(config.relay_sweep_ms),
                orphaned_after: ms(config.relay_orphaned_after_ms),
            },
        );
        let typing = TypingService::new(
            s.conversations.clone(),
            s.social.clone(),
            events.clone(),
            ms(config.typing_timeout_ms),
        );
        let throughput = Arc::new(Throughput::default());
        let admin = Arc::new(
            AdminService::new(
                s.users.clone(),
                s.reports.clone(),
                ReportedContent {
                    messages: s.messages.clone(),
                    conversations: s.conversations.clone(),
                    stories: s.stories.clone(),
                },
                s.sessions.clone(),
                delivery.clone(),
                events.clone(),
                clock.clone(),
            )
            .with_ids(ids.clone())
            .with_throughput(throughput.clone()),
        );
        let messages = Arc::new(
            MessageService::new(
                s.conversations.clone(),
                s.messages.clone(),
                s.social.clone(),
                crate::faults::inject(events.clone(), config.fault),
                typing.clone(),
                clock.clone(),
            )
            .with_ids(ids.clone())
            .with_throughput(throughput),
        );
        let conversations = Arc::new(
            ConversationService::new(
                s.users.clone(),
                s.conversations.clone(),
                s.social.clone(),
                views.clone(),
                events.clone(),
                delivery.clone(),
                clock.clone(),
            )
            .with_ids(ids.clone()),
        );
        let friends = Arc::new(
            FriendService::new(
                s.users.clone(),
                s.social.clone(),
                events.clone(),
                clock.clone(),
            )
            .with_ids(ids.clone()),
        );
        let presence = Arc::new(PresenceService::new(
            presence_store.clone(),
            events.clone(),
            clock.clone(),
        ));
        let calls = Arc::new(
            CallService::new(
                s.calls.clone(),
                s.conversations.clone(),
                s.social.clone(),
                events.clone(),
                clock.clone(),
                ms(config.call_ring_timeout_ms),
                limiter.clone(),
            )
            .with_ids(ids.clone()),
        );
        let stories = Arc::new(
            StoryService::new(
                s.stories.clone(),
                s.social.clone(),
                s.users.clone(),
                events.clone(),
                clock.clone(),
            )
            .with_ids(ids),
        );
        let blocks = Arc::new(BlockService::new(s.users.clone(), s.social.clone(), clock));
        let processor = Arc::new(
            EventProcessor::new(
                s.conversations,
                views,
                delivery.clone(),
                presence_store,
                s.social,
                calls.clone(),
            )
            .relaying(relays),
        );
        let services = Services {
            auth,
            identity,
            users: Arc::new(UserService::new(s.users)),
            conversations,
            messages,
            typing,
            friends,
            blocks,
            presence,
            calls,
            stories,
            admin,
            limiter,
            delivery,
        };
        Ok((services, processor, relay_tasks))
    }
}

/// Who bearer tokens stand for: the host's verifier (supplied, or from
/// `external_identity`) with ChatChit's accounts beside unless turned off, or
/// the accounts alone.
pub(super) fn identity(
    config: &Config,
    overrides: &Overrides,
    auth: &Arc<AuthService>,
    stores: &Stores,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn Authenticator>> {
    let (verifier, keep_accounts) = match (&overrides.identity, &config.external_identity) {
        (Some(verifier), external) => (
            verifier.clone(),
            external.as_ref().is_none_or(|e| e.keep_accounts),
        ),
        (None, Some(external)) => (external_verifier(external)?, external.keep_accounts),
        (None, None) => return Ok(auth.clone()),
    };
    let external = ExternalAuth::new(
        verifier,
        stores.users.clone(),
        stores.sessions.clone(),
        clock.clone(),
    );
    Ok(Arc::new(match keep_accounts {
        true => external.beside(auth.clone()),
        false => external,
    }))
}

/// The verifier `external_identity` describes.
pub(super) fn external_verifier(
    external: &ExternalIdentity,
) -> anyhow::Result<Arc<dyn IdentityVerifier>> {
    let keys = match (&external.hs256_secret, &external.jwks_file) {
        (Some(secret), None) => ExternalKeys::Secret(secret.as_bytes().to_vec()),
        (None, Some(file)) => ExternalKeys::Jwks(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the JWKS file {}", file.display()))?,
        ),
        _ => anyhow::bail!("external_identity needs exactly one of hs256_secret and jwks_file"),
    };
    let verifier = ExternalJwt::new(ExternalTokenSettings {
        keys,
        issuer: external.issuer.clone(),
        audience: external.audience.clone(),
    })
    .context("external_identity")?;
    Ok(Arc::new(verifier))
}

/// Beats for this node and reaps crashed ones, a few times per timeout.
pub(super) fn reap_departed_nodes(
    presence: &Arc<PresenceService>,
    timeout: Duration,
) -> JoinHandle<()> {
    let presence = presence.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(timeout / 3);
        loop {
            tick.tick().await;
            match presence.reap_departed_nodes().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(users = n, "took the users of a departed node offline"),
                Err(e) => tracing::warn!(error = %e, "presence reaping failed"),
            }
        }
    })
}

/// Deletes expired stories once a minute (reads already hide them).
pub(super) fn sweep_expired_stories(stories: &Arc<StoryService>) -> JoinHandle<()> {
    let weak = Arc::downgrade(stories);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let Some(stories) = weak.upgrade() else { break };
            match stories.sweep().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "expired stories swept"),
                Err(e) => tracing::warn!(error = %e, "story sweep failed"),
            }
        }
    })
}

impl Services {
    /// The state every route and the gateway share.
    pub(super) fn state(
        &self,
        config: &Config,
        health: Arc<Vec<Arc<dyn HealthCheck>>>,
    ) -> AppState {
        AppState {
            auth: self.auth.clone(),
            identity: self.identity.clone(),
            users: self.users.clone(),
            conversations: self.conversations.clone(),
            messages: self.messages.clone(),
            friends: self.friends.clone(),
            blocks: self.blocks.clone(),
            events: Arc::new(handlers::all(
                &self.messages,
                &self.typing,
                &self.presence,
                &self.calls,
                self.limiter.clone(),
            )),
            calls: self.calls.clone(),
            stories: self.stories.clone(),
            admin: self.admin.clone(),
            sockets: Arc::default(),
            limiter: self.limiter.clone(),
            trust_forwarded_for: config.trust_forwarded_for,
            retry_after: Arc::new(retry_after(config)),
            presence: self.presence.clone(),
            health,
        }
    }
}

/// Each quota's emission interval in whole seconds (at least one), keyed as
/// the quotas are: once a quota is spent, that is the longest wait until it
/// allows one more.
fn retry_after(config: &Config) -> std::collections::HashMap<String, u64> {
    config
        .rate_limits
        .quotas()
        .into_iter()
        .filter(|(_, quota)| quota.per_minute > 0)
        .map(|(action, quota)| (action, 60u64.div_ceil(u64::from(quota.per_minute)).max(1)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn external(hs256_secret: Option<&str>, jwks_file: Option<&str>) -> ExternalIdentity {
        ExternalIdentity {
            issuer: "https://id.example".into(),
            audience: None,
            hs256_secret: hs256_secret.map(str::to_owned),
            jwks_file: jwks_file.map(Into::into),
            keep_accounts: true,
        }
    }

    #[test]
    fn external_identity_takes_a_jwks_file_or_a_secret_and_never_both_or_neither() {
        let jwks = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../adapters/crypto/tests/keys/jwks.json"
        );
        let secret = "a shared secret of at least 32 bytes!";
        assert!(external_verifier(&external(None, Some(jwks))).is_ok());
        assert!(external_verifier(&external(Some(secret), None)).is_ok());
        for (secret, file) in [(None, None), (Some(secret), Some(jwks))] {
            let refused = external_verifier(&external(secret, file))
                .err()
                .expect("refused");
            assert!(refused.to_string().contains("exactly one"), "{refused}");
        }
        let missing = external_verifier(&external(None, Some("/nonexistent/jwks.json")));
        assert!(missing.is_err(), "a missing JWKS file stops the start");
        let short = external_verifier(&external(Some("short"), None));
        assert!(short.is_err(), "a short secret stops the start");
    }
}
