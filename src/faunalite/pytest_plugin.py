"""pytest fixtures for code that talks to Fauna, installed with the package (``pytest11``).

    def test_signup(fauna_client):
        fauna_client.query(fql("Collection.create({ name: 'User' })"))

- ``faunalite_server`` (session): a faunalite on a free loopback port, started once per test
  process (each pytest-xdist worker gets its own); or, with ``--fauna-endpoint`` /
  ``FAUNA_ENDPOINT``, that server instead (``--fauna-secret`` / ``FAUNA_SECRET``, an admin key).
- ``fauna_database``: a fresh child database for one test, deleted afterwards; its
  ``client()`` / ``async_client()`` take a role, and ``seed()`` loads documents.
- ``fauna_client`` / ``fauna_async_client``: an admin ``Client`` / ``AsyncClient`` on that
  database (the async one needs pytest-asyncio).
- ``fauna_database_factory``: makes more databases in one test, all deleted afterwards.

Schema: ``--fauna-schema DIR``, or ``@pytest.mark.fauna_schema("DIR")`` on a test (the marker
wins), pushes every ``.fsl`` file under DIR into each test database through FaunaDB's
``/schema/1/update``, so it works against a real FaunaDB too; ``load_schema(DIR)`` does it by hand.

A test that fails with a FaunaDB error gets a "FaunaDB error" report section: code, message
and FaunaDB's summary of where the query went wrong.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pytest

if TYPE_CHECKING:
    import httpx

    from fauna.cli.connection import WireSession
    from fauna.client import AsyncClient, Client

ENDPOINT_OPTION = "--fauna-endpoint"
SECRET_OPTION = "--fauna-secret"
SCHEMA_OPTION = "--fauna-schema"
SCHEMA_MARKER = "fauna_schema"


class FaunaServer(Protocol):
    """What the fixtures need of a server: where it is and an admin secret for it."""

    @property
    def endpoint(self) -> str: ...

    @property
    def secret(self) -> str: ...


@dataclass(frozen=True)
class RemoteServer:
    """A FaunaDB (or faunalite) the tests did not start."""

    endpoint: str
    secret: str


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fauna", "Fauna test databases")
    group.addoption(
        ENDPOINT_OPTION,
        metavar="URL",
        help="run Fauna tests against this server instead of an in-process faunalite "
        "(default: $FAUNA_ENDPOINT)",
    )
    group.addoption(
        SECRET_OPTION,
        metavar="SECRET",
        help="an admin secret for that server (default: $FAUNA_SECRET)",
    )
    group.addoption(
        SCHEMA_OPTION,
        metavar="DIR",
        help="push the .fsl files under DIR into every test database "
        "(a test's @pytest.mark.fauna_schema(DIR) overrides it)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SCHEMA_MARKER}(directory): push the .fsl files under directory into the test's "
        "Fauna database before it runs",
    )


def _describe(error: BaseException) -> str | None:
    """FaunaDB's account of the first FaunaDB error in ``error``'s chain, if there is one."""
    from fauna.cli.connection import QueryFailed
    from fauna.errors import ServiceError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ServiceError):
            lines = [
                f"code: {current.code} (HTTP {current.status_code})",
                f"message: {current.message}",
            ]
            if current.constraint_failures:
                lines.append(f"constraint failures: {current.constraint_failures}")
            if current.summary:
                lines += ["summary:", current.summary]
            return "\n".join(lines)
        if isinstance(current, QueryFailed):
            # From the fixtures' own queries (seeding, making databases).
            return current.render()
        current = current.__cause__ or current.__context__
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None:
        described = _describe(call.excinfo.value)
        if described is not None:
            report.sections.append(("FaunaDB error", described))
    return report


# -- the server ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def faunalite_server(request: pytest.FixtureRequest) -> Iterator[FaunaServer]:
    """The server every Fauna fixture uses, for the whole session."""
    endpoint = request.config.getoption(ENDPOINT_OPTION) or os.environ.get("FAUNA_ENDPOINT")
    if endpoint:
        secret = request.config.getoption(SECRET_OPTION) or os.environ.get("FAUNA_SECRET")
        if not secret:
            raise pytest.UsageError(
                f"{ENDPOINT_OPTION} / FAUNA_ENDPOINT is set ({endpoint}) but no admin secret: "
                f"pass {SECRET_OPTION} or set FAUNA_SECRET"
            )
        yield RemoteServer(endpoint, secret)
        return
    try:
        import hypercorn  # noqa: F401
    except ImportError:
        raise pytest.UsageError(
            "faunalite_server needs faunalite's server (pip install 'fauna[local]'), "
            f"or a server to use: {ENDPOINT_OPTION} / FAUNA_ENDPOINT"
        )
    from faunalite.testing import serve_in_background

    with serve_in_background(secret="secret") as server:
        yield server


# -- databases -----------------------------------------------------------------------------------


def _new_database_name(prefix: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"{prefix}_{worker}_{uuid.uuid4().hex[:12]}"


@dataclass
class FaunaTestDatabase:
    """A child database made for one test: its name, endpoint and scoped secrets."""

    name: str
    endpoint: str
    parent_secret: str
    http: httpx.Client | None = field(default=None, repr=False)
    """A connection pool the sync clients share (building one per client costs ~20 ms)."""
    _clients: list[Any] = field(default_factory=list, repr=False)

    @property
    def secret(self) -> str:
        """An admin secret for this database."""
        return self.secret_for("admin")

    def secret_for(self, role: str) -> str:
        """A secret for this database with ``role``: a built-in role (``server``,
        ``client``, ...) or the name of a role defined in the database."""
        from fauna.cli.connection import scoped_secret

        return scoped_secret(self.parent_secret, self.name, role)

    def client(self, role: str = "admin", **options: Any) -> Client:
        """A ``Client`` on this database with ``role``; closed when the test ends."""
        from fauna.client import Client

        if self.http is not None and not {"http_client", "transport"} & set(options):
            options["http_client"] = self.http
        client = Client(endpoint=self.endpoint, secret=self.secret_for(role), **options)
        self._clients.append(client)
        return client

    def async_client(self, role: str = "admin", **options: Any) -> AsyncClient:
        """An ``AsyncClient`` on this database; close it in the test's event loop."""
        from fauna.client import AsyncClient

        return AsyncClient(endpoint=self.endpoint, secret=self.secret_for(role), **options)

    def seed(self, source: str | os.PathLike[str] | Mapping[str, list[dict[str, Any]]]) -> int:
        """Load documents; returns how many. ``source`` is a ``fauna export`` directory, a
        JSON file of ``{"Collection": [document, ...]}`` or such a mapping. Collections that
        do not exist are created; documents may give their ``id``; values in the JSON file use
        the tagged format where plain JSON is not enough (``{"@time": "..."}``)."""
        from fauna.cli.connection import WireSession
        from fauna.cli.transfer import import_database

        with WireSession(self.endpoint, self.secret, http=self.http) as session:
            if not isinstance(source, Mapping) and Path(source).is_dir():
                return sum(import_database(session, Path(source)).values())
            documents = source if isinstance(source, Mapping) else _read_seed_file(Path(source))
            return _seed_documents(session, documents)

    def load_schema(self, directory: str | os.PathLike[str]) -> int:
        """Push every ``.fsl`` file under ``directory`` into this database (FaunaDB's
        ``/schema/1/update``, applied at once); returns how many files were pushed."""
        import httpx

        from fauna.cli.schema import SchemaApi, gather_fsl

        files = gather_fsl(Path(directory))
        if self.http is None:
            with httpx.Client(timeout=httpx.Timeout(130.0)) as http:
                SchemaApi(self.endpoint, self.secret, http).update(files, force=True)
        else:
            SchemaApi(self.endpoint, self.secret, self.http).update(files, force=True)
        return len(files)

    def close_clients(self) -> None:
        for client in self._clients:
            client.close()
        self._clients.clear()


def _read_seed_file(path: Path) -> Mapping[str, list[dict[str, Any]]]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read seed file {path}: {error}") from error
    if not isinstance(loaded, dict) or not all(isinstance(v, list) for v in loaded.values()):
        raise ValueError(f"{path}: expected an object of collection name → list of documents")
    return loaded


def _seed_documents(session: WireSession, documents: Mapping[str, list[dict[str, Any]]]) -> int:
    from fauna.encoding import FaunaDecoder, FaunaEncoder

    for name in documents:
        session.query(
            "if (Collection.byName(name) == null) Collection.create({ name: name })\nnull",
            {"name": name},
        )
    count = 0
    for name, docs in documents.items():
        # Plain JSON gets the driver's tags; values already tagged ({"@date": ...}) are
        # decoded first, so both spellings work.
        tagged = [FaunaEncoder.encode(FaunaDecoder.decode(doc)) for doc in docs]
        session.query(
            "let c = Collection(name)\ndocs.forEach(d => { c.create(d); null })",
            {"name": name, "docs": tagged},
        )
        count += len(docs)
    return count


DatabaseFactory = Callable[..., FaunaTestDatabase]


@pytest.fixture(scope="session")
def _fauna_http_pool() -> Iterator[httpx.Client]:
    """One connection pool for the session's sync clients and database management."""
    import httpx

    with httpx.Client(timeout=httpx.Timeout(130.0)) as pool:
        yield pool


@pytest.fixture
def fauna_database_factory(
    faunalite_server: FaunaServer, request: pytest.FixtureRequest, _fauna_http_pool: httpx.Client
) -> Iterator[DatabaseFactory]:
    """``make(prefix="pytest") -> FaunaTestDatabase``: fresh databases, deleted after the test."""
    from fauna.cli.connection import WireSession

    made: list[FaunaTestDatabase] = []
    session = WireSession(faunalite_server.endpoint, faunalite_server.secret, http=_fauna_http_pool)

    def make(prefix: str = "pytest") -> FaunaTestDatabase:
        name = _new_database_name(prefix)
        session.query(
            "Database.create({ name: name, data: { test: test } })\nnull",
            {"name": name, "test": request.node.nodeid},
        )
        database = FaunaTestDatabase(
            name, faunalite_server.endpoint, faunalite_server.secret, _fauna_http_pool
        )
        made.append(database)
        return database

    try:
        yield make
    finally:
        for database in made:
            database.close_clients()
            session.query("Database.byName(name)?.delete()\nnull", {"name": database.name})
        session.close()


@pytest.fixture
def fauna_database(
    fauna_database_factory: DatabaseFactory, request: pytest.FixtureRequest
) -> FaunaTestDatabase:
    """A fresh child database for this test, deleted when it ends; with the test's
    ``fauna_schema`` marker or ``--fauna-schema``, that schema is pushed into it first."""
    database = fauna_database_factory()
    directory = _schema_directory(request)
    if directory is not None:
        database.load_schema(directory)
    return database


def _schema_directory(request: pytest.FixtureRequest) -> Path | None:
    marker = request.node.get_closest_marker(SCHEMA_MARKER)
    if marker is not None:
        if len(marker.args) != 1:
            raise pytest.UsageError(f"@pytest.mark.{SCHEMA_MARKER} takes one directory")
        chosen = Path(str(marker.args[0]))
        # A relative path is read from the test file's folder, where the test says it.
        return chosen if chosen.is_absolute() else Path(request.node.path).parent / chosen
    option = request.config.getoption(SCHEMA_OPTION)
    return None if option is None else Path(str(option))


@pytest.fixture
def fauna_client(fauna_database: FaunaTestDatabase) -> Client:
    """An admin ``fauna.client.Client`` on this test's own database."""
    return fauna_database.client()


def _async_client_fixture() -> Any:
    """``fauna_async_client``, built with pytest-asyncio when it is installed."""
    try:
        import pytest_asyncio
    except ImportError:  # pragma: no cover - depends on what the user installed

        @pytest.fixture(name="fauna_async_client")
        def skipped(fauna_database: FaunaTestDatabase) -> AsyncClient:
            pytest.skip("fauna_async_client needs pytest-asyncio (pip install pytest-asyncio)")

        return skipped

    @pytest_asyncio.fixture
    async def fauna_async_client(
        fauna_database: FaunaTestDatabase,
    ) -> AsyncIterator[AsyncClient]:
        """An admin ``fauna.client.AsyncClient`` on this test's own database."""
        client = fauna_database.async_client()
        try:
            yield client
        finally:
            await client.close()

    return fauna_async_client


fauna_async_client = _async_client_fixture()
