//! `chatchit seed`: demo data for local development — four users who are
//! friends, a direct conversation and a group with history and reactions,
//! and stories — made through the use cases, against the configured
//! database. Running it again changes nothing: every step finds what an
//! earlier run made (accounts by name, sends by their `clientMsgId`, the
//! group by its title, stories by their text).

use crate::{ChatChit, Config, Services};
use anyhow::Context;
use chatchit_application::auth::{LoginInput, RegisterInput};
use chatchit_application::conversations::{CreateDirectInput, CreateGroupInput};
use chatchit_application::friends::FriendRequestInput;
use chatchit_application::messages::{ReactInput, SendMessageInput};
use chatchit_application::stories::PostStoryInput;
use chatchit_application::{Actor, AppError};
use chatchit_domain::conversation::ConversationKind;
use chatchit_domain::ids::{ConversationId, UserId};

/// The password of every demo user.
pub const PASSWORD: &str = "chatchit-demo";

/// The demo users: login name and display name.
pub const USERS: [(&str, &str); 4] = [
    ("ann", "Ann Archer"),
    ("bob", "Bob Baker"),
    ("cat", "Cat Carter"),
    ("dan", "Dan Dyer"),
];

/// The group's title.
const GROUP: &str = "Weekend trip";

/// Who says what in the direct conversation of ann and bob (0 = ann).
const DIRECT: [(usize, &str); 5] = [
    (0, "Hi Bob! Are you coming on Saturday?"),
    (1, "Hi Ann, yes! What time do we leave?"),
    (0, "8 o'clock at the station."),
    (1, "Early, but fine. I'll bring coffee."),
    (0, "Perfect, see you there."),
];

/// Who says what in the group (index into [`USERS`]).
const CHAT: [(usize, &str); 6] = [
    (0, "Welcome to the trip group, everyone!"),
    (2, "Thanks Ann. Is the weather going to hold?"),
    (1, "The forecast says sun all weekend."),
    (3, "I booked the cabin for two nights."),
    (0, "Great work, Dan. Let's meet at the station at 8."),
    (2, "I'll bring the map."),
];

/// What [`seed`] made (or found).
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The demo users' ids, in the order of [`USERS`].
    pub users: Vec<UserId>,
    /// The direct conversation of ann and bob.
    pub direct: ConversationId,
    /// The group.
    pub group: ConversationId,
}

/// Makes the demo data, or finds it.
///
/// # Errors
/// When the database is unusable or a use case refuses (a demo name taken
/// with another password, say).
pub async fn seed(config: &Config) -> anyhow::Result<Seeded> {
    let chat = ChatChit::builder(config.clone()).build().await?;
    let seeded = seed_with(chat.services()).await;
    chat.shutdown().await;
    seeded
}

/// [`seed`] over running use cases.
///
/// # Errors
/// As [`seed`].
pub async fn seed_with(services: &Services) -> anyhow::Result<Seeded> {
    let mut actors = Vec::new();
    for (name, display) in USERS {
        actors.push(
            account(services, name, display)
                .await
                .with_context(|| format!("the demo user {name}"))?,
        );
    }
    for (a, b) in [(0, 1), (0, 2), (0, 3), (1, 2), (2, 3)] {
        befriend(services, &actors[a], &actors[b]).await?;
    }
    let direct = services
        .conversations
        .open_direct(
            &actors[0],
            CreateDirectInput {
                user_id: actors[1].user_id,
            },
        )
        .await?
        .id;
    for (n, (who, text)) in DIRECT.iter().enumerate() {
        say(
            services,
            &actors[*who],
            direct,
            &format!("seed-direct-{n}"),
            text,
        )
        .await?;
    }
    let group = group(services, &actors).await?;
    let mut first = None;
    for (n, (who, text)) in CHAT.iter().enumerate() {
        let message = say(
            services,
            &actors[*who],
            group,
            &format!("seed-group-{n}"),
            text,
        )
        .await?;
        first.get_or_insert(message);
    }
    if let Some(first) = first {
        for (who, emoji) in [(1, "👍"), (2, "🎉"), (3, "👍")] {
            services
                .messages
                .react(
                    &actors[who],
                    ReactInput {
                        message_id: first,
                        emoji: emoji.into(),
                        on: true,
                    },
                )
                .await?;
        }
    }
    for (who, text) in [
        (0, "Sunrise at the lake this morning."),
        (1, "New bike, who wants to ride?"),
    ] {
        story(
            services,
            &actors[who],
            &actors[(who + 2) % actors.len()],
            text,
        )
        .await?;
    }
    Ok(Seeded {
        users: actors.iter().map(|a| a.user_id).collect(),
        direct,
        group,
    })
}

/// Registers `name`, or signs in as it when it exists.
async fn account(services: &Services, name: &str, display: &str) -> Result<Actor, AppError> {
    let session = match services
        .auth
        .register(RegisterInput {
            username: name.into(),
            password: PASSWORD.into(),
            display_name: Some(display.into()),
        })
        .await
    {
        Ok(session) => session,
        Err(AppError::Conflict(_)) => {
            services
                .auth
                .login(LoginInput {
                    username: name.into(),
                    password: PASSWORD.into(),
                })
                .await?
        }
        Err(e) => return Err(e),
    };
    services.identity.authenticate(&session.access_token).await
}

/// Makes `a` and `b` friends unless they are.
async fn befriend(services: &Services, a: &Actor, b: &Actor) -> Result<(), AppError> {
    for (from, to) in [(a, b), (b, a)] {
        match services
            .friends
            .request(
                from,
                FriendRequestInput {
                    user_id: to.user_id,
                },
            )
            .await
        {
            Ok(_) | Err(AppError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The group of everyone, owned by the first user: found by its title, or
/// made.
async fn group(services: &Services, actors: &[Actor]) -> Result<ConversationId, AppError> {
    let owner = &actors[0];
    let mine = services.conversations.list(owner, None, Some(100)).await?;
    if let Some(found) = mine
        .items
        .iter()
        .find(|c| c.kind == ConversationKind::Group && c.title.as_deref() == Some(GROUP))
    {
        return Ok(found.id);
    }
    let created = services
        .conversations
        .create_group(
            owner,
            CreateGroupInput {
                title: GROUP.into(),
                member_ids: actors[1..].iter().map(|a| a.user_id).collect(),
            },
        )
        .await?;
    Ok(created.id)
}

/// Sends `text` (once: a second run is answered with the stored message).
async fn say(
    services: &Services,
    who: &Actor,
    conversation: ConversationId,
    key: &str,
    text: &str,
) -> Result<chatchit_domain::ids::MessageId, AppError> {
    let message = services
        .messages
        .send(
            who,
            SendMessageInput {
                conversation_id: Some(conversation),
                client_msg_id: key.into(),
                body: text.into(),
                reply_to_id: None,
                attachments: Vec::new(),
            },
            None,
        )
        .await?;
    Ok(message.id)
}

/// Posts a story by `author` unless a friend already sees one with `text`.
async fn story(
    services: &Services,
    author: &Actor,
    friend: &Actor,
    text: &str,
) -> Result<(), AppError> {
    let feed = services.stories.feed(friend).await?;
    let posted = feed.iter().any(|entry| {
        entry.author.id == author.user_id
            && entry
                .stories
                .iter()
                .any(|s| s.body.as_deref() == Some(text))
    });
    if !posted {
        services
            .stories
            .post(
                author,
                PostStoryInput {
                    body: Some(text.into()),
                    media_url: None,
                    media_type: None,
                },
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_application::messages::HistoryAnchor;

    #[tokio::test]
    async fn a_second_run_finds_everything_the_first_made() {
        let dir = tempfile::tempdir().expect("dir");
        let config = Config {
            data_dir: dir.path().to_path_buf(),
            bcrypt_cost: 4,
            log: "error".into(),
            ..Config::default()
        };
        let chat = ChatChit::builder(config).build().await.expect("built");
        let first = seed_with(chat.services()).await.expect("seeded");
        let again = seed_with(chat.services()).await.expect("seeded again");
        assert_eq!(first.users, again.users);
        assert_eq!((first.direct, first.group), (again.direct, again.group));
        let services = chat.services();
        let bob = account(services, "bob", "Bob Baker").await.expect("bob");
        let history = services
            .messages
            .history(&bob, first.group, HistoryAnchor::Latest, Some(100))
            .await
            .expect("history");
        assert_eq!(history.items.len(), CHAT.len());
        let oldest = history.items.last().expect("a first message");
        let reactions = services
            .messages
            .react(
                &bob,
                ReactInput {
                    message_id: oldest.id,
                    emoji: "👍".into(),
                    on: true,
                },
            )
            .await
            .expect("react");
        assert_eq!(reactions.reactions.get("👍"), Some(&2));
        let feed = services.stories.feed(&bob).await.expect("feed");
        let stories: usize = feed.iter().map(|e| e.stories.len()).sum();
        assert_eq!(
            stories, 1,
            "ann's story, once (bob's own is not in his feed)"
        );
        let conversations = services
            .conversations
            .list(&bob, None, None)
            .await
            .expect("list");
        assert_eq!(conversations.items.len(), 2);
        chat.shutdown().await;
    }
}
