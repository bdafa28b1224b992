//! Reports and moderation: users report users and messages; admins list and
//! resolve reports, ban and unban (a ban ends every session at once), and read
//! the node's health figures.

use crate::context::Actor;
use crate::error::AppError;
use crate::throughput::Throughput;
use chatchit_domain::events::{DomainEvent, Priority};
use chatchit_domain::ids::{MessageId, UserId};
use chatchit_domain::ports::{
    Clock, ConversationStore, Delivery, EventQueue, IdGenerator, MessageStore, ReportStore,
    SessionStore, StoryStore, TimeOrderedIds, UserStore,
};
use chatchit_domain::report::{Report, ReportAction, ReportId, ReportStatus, ReportTarget};
use chatchit_domain::story::StoryId;
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::PageLimit;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

/// `POST /reports` body.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// `user`, `message` or `story`.
    pub target_type: ReportTarget,
    /// The reported thing's id.
    pub target_id: uuid::Uuid,
    /// 1–200 characters.
    pub reason: String,
    /// Up to 2000 characters.
    pub details: Option<String>,
}

/// `POST /admin/reports/{id}/resolve` body.
#[derive(Debug, Clone)]
pub struct ResolveInput {
    /// What to do.
    pub action: ReportAction,
    /// Up to 2000 characters.
    pub note: Option<String>,
}

/// `GET /admin/stats` answer.
#[derive(Debug, Clone)]
pub struct AdminStats {
    /// Events waiting, per lane (`high`, `medium`, `low`).
    pub queue_depth: BTreeMap<&'static str, u64>,
    /// Events handled since start, per lane.
    pub processed: BTreeMap<&'static str, u64>,
    /// Events handled per second since start, per lane.
    pub processing_rate: BTreeMap<&'static str, f64>,
    /// Events parked after failing every retry.
    pub dead_letters: u64,
    /// Live sockets on this node.
    pub connected_sockets: u64,
    /// Seconds since this node started.
    pub uptime_seconds: u64,
    /// 0–100; see [`health_score`].
    pub health_score: u8,
    /// Messages this node stored since it started.
    pub messages_stored: u64,
    /// Each lane's latest waits against its target, per lane that has
    /// processed an event.
    pub queue_wait: BTreeMap<&'static str, LaneWait>,
}

/// A lane's latest waits (see [`chatchit_domain::ports::LaneWaits`]) and its
/// target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LaneWait {
    /// Median wait, milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile wait, milliseconds.
    pub p99_ms: f64,
    /// The lane's target (high 100, medium 500, low 2000), milliseconds.
    pub target_ms: u64,
    /// Whether the 99th percentile is within the target.
    pub within_target: bool,
    /// Events the figures are made of.
    pub samples: u64,
}

/// The health score: 100, minus 50 if the database is down, minus 15 per
/// degraded service, minus one per dead letter (at most 20), minus one per
/// 100 queued events (at most 15); never below 0.
pub fn health_score(database_up: bool, degraded: u32, dead_letters: u64, queued: u64) -> u8 {
    let mut penalty: u64 = 0;
    if !database_up {
        penalty += 50;
    }
    penalty += 15 * u64::from(degraded);
    penalty += dead_letters.min(20);
    penalty += (queued / 100).min(15);
    u8::try_from(100u64.saturating_sub(penalty)).unwrap_or(0)
}

/// The stores of the things that can be reported.
pub struct ReportedContent {
    /// Reported messages.
    pub messages: Arc<dyn MessageStore>,
    /// Who may see a reported message.
    pub conversations: Arc<dyn ConversationStore>,
    /// Reported stories.
    pub stories: Arc<dyn StoryStore>,
}

/// Moderation use cases.
pub struct AdminService {
    /// Accounts (targets, bans, roles).
    users: Arc<dyn UserStore>,
    /// Reports.
    reports: Arc<dyn ReportStore>,
    /// What can be reported.
    content: ReportedContent,
    /// Ends banned users' sessions.
    sessions: Arc<dyn SessionStore>,
    /// Disconnects banned users.
    delivery: Arc<dyn Delivery>,
    /// Announces removed messages; its stats feed `/admin/stats`.
    queue: Arc<dyn EventQueue>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// When this node started (processing rates).
    started: Instant,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
    /// What the node has done (messages stored).
    throughput: Arc<Throughput>,
}

impl AdminService {
    /// Wires the service.
    pub fn new(
        users: Arc<dyn UserStore>,
        reports: Arc<dyn ReportStore>,
        content: ReportedContent,
        sessions: Arc<dyn SessionStore>,
        delivery: Arc<dyn Delivery>,
        queue: Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            throughput: Arc::default(),
            users,
            reports,
            content,
            sessions,
            delivery,
            queue,
            clock,
            started: Instant::now(),
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Reports the counts of `throughput` (shared with the services that
    /// count, e.g. [`crate::messages::MessageService::with_throughput`]).
    #[must_use]
    pub fn with_throughput(mut self, throughput: Arc<Throughput>) -> Self {
        self.throughput = throughput;
        self
    }

    /// Files a report about something the caller can see.
    ///
    /// # Errors
    /// `Validation` for bad text, `NotFound` for unknown targets, `Forbidden`
    /// for messages of conversations the caller is not in.
    pub async fn report(&self, actor: &Actor, input: ReportInput) -> Result<Report, AppError> {
        let reason = input.reason.trim();
        if reason.is_empty() || reason.chars().count() > 200 {
            return Err(AppError::validation(
                "reason",
                "must be 1 to 200 characters",
            ));
        }
        if input
            .details
            .as_ref()
            .is_some_and(|d| d.chars().count() > 2000)
        {
            return Err(AppError::validation(
                "details",
                "must be at most 2000 characters",
            ));
        }
        match input.target_type {
            ReportTarget::User => {
                self.users
                    .find(UserId(input.target_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("user not found".into()))?;
            }
            ReportTarget::Message => {
                let message = self
                    .content
                    .messages
                    .find(MessageId(input.target_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("message not found".into()))?;
                self.content
                    .conversations
                    .member(message.conversation_id, actor.user_id)
                    .await?
                    .ok_or_else(AppError::forbidden)?;
            }
            ReportTarget::Story => {
                self.content
                    .stories
                    .find(StoryId(input.target_id))
                    .await?
                    .ok_or_else(|| AppError::NotFound("story not found".into()))?;
            }
        }
        let report = Report {
            id: ReportId(self.ids.next()),
            reporter_id: actor.user_id,
            target_type: input.target_type,
            target_id: input.target_id,
            reason: reason.to_owned(),
            details: input.details,
            status: ReportStatus::Open,
            action: None,
            note: None,
            created_at: self.clock.now(),
            resolved_at: None,
            resolved_by: None,
        };
        self.reports.create(report.clone()).await?;
        Ok(report)
    }

    /// Reports with `status` (`open` by default).
    ///
    /// # Errors
    /// `Forbidden` for non-admins, `Validation` for an unknown status.
    pub async fn reports(
        &self,
        actor: &Actor,
        status: Option<&str>,
    ) -> Result<Vec<Report>, AppError> {
        admin_only(actor)?;
        let status = ReportStatus::parse(status.unwrap_or("open"))?;
        Ok(self.reports.list(status, 100).await?)
    }

    /// Resolves an open report with an action.
    ///
    /// # Errors
    /// `Forbidden` for non-admins, `NotFound` / `Conflict` for missing or
    /// already resolved reports.
    pub async fn resolve(
        &self,
        actor: &Actor,
        id: ReportId,
        input: ResolveInput,
    ) -> Result<Report, AppError> {
        admin_only(actor)?;
        if input
            .note
            .as_ref()
            .is_some_and(|n| n.chars().count() > 2000)
        {
            return Err(AppError::validation(
                "note",
                "must be at most 2000 characters",
            ));
        }
        let report = self
            .reports
            .find(id)
            .await?
            .ok_or_else(|| AppError::NotFound("report not found".into()))?;
        if report.status != ReportStatus::Open {
            return Err(AppError::Conflict("the report is already resolved".into()));
        }
        match (input.action, report.target_type) {
            (ReportAction::Dismiss, _) => {}
            (ReportAction::RemoveContent, ReportTarget::Message) => {
                self.remove_message(MessageId(report.target_id)).await?;
            }
            (ReportAction::BanUser, ReportTarget::Message) => {
                if let Some(message) = self
                    .content
                    .messages
                    .find(MessageId(report.target_id))
                    .await?
                {
                    self.ban_user(message.sender_id).await?;
                }
            }
            (_, ReportTarget::User) => self.ban_user(UserId(report.target_id)).await?,
            (ReportAction::RemoveContent, ReportTarget::Story) => {
                self.content
                    .stories
                    .delete(StoryId(report.target_id))
                    .await?;
            }
            (ReportAction::BanUser, ReportTarget::Story) => {
                if let Some(story) = self.content.stories.find(StoryId(report.target_id)).await? {
                    self.ban_user(story.author_id).await?;
                }
            }
        }
        let now = self.clock.now();
        if !self
            .reports
            .resolve(id, input.action, input.note.clone(), actor.user_id, now)
            .await?
        {
            return Err(AppError::Conflict("the report is already resolved".into()));
        }
        Ok(Report {
            status: ReportStatus::Resolved,
            action: Some(input.action),
            note: input.note,
            resolved_at: Some(now),
            resolved_by: Some(actor.user_id),
            ..report
        })
    }

    /// Bans a user: their tokens stop working and their sockets are told and
    /// disconnected at once.
    ///
    /// # Errors
    /// `Forbidden` for non-admins and for banning an admin.
    pub async fn ban(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        admin_only(actor)?;
        self.ban_user(user).await
    }

    /// Accounts whose username starts with `query` (any case; empty for
    /// all), by username, banned ones included and marked (admins).
    ///
    /// # Errors
    /// `Forbidden` for non-admins; `Validation` for a query over 32
    /// characters or a limit outside 1–100.
    pub async fn find_users(
        &self,
        actor: &Actor,
        query: &str,
        limit: Option<i64>,
    ) -> Result<Vec<User>, AppError> {
        admin_only(actor)?;
        if query.chars().count() > 32 {
            return Err(AppError::validation("query", "at most 32 characters"));
        }
        let limit = PageLimit::parse(limit)?;
        Ok(self
            .users
            .search(query.to_ascii_lowercase(), limit.get())
            .await?)
    }

    /// Lifts a ban.
    ///
    /// # Errors
    /// `Forbidden` for non-admins, `NotFound` for unknown users.
    pub async fn unban(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        admin_only(actor)?;
        Ok(self.users.set_banned(user, None).await?)
    }

    /// Puts every dead-lettered event back on the queue (after the cause of
    /// the failures was fixed); returns how many.
    ///
    /// # Errors
    /// `Forbidden` for non-admins, `Unavailable` when the queue is down.
    pub async fn replay_dead_letters(&self, actor: &Actor) -> Result<u64, AppError> {
        admin_only(actor)?;
        Ok(self.queue.replay_dead_letters().await?)
    }

    /// The node's queue, socket and health figures.
    ///
    /// # Errors
    /// `Forbidden` for non-admins.
    pub fn stats(
        &self,
        actor: &Actor,
        connected_sockets: u64,
        database_up: bool,
        degraded_services: u32,
    ) -> Result<AdminStats, AppError> {
        admin_only(actor)?;
        let stats = self.queue.stats();
        let uptime = self.started.elapsed().as_secs_f64().max(1.0);
        let processing_rate = stats
            .processed
            .iter()
            .map(|(lane, n)| (*lane, (*n as f64 / uptime * 100.0).round() / 100.0))
            .collect();
        let queued = stats.depth.values().sum();
        let queue_wait = Priority::ALL
            .into_iter()
            .filter_map(|lane| {
                let wait = stats.wait.get(lane.as_str())?;
                let target_ms = u64::try_from(lane.target().as_millis()).unwrap_or(u64::MAX);
                Some((
                    lane.as_str(),
                    LaneWait {
                        p50_ms: wait.p50_us as f64 / 1000.0,
                        p99_ms: wait.p99_us as f64 / 1000.0,
                        target_ms,
                        within_target: wait.p99_us <= target_ms * 1000,
                        samples: wait.samples,
                    },
                ))
            })
            .collect();
        Ok(AdminStats {
            queue_wait,
            health_score: health_score(database_up, degraded_services, stats.dead_letters, queued),
            queue_depth: stats.depth,
            processed: stats.processed,
            processing_rate,
            dead_letters: stats.dead_letters,
            connected_sockets,
            messages_stored: self.throughput.messages(),
            uptime_seconds: uptime as u64,
        })
    }

    async fn ban_user(&self, user: UserId) -> Result<(), AppError> {
        let target = self
            .users
            .find(user)
            .await?
            .ok_or_else(|| AppError::NotFound("user not found".into()))?;
        if target.role == Role::Admin {
            return Err(AppError::Forbidden("admins cannot be banned".into()));
        }
        let now = self.clock.now();
        self.users.set_banned(user, Some(now)).await?;
        // Every session ends with the ban, so lifting it later lets the user
        // log in again but revives none of the tokens issued before.
        self.sessions.revoke_user(user, now).await?;
        if let Err(e) = self.delivery.revoke_user(user, "banned".into()).await {
            tracing::warn!(error = %e, "could not disconnect a banned user's sockets");
        }
        Ok(())
    }

    async fn remove_message(&self, id: MessageId) -> Result<(), AppError> {
        let Some(message) = self.content.messages.find(id).await? else {
            return Ok(());
        };
        if message.deleted_at.is_some() {
            return Ok(());
        }
        self.content
            .messages
            .tombstone(id, self.clock.now())
            .await?;
        let event = DomainEvent::MessageDeleted {
            message_id: id,
            conversation_id: message.conversation_id,
            seq: message.seq,
        };
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue message:deleted");
        }
        Ok(())
    }
}

fn admin_only(actor: &Actor) -> Result<(), AppError> {
    if actor.role == Role::Admin {
        Ok(())
    } else {
        Err(AppError::Forbidden("admins only".into()))
    }
}

#[cfg(test)]
mod tests;
