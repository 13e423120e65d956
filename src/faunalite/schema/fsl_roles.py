"""The members of FSL roles and access providers: privileges with their actions,
memberships, ``issuer``/``jwks_uri`` and provider roles, and ``{ predicate (...) }`` blocks.

``RoleParsers`` extends the collection-member parsers with these; ``fsl_parser`` drives it.
Error messages are FaunaDB's (``SchemaItemConverter``).
"""

from __future__ import annotations

from faunalite.fql import ast
from faunalite.fql.errors import Hint
from faunalite.fql.span import Span
from faunalite.schema import fsl_ast as f
from faunalite.schema.fsl_members import ACTIONS, MemberParsers


class RoleParsers(MemberParsers):
    """Parsers for the inside of ``role`` and ``access provider`` items."""

    def role(self, start: int, keyword_span: Span) -> tuple[f.Role | None, int]:
        scanner = self.scanner
        name, pos = self.name(scanner.skip_ws(keyword_span.end), keyword_span)
        privileges: list[f.Privileges] = []
        memberships: list[f.Membership] = []
        seen: dict[tuple[str, str], Span] = {}

        def member(at: int) -> int:
            word_end = scanner.identifier_end(at)
            if word_end is None:
                raise scanner.fail_expecting(at, "privileges", "membership")
            word = scanner.text[at:word_end]
            word_span = scanner.span(at, word_end)
            if word not in ("privileges", "membership"):
                self.error(f"Invalid member `{word}`", word_span)
                return self.skip_invalid(word_end)
            resource, end = self.name(scanner.skip_ws(word_end), word_span)
            if resource is not None:
                resource = self.claim(seen, word, resource, f"Duplicate {word} `{resource.text}`")
            after = scanner.skip_ws(end)
            if word == "privileges":
                actions: list[f.Privilege] = []
                end = self.block(after, lambda a: self.action(a, actions))
                if resource is not None:
                    privileges.append(f.Privileges(resource, tuple(actions), scanner.span(at, end)))
                return end
            predicate, end = self.optional_predicate(after, end)
            if resource is not None:
                memberships.append(f.Membership(resource, predicate, scanner.span(at, end)))
            return end

        end = self.block(scanner.skip_ws(pos), member)
        if name is None:
            return None, end
        role = f.Role(name, tuple(privileges), tuple(memberships), scanner.span(start, end))
        return role, end

    def action(self, start: int, actions: list[f.Privilege]) -> int:
        scanner = self.scanner
        word_end = scanner.identifier_end(start)
        if word_end is None:
            raise scanner.fail_expecting(start, "action")
        word = scanner.text[start:word_end]
        word_span = scanner.span(start, word_end)
        action = next((a for a in ACTIONS if a == word), None)
        predicate, end = self.optional_predicate(scanner.skip_ws(word_end), word_end)
        if action is None:
            self.error(f"Invalid action `{word}`", word_span)
        elif all(existing.action != action for existing in actions):
            actions.append(f.Privilege(action, predicate, scanner.span(start, end)))
        else:
            first = next(p.span for p in actions if p.action == action)
            self.error(
                f"Duplicate action `{word}`",
                word_span,
                hints=[Hint("hint", "Originally defined here", first)],
            )
        return end

    def optional_predicate(self, pos: int, end: int) -> tuple[f.FQLExpr | None, int]:
        """``{ predicate (lambda) }`` at ``pos`` if there is one; otherwise ``end``."""
        if self.scanner.char(pos) != "{":
            return None, end
        return self.predicate_block(pos)

    def predicate_block(self, pos: int) -> tuple[f.FQLExpr | None, int]:
        scanner = self.scanner
        entries: list[tuple[str, ast.Expr | None, Span]] = []

        def member(at: int) -> int:
            word_end = scanner.identifier_end(at)
            if word_end is None:
                raise scanner.fail_expecting(at, "predicate")
            word = scanner.text[at:word_end]
            if word != "predicate":
                end = self.skip_invalid(word_end)
                entries.append((word, None, scanner.span(at, end)))
                return end
            value, end = self.expressions.expression(
                scanner.skip_ws(word_end), short_lambda_ok=False
            )
            entries.append((word, value, scanner.span(at, end)))
            return end

        end = self.block(pos, member)
        if len(entries) != 1:
            self.error("Expected a single predicate member", scanner.span(pos, end))
            return None, end
        _, value, span = entries[0]
        if value is None:
            self.error("Expecting a predicate", span)
            return None, end
        return self.bracketed_lambda(value, "Expected lambda predicate"), end

    def access_provider(
        self, start: int, keyword_span: Span
    ) -> tuple[f.AccessProvider | None, int]:
        scanner = self.scanner
        name, pos = self.name(scanner.skip_ws(keyword_span.end), keyword_span)
        settings: dict[str, str | None] = {}
        roles: list[f.ProviderRole] = []
        seen: dict[tuple[str, str], Span] = {}

        def member(at: int) -> int:
            word_end = scanner.identifier_end(at)
            if word_end is None:
                raise scanner.fail_expecting(at, "issuer", "jwks_uri", "role")
            word = scanner.text[at:word_end]
            word_span = scanner.span(at, word_end)
            if word in ("issuer", "jwks_uri"):
                value, end = self.string(scanner.skip_ws(word_end))
                label = "issuer" if word == "issuer" else "jwks uri"
                if self.first_time(seen, (word, ""), word_span, f"Duplicate {label}"):
                    settings[word] = value
                return end
            if word != "role":
                self.error(f"Invalid member `{word}`", word_span)
                return self.skip_invalid(word_end)
            role_name, end = self.name(scanner.skip_ws(word_end), word_span)
            predicate, end = self.optional_predicate(scanner.skip_ws(end), end)
            if role_name is not None:
                message = f"Duplicate role `{role_name.text}`"
                if self.claim(seen, "role", role_name, message) is not None:
                    roles.append(f.ProviderRole(role_name, predicate, scanner.span(at, end)))
            return end

        block_start = scanner.skip_ws(pos)
        end = self.block(block_start, member)
        block_span = scanner.span(block_start, end)
        for word, label in (("issuer", "issuer"), ("jwks_uri", "jwks uri")):
            if (word, "") not in seen:
                self.error(f"Missing {label}", block_span)
        issuer, jwks_uri = settings.get("issuer"), settings.get("jwks_uri")
        if name is None or issuer is None or jwks_uri is None:
            return None, end
        provider = f.AccessProvider(name, issuer, jwks_uri, tuple(roles), scanner.span(start, end))
        return provider, end
