"""Streams and feeds under user-defined roles, through the ``fauna`` driver (issue 11 part 5).

An event source made with a ``Role``'s key, or with a user's token, yields only the events of
documents that role's ``read`` privilege grants: each version is judged with the role's
predicate, an unreadable one counts as outside the set. A role without ``read`` on the
collection cannot make a source; deleting the Role or the token ends the stream with
``permission_loss``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from fauna import fql
from fauna.client import Client, FeedOptions
from fauna.errors import FaunaException, QueryRuntimeError

from .stream_consumer import StreamConsumer

DENIED = "Insufficient privileges to perform the action."

SCHEMA = [
    'Collection.create({ name: "Post" })',
    'Collection.create({ name: "Secret" })',
    'Collection.create({ name: "User" })',
    'Collection.create({ name: "Note" })',
    """Role.create({
      name: "reader",
      privileges: { resource: "Post", actions: { read: "post => post.public == true" } }
    })""",
    """Role.create({
      name: "user",
      membership: { resource: "User" },
      privileges: [
        { resource: "Note", actions: { read: "note => note.owner == Query.identity()" } },
        { resource: "User", actions: { read: true } }
      ]
    })""",
]


@pytest.fixture
def admin(db: Client) -> Client:
    for statement in SCHEMA:
        db.query(fql(statement))
    return db


@pytest.fixture
def reader(admin: Client, connect: Callable[[str], Client]) -> Client:
    secret = admin.query(fql('Key.create({ role: "reader" }).secret')).data
    return connect(secret)


def _post(admin: Client, title: str, public: bool) -> Any:
    return admin.query(fql("Post.create(${d})", d={"title": title, "public": public})).data


def _titles(events: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(event["type"], event["data"]["title"]) for event in events]


def test_a_role_stream_yields_only_the_documents_its_predicate_reads(
    admin: Client, reader: Client
) -> None:
    source = reader.query(fql("Post.all().eventSource()")).data
    with StreamConsumer(reader, source) as consumer:
        _post(admin, "hidden", False)
        shown = _post(admin, "shown", True)
        hidden = _post(admin, "hidden later", False)
        # Becoming readable is an add; becoming unreadable a remove with the last readable data.
        admin.query(fql("Post.byId(${id})!.update({ public: true })", id=hidden.id))
        admin.query(fql("Post.byId(${id})!.update({ public: false })", id=shown.id))
        admin.query(fql("Post.byId(${id})!.delete()", id=shown.id))  # unreadable: no event
        admin.query(fql("Post.byId(${id})!.delete()", id=hidden.id))
        _post(admin, "last", True)
        events = consumer.wait_for(5)
    assert _titles(events) == [
        ("add", "shown"),
        ("add", "hidden later"),
        ("remove", "shown"),
        ("remove", "hidden later"),
        ("add", "last"),
    ]
    assert events[3]["data"]["public"] is True


def test_a_where_source_under_a_role_sees_readable_documents_only(
    admin: Client, reader: Client
) -> None:
    source = reader.query(fql('Post.where(.title != "skip").eventSource()')).data
    with StreamConsumer(reader, source) as consumer:
        _post(admin, "skip", True)
        _post(admin, "private", False)
        _post(admin, "kept", True)
        events = consumer.wait_for(1)
        admin.query(fql('Post.create({ title: "end", public: true })'))
        events = consumer.wait_for(2)
    assert _titles(events) == [("add", "kept"), ("add", "end")]


def test_a_role_feed_yields_only_the_readable_documents(admin: Client, reader: Client) -> None:
    source = reader.query(fql("Post.all().eventSource()")).data
    for number in range(6):
        _post(admin, f"post {number}", number % 2 == 0)
    pages = list(reader.feed(source, FeedOptions(page_size=2)))
    events = [event for page in pages for event in page]
    assert _titles(events) == [("add", "post 0"), ("add", "post 2"), ("add", "post 4")]


def test_a_changes_on_source_under_a_role(admin: Client, reader: Client) -> None:
    source = reader.query(fql("Post.all().changesOn(.title)")).data
    doc = _post(admin, "first", True)
    admin.query(fql('Post.byId(${id})!.update({ title: "renamed" })', id=doc.id))
    admin.query(fql("Post.byId(${id})!.update({ other: 1 })", id=doc.id))
    events = [event for page in reader.feed(source) for event in page]
    assert _titles(events) == [("add", "first"), ("update", "renamed")]


def test_a_role_without_read_cannot_make_or_open_a_source(admin: Client, reader: Client) -> None:
    for query in ("Secret.all().eventSource()", "Secret.all().changesOn(.x)"):
        with pytest.raises(QueryRuntimeError) as raised:
            reader.query(fql(query))
        assert raised.value.code == "permission_denied"
        assert raised.value.message == DENIED
    made_by_admin = admin.query(fql("Secret.all().eventSource()")).data
    with pytest.raises(FaunaException) as refused:
        list(reader.feed(made_by_admin))
    assert DENIED in str(refused.value)
    with StreamConsumer(reader, made_by_admin) as consumer:
        error = consumer.wait_for_error()
    assert DENIED in str(error)


def test_built_in_roles_still_see_every_document(admin: Client, reader: Client) -> None:
    source = admin.query(fql("Post.all().eventSource()")).data
    _post(admin, "private", False)
    events = [event for page in admin.feed(source) for event in page]
    assert _titles(events) == [("add", "private")]


def test_deleting_the_role_ends_its_streams(admin: Client, reader: Client) -> None:
    source = reader.query(fql("Post.all().eventSource()")).data
    with StreamConsumer(reader, source) as consumer:
        _post(admin, "seen", True)
        consumer.wait_for(1)
        admin.query(fql('Role.byName("reader")!.delete()'))
        error = consumer.wait_for_error()
    assert "permission_loss" in str(error)
    assert "Stream authentication is no longer valid." in str(error)


@pytest.mark.parametrize(
    "privileges",
    [
        # Still reading every post: any change to the role ends its streams (FaunaDB's
        # ``Auth.revalidate`` compares the roles as they were when the stream started).
        '{ resource: "Post", actions: { read: true } }',
        '{ resource: "Secret", actions: { read: true } }',
    ],
)
def test_updating_the_role_ends_its_streams(admin: Client, reader: Client, privileges: str) -> None:
    source = reader.query(fql("Post.all().eventSource()")).data
    with StreamConsumer(reader, source) as consumer:
        _post(admin, "seen", True)
        consumer.wait_for(1)
        admin.query(fql(f'Role.byName("reader")!.update({{ privileges: {privileges} }})'))
        error = consumer.wait_for_error()
    assert "permission_loss" in str(error)


def test_a_feed_reads_with_the_role_as_it_is_now(admin: Client, reader: Client) -> None:
    source = reader.query(fql("Post.all().eventSource()")).data
    _post(admin, "private", False)
    assert [event for page in reader.feed(source) for event in page] == []
    admin.query(
        fql(
            'Role.byName("reader")!.update({ privileges: { resource: "Post", actions: { read: true } } })'
        )
    )
    events = [event for page in reader.feed(source) for event in page]
    assert _titles(events) == [("add", "private")]


def _user_token(admin: Client, ttl_seconds: int | None = None) -> tuple[Any, str]:
    user = admin.query(fql("User.create({ name: 'ann' })")).data
    ttl = (
        fql("null")
        if ttl_seconds is None
        else fql('Time.now().add(${s}, "seconds")', s=ttl_seconds)
    )
    secret = admin.query(
        fql(
            "Token.create({ document: User.byId(${id})!, ttl: ${ttl} }).secret", id=user.id, ttl=ttl
        )
    ).data
    return user, secret


def test_a_token_stream_sees_its_own_documents(
    admin: Client, connect: Callable[[str], Client]
) -> None:
    user, secret = _user_token(admin)
    other = admin.query(fql("User.create({ name: 'bob' })")).data
    as_user = connect(secret)
    source = as_user.query(fql("Note.all().eventSource()")).data
    with StreamConsumer(as_user, source) as consumer:
        for owner, title in ((other, "bob's"), (user, "ann's"), (other, "bob's too")):
            admin.query(
                fql("Note.create({ owner: User.byId(${id})!, title: ${t} })", id=owner.id, t=title)
            )
        admin.query(fql('Note.create({ title: "no owner" })'))
        admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'again' })", id=user.id))
        events = consumer.wait_for(2)
    assert _titles(events) == [("add", "ann's"), ("add", "again")]
    feed = [event for page in as_user.feed(source) for event in page]
    assert _titles(feed) == [("add", "ann's"), ("add", "again")]


def test_a_deleted_token_ends_its_stream(admin: Client, connect: Callable[[str], Client]) -> None:
    user, secret = _user_token(admin)
    as_user = connect(secret)
    source = as_user.query(fql("Note.all().eventSource()")).data
    with StreamConsumer(as_user, source) as consumer:
        admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'mine' })", id=user.id))
        consumer.wait_for(1)
        admin.query(fql("Token.byDocument(User.byId(${id})!).forEach(.delete())", id=user.id))
        error = consumer.wait_for_error()
    assert "permission_loss" in str(error)
    with pytest.raises(FaunaException):
        list(as_user.feed(source))


def test_an_expired_token_ends_its_stream(admin: Client, connect: Callable[[str], Client]) -> None:
    user, secret = _user_token(admin, ttl_seconds=2)
    as_user = connect(secret)
    source = as_user.query(fql("Note.all().eventSource()")).data
    with StreamConsumer(as_user, source) as consumer:
        admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'mine' })", id=user.id))
        consumer.wait_for(1)
        time.sleep(2.2)
        # Authentication is checked again before each batch of events: the next one ends it.
        admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'late' })", id=user.id))
        error = consumer.wait_for_error()
    assert "permission_loss" in str(error)
    assert len(consumer.events) == 1


def test_an_index_source_under_a_role(admin: Client, reader: Client) -> None:
    admin.query(
        fql(
            'Collection.byName("Post")!.update({ indexes: '
            '{ byTopic: { terms: [{ field: ".topic" }] } } })'
        )
    )
    source = reader.query(fql('Post.byTopic("cats").eventSource()')).data
    for title, topic, public in (
        ("dogs", "dogs", True),
        ("secret cats", "cats", False),
        ("cats", "cats", True),
    ):
        admin.query(fql("Post.create(${d})", d={"title": title, "topic": topic, "public": public}))
    events = [event for page in reader.feed(source) for event in page]
    assert _titles(events) == [("add", "cats")]


def test_a_single_document_source_under_a_role(admin: Client, reader: Client) -> None:
    doc = _post(admin, "one", True)
    source = reader.query(fql("Set.single(Post.byId(${id})!).eventSource()", id=doc.id)).data
    admin.query(fql("Post.byId(${id})!.update({ public: false, title: 'gone' })", id=doc.id))
    admin.query(fql("Post.byId(${id})!.update({ title: 'still hidden' })", id=doc.id))
    admin.query(fql("Post.byId(${id})!.update({ public: true, title: 'back' })", id=doc.id))
    events = [event for page in reader.feed(source) for event in page]
    assert _titles(events) == [("remove", "one"), ("add", "back")]


def test_a_role_reads_references_in_its_events_at_the_events_instant(
    admin: Client, connect: Callable[[str], Client]
) -> None:
    # The role holds ``read`` on User but no ``history_read``: an event's document and what it
    # leads to are read at the event's instant, not as a read of the past.
    user, secret = _user_token(admin)
    as_user = connect(secret)
    source = as_user.query(fql("Note.all().map(note => note.owner.name).eventSource()")).data
    admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'mine' })", id=user.id))
    admin.query(fql("User.byId(${id})!.update({ name: 'ann b' })", id=user.id))
    admin.query(fql("Note.create({ owner: User.byId(${id})!, title: 'later' })", id=user.id))
    events = [event for page in as_user.feed(source) for event in page]
    assert [event["data"] for event in events] == ["ann", "ann b"]
