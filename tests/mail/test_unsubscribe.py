"""Signed unsubscribe tokens: the documented format, checking them, secrets, links."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulletin.errors import SendError
from bulletin.mail.unsubscribe import (
    MIN_SECRET_LENGTH,
    SECRET_ENV,
    current_secret,
    secrets_from_env,
    unsubscribe_link,
    unsubscribe_token,
    verify_unsubscribe_token,
)

ADDRESS = "ann@example.org"
LIST_ID = "news.example.org"
SECRET = "correct horse battery"
TOKEN = "YW5uQGV4YW1wbGUub3Jn.k1O8Jrv7OyE8x2COi5OuAg"
"""Cross-checked with ``openssl dgst -sha256 -hmac``."""

WELSH_ADDRESS = "Siân@exämple.cymru"
WELSH_LIST_ID = "cylchlythyr.example.cymru"
WELSH_SECRET = "cyfrinach-hir-iawn-1234"
WELSH_TOKEN = "U2nDom5AZXjDpG1wbGUuY3ltcnU.1Z55wVe9LH-Swu8GmtZXSQ"
"""Cross-checked with ``openssl dgst -sha256 -hmac ... -binary | base64``."""

OLD_SECRET = "the-secret-we-used-last-year"
NEW_SECRET = "the-secret-we-use-from-now-on"

BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

MAKE_ONE = 'python3 -c "import secrets; print(secrets.token_urlsafe(32))"'


def verify(token: str, list_id: str = LIST_ID, secret: str = SECRET) -> str | None:
    return verify_unsubscribe_token(token, list_id=list_id, secrets=[secret])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def as_bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def documented_token(address: str, list_id: str, secret: str) -> str:
    """The token as the module docstring specifies it, built without bulletin."""
    message = (
        b"bulletin-unsubscribe-v1\n"
        + list_id.encode("utf-8")
        + b"\n"
        + address.encode("utf-8")
    )
    mac = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()[:16]
    return f"{b64url(address.encode('utf-8'))}.{b64url(mac)}"


NOT_UTF8 = b64url(b"\xff\xfe@example.org") + ".k1O8Jrv7OyE8x2COi5OuAg"
"""A token whose address part is not UTF-8."""


# The format ------------------------------------------------------------------


def test_token_matches_the_known_answer() -> None:
    assert unsubscribe_token(ADDRESS, LIST_ID, SECRET) == TOKEN


def test_token_for_a_non_ascii_address_follows_the_documented_format() -> None:
    expected = documented_token(WELSH_ADDRESS, WELSH_LIST_ID, WELSH_SECRET)

    assert unsubscribe_token(WELSH_ADDRESS, WELSH_LIST_ID, WELSH_SECRET) == expected
    assert expected == WELSH_TOKEN


def test_token_has_no_padding_and_only_url_safe_characters() -> None:
    token = unsubscribe_token(WELSH_ADDRESS, WELSH_LIST_ID, WELSH_SECRET)

    address_part, dot, mac_part = token.partition(".")
    assert dot == "."
    assert set(address_part + mac_part) <= set(BASE64URL)
    assert len(mac_part) == 22  # 16 bytes, unpadded


def test_secret_given_as_bytes_makes_the_same_token_as_its_utf8_text() -> None:
    assert unsubscribe_token(ADDRESS, LIST_ID, SECRET.encode("utf-8")) == TOKEN


# Checking a token ------------------------------------------------------------


def test_genuine_token_verifies_as_its_address() -> None:
    assert verify(TOKEN) == ADDRESS
    assert verify(WELSH_TOKEN, WELSH_LIST_ID, WELSH_SECRET) == WELSH_ADDRESS


def test_genuine_token_verifies_with_a_bytes_secret() -> None:
    assert (
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=[SECRET.encode()])
        == ADDRESS
    )


def test_token_pasted_with_surrounding_whitespace_still_verifies() -> None:
    assert verify(f"  {TOKEN}\r\n") == ADDRESS


def test_token_from_another_list_is_refused() -> None:
    assert verify(TOKEN, list_id="events.example.org") is None
    assert verify(TOKEN, list_id="") is None


def test_token_made_with_another_secret_is_refused() -> None:
    assert verify(TOKEN, secret="a different long secret") is None


def test_no_accepted_secrets_is_a_mistake_not_a_refusal() -> None:
    # An empty list would refuse every token quietly: a website misconfigured
    # so would never unsubscribe anyone. tests/mail/test_hostile_input.py has the rest.
    with pytest.raises(ValueError, match="empty"):
        verify_unsubscribe_token(TOKEN, list_id=LIST_ID, secrets=[])


@pytest.mark.parametrize(
    "address",
    ["bob@example.org", "Ann@example.org", "ann@example.org ", "ann@example.com"],
)
def test_token_with_another_address_put_in_front_of_the_mac_is_refused(
    address: str,
) -> None:
    mac_part = TOKEN.partition(".")[2]

    assert verify(f"{b64url(address.encode())}.{mac_part}") is None


def test_token_with_a_changed_mac_is_refused() -> None:
    address_part, _, mac_part = TOKEN.partition(".")
    flipped = ("A" if mac_part[0] != "A" else "B") + mac_part[1:]
    other_mac = unsubscribe_token("bob@example.org", LIST_ID, SECRET).partition(".")[2]

    assert verify(f"{address_part}.{flipped}") is None
    assert verify(f"{address_part}.{other_mac}") is None
    assert verify(f"{address_part}.{mac_part[::-1]}") is None


def test_token_with_a_longer_mac_is_refused() -> None:
    address_part = TOKEN.partition(".")[0]
    message = b"bulletin-unsubscribe-v1\n" + LIST_ID.encode() + b"\n" + ADDRESS.encode()
    full_mac = hmac.new(SECRET.encode(), message, hashlib.sha256).digest()

    assert verify(f"{address_part}.{b64url(full_mac)}") is None


@pytest.mark.parametrize(
    ("token", "list_id", "secret"),
    [
        pytest.param(TOKEN, LIST_ID, SECRET, id="ascii"),
        pytest.param(WELSH_TOKEN, WELSH_LIST_ID, WELSH_SECRET, id="non-ascii"),
    ],
)
def test_no_truncation_of_a_token_verifies(
    token: str, list_id: str, secret: str
) -> None:
    assert verify(token, list_id, secret) is not None
    accepted = [
        token[:length]
        for length in range(len(token))
        if verify(token[:length], list_id, secret) is not None
    ]

    assert accepted == []


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        " ",
        ".",
        "..",
        "YW5uQGV4YW1wbGUub3Jn",
        "YW5uQGV4YW1wbGUub3Jn.",
        ".k1O8Jrv7OyE8x2COi5OuAg",
        "k1O8Jrv7OyE8x2COi5OuAg.YW5uQGV4YW1wbGUub3Jn",
        "not a token",
        "A.A",
        "AAAA.AAAA",
        "%%%.$$$",
        "\x00.\x00",
        "é.é",
        "💌.💌",
        NOT_UTF8,
    ],
)
def test_garbage_is_refused_without_an_error(garbage: str) -> None:
    assert verify(garbage) is None


def test_very_long_input_is_refused() -> None:
    mac_part = TOKEN.partition(".")[2]

    assert verify("A" * 100_000 + "." + mac_part) is None
    assert verify(TOKEN + "." + "A" * 100_000) is None
    assert verify(TOKEN.partition(".")[0] + "." + "A" * 100_000) is None


def test_genuine_token_longer_than_any_address_could_make_is_refused() -> None:
    # An address is at most 254 octets, so a real token is under 400 characters.
    address = "a" * 1000 + "@example.org"
    token = unsubscribe_token(address, LIST_ID, SECRET)

    assert len(token) > 1024
    assert verify(token) is None


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(TOKEN + "==", id="padding-on-the-mac"),
        pytest.param(
            WELSH_TOKEN.replace(".", "=."),
            id="padding-on-the-address",
        ),
        pytest.param(TOKEN[:-1] + "h", id="unused-bits-of-the-mac"),
        pytest.param(
            WELSH_TOKEN.replace("cnU.", "cnV."),
            id="unused-bits-of-the-address",
        ),
        pytest.param(WELSH_TOKEN.replace("-", "+"), id="standard-base64-plus"),
        pytest.param(TOKEN.replace(".", "!."), id="stray-character"),
        pytest.param(TOKEN[:5] + "\t" + TOKEN[5:], id="tab-inside"),
    ],
)
def test_token_in_any_form_but_the_canonical_one_is_refused(variant: str) -> None:
    list_id, secret = (
        (WELSH_LIST_ID, WELSH_SECRET)
        if variant.startswith("U2n")
        else (LIST_ID, SECRET)
    )
    result = verify(variant, list_id, secret)

    assert result is None, f"{variant!r} verified as {result!r}"


@pytest.mark.parametrize(
    ("token", "list_id", "secret"),
    [
        pytest.param(TOKEN, LIST_ID, SECRET, id="ascii"),
        pytest.param(WELSH_TOKEN, WELSH_LIST_ID, WELSH_SECRET, id="non-ascii"),
    ],
)
def test_every_single_character_change_of_a_token_is_refused(
    token: str, list_id: str, secret: str
) -> None:
    accepted = [
        changed
        for index, original in enumerate(token)
        for replacement in BASE64URL + "+/=.!~ "
        if replacement != original
        and verify(
            changed := token[:index] + replacement + token[index + 1 :],
            list_id,
            secret,
        )
        is not None
    ]
    assert accepted == []


def test_old_secret_still_verifies_while_it_is_listed_after_the_new() -> None:
    token = unsubscribe_token(ADDRESS, LIST_ID, OLD_SECRET)

    assert (
        verify_unsubscribe_token(
            token, list_id=LIST_ID, secrets=[NEW_SECRET, OLD_SECRET]
        )
        == ADDRESS
    )
    assert (
        verify_unsubscribe_token(token, list_id=LIST_ID, secrets=[NEW_SECRET]) is None
    )


def test_token_made_with_the_new_secret_verifies_during_rotation() -> None:
    token = unsubscribe_token(ADDRESS, LIST_ID, NEW_SECRET)

    assert (
        verify_unsubscribe_token(
            token, list_id=LIST_ID, secrets=(NEW_SECRET, OLD_SECRET)
        )
        == ADDRESS
    )
    assert (
        verify_unsubscribe_token(token, list_id=LIST_ID, secrets=[OLD_SECRET]) is None
    )


# Properties ------------------------------------------------------------------

ADDRESSES = st.one_of(
    st.emails(),
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(min_size=1, max_size=64),
        st.text(min_size=1, max_size=64),
    ),
)
LIST_IDS = st.one_of(st.from_regex(r"[a-z0-9.-]{1,40}", fullmatch=True), st.text())
SECRETS = st.one_of(
    st.text(min_size=MIN_SECRET_LENGTH, max_size=64),
    st.binary(min_size=MIN_SECRET_LENGTH, max_size=64),
)


@given(address=ADDRESSES, list_id=LIST_IDS, secret=SECRETS, other=SECRETS)
def test_every_token_verifies_as_its_address_and_only_with_its_list_and_secret(
    address: str, list_id: str, secret: str | bytes, other: str | bytes
) -> None:
    token = unsubscribe_token(address, list_id, secret)

    assert verify_unsubscribe_token(token, list_id=list_id, secrets=[secret]) == address
    assert (
        verify_unsubscribe_token(token, list_id=list_id, secrets=[other, secret])
        == address
    )
    assert (
        verify_unsubscribe_token(token, list_id=list_id + "x", secrets=[secret]) is None
    )
    if as_bytes(other) != as_bytes(secret):
        assert verify_unsubscribe_token(token, list_id=list_id, secrets=[other]) is None


@given(
    address=ADDRESSES,
    list_id=LIST_IDS,
    secret=SECRETS,
    shift=st.integers(min_value=1, max_value=len(BASE64URL) - 1),
)
def test_changing_any_meaningful_character_of_a_token_makes_it_fail(
    address: str, list_id: str, secret: str | bytes, shift: int
) -> None:
    token = unsubscribe_token(address, list_id, secret)
    address_part = token.partition(".")[0]
    # Every character but the last of each part carries six bits of data, so
    # any other base64url character there changes the bytes it stands for.
    meaningful = [
        *range(len(address_part) - 1),
        *range(len(address_part) + 1, len(token) - 1),
    ]

    for index in meaningful:
        original = token[index]
        replacement = BASE64URL[(BASE64URL.index(original) + shift) % len(BASE64URL)]
        changed = token[:index] + replacement + token[index + 1 :]
        result = verify_unsubscribe_token(changed, list_id=list_id, secrets=[secret])
        assert result is None, f"{changed!r} verified as {result!r}"


# Secrets from the environment -------------------------------------------------


@pytest.mark.parametrize("environ", [{}, {SECRET_ENV: ""}, {SECRET_ENV: " , ,\t"}])
def test_missing_secret_is_a_send_error_saying_how_to_make_one(
    environ: dict[str, str],
) -> None:
    with pytest.raises(SendError) as caught:
        secrets_from_env(environ)

    message = str(caught.value)
    assert SECRET_ENV in message
    assert "not set" in message
    assert MAKE_ONE in message


def test_several_secrets_split_on_spaces_and_commas_newest_first() -> None:
    environ = {SECRET_ENV: f" {NEW_SECRET},{OLD_SECRET} 0123456789abcdef,, "}

    assert secrets_from_env(environ) == (NEW_SECRET, OLD_SECRET, "0123456789abcdef")


def test_one_secret_is_a_tuple_of_one() -> None:
    assert secrets_from_env({SECRET_ENV: NEW_SECRET}) == (NEW_SECRET,)


def test_secret_of_exactly_the_minimum_length_is_accepted() -> None:
    secret = "s" * MIN_SECRET_LENGTH

    assert MIN_SECRET_LENGTH == 16
    assert secrets_from_env({SECRET_ENV: secret}) == (secret,)


@pytest.mark.parametrize(
    ("value", "position"),
    [
        ("s" * 15, 1),
        (f"{NEW_SECRET} short", 2),
        (f"{NEW_SECRET},{OLD_SECRET},{'x' * 15}", 3),
    ],
)
def test_secret_shorter_than_sixteen_characters_is_refused(
    value: str, position: int
) -> None:
    with pytest.raises(SendError) as caught:
        secrets_from_env({SECRET_ENV: value})

    message = str(caught.value)
    assert message.startswith(f"{SECRET_ENV}: secret {position} is shorter than 16")
    assert MAKE_ONE in message


def test_secrets_come_from_os_environ_when_no_mapping_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, f"{NEW_SECRET},{OLD_SECRET}")
    assert secrets_from_env() == (NEW_SECRET, OLD_SECRET)

    monkeypatch.delenv(SECRET_ENV)
    with pytest.raises(SendError, match=SECRET_ENV):
        secrets_from_env()


def test_given_mapping_is_used_instead_of_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, OLD_SECRET)

    assert secrets_from_env({SECRET_ENV: NEW_SECRET}) == (NEW_SECRET,)
    with pytest.raises(SendError):
        secrets_from_env({})


def test_current_secret_is_the_first_listed() -> None:
    environ = {SECRET_ENV: f"{NEW_SECRET}, {OLD_SECRET}"}

    assert current_secret(environ) == NEW_SECRET


@pytest.mark.parametrize("environ", [{}, {SECRET_ENV: ""}, {SECRET_ENV: " \t\n"}])
def test_current_secret_is_none_when_the_variable_is_not_set(
    environ: dict[str, str],
) -> None:
    assert current_secret(environ) is None


def test_current_secret_still_refuses_a_short_secret() -> None:
    with pytest.raises(SendError, match="secret 2 is shorter than 16"):
        current_secret({SECRET_ENV: f"{NEW_SECRET},short"})


def test_current_secret_reads_os_environ_when_no_mapping_is_given(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, NEW_SECRET)
    assert current_secret() == NEW_SECRET

    monkeypatch.delenv(SECRET_ENV)
    assert current_secret() is None


@pytest.mark.parametrize("value", [",", " , ,"])
def test_current_secret_is_none_when_the_variable_holds_only_separators(
    value: str,
) -> None:
    assert current_secret({SECRET_ENV: value}) is None


# Links -------------------------------------------------------------------------


def test_link_fills_in_the_token() -> None:
    link = unsubscribe_link("https://example.org/unsubscribe/{token}", ADDRESS, TOKEN)

    assert link == f"https://example.org/unsubscribe/{TOKEN}"


@pytest.mark.parametrize(
    ("address", "encoded"),
    [
        ("ann@example.org", "ann%40example.org"),
        ("a+b@x.org", "a%2Bb%40x.org"),
        ("a&b=c/d?e#f@x.org", "a%26b%3Dc%2Fd%3Fe%23f%40x.org"),
        ("ann smith@x.org", "ann%20smith%40x.org"),
        (WELSH_ADDRESS, "Si%C3%A2n%40ex%C3%A4mple.cymru"),
    ],
)
def test_link_percent_encodes_the_address(address: str, encoded: str) -> None:
    link = unsubscribe_link(
        "https://example.org/u?t={token}&e={address}", address, "T0K-3n_"
    )

    assert link == f"https://example.org/u?t=T0K-3n_&e={encoded}"


def test_link_fills_every_placeholder_and_leaves_other_text_alone() -> None:
    link = unsubscribe_link(
        "https://example.org/{token}/{address}?again={token}&{other}", "a@b.org", "T"
    )

    assert link == "https://example.org/T/a%40b.org?again=T&{other}"


def test_link_made_from_a_real_token_verifies_after_unquoting() -> None:
    token = unsubscribe_token(WELSH_ADDRESS, WELSH_LIST_ID, WELSH_SECRET)
    link = unsubscribe_link(
        "https://example.cymru/dad-danysgrifio?t={token}&e={address}",
        WELSH_ADDRESS,
        token,
    )
    query = parse_qs(urlsplit(link).query)

    assert query["e"] == [WELSH_ADDRESS]
    assert (
        verify_unsubscribe_token(
            query["t"][0], list_id=WELSH_LIST_ID, secrets=[WELSH_SECRET]
        )
        == WELSH_ADDRESS
    )
