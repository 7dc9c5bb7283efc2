"""No untrusted HTML rendering anywhere in the UI, and no password, token or key in any log line."""

from __future__ import annotations

import ast
import json
import logging
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel

from backend import accounts, logs
from backend.errors import AppError
from backend.interview import engine
from backend.interview.engine import Llms
from backend.interview.planning import InterviewSetup
from tests.conftest import ROOT, make_context, strong_password

UI_CODE = [ROOT / "main.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]


@pytest.mark.parametrize("path", UI_CODE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_ui_never_renders_raw_html(path: Path) -> None:
    """No st.html, components.html or unsafe_allow_html=True: every text goes through Streamlit's escaping."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            assert not name.endswith(("st.html", "components.html", "components.v1.html")), (path, name)
            for keyword in node.keywords:
                if keyword.arg == "unsafe_allow_html":
                    assert isinstance(keyword.value, ast.Constant) and keyword.value.value is False, (path, name)


class Capture(logging.Handler):
    """Every record, formatted as the app's JSON formatter writes it, plus its raw message and arguments."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.formatter_ = logs.JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.formatter_.format(record))
        self.lines.append(f"{record.msg} {record.args} {json.dumps(record.__dict__, default=str)}")


def test_passwords_tokens_and_keys_never_reach_a_log_line(tmp_path) -> None:
    api_key = "sk-test-" + "k" * 40
    ctx = make_context(f"sqlite:///{tmp_path / 'leak.db'}", openai_api_key=api_key, llm_calls_per_minute=100)
    capture, root = Capture(), logging.getLogger()
    old_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        password, new_password = strong_password(), strong_password()
        user = accounts.signup(ctx, username="leaky", password=password)
        for wrong in ("wrong " + password, password.upper()):
            with pytest.raises(AppError):
                accounts.login(ctx, username="leaky", password=wrong)
        accounts.login(ctx, username="leaky", password=password)
        token = accounts.issue_token(ctx, user_id=user.id)
        accounts.account_for_token(ctx, token)
        accounts.account_for_token(ctx, token[:-1] + "x")  # tampered
        accounts.change_password(ctx, user_id=user.id, current=password, new=new_password)
        accounts.revoke_token(ctx, token)
        session_id = engine.start_interview(
            ctx, user_id=user.id, setup=InterviewSetup(track="os", language="en", num_questions=1), mode="llm"
        )
        view = engine.load_interview(ctx, user_id=user.id, session_id=session_id)
        secret_answer = "my answer mentions my password " + new_password
        engine.submit_answer(ctx, user_id=user.id, session_id=session_id, turn=view.current["turn"], text=secret_answer)
        llms = Llms(
            grader=FakeListChatModel(responses=["not json", "still not json"]),
            interviewer=GenericFakeChatModel(messages=iter(["Keep going."])),
        )
        engine.grade_pending(ctx, None, llms, user_id=user.id, session_id=session_id)  # repair, then fallback
    finally:
        root.removeHandler(capture)
        root.setLevel(old_level)
        ctx.engine.dispose()
    text = "\n".join(capture.lines)
    assert capture.lines, "nothing was logged: the capture is not working"
    for secret in (password, new_password, token, api_key, secret_answer, ctx.pepper.decode()):
        assert secret not in text, secret[:12]
