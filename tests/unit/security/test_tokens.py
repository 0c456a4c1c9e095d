from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ironbridge.security import TokenKind, generate_token, hash_token, token_kind, tokens_equal


def test_tokens_are_prefixed_by_kind_and_unique() -> None:
    tokens = {generate_token(TokenKind.ADMIN) for _ in range(200)}
    assert len(tokens) == 200
    assert all(t.startswith("ib_admin_") and len(t) > 40 for t in tokens)
    assert token_kind(generate_token(TokenKind.CONNECTION)) is TokenKind.CONNECTION
    assert token_kind(generate_token(TokenKind.LINK)) is TokenKind.LINK


@given(st.text(max_size=60))
def test_arbitrary_strings_are_not_mistaken_for_tokens(text: str) -> None:
    kind = token_kind(text)
    if kind is not None:
        assert text.startswith(f"ib_{kind.value}_")


def test_hash_comparison_accepts_only_the_same_token() -> None:
    token = generate_token(TokenKind.ADMIN)
    stored = hash_token(token)
    assert stored != token and len(stored) == 64
    assert tokens_equal(stored, token)
    assert not tokens_equal(stored, token[:-1] + ("A" if token[-1] != "A" else "B"))
