"""faunalite's pytest plugin as a user meets it: pytest run in a subprocess on a test file that
uses every fixture, with the plugin loaded only through its ``pytest11`` entry point."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from fauna.cli.connection import WireSession
from faunalite.testing import BackgroundServer

USER_TESTS = textwrap.dedent(
    """
    import datetime
    import json

    import pytest
    from fauna import fql


    def test_client_has_its_own_database(fauna_client, fauna_database):
        assert fauna_database.name.startswith("pytest_")
        fauna_client.query(fql("Collection.create({ name: 'Dog' })"))
        fauna_client.query(fql("Dog.create({ name: 'Rex' })"))
        assert fauna_client.query(fql("Dog.all().count()")).data == 1


    def test_next_test_starts_empty(fauna_client):
        assert fauna_client.query(fql("Collection.all().count()")).data == 0


    @pytest.mark.asyncio
    async def test_async_client(fauna_async_client):
        result = await fauna_async_client.query(fql("Collection.all().count()"))
        assert result.data == 0


    def test_seed_file_and_role_client(fauna_database, tmp_path):
        seed = tmp_path / "seed.json"
        seed.write_text(json.dumps(
            {"Dog": [{"id": "7", "name": "Rex", "born": {"@date": "2020-01-02"}}]}
        ))
        assert fauna_database.seed(seed) == 1
        server = fauna_database.client("server")
        dog = server.query(fql('Dog.byId("7")')).data
        assert dog["name"] == "Rex"
        assert dog["born"] == datetime.date(2020, 1, 2)


    def test_factory_makes_separate_databases(fauna_database_factory):
        first, second = fauna_database_factory(), fauna_database_factory("extra")
        assert second.name.startswith("extra_")
        first.client().query(fql("Collection.create({ name: 'Only' })"))
        count = fql("Collection.all().count()")
        assert first.client().query(count).data == 1
        assert second.client().query(count).data == 0


    def test_failing_query(fauna_client):
        fauna_client.query(fql("Collection.create({ name: 'Dog' })"))
        fauna_client.query(fql("Dog.create({ name: 42 }).name.toUpperCase()"))
    """
)


@pytest.fixture
def user_tests(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("FAUNA_ENDPOINT", raising=False)
    monkeypatch.delenv("FAUNA_SECRET", raising=False)
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester


def _check_outcome(result: pytest.RunResult) -> None:
    result.assert_outcomes(passed=5, failed=1)
    output = result.stdout.str()
    assert "FaunaDB error" in output
    assert "code: invalid_function_invocation (HTTP 400)" in output
    assert "message: The function `toUpperCase` does not exist on `Int`" in output
    assert "1 | Dog.create({ name: 42 }).name.toUpperCase()" in output


def test_fixtures_with_their_own_faunalite(user_tests: pytest.Pytester) -> None:
    result = user_tests.runpytest_subprocess("-p", "no:cacheprovider")
    _check_outcome(result)


def test_fixtures_under_xdist(user_tests: pytest.Pytester) -> None:
    result = user_tests.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    _check_outcome(result)


def test_fixtures_against_a_given_server_clean_up(
    user_tests: pytest.Pytester, faunalite_server: BackgroundServer
) -> None:
    count = (
        "Database.all().where(.name.startsWith('pytest_') || .name.startsWith('extra_')).count()"
    )
    with WireSession(faunalite_server.endpoint, faunalite_server.secret) as root:
        before = root.query(count, format="simple")
        result = user_tests.runpytest_subprocess(
            "-p",
            "no:cacheprovider",
            f"--fauna-endpoint={faunalite_server.endpoint}",
            f"--fauna-secret={faunalite_server.secret}",
        )
        _check_outcome(result)
        assert root.query(count, format="simple") == before


def test_endpoint_without_secret_is_a_usage_error(user_tests: pytest.Pytester) -> None:
    result = user_tests.runpytest_subprocess(
        "-p", "no:cacheprovider", "--fauna-endpoint=http://127.0.0.1:9"
    )
    assert "no admin secret" in result.stderr.str() + result.stdout.str()
    assert result.ret != 0


def test_the_readme_example_passes(user_tests: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    [example] = [b for b in re.findall(r"```python\n(.*?)```", readme, re.S) if "def test_" in b]
    user_tests.makepyfile(test_user=example)
    result = user_tests.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_failed_seed_shows_faunadb_error(user_tests: pytest.Pytester) -> None:
    user_tests.makepyfile(
        test_user=(
            "def test_seed(fauna_database):\n"
            "    fauna_database.seed({'Dog': [{'id': '1'}, {'id': '1'}]})\n"
        )
    )
    result = user_tests.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "FaunaDB error" in output
    assert (
        "error: document_id_exists: Collection `Dog` already contains document with id 1." in output
    )


SCHEMA_FSL = """\
collection Dog {
  name: String
  index byName {
    terms [.name]
  }
}
"""

SCHEMA_TESTS = """
import pytest
from fauna import fql


def test_the_option_schema_is_loaded(fauna_client):
    fauna_client.query(fql('Dog.create({ name: "Rex" })'))
    assert fauna_client.query(fql('Dog.byName("Rex").count()')).data == 1


@pytest.mark.fauna_schema("other")
def test_the_marker_wins(fauna_client):
    assert fauna_client.query(fql('Collection.byName("Dog") == null')).data is True
    assert fauna_client.query(fql('Collection.byName("Cat") != null')).data is True


def test_a_database_without_the_marker_gets_the_option(fauna_database):
    assert fauna_database.client().query(fql('Dog.all().count()')).data == 0
"""


def test_schema_option_and_marker_load_fsl_into_each_database(
    user_tests: pytest.Pytester,
) -> None:
    user_tests.makepyfile(test_user=SCHEMA_TESTS)
    (user_tests.path / "schema").mkdir()
    (user_tests.path / "schema" / "main.fsl").write_text(SCHEMA_FSL)
    (user_tests.path / "other").mkdir()
    (user_tests.path / "other" / "cats.fsl").write_text("collection Cat {}\n")
    result = user_tests.runpytest_subprocess(
        "-p", "no:cacheprovider", f"--fauna-schema={user_tests.path / 'schema'}"
    )
    result.assert_outcomes(passed=3)


def test_a_schema_faunadb_refuses_fails_the_test_with_its_message(
    user_tests: pytest.Pytester,
) -> None:
    user_tests.makepyfile(
        test_user=(
            "import pytest\n\n"
            "@pytest.mark.fauna_schema('bad')\n"
            "def test_bad(fauna_client):\n"
            "    pass\n"
        )
    )
    (user_tests.path / "bad").mkdir()
    (user_tests.path / "bad" / "main.fsl").write_text("collection Dog {\n  colour String\n}\n")
    result = user_tests.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    assert "main.fsl:2:3" in result.stdout.str()
