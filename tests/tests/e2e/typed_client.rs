//! chatchit-client, the typed Rust client, through the whole server: REST
//! calls and commands by type, server events read back by name, on both
//! transports.

use chatchit_client::protocol::ErrorCode;
use chatchit_client::protocol::auth::Register;
use chatchit_client::protocol::events::{EditMessageEvent, SendMessageEvent, ServerEvent};
use chatchit_client::protocol::messages::{EditMessage, HistoryQuery, SendMessage};
use chatchit_client::{Error, Event, Rest, Socket, Transport};
use chatchit_tests::{PATIENCE, TestServer};

async fn register(rest: &Rest, name: &str) -> chatchit_client::protocol::auth::Session {
    rest.register(&Register {
        username: format!("{name}{}", &uuid::Uuid::now_v7().simple().to_string()[20..]),
        password: "correct horse battery".into(),
        display_name: None,
    })
    .await
    .expect("registered")
}

async fn next_server_event(socket: &mut Socket, name: &str) -> ServerEvent {
    loop {
        match tokio::time::timeout(PATIENCE, socket.next_event()).await {
            Ok(Some(Event::Server { name: n, payload })) if n == name => {
                return ServerEvent::decode(&n, payload)
                    .expect("a protocol event")
                    .expect("its schema");
            }
            Ok(Some(Event::Server { .. })) => continue,
            other => panic!("no {name}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn typed_commands_and_events_over_websocket_and_long_polling() {
    let s = TestServer::start().await;
    let rest = Rest::new(&s.base);
    let ann = register(&rest, "ann").await;
    let bob = register(&rest, "bob").await;
    let (ann_rest, bob_rest) = (
        rest.signed_in(&ann.access_token),
        rest.signed_in(&bob.access_token),
    );
    assert_eq!(ann_rest.me().await.expect("me").id, ann.user.id);
    ann_rest.befriend(bob.user.id).await.expect("asked");
    bob_rest.befriend(ann.user.id).await.expect("accepted");
    let direct = ann_rest.open_direct(bob.user.id).await.expect("direct");

    let ann_socket = Socket::connect(&s.base, &ann.access_token, Transport::Polling)
        .await
        .expect("polling connects");
    let mut bob_socket = Socket::connect(&s.base, &bob.access_token, Transport::WebSocket)
        .await
        .expect("websocket connects");
    let sent = ann_socket
        .send::<SendMessageEvent>(&SendMessage {
            conversation_id: Some(direct.id),
            client_msg_id: "c-1".into(),
            body: "typed hello".into(),
            reply_to_id: None,
            attachments: vec![],
        })
        .await
        .expect("sent");
    assert_eq!(sent.seq, 1);
    let ServerEvent::MessageNew(received) = next_server_event(&mut bob_socket, "message:new").await
    else {
        panic!("message:new decodes as such");
    };
    assert_eq!(received, sent);

    let refused = bob_socket
        .send::<EditMessageEvent>(&EditMessage {
            message_id: sent.id,
            body: "not mine".into(),
        })
        .await;
    assert!(
        matches!(&refused, Err(Error::Api(detail)) if detail.code == ErrorCode::Forbidden),
        "{refused:?}"
    );

    let page = bob_rest
        .history(direct.id, &HistoryQuery::default())
        .await
        .expect("history");
    assert_eq!(page.items, vec![sent]);
    let stranger = Socket::connect(&s.base, "not a token", Transport::WebSocket).await;
    assert!(matches!(stranger, Err(Error::Refused(reason)) if reason == "unauthorized"));
    ann_socket.close().await;
    bob_socket.close().await;
}
