"""Accounts on an in-memory database: password policy, hashing, login, tokens."""

from __future__ import annotations

from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy import select, update

from backend import accounts
from backend.context import AppContext
from backend.db.models import AuthToken, LoginThrottle, utcnow
from backend.errors import AppError
from tests.conftest import random_lower_string, strong_password

PEPPER = b"unit-test-pepper"


def test_seven_characters_rejected_eight_accepted() -> None:
    with pytest.raises(AppError) as info:
        accounts.check_password("q7#Lp2x")
    assert info.value.code == "auth.password_too_short"
    accounts.check_password("q7#Lp2xZ")


def test_korean_passphrase_of_64_characters_is_accepted_and_works(ctx) -> None:
    passphrase = ("바다가보이는작은마을에서고양이와함께커피를마시는아침" * 3)[:64]
    assert len(passphrase) == 64
    accounts.check_password(passphrase)
    user = accounts.signup(ctx, username="한국어사용자", password=passphrase)
    assert accounts.login(ctx, username="한국어사용자", password=passphrase).id == user.id


def test_hundred_byte_password_works_and_is_not_truncated(ctx) -> None:
    password = "long passphrase " + "z" * 84
    assert len(password.encode()) == 100
    accounts.signup(ctx, username="longpw", password=password)
    assert accounts.login(ctx, username="longpw", password=password).username == "longpw"
    with pytest.raises(AppError):
        accounts.login(ctx, username="longpw", password=password[:72])


def test_passwords_equal_in_first_72_bytes_are_distinguished() -> None:
    base = "a" * 30 + " shared prefix that is long enough to pass 72 bytes "
    first, second = base + "ending one", base + "ending two"
    assert first.encode()[:72] == second.encode()[:72]
    stored = accounts.hash_password(first, PEPPER)
    assert accounts.verify_password(first, stored, PEPPER)
    assert not accounts.verify_password(second, stored, PEPPER)


def test_common_password_rejected_with_hint() -> None:
    for common in ("password123", "qwertyuiop", "iloveyou1"):
        with pytest.raises(AppError) as info:
            accounts.check_password(common)
        assert info.value.code == "auth.password_guessable"


def test_password_is_nfkc_normalised_at_signup_and_login(ctx) -> None:
    fullwidth = "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ"
    accounts.signup(ctx, username="nfkc", password=fullwidth)
    assert accounts.login(ctx, username="nfkc", password="correct horse battery").username == "nfkc"


def test_hashes_are_salted_bcrypt_cost_12() -> None:
    first = accounts.hash_password("correct horse battery", PEPPER)
    second = accounts.hash_password("correct horse battery", PEPPER)
    assert first != second
    assert first.startswith("$2b$") and int(first.split("$")[2]) >= 12


def test_username_rules_and_case_insensitive_uniqueness(ctx) -> None:
    for bad in ("ab", "x" * 33, "has space", "semi;colon"):
        with pytest.raises(AppError) as info:
            accounts.signup(ctx, username=bad, password=strong_password())
        assert info.value.code == "auth.username_rules"
    accounts.signup(ctx, username="Alice", password=strong_password())
    with pytest.raises(AppError) as info:
        accounts.signup(ctx, username="aLICE", password=strong_password())
    assert info.value.code == "auth.username_taken"


def test_unknown_user_and_wrong_password_get_the_same_message(ctx) -> None:
    accounts.signup(ctx, username="bob", password=strong_password())
    codes = set()
    for name, pw in (("bob", "wrong password here"), ("nobody", "wrong password here")):
        with pytest.raises(AppError) as info:
            accounts.login(ctx, username=name, password=pw)
        codes.add((info.value.code, str(info.value.params)))
    assert codes == {("auth.bad_credentials", "{}")}


def test_exactly_one_bcrypt_check_per_login_attempt(ctx, monkeypatch: pytest.MonkeyPatch) -> None:
    password = strong_password()
    accounts.signup(ctx, username="carol", password=password)
    accounts._dummy_hash()  # built once, outside the counted calls
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(accounts.bcrypt, "checkpw", lambda pw, h: calls.append(1) or real(pw, h))
    for name, pw in (("nobody", password), ("carol", "wrong password here"), ("carol", password)):
        calls.clear()
        try:
            accounts.login(ctx, username=name, password=pw)
        except AppError:
            pass
        assert len(calls) == 1, (name, pw)


def test_login_locks_after_five_failures_and_success_resets(ctx) -> None:
    password = strong_password()
    user = accounts.signup(ctx, username="dave", password=password)
    for _ in range(5):
        with pytest.raises(AppError) as info:
            accounts.login(ctx, username="dave", password="not the password")
        assert info.value.code == "auth.bad_credentials"
    with pytest.raises(AppError) as info:
        accounts.login(ctx, username="dave", password=password)
    assert info.value.code == "auth.locked" and info.value.params["seconds"] > 0
    with ctx.tx() as db:  # the lock expires
        db.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert accounts.login(ctx, username="dave", password=password).id == user.id
    with ctx.tx() as db:  # the failures are forgotten
        assert db.scalars(select(LoginThrottle)).all() == []


def test_lock_grows_with_more_failures(ctx) -> None:
    durations = [accounts._lock_for(n, ctx).total_seconds() for n in (4, 5, 6, 7)]
    assert durations[0] == 0 and durations[1] < durations[2] < durations[3]


def test_token_is_stored_only_as_its_sha256(ctx) -> None:
    user = accounts.signup(ctx, username="erin", password=strong_password())
    token = accounts.issue_token(ctx, user_id=user.id)
    assert len(token) >= 22  # >= 128 bits of randomness
    with ctx.tx() as db:
        stored = db.scalars(select(AuthToken.token_hash)).all()
    assert stored == [accounts.token_hash(token)] and token not in stored
    assert accounts.account_for_token(ctx, token).id == user.id


def test_expired_and_revoked_tokens_are_rejected(ctx) -> None:
    user = accounts.signup(ctx, username="frank", password=strong_password())
    expired, revoked = accounts.issue_token(ctx, user_id=user.id), accounts.issue_token(ctx, user_id=user.id)
    with ctx.tx() as db:
        db.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == accounts.token_hash(expired))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    accounts.revoke_token(ctx, revoked)
    assert accounts.account_for_token(ctx, expired) is None
    assert accounts.account_for_token(ctx, revoked) is None


@pytest.mark.parametrize("value", ["", "garbage", "x" * 43, "' OR 1=1 --", "ä" * 43, None])
def test_tampered_cookie_value_is_anonymous_without_error(ctx, value) -> None:
    assert accounts.account_for_token(ctx, value) is None


def test_change_password_needs_current_and_revokes_other_tokens(ctx) -> None:
    old, new = strong_password(), strong_password()
    user = accounts.signup(ctx, username="gina", password=old)
    here, elsewhere = accounts.issue_token(ctx, user_id=user.id), accounts.issue_token(ctx, user_id=user.id)
    with pytest.raises(AppError) as info:
        accounts.change_password(ctx, user_id=user.id, current="wrong one here", new=new)
    assert info.value.code == "auth.wrong_current_password"
    accounts.change_password(ctx, user_id=user.id, current=old, new=new, keep_token=here)
    assert accounts.account_for_token(ctx, here) is not None
    assert accounts.account_for_token(ctx, elsewhere) is None
    assert accounts.login(ctx, username="gina", password=new).id == user.id


def test_preferences_are_validated_and_stored(ctx) -> None:
    user = accounts.signup(ctx, username=random_lower_string(), password=strong_password())
    updated = accounts.set_preferences(ctx, user_id=user.id, ui_language="en", timezone="Europe/Berlin")
    assert (updated.ui_language, updated.timezone) == ("en", "Europe/Berlin")
    for kwargs in ({"ui_language": "fr"}, {"timezone": "Nowhere/City"}):
        with pytest.raises(AppError):
            accounts.set_preferences(ctx, user_id=user.id, **kwargs)


def test_a_new_account_takes_the_browser_s_time_zone_when_it_is_one(ctx) -> None:
    new_york = "America/New_York"
    browser = accounts.signup(ctx, username=random_lower_string(), password=strong_password(), timezone=new_york)
    assert browser.timezone == "America/New_York"
    for unknown in (None, "", "Mars/Olympus_Mons", "../../etc/passwd"):
        account = accounts.signup(ctx, username=random_lower_string(), password=strong_password(), timezone=unknown)
        assert account.timezone == ctx.settings.default_timezone


def _expire_locks(ctx: AppContext) -> None:
    with ctx.tx() as db:
        db.execute(update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1)))


def test_wrong_current_passwords_lock_password_change_like_login(ctx) -> None:
    old, new = strong_password(), strong_password()
    user = accounts.signup(ctx, username="guessed", password=old)
    for _ in range(ctx.settings.login_max_failures):
        with pytest.raises(AppError) as info:
            accounts.change_password(ctx, user_id=user.id, current="not the password", new=new)
        assert info.value.code == "auth.wrong_current_password"
    for attempt in (  # the right password, here and at the login form: one lock for both
        lambda: accounts.change_password(ctx, user_id=user.id, current=old, new=new),
        lambda: accounts.login(ctx, username="guessed", password=old),
    ):
        with pytest.raises(AppError) as info:
            attempt()
        assert info.value.code == "auth.locked" and info.value.params["seconds"] > 0
    _expire_locks(ctx)
    accounts.change_password(ctx, user_id=user.id, current=old, new=new)
    with ctx.tx() as db:  # the failures are forgotten
        assert db.scalars(select(LoginThrottle)).all() == []
    assert accounts.login(ctx, username="guessed", password=new).id == user.id


def test_wrong_passwords_lock_account_deletion_and_the_account_stays(ctx) -> None:
    password = strong_password()
    user = accounts.signup(ctx, username="keeper", password=password)
    for _ in range(ctx.settings.login_max_failures):
        with pytest.raises(AppError) as info:
            accounts.delete_account(ctx, user_id=user.id, password="not the password")
        assert info.value.code == "auth.wrong_current_password"
    with pytest.raises(AppError) as info:
        accounts.delete_account(ctx, user_id=user.id, password=password)
    assert info.value.code == "auth.locked"
    _expire_locks(ctx)
    assert accounts.login(ctx, username="keeper", password=password).id == user.id
    accounts.delete_account(ctx, user_id=user.id, password=password)
    with pytest.raises(AppError) as info:
        accounts.login(ctx, username="keeper", password=password)
    assert info.value.code == "auth.bad_credentials"


def test_a_right_current_password_clears_earlier_wrong_ones(ctx) -> None:
    old, new = strong_password(), strong_password()
    user = accounts.signup(ctx, username="fumbler", password=old)
    for _ in range(ctx.settings.login_max_failures - 1):
        with pytest.raises(AppError):
            accounts.change_password(ctx, user_id=user.id, current="not the password", new=new)
    accounts.change_password(ctx, user_id=user.id, current=old, new=new)
    with ctx.tx() as db:
        assert db.scalars(select(LoginThrottle)).all() == []


def test_a_new_password_equal_to_the_current_one_is_refused(ctx) -> None:
    password = strong_password()
    user = accounts.signup(ctx, username="samesame", password=password)
    for new in (password, password.replace("o", "\uff4f")):  # fullwidth o: the same password after NFKC
        with pytest.raises(AppError) as info:
            accounts.change_password(ctx, user_id=user.id, current=password, new=new)
        assert info.value.code == "auth.password_unchanged"
    assert accounts.login(ctx, username="samesame", password=password).id == user.id
