"""AppTest: the login gate, sign-up, logout and the UI language."""

from __future__ import annotations

import pytest

from backend import accounts
from tests.apptest_helpers import log_in, new_app, sign_up, texts
from tests.conftest import strong_password
from ui import keys
from ui.strings import STRINGS, translate


def test_anonymous_visitor_sees_login_screen(ctx) -> None:
    at = new_app(ctx).run()
    assert not at.exception
    assert at.text_input(key=keys.LOGIN_USERNAME) is not None
    assert STRINGS["app.title"]["ko"] in texts(at)
    assert keys.ACCOUNT not in at.session_state


def test_sign_up_lands_on_home(ctx) -> None:
    at = sign_up(new_app(ctx).run(), "newcomer", strong_password())
    assert not at.exception
    assert at.session_state[keys.ACCOUNT].username == "newcomer"
    assert "newcomer" in at.title[0].value
    assert accounts.account_for_token(ctx, at.session_state[keys.TOKEN]).username == "newcomer"


def test_sign_up_with_weak_password_keeps_the_form_and_explains(ctx) -> None:
    at = sign_up(new_app(ctx).run(), "weakling", "password1")
    assert not at.exception
    assert STRINGS["auth.password_guessable"]["ko"] in texts(at)
    assert at.text_input(key=keys.SIGNUP_USERNAME).value == "weakling"


def test_sign_up_says_every_broken_rule_at_once_and_keeps_what_was_typed(ctx) -> None:
    at = new_app(ctx).run()
    at.text_input(key=keys.SIGNUP_USERNAME).input("no spaces allowed!")
    at.text_input(key=keys.SIGNUP_PASSWORD).input("short")
    at.text_input(key=keys.SIGNUP_CONFIRM).input("shorter")
    at = at.button(key=keys.SIGNUP_SUBMIT).click().run()
    assert not at.exception
    shown = [e.value for e in at.error]
    expected = ["auth.username_rules", "auth.password_too_short", "auth.password_mismatch"]
    assert shown == [STRINGS[key]["ko"].format(min=accounts.PASSWORD_MIN_CHARS) for key in expected]
    assert at.text_input(key=keys.SIGNUP_USERNAME).value == "no spaces allowed!"
    assert keys.ACCOUNT not in at.session_state


def test_wrong_password_gets_generic_error(ctx) -> None:
    accounts.signup(ctx, username="known", password=strong_password())
    at = log_in(new_app(ctx).run(), "known", "not my password")
    assert not at.exception
    assert STRINGS["auth.bad_credentials"]["ko"] in texts(at)
    at = log_in(at, "unknown-user", "not my password")
    assert [e.value for e in at.error] == [STRINGS["auth.bad_credentials"]["ko"]]


def test_login_then_logout_returns_to_login_screen(ctx) -> None:
    password = strong_password()
    accounts.signup(ctx, username="leaver", password=password)
    at = log_in(new_app(ctx).run(), "leaver", password)
    token = at.session_state[keys.TOKEN]
    assert at.session_state[keys.ACCOUNT].username == "leaver"
    at = at.button(key=keys.LOGOUT).click().run()
    assert not at.exception
    assert keys.ACCOUNT not in at.session_state
    assert at.text_input(key=keys.LOGIN_USERNAME) is not None
    assert accounts.account_for_token(ctx, token) is None


def test_switching_ui_language_changes_the_strings(ctx) -> None:
    at = new_app(ctx).run()
    assert at.button(key=keys.LOGIN_SUBMIT).label == STRINGS["auth.login_button"]["ko"]
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    assert at.button(key=keys.LOGIN_SUBMIT).label == STRINGS["auth.login_button"]["en"]
    # A logged-in user's choice is stored on the account.
    password = strong_password()
    at = sign_up(at, "polyglot", password)
    at.switch_page("app_pages/account.py").run()
    at.segmented_control(key=keys.ACCOUNT_LANGUAGE).set_value("ko")
    at = at.button(key=keys.ACCOUNT_SAVE).click().run()
    assert not at.exception
    assert at.title[0].value == STRINGS["account.title"]["ko"]
    assert accounts.login(ctx, username="polyglot", password=password).ui_language == "ko"


def test_a_language_chosen_on_the_login_screen_is_kept_after_logging_in(ctx) -> None:
    password = strong_password()
    accounts.signup(ctx, username="switcher", password=password, ui_language="ko")
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at = log_in(at, "switcher", password)
    assert not at.exception
    assert at.session_state[keys.ACCOUNT].ui_language == "en"  # not switched back to the account's Korean
    assert accounts.login(ctx, username="switcher", password=password).ui_language == "en"  # and stored
    # A language merely left over from someone else's logout is not a choice: the account's own is used.
    at = at.button(key=keys.LOGOUT).click().run()
    accounts.signup(ctx, username="hangul", password=password, ui_language="ko")
    at = log_in(at, "hangul", password)
    assert at.session_state[keys.ACCOUNT].ui_language == "ko"


def test_a_count_of_one_reads_in_the_singular() -> None:
    assert translate("docs.row", "en", name="cv.txt", count=1) == "cv.txt · 1 passage"
    assert translate("docs.row", "en", name="cv.txt", count=2) == "cv.txt · 2 passages"
    assert translate("chat.fewer_questions", "en", count=1, asked=5).startswith("Only one question matches")
    assert translate("history.count", "en", count=1, page=1, pages=1).startswith("1 interview ·")
    assert translate("chat.progress_done", "en", count=1) == "Finished · 1 question"
    # Every singular has its plural, with the same placeholders in every language.
    for key in (k for k in STRINGS if k.endswith("_one")):
        plural = STRINGS[key.removesuffix("_one")]
        assert set(STRINGS[key]) == set(plural)


def test_delete_account_needs_confirmation_then_removes_it(ctx) -> None:
    password = strong_password()
    at = sign_up(new_app(ctx).run(), "shortlived", password)
    at.switch_page("app_pages/account.py").run()
    at.text_input(key=keys.DELETE_PASSWORD).input(password)
    at = at.button(key=keys.DELETE_SUBMIT).click().run()
    assert at.session_state[keys.ACCOUNT].username == "shortlived"  # not confirmed yet
    assert [e.value for e in at.error] == [STRINGS["account.delete_unconfirmed"]["ko"]]  # says what to do
    at.text_input(key=keys.DELETE_PASSWORD).input(password)
    at.checkbox(key=keys.DELETE_CONFIRM).check()
    at = at.button(key=keys.DELETE_SUBMIT).click().run()
    assert not at.exception
    assert keys.ACCOUNT not in at.session_state
    assert at.text_input(key=keys.LOGIN_USERNAME) is not None
    assert [i.value for i in at.info] == [STRINGS["account.deleted"]["ko"]]  # said, on the login screen
    # In a browser the cookie component reruns the script as soon as it has dropped the cookie: the notice stays.
    at = at.run()
    assert [i.value for i in at.info] == [STRINGS["account.deleted"]["ko"]]
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    assert [i.value for i in at.info] == [STRINGS["account.deleted"]["en"]]
    try:
        accounts.login(ctx, username="shortlived", password=password)
        raise AssertionError("deleted account can still log in")
    except accounts.AppError as exc:
        assert exc.code == "auth.bad_credentials"


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_changing_the_password_to_the_current_one_is_refused(ctx, lang) -> None:
    password = strong_password()
    accounts.signup(ctx, username="unchanged", password=password, ui_language=lang)
    at = log_in(new_app(ctx).run(), "unchanged", password)
    at.switch_page("app_pages/account.py").run()
    at.text_input(key=keys.PW_CURRENT).input(password)
    at.text_input(key=keys.PW_NEW).input(password)
    at.text_input(key=keys.PW_CONFIRM).input(password)
    at = at.button(key=keys.PW_SUBMIT).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [STRINGS["auth.password_unchanged"][lang]]
    assert not at.success


def test_wrong_current_passwords_lock_the_password_change_with_the_login_message(ctx) -> None:
    password = strong_password()
    at = sign_up(new_app(ctx).run(), "hammered", password)
    at.switch_page("app_pages/account.py").run()

    def change(current: str):  # noqa: ANN202
        at.text_input(key=keys.PW_CURRENT).input(current)
        at.text_input(key=keys.PW_NEW).input("a brand new passphrase")
        at.text_input(key=keys.PW_CONFIRM).input("a brand new passphrase")
        return at.button(key=keys.PW_SUBMIT).click().run()

    for _ in range(ctx.settings.login_max_failures):
        at = change("not the password")
        assert [e.value for e in at.error] == [STRINGS["auth.wrong_current_password"]["ko"]]
    at = change(password)
    assert not at.exception and not at.success
    locked = STRINGS["auth.locked"]["ko"].split("{seconds}")[0]
    assert len(at.error) == 1 and at.error[0].value.startswith(locked)


def test_a_changed_password_empties_the_fields_and_a_wrong_one_keeps_them(ctx) -> None:
    password, new = strong_password(), strong_password()
    at = sign_up(new_app(ctx).run(), "rotating", password)
    at.switch_page("app_pages/account.py").run()

    def change(current: str):  # noqa: ANN202
        at.text_input(key=keys.PW_CURRENT).input(current)
        at.text_input(key=keys.PW_NEW).input(new)
        at.text_input(key=keys.PW_CONFIRM).input(new)
        return at.button(key=keys.PW_SUBMIT).click().run()

    at = change("not-the-password")
    assert at.error and at.text_input(key=keys.PW_CURRENT).value == "not-the-password"
    at = change(password)
    assert not at.exception and not at.error
    assert [s.value for s in at.success] == [STRINGS["account.password_changed"]["ko"]]  # the default UI language
    assert all(not at.text_input(key=k).value for k in (keys.PW_CURRENT, keys.PW_NEW, keys.PW_CONFIRM))
    assert accounts.login(ctx, username="rotating", password=new)


def test_a_page_opened_logged_out_shows_the_login_form_then_that_page(ctx) -> None:
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value("en").run()
    at.switch_page("app_pages/history.py").run()  # a bookmarked /history, nobody logged in
    assert not at.exception, at.exception
    assert STRINGS["history.title"]["en"] not in [t.value for t in at.title]
    at = sign_up(at, "bookmarker", strong_password())
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [STRINGS["history.title"]["en"]]
