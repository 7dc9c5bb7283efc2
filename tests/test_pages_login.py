"""AppTest: a first visit's login page says what a candidate gets and shows the sign-up rules beside the fields
(issue 12 item 8), in both languages."""

from __future__ import annotations

import pytest

from backend.interview.rubric import DIMENSIONS, total_from
from tests.apptest_helpers import new_app, texts
from ui import keys
from ui.strings import STRINGS


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_the_login_page_shows_what_a_candidate_gets_and_the_password_rules(ctx, lang) -> None:
    at = new_app(ctx).run()
    at.segmented_control(key=keys.LANGUAGE_PICKER).set_value(lang).run()
    assert not at.exception, at.exception
    shown = texts(at)
    for key in ("auth.pitch", "auth.sample", "auth.sample_missed", "auth.password_help", "auth.username_help"):
        assert STRINGS[key][lang] in shown, key
    bars = [p.proto.text for p in at.get("progress")]
    assert len(bars) == 4
    # The example's total is the one its four scores give (a sample that contradicts itself teaches nothing).
    names = {DIMENSIONS[d]["name"][lang]: d for d in DIMENSIONS}
    scores = {names[text.split(" · ")[0]]: int(text.split(" · ")[1].split("/")[0]) for text in bars}
    assert [(m.label, m.value) for m in at.metric] == [(STRINGS["chat.total"][lang], f"{total_from(scores)}/100")]
    # Beside the field, not only behind a tooltip.
    assert not at.text_input(key=keys.SIGNUP_PASSWORD).help
    captions = [c.value for c in at.caption]
    assert STRINGS["auth.password_help"][lang] in captions
