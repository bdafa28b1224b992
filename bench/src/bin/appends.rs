//! `chatchit-bench-appends`: what the embedded store's message writer costs
//! per append, apart from the server around it. It stores messages through
//! the real SQLite store (the writer thread, its statements, its group
//! commits with an fsync each) in the chat scenario's shape: users in groups,
//! each round `--in-flight` appends from random members at once, so that
//! the writer commits them together as it does under load.
//!
//! It prints the writer thread's CPU per append and the process's. For a
//! count that a noisy machine cannot move, run it under callgrind twice and
//! take the difference: `--messages 0` is everything but the appends.
//!
//! ```text
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null \
//!     target/release/chatchit-bench-appends --messages 16000
//! ```

use anyhow::Context;
use chatchit_domain::conversation::{Conversation, ConversationKind, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::NewMessage;
use chatchit_domain::ports::{ConversationStore, MessageStore, UserStore};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::{ClientMsgId, MessageBody};
use chatchit_sql::{SqlConversationStore, SqlDatabase, SqlMessageStore, SqlUserStore};
use clap::Parser;
use std::sync::Arc;

#[path = "../server.rs"]
mod server;

/// Command line.
#[derive(Parser)]
#[command(about = "CPU per append of the embedded store's message writer")]
struct Cli {
    /// Messages to append.
    #[arg(long, default_value_t = 40_000)]
    messages: usize,
    /// Users, in groups of `group_size`.
    #[arg(long, default_value_t = 1000)]
    users: usize,
    /// Members per group.
    #[arg(long, default_value_t = 5)]
    group_size: usize,
    /// Appends sent at once each round: one commit's worth, as the server
    /// gathers them at 4,000 msg/s (its `chatchit_append_batch_size`
    /// averaged 12.5 in that run).
    #[arg(long, default_value_t = 12)]
    in_flight: usize,
}

/// A small, fixed pseudo-random sequence (xorshift), so that every run
/// appends the same messages in the same conversations.
struct Sequence(u64);

impl Sequence {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        usize::try_from(self.0 % n.max(1) as u64).unwrap_or(0)
    }
}

/// The writer thread's name as `/proc` shows it (15 characters, digits
/// dropped as [`server::Usage::threads_since`] drops them).
const WRITER: &str = "chatchit-append";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let dir = tempfile::tempdir()?;
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("appends.db").display()
    );
    let db = SqlDatabase::connect(&url, 2).await?;
    chatchit_migrations::apply(db.connection()).await?;
    let users = SqlUserStore::new(db.clone());
    let conversations = SqlConversationStore::new(db.clone());
    let messages = Arc::new(SqlMessageStore::new(db.clone()));

    let at = Timestamp::from_millis(1_795_787_230_123);
    let mut ids = Vec::with_capacity(cli.users);
    for n in 0..cli.users {
        let user = User {
            id: UserId::generate(),
            username: format!("u{n}"),
            display_name: format!("u{n}"),
            avatar_url: None,
            role: Role::User,
            created_at: at,
            banned: false,
        };
        ids.push(user.id);
        users.create(user, "hash".into()).await?;
    }
    let mut groups: Vec<(ConversationId, Vec<UserId>)> = Vec::new();
    for members in ids.chunks(cli.group_size.max(2)) {
        let ids = members.to_vec();
        let group = Conversation {
            id: ConversationId::generate(),
            kind: ConversationKind::Group,
            title: Some("g".into()),
            avatar_url: None,
            created_at: at,
        };
        let id = group.id;
        let members = members
            .iter()
            .map(|&user_id| Member {
                user_id,
                role: MemberRole::Member,
                joined_at: at,
                last_read_seq: 0,
                last_read_message_id: None,
            })
            .collect();
        conversations.create_group(group, members).await?;
        groups.push((id, ids));
    }

    let mut sequence = Sequence(0x9e37_79b9_7f4a_7c15);
    let before = server::usage(std::process::id()).context("/proc/self")?;
    let mut sent = 0;
    while sent < cli.messages {
        let round = cli.in_flight.min(cli.messages - sent).max(1);
        let mut appends = Vec::with_capacity(round);
        for _ in 0..round {
            let (conversation, members) = &groups[sequence.below(groups.len())];
            let sender = members[sequence.below(members.len())];
            let message = NewMessage {
                id: MessageId::generate(),
                conversation_id: *conversation,
                sender_id: sender,
                client_msg_id: ClientMsgId::parse(&format!("m{sent}")).context("key")?,
                body: MessageBody::parse("hello there, a message of an ordinary length")
                    .context("body")?,
                reply_to_id: None,
                attachments: Vec::new(),
                created_at: at,
            };
            sent += 1;
            let messages = Arc::clone(&messages);
            appends.push(tokio::spawn(async move { messages.append(message).await }));
        }
        for append in appends {
            append.await??;
        }
    }
    let after = server::usage(std::process::id()).context("/proc/self")?;
    let n = sent.max(1) as f64;
    let per = |(user, system): (u64, u64)| serde_json::json!({"user": user as f64 / n, "system": system as f64 / n});
    let writer = after.threads_since(&before).get(WRITER).copied();
    println!(
        "{}",
        serde_json::json!({
            "messages": sent,
            "in_flight": cli.in_flight,
            "writer_cpu_us_per_append": writer.map(per),
            "process_cpu_us_per_append": per(after.cpu_since(&before)),
            "process_rss_kib": after.rss_kib,
        })
    );
    db.close().await;
    Ok(())
}
