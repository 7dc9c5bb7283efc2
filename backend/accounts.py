"""Accounts: sign-up, login with lockout, session tokens, password change, deletion."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import bcrypt
from confusable_homoglyphs import categories, confusables
from sqlalchemy import ColumnElement, DateTime, case, delete, literal, null, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from backend import logs
from backend.context import AppContext
from backend.db.models import AuthToken, LoginThrottle, User, as_utc, utcnow
from backend.errors import AppError

log = logs.get_logger("accounts")

BCRYPT_COST = 12
PASSWORD_MIN_CHARS = 8
PASSWORD_MAX_CHARS = 1024
LANGUAGES = ("ko", "en")
_USERNAME = re.compile(r"^[\w.\-]{3,32}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-]{43}$")
_MAX_LOCK = timedelta(hours=1)
# Failures not followed by another attempt for this long are forgotten: far beyond the longest lock, and it
# keeps the names an attacker sprays from piling up.
_FORGET_AFTER = timedelta(days=1)
_WHEN = DateTime(timezone=True)


@dataclass(frozen=True)
class Account:
    """A user as the UI sees it."""

    id: int
    username: str
    ui_language: str
    timezone: str
    created_at: datetime


def _account(user: User) -> Account:
    return Account(user.id, user.username, user.ui_language, user.timezone, user.created_at)


def normalise_password(password: str) -> str:
    """NFKC, so the same passphrase typed on different keyboards matches."""
    return unicodedata.normalize("NFKC", password)


def _clean_username(username: str) -> str:
    """A username as it is stored and checked: NFKC, without surrounding spaces."""
    return unicodedata.normalize("NFKC", username).strip()


def username_key(username: str) -> str:
    """Case-insensitive identity of a username."""
    return _clean_username(username).casefold()


# Scripts a name may mix: Korean names are often written with Latin letters next to Hangul, and neither
# script has letters that pass for the other's.
_MIXABLE = {"LATIN", "HANGUL"}


def _look_alike(name: str) -> bool:
    """True for a name that can pass for another one: letters of several scripts ("аlice" with a Cyrillic
    а), or only letters that all have a Latin double ("раура" in Cyrillic)."""
    scripts = categories.unique_aliases(name) - {"COMMON"}
    if len(scripts) > 1 and not scripts <= _MIXABLE:
        return True
    letters = [ch for ch in name if ch.isalpha()]
    return bool(scripts - _MIXABLE) and all(
        confusables.is_confusable(ch, preferred_aliases=["latin"]) for ch in letters
    )


def check_username(username: str) -> str:
    """The cleaned username, or AppError saying which rule it breaks."""
    cleaned = _clean_username(username)
    if not _USERNAME.fullmatch(cleaned):
        raise AppError("auth.username_rules")
    if _look_alike(cleaned):
        raise AppError("auth.username_look_alike")
    return cleaned


def check_password(password: str, *, username: str = "") -> None:
    """Length in code points (8..1024, no composition rules) and not common or guessable."""
    pw = normalise_password(password)
    if len(pw) < PASSWORD_MIN_CHARS:
        raise AppError("auth.password_too_short", min=PASSWORD_MIN_CHARS)
    if len(pw) > PASSWORD_MAX_CHARS:
        raise AppError("auth.password_too_long", max=PASSWORD_MAX_CHARS)
    # zxcvbn only rates up to 72 characters (its matching is super-linear); the prefix decides.
    result = zxcvbn(pw[:72], user_inputs=[username] if username else [])
    if result["score"] < 2:
        raise AppError("auth.password_guessable", detail=f"zxcvbn score {result['score']}")


def signup_problems(username: str, password: str, confirm: str) -> list[AppError]:
    """Every rule a sign-up breaks (username, password, its confirmation), so the form says all of them at once."""
    problems: list[AppError] = []
    name = _clean_username(username)
    for check in (lambda: check_username(username), lambda: check_password(password, username=name)):
        try:
            check()
        except AppError as exc:
            problems.append(exc)
    if password != confirm:
        problems.append(AppError("auth.password_mismatch"))
    return problems


def _prehash(password: str, pepper: bytes) -> bytes:
    # bcrypt reads only the first 72 bytes (and bcrypt 5 raises ValueError beyond them), so a
    # long passphrase would be silently truncated or rejected. HMAC-SHA256 keyed by the pepper
    # maps any length to 32 bytes, base64 keeps NUL bytes out (bcrypt stops at NUL): every
    # character of the password counts and the stored hash is useless without the pepper.
    digest = hmac.new(pepper, normalise_password(password).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest)


def hash_password(password: str, pepper: bytes) -> str:
    """A bcrypt hash (cost 12) of the peppered pre-hash."""
    return bcrypt.hashpw(_prehash(password, pepper), bcrypt.gensalt(BCRYPT_COST)).decode()


def verify_password(password: str, password_hash: str, pepper: bytes) -> bool:
    """Constant-time check of `password` against a stored hash."""
    return bcrypt.checkpw(_prehash(password, pepper), password_hash.encode())


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return bcrypt.hashpw(b"not-a-real-password", bcrypt.gensalt(BCRYPT_COST)).decode()


def signup(
    ctx: AppContext, *, username: str, password: str, ui_language: str = "ko", timezone: str | None = None
) -> Account:
    """Create an account in `timezone` (the browser's; the configured default when unknown or not a time zone);
    AppError on a broken rule or a taken username."""
    name = check_username(username)
    check_password(password, username=name)
    language = ui_language if ui_language in LANGUAGES else "ko"
    user = User(
        username=name,
        username_key=username_key(name),
        password_hash=hash_password(password, ctx.pepper),
        ui_language=language,
        timezone=timezone if timezone and _is_timezone(timezone) else ctx.settings.default_timezone,
    )
    try:
        with ctx.tx() as db:
            if db.scalar(select(User.id).where(User.username_key == user.username_key)):
                raise AppError("auth.username_taken")
            db.add(user)
    except IntegrityError as exc:  # lost a race with an identical sign-up
        raise AppError("auth.username_taken") from exc
    log.info("signup", extra={"user_id": user.id})
    return _account(user)


def _is_timezone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _lock_for(failures: int, ctx: AppContext) -> timedelta:
    """Lock duration after `failures` consecutive failures: doubles past the threshold."""
    over = failures - ctx.settings.login_max_failures
    if over < 0:
        return timedelta(0)
    return min(timedelta(seconds=ctx.settings.login_lock_seconds * 2**over), _MAX_LOCK)


def _throttle_key(name_key: str, pepper: bytes) -> str:
    """The LoginThrottle key of a typed name: HMAC-SHA256 keyed by the pepper, hex."""
    return hmac.new(pepper, name_key.encode("utf-8"), hashlib.sha256).hexdigest()


def _unlocked(now: datetime) -> ColumnElement[bool]:
    return or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now)


def _lock_after_this_attempt(ctx: AppContext, now: datetime) -> ColumnElement[datetime | None]:
    """locked_until once this attempt is counted, as SQL, so counting and locking are one atomic statement.

    The doubling reaches the one-hour cap within a dozen steps (LOGIN_LOCK_SECONDS >= 1), so the schedule
    is spelled out as a CASE rather than computed with date arithmetic, which SQLite and PostgreSQL spell
    differently.
    """
    count = LoginThrottle.failures + 1
    steps = []
    failures = ctx.settings.login_max_failures
    while (lock := _lock_for(failures, ctx)) < _MAX_LOCK:
        steps.append((count == failures, literal(now + lock, _WHEN)))
        failures += 1
    return case((count < ctx.settings.login_max_failures, null()), *steps, else_=literal(now + _MAX_LOCK, _WHEN))


def _count_attempt(db: Session, ctx: AppContext, *, key: str, now: datetime) -> tuple[int, datetime | None]:
    """Count a login attempt before its password is checked: (its number, None), or (0, end of the lock).

    Counting before the slow check, in one upsert, is what bounds parallel guesses: each attempt gets its own
    number while the name is unlocked, the one that reaches the threshold locks it, and every later one is
    refused until the lock ends, however many run at once.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    first_lock = _lock_for(1, ctx)
    counted = db.execute(
        insert(LoginThrottle)
        .values(name_key=key, failures=1, locked_until=now + first_lock if first_lock else None, last_attempt_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.name_key],
            set_={
                "failures": LoginThrottle.failures + 1,
                "locked_until": _lock_after_this_attempt(ctx, now),
                "last_attempt_at": now,
            },
            where=_unlocked(now),
        )
    ).rowcount
    # No RETURNING: SQLite has it only from 3.35 and Debian 11 ships 3.34. The upsert holds the row (the write
    # lock on SQLite) until commit, even when its WHERE refused the update, so this reads its own outcome.
    failures, locked_until = db.execute(
        select(LoginThrottle.failures, LoginThrottle.locked_until).where(LoginThrottle.name_key == key)
    ).one()
    # After the upsert, so this transaction never waits while holding rows another one wants; SKIP LOCKED
    # (ignored by SQLite, which has one writer at a time) leaves rows in use to the next sweep.
    stale = select(LoginThrottle.name_key).where(LoginThrottle.last_attempt_at < now - _FORGET_AFTER)
    db.execute(delete(LoginThrottle).where(LoginThrottle.name_key.in_(stale.with_for_update(skip_locked=True))))
    return (failures, None) if counted else (0, locked_until)


def _clear_attempts(db: Session, *, key: str, mine: int, now: datetime) -> datetime | None:
    """After the right password: forget the failures, or return the lock's end if attempts counted after this
    one locked the name meanwhile (they may be an attacker's guesses)."""
    cleared = db.execute(
        delete(LoginThrottle).where(LoginThrottle.name_key == key, or_(LoginThrottle.failures == mine, _unlocked(now)))
    ).rowcount
    if cleared:
        return None
    locked_until = db.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.name_key == key))
    return locked_until if locked_until is not None and as_utc(locked_until) > now else None


def _locked(locked_until: datetime | None, now: datetime) -> AppError:
    left = (as_utc(locked_until) - now).total_seconds() if locked_until else 0
    return AppError("auth.locked", seconds=max(int(left) + 1, 1))


def _password_attempt(
    ctx: AppContext, *, name_key: str, password: str, find: Callable[[Session], User | None]
) -> User | None:
    """One counted attempt at the password of the user `find` reads, on the lock of the name `name_key`: that
    user if the password is theirs, else None; AppError auth.locked while the name is locked, even for the right
    password. The right password forgets the failures."""
    key = _throttle_key(name_key, ctx.pepper)
    now = utcnow()
    # The attempt is counted in a short transaction that ends before bcrypt: the connection goes back to the
    # pool during the slow check.
    with ctx.tx() as db:
        mine, locked_until = _count_attempt(db, ctx, key=key, now=now)
        user = find(db) if mine else None
    if not mine:
        raise _locked(locked_until, now)
    # Same work for an unknown name as a real check, so response time does not reveal which usernames exist.
    ok = verify_password(password, user.password_hash if user else _dummy_hash(), ctx.pepper)
    if user is None or not ok:
        log.info("wrong password", extra={"user_id": user.id if user else None, "failures": mine})
        return None
    now = utcnow()
    with ctx.tx() as db:
        locked_until = _clear_attempts(db, key=key, mine=mine, now=now)
    if locked_until is not None:
        raise _locked(locked_until, now)
    return user


def login(ctx: AppContext, *, username: str, password: str) -> Account:
    """Check credentials; an unknown name gets the same answers, lock and single bcrypt check as a real one."""
    if len(password) > PASSWORD_MAX_CHARS or len(username) > 4 * PASSWORD_MAX_CHARS:
        # No account has such a password (sign-up refuses it): answer before any hashing.
        raise AppError("auth.bad_credentials")
    name = username_key(username)
    # Locked by the typed name, so the lock cannot tell which names exist.
    user = _password_attempt(
        ctx, name_key=name, password=password, find=lambda db: db.scalar(select(User).where(User.username_key == name))
    )
    if user is None:
        raise AppError("auth.bad_credentials")
    log.info("login", extra={"user_id": user.id})
    return _account(user)


def token_hash(token: str) -> str:
    """Only this SHA-256 of a session token is ever stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(ctx: AppContext, *, user_id: int) -> str:
    """A new random session token (256 bits) for the cookie; its hash is stored with an expiry."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with ctx.tx() as db:
        # Tokens that can no longer log anyone in are deleted here, at each login (the user's, and anyone's
        # expired a while ago), so the table holds live sessions only.
        dead = (AuthToken.user_id == user_id) & ((AuthToken.expires_at < now) | AuthToken.revoked_at.is_not(None))
        db.execute(delete(AuthToken).where(dead | (AuthToken.expires_at < now - _FORGET_AFTER)))
        db.add(
            AuthToken(
                token_hash=token_hash(token),
                user_id=user_id,
                expires_at=now + timedelta(days=ctx.settings.session_days),
            )
        )
    return token


def account_for_token(ctx: AppContext, token: str | None) -> Account | None:
    """The account a cookie token belongs to, or None if it is malformed, unknown, expired or revoked."""
    if not token or not _TOKEN.fullmatch(token):
        return None
    # Runs on every page run: one statement, no transaction.
    with ctx.read() as db:
        found = db.execute(
            select(User, AuthToken.expires_at, AuthToken.revoked_at)
            .join(AuthToken, AuthToken.user_id == User.id)
            .where(AuthToken.token_hash == token_hash(token))
        ).one_or_none()
    if found is None:
        return None
    user, expires_at, revoked_at = found
    if revoked_at is not None or as_utc(expires_at) <= utcnow():
        return None
    return _account(user)


def revoke_token(ctx: AppContext, token: str | None) -> None:
    """Log out: the token stops working server-side."""
    if not token or not _TOKEN.fullmatch(token):
        return
    with ctx.tx() as db:
        db.execute(
            update(AuthToken)
            .where(AuthToken.token_hash == token_hash(token), AuthToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def _user(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise AppError("error.not_found")
    return user


def _checked_hash(ctx: AppContext, *, user_id: int, password: str) -> tuple[str, str]:
    """(username, stored hash) once `password` matches it; bcrypt runs with no pooled connection held.

    A wrong password counts towards the lock of logging in under that name: someone at an unattended session
    gets the same few guesses as at the login form, not a few more there.
    """
    with ctx.read() as db:
        name = db.scalar(select(User.username_key).where(User.id == user_id))
    if name is None:
        raise AppError("error.not_found")
    user = _password_attempt(ctx, name_key=name, password=password, find=lambda db: db.get(User, user_id))
    if user is None:
        raise AppError("auth.wrong_current_password")
    return user.username, user.password_hash


def change_password(ctx: AppContext, *, user_id: int, current: str, new: str, keep_token: str | None = None) -> None:
    """Change the password (current one required, new one different) and revoke every other session token."""
    if normalise_password(new) == normalise_password(current):
        # Nothing would change; said before the check, which would count an attempt for nothing.
        raise AppError("auth.password_unchanged")
    username, checked = _checked_hash(ctx, user_id=user_id, password=current)
    check_password(new, username=username)
    new_hash = hash_password(new, ctx.pepper)
    with ctx.tx() as db:
        # Only over the hash that was checked: if another change won meanwhile, `current` is no longer proven.
        changed = db.execute(
            update(User)
            .where(User.id == user_id, User.password_hash == checked)
            .values(password_hash=new_hash)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not changed:
            raise AppError("auth.wrong_current_password")
        keep = token_hash(keep_token) if keep_token else ""
        db.execute(
            update(AuthToken)
            .where(AuthToken.user_id == user_id, AuthToken.token_hash != keep, AuthToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
    log.info("password changed", extra={"user_id": user_id})


def delete_account(ctx: AppContext, *, user_id: int, password: str) -> None:
    """Delete the user and, by cascade, every row that belongs to them."""
    _, checked = _checked_hash(ctx, user_id=user_id, password=password)
    with ctx.tx() as db:
        if not db.execute(delete(User).where(User.id == user_id, User.password_hash == checked)).rowcount:
            raise AppError("auth.wrong_current_password")  # the password changed meanwhile
    log.info("account deleted", extra={"user_id": user_id})


def set_preferences(
    ctx: AppContext, *, user_id: int, ui_language: str | None = None, timezone: str | None = None
) -> Account:
    """Store the UI language and/or time zone of a user."""
    with ctx.tx() as db:
        user = _user(db, user_id)
        if ui_language is not None:
            if ui_language not in LANGUAGES:
                raise AppError("error.bad_language")
            user.ui_language = ui_language
        if timezone is not None:
            if not _is_timezone(timezone):
                raise AppError("error.bad_timezone")
            user.timezone = timezone
        return _account(user)
