//! The heartbeat's look at revoked sessions: a revocation whose notice was
//! lost on the bus still ends its sockets within one heartbeat.

use super::{Inner, delivery, rooms};
use std::time::Duration;

/// How far apart two nodes' clocks may be and a revocation still be seen:
/// each look reaches this far back beyond the heartbeat it covers.
const CLOCK_SKEW: Duration = Duration::from_secs(30);

/// Once per heartbeat, asks the store which sessions were revoked lately and
/// ends this node's sockets of any of them. Revocations travel to the nodes
/// as events, which a bus outage can lose; this makes every one reach every
/// node within one heartbeat anyway. Stops with the gateway.
pub(super) async fn enforce(inner: std::sync::Weak<Inner>) {
    let Some(interval) = inner.upgrade().map(|i| i.settings.ping_interval) else {
        return;
    };
    loop {
        tokio::time::sleep(interval).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let Some(app) = inner.app.get() else {
            continue;
        };
        let revoked = match app
            .state
            .auth
            .recent_revocations(interval + CLOCK_SKEW)
            .await
        {
            Ok(revoked) => revoked,
            Err(e) => {
                tracing::warn!(error = %e, "revoked sessions could not be read");
                continue;
            }
        };
        for session in revoked {
            let room = rooms::Room::Session(session);
            if !inner.hub.members(room).is_empty() {
                let _sent = delivery::revoke(&inner, room, "revoked".into()).await;
            }
        }
    }
}
