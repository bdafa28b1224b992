//! Unit tests of `stories`.

use super::*;
use crate::test_support::actor;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::ports::stories::MockStoryStore;
use chatchit_domain::ports::users::MockUserStore;
use chatchit_domain::time::Timestamp;

fn service_at(now_ms: i64, stories: MockStoryStore, friends: bool) -> StoryService {
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .returning(move || Timestamp::from_millis(now_ms));
    let mut social = MockSocialStore::new();
    social
        .expect_are_friends()
        .returning(move |_, _| Ok(friends));
    StoryService::new(
        Arc::new(stories),
        Arc::new(social),
        Arc::new(MockUserStore::new()),
        Arc::new(MockEventQueue::new()),
        Arc::new(clock),
    )
}

fn story(author: UserId, created_ms: i64) -> Story {
    let created = Timestamp::from_millis(created_ms);
    Story {
        id: StoryId::generate(),
        author_id: author,
        body: Some("hi".into()),
        media_url: None,
        media_type: None,
        created_at: created,
        expires_at: created.plus(STORY_LIFETIME),
    }
}

#[tokio::test]
async fn a_story_is_gone_from_reads_once_24_hours_pass() {
    let posted = story(UserId::generate(), 0);
    let id = posted.id;
    let mut stories = MockStoryStore::new();
    stories
        .expect_find()
        .returning(move |_| Ok(Some(posted.clone())));
    stories.expect_stats().returning(|_, _| Ok(HashMap::new()));
    let day_ms = 24 * 3600 * 1000;
    let before = service_at(day_ms - 1, stories, true);
    assert!(before.get(&actor(), id).await.is_ok());

    let posted = story(UserId::generate(), 0);
    let mut stories = MockStoryStore::new();
    stories
        .expect_find()
        .returning(move |_| Ok(Some(posted.clone())));
    let after = service_at(day_ms, stories, true);
    assert_eq!(
        after.get(&actor(), id).await.expect_err("expired").code(),
        "not_found"
    );
}

#[tokio::test]
async fn strangers_may_not_see_a_story() {
    let posted = story(UserId::generate(), 0);
    let id = posted.id;
    let mut stories = MockStoryStore::new();
    stories
        .expect_find()
        .returning(move |_| Ok(Some(posted.clone())));
    let s = service_at(1, stories, false);
    assert_eq!(
        s.get(&actor(), id).await.expect_err("refused").code(),
        "forbidden"
    );
}

#[tokio::test]
async fn an_empty_story_is_refused() {
    let s = service_at(1, MockStoryStore::new(), true);
    let input = PostStoryInput {
        body: Some("   ".into()),
        media_url: None,
        media_type: None,
    };
    assert_eq!(
        s.post(&actor(), input).await.expect_err("refused").code(),
        "validation"
    );
}
