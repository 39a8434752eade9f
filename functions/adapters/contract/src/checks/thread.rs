//! Checks of the caseworkers' read marks on postbox messages.

use std::sync::Arc;

use chrono::Duration;
use fallwerk_core::model::{Case, Direction, Message, ReadMark};
use fallwerk_core::ports::{Store, StoreError};
use fallwerk_events::Actor;

use super::ok;
use crate::fixtures::{case, change, message, new_case};

/// Creates the cases `{name}-a` and `{name}-b` (OE-A, submissions `sub-{name}-a`/`-b`); returns
/// `{name}-a` and the applicant's reply `{name}-a-r1` to it an hour after its creation (not
/// saved).
async fn create_pair_with_reply<S: Store>(store: &S, name: &str) -> (Case, Message) {
    let a = case(&format!("{name}-a"), "OE-A", &format!("sub-{name}-a"));
    let b = case(&format!("{name}-b"), "OE-A", &format!("sub-{name}-b"));
    ok(store.create_case(new_case(a.clone())).await, "create a");
    ok(store.create_case(new_case(b)).await, "create b");
    let mut reply = message(
        &a.id,
        &format!("{name}-a-r1"),
        a.created_at + Duration::hours(1),
        Direction::FromApplicant,
    );
    reply.author = Some(Actor::Applicant);
    (a, reply)
}

/// The retention purge empties subject and text of every message of the case and drops the
/// caseworker references (author, read mark); other cases stay; repeating it is harmless.
pub async fn messages_redacted<S: Store + 'static>(store: Arc<S>) {
    let (a, mut reply) = create_pair_with_reply(&*store, "red").await;
    let new_b = new_case(case("red-b", "OE-A", "sub-red-b"));
    let t = a.created_at;
    reply.attachments = vec![1];
    let mut letter = message(
        "red-a",
        "red-a-m2",
        t + Duration::hours(2),
        Direction::ToApplicant,
    );
    letter.author = Some(Actor::Caseworker("sb-mueller".into()));
    let mut ch = change(&a, "Antwort", |_| {});
    ch.messages = vec![reply.clone(), letter.clone()];
    ok(store.save_case(ch).await, "save");
    let mark = ReadMark {
        by: "sb-mueller".into(),
        at: t + Duration::hours(3),
    };
    ok(
        store.mark_message_read("red-a", "red-a-r1", &mark).await,
        "mark",
    );
    for round in 0..2 {
        ok(store.redact_messages("red-a").await, "redact");
        let thread = ok(store.messages("red-a").await, "messages");
        assert_eq!(thread.len(), 3, "round {round}");
        for m in &thread {
            assert_eq!((m.subject.as_str(), m.text.as_str()), ("", ""), "{m:?}");
            assert_eq!(m.read, None);
            assert!(!matches!(m.author, Some(Actor::Caseworker(_))), "{m:?}");
        }
        let r = thread.iter().find(|m| m.id == "red-a-r1").expect("reply");
        assert_eq!(r.attachments, vec![1]);
        assert_eq!(r.author, Some(Actor::Applicant));
        assert_eq!(r.direction, Direction::FromApplicant);
    }
    assert_eq!(
        ok(store.messages("red-b").await, "messages b"),
        new_b.messages
    );
    ok(
        store.redact_messages("no-such-case").await,
        "redact unknown",
    );
}

/// A read mark is set once (first reader wins), shows in `messages`, leaves the case version
/// alone, and is refused for a message the case does not have.
pub async fn thread_read_marks<S: Store + 'static>(store: Arc<S>) {
    let (a, reply) = create_pair_with_reply(&*store, "read").await;
    let t = a.created_at;
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
