//! Checks of the caseworkers' read marks on postbox messages.

use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::model::{Direction, ReadMark};
use fallwerk_core::ports::{Store, StoreError};
use fallwerk_events::Actor;

use super::ok;
use crate::fixtures::{case, change, message, new_case};

/// A read mark is set once (first reader wins), shows in `messages`, leaves the case version
/// alone, and is refused for a message the case does not have.
pub async fn thread_read_marks<S: Store + 'static>(store: Arc<S>) {
    let a = case("read-a", "OE-A", "sub-read-a");
    let b = case("read-b", "OE-A", "sub-read-b");
    ok(store.create_case(new_case(a.clone())).await, "create a");
    ok(store.create_case(new_case(b.clone())).await, "create b");
    let t = a.created_at;
    let mut reply = message(
        "read-a",
        "read-a-r1",
        t + Duration::hours(1),
        Direction::FromApplicant,
    );
    reply.author = Some(Actor::Applicant);
    let mut ch = change(&a, "Antwort", |_| {});
    ch.messages = vec![reply.clone()];
    ok(store.save_case(ch.clone()).await, "save with reply");

    let stored = ok(store.messages("read-a").await, "messages");
    let got = stored
        .iter()
        .find(|m| m.id == "read-a-r1")
        .expect("reply stored");
    assert_eq!(got, &reply, "author survives, no read mark yet");

    let first = ReadMark {
        by: "sb-mueller".into(),
        at: t + Duration::hours(2),
    };
    let second = ReadMark {
        by: "sb-schulz".into(),
        at: t + Duration::hours(3),
    };
    assert!(ok(
        store.mark_message_read("read-a", "read-a-r1", &first).await,
        "first mark"
    ));
    assert!(
        !ok(
            store
                .mark_message_read("read-a", "read-a-r1", &second)
                .await,
            "second mark"
        ),
        "a second mark must report that the message was read before"
    );
    let stored = ok(store.messages("read-a").await, "messages after marks");
    let got = stored
        .iter()
        .find(|m| m.id == "read-a-r1")
        .expect("reply stored");
    assert_eq!(got.read.as_ref(), Some(&first), "the first reader stays");
    assert_eq!(got.text, reply.text);

    let loaded = ok(store.load_case("read-a").await, "load").expect("case exists");
    assert_eq!(
        loaded.version, ch.case.version,
        "reading is not a case change"
    );

    for (case_id, message_id) in [
        ("read-a", "no-such-message"),
        ("read-b", "read-a-r1"),
        ("no-such-case", "read-a-r1"),
    ] {
        match store.mark_message_read(case_id, message_id, &first).await {
            Err(StoreError::NotFound(_)) => {}
            other => panic!("marking {message_id} of {case_id} must be NotFound, got {other:?}"),
        }
    }
    assert!(
        ok(store.messages("read-b").await, "messages b")
            .iter()
            .all(|m| m.read.is_none())
    );
}
