"""Every UI string, in Korean and English. Keys are dotted: area.name."""

from __future__ import annotations

# Each language is named in itself, whatever the UI language.
LANGUAGE_NAMES = {"ko": "한국어", "en": "English"}

STRINGS: dict[str, dict[str, str]] = {
    # App shell
    "common.choose": {"ko": "선택하세요", "en": "Choose an option"},  # a dropdown's placeholder while typing
    "app.title": {"ko": "면접 코치", "en": "Interview coach"},
    "nav.login": {"ko": "로그인", "en": "Log in"},
    "nav.home": {"ko": "홈", "en": "Home"},
    "nav.chat": {"ko": "모의 면접", "en": "Mock interview"},
    "nav.history": {"ko": "기록", "en": "History"},
    "nav.documents": {"ko": "내 자료", "en": "My documents"},
    "nav.account": {"ko": "계정", "en": "Account"},
    "sidebar.signed_in_as": {"ko": "**{username}** 님으로 로그인됨", "en": "Signed in as **{username}**"},
    "sidebar.logout": {"ko": "로그아웃", "en": "Log out"},
    "sidebar.db_sqlite": {"ko": "데이터베이스: SQLite (로컬 파일)", "en": "Database: SQLite (local file)"},
    "sidebar.db_postgresql": {"ko": "데이터베이스: PostgreSQL", "en": "Database: PostgreSQL"},
    "sidebar.llm": {"ko": "면접관: LLM ({model})", "en": "Interviewer: LLM ({model})"},
    "sidebar.offline": {
        "ko": "면접관: 오프라인 (LLM 없이 핵심 포인트로 채점)",
        "en": "Interviewer: offline (graded from key points, no LLM)",
    },
    "sidebar.store_local": {"ko": "지식 베이스: 로컬 저장소", "en": "Knowledge base: local store"},
    "sidebar.store_pinecone": {"ko": "지식 베이스: Pinecone", "en": "Knowledge base: Pinecone"},
    "sidebar.lexical_only": {
        "ko": "임베딩 모델을 쓸 수 없어 키워드 검색만 사용합니다",
        "en": "No embedding model on this platform: keyword search only",
    },
    "sidebar.model": {"ko": "모델", "en": "Model"},
    "sidebar.temperature": {"ko": "질문 다양성 (temperature)", "en": "Question variety (temperature)"},
    "lang.label": {"ko": "화면 언어", "en": "Interface language"},
    # An interview's language named in the interface's (pickers name each language in itself: LANGUAGE_NAMES).
    "language.ko": {"ko": "한국어", "en": "Korean"},
    "language.en": {"ko": "영어", "en": "English"},
    # Login / sign-up
    "auth.welcome": {
        "ko": "실제 면접처럼 연습하고, 근거가 있는 피드백을 받으세요.",
        "en": "Practise like it's the real interview and get feedback you can trust.",
    },
    "auth.pitch": {
        "ko": "기술·인성 면접 질문에 답하면, 답변마다 4가지 기준의 점수(100점 만점)와 놓친 핵심 포인트, "
        "모범 답안, 근거가 된 자료를 바로 보여 줍니다. 기록이 쌓이면 약한 주제를 다시 연습할 수 있습니다.",
        "en": "Answer technical and behavioural interview questions. Every answer gets a score out of 100 on four "
        "criteria, the key points you missed, a model answer and the passage it relied on; your history shows "
        "the weak topics to practise again.",
    },
    "auth.sample": {"ko": "답변마다 받는 피드백 (예시)", "en": "The feedback on every answer (example)"},
    "auth.sample_missed": {
        "ko": "놓친 포인트: 교착 상태를 막는 자원 할당 순서",
        "en": "Missed: ordering resource requests to prevent deadlock",
    },
    "auth.login_tab": {"ko": "로그인", "en": "Log in"},
    "auth.signup_tab": {"ko": "회원가입", "en": "Sign up"},
    "auth.username": {"ko": "아이디", "en": "Username"},
    "auth.password": {"ko": "비밀번호", "en": "Password"},
    "auth.password_confirm": {"ko": "비밀번호 확인", "en": "Confirm password"},
    "auth.login_button": {"ko": "로그인", "en": "Log in"},
    "auth.signup_button": {"ko": "가입하기", "en": "Create account"},
    "auth.username_help": {
        "ko": "3–32자, 글자·숫자·밑줄(_)·점(.)·하이픈(-)",
        "en": "3–32 characters: letters, digits, _ . -",
    },
    "auth.password_help": {
        "ko": "8자 이상. 여러 단어로 된 긴 문장형 비밀번호를 권장합니다 (한글 가능).",
        "en": "At least 8 characters. A long passphrase of several words is best (any script).",
    },
    "auth.username_look_alike": {
        "ko": "다른 아이디로 착각하기 쉬운 글자가 섞여 있습니다 (예: 라틴 문자 사이의 키릴 문자). 한 가지 문자로 써 주세요.",
        "en": "This username mixes letters that pass for others (such as a Cyrillic letter among Latin ones). "
        "Please use one script.",
    },
    "auth.username_rules": {
        "ko": "아이디는 3–32자의 글자, 숫자, 밑줄(_), 점(.), 하이픈(-)만 쓸 수 있습니다.",
        "en": "Usernames are 3–32 characters of letters, digits, underscore, dot or hyphen.",
    },
    "auth.username_taken": {
        "ko": "이미 사용 중인 아이디입니다. 다른 아이디를 골라 주세요.",
        "en": "That username is taken. Please choose another one.",
    },
    "auth.password_too_short": {
        "ko": "비밀번호는 {min}자 이상이어야 합니다.",
        "en": "The password must be at least {min} characters long.",
    },
    "auth.password_too_long": {
        "ko": "비밀번호는 {max}자 이하여야 합니다.",
        "en": "The password must be at most {max} characters long.",
    },
    "auth.password_guessable": {
        "ko": "너무 흔하거나 추측하기 쉬운 비밀번호입니다. 서로 관련 없는 단어 여러 개로 된 문장을 써 보세요.",
        "en": "That password is too common or easy to guess. Try a passphrase of several unrelated words.",
    },
    "auth.password_mismatch": {"ko": "두 비밀번호가 서로 다릅니다.", "en": "The two passwords do not match."},
    "auth.bad_credentials": {
        "ko": "아이디 또는 비밀번호가 올바르지 않습니다.",
        "en": "The username or password is incorrect.",
    },
    "auth.locked": {
        "ko": "로그인 실패가 여러 번 반복되어 잠시 잠겼습니다. {seconds}초 후에 다시 시도해 주세요.",
        "en": "Too many failed attempts. Please try again in {seconds} seconds.",
    },
    "auth.wrong_current_password": {
        "ko": "현재 비밀번호가 올바르지 않습니다.",
        "en": "The current password is incorrect.",
    },
    "auth.password_unchanged": {
        "ko": "새 비밀번호는 현재 비밀번호와 달라야 합니다.",
        "en": "The new password must be different from the current one.",
    },
    "auth.signed_up": {"ko": "가입을 환영합니다, {username} 님!", "en": "Welcome aboard, {username}!"},
    # Home
    "home.greeting": {"ko": "안녕하세요, {username} 님 👋", "en": "Hello, {username} 👋"},
    "home.intro": {
        "ko": "면접 코치는 참고 문서에 근거한 질문을 던지고, 답변마다 루브릭 점수와 놓친 핵심 포인트, "
        "근거가 된 문단을 함께 보여 주는 모의 면접관입니다. 모든 연습은 저장되므로 약한 질문을 다시 "
        "풀어 보며 점수가 오르는 것을 확인할 수 있습니다.",
        "en": "Interview coach asks you questions grounded in reference documents and grades every answer "
        "against a rubric, showing the key points you missed and the passage it relied on. Every session "
        "is saved, so you can retry weak questions and watch your scores rise.",
    },
    "home.start": {"ko": "모의 면접 시작하기", "en": "Start a mock interview"},
    "home.recent": {"ko": "최근 면접", "en": "Recent interviews"},
    "home.no_sessions": {
        "ko": "아직 면접 기록이 없습니다. 첫 모의 면접을 시작해 보세요!",
        "en": "No interviews yet. Start your first mock interview!",
    },
    "home.status_active": {"ko": "진행 중", "en": "in progress"},
    "home.status_ended": {"ko": "종료", "en": "ended"},  # all questions asked or ended early: both are ended
    "home.this_week": {"ko": "이번 주 답변", "en": "Answers this week"},
    "home.this_week_help": {
        "ko": "이번 주(월요일부터)에 보낸 모든 답변입니다. 다시 풀기와 꼬리 질문 답변도 셉니다.",
        "en": "Every answer sent this week (from Monday), retries and follow-ups included.",
    },
    "home.average_7": {"ko": "최근 7일 평균", "en": "Average, last 7 days"},
    "home.average_help": {
        "ko": "최근 7일 답변 점수의 평균과 그 전 7일 대비 변화",
        "en": "Mean score of your answers in the last 7 days, against the 7 days before",
    },
    "home.streak": {"ko": "연속 연습", "en": "Practice streak"},
    "home.streak_days": {"ko": "{n}일", "en": "{n} days"},
    "home.streak_day": {"ko": "{n}일", "en": "{n} day"},
    "home.streak_help": {
        "ko": "하루에 한 문제 이상 답한 날이 이어진 일수 (내 시간대 기준). 오늘 아직 안 했다면 어제까지 셉니다.",
        "en": "Days in a row (in your time zone) with at least one answered question; until today is "
        "practised, it counts up to yesterday.",
    },
    "home.continue": {"ko": "이어서 하기: {title}", "en": "Continue: {title}"},
    "practice.continued": {
        "ko": "같은 질문으로 시작해 아직 끝내지 않은 연습이 있어 그 연습을 이어서 합니다.",
        "en": "You already started practising these questions and have not finished: carrying on where you left off.",
    },
    "home.suggestion": {"ko": "다음 추천 연습", "en": "Suggested next"},
    "home.history": {"ko": "전체 기록과 진척도 보기", "en": "See all history and progress"},
    "home.open": {"ko": "보기", "en": "Open"},
    "sidebar.about": {"ko": "실행 정보", "en": "About this app"},
    # Review queue (spaced repetition)
    "review.due": {"ko": "오늘 복습할 질문: {n}개", "en": "Due today: {n}"},
    "review.none": {
        "ko": "오늘 복습할 질문이 없습니다. 답한 질문은 점수에 맞춰 다시 물어볼 날이 정해집니다.",
        "en": "Nothing due today. Every question you answer is scheduled for review according to its score.",
    },
    "review.start": {"ko": "복습 시작", "en": "Start review"},
    "review.next": {"ko": "다음 복습: {days}일 후 ({date})", "en": "Next review: in {days} days ({date})"},
    "review.next_tomorrow": {"ko": "다음 복습: 내일 ({date})", "en": "Next review: tomorrow ({date})"},
    "review.first_answer": {
        "ko": "처음 한 답변으로 정해졌습니다. 피드백 직후 다시 푼 답은 연습입니다.",
        "en": "Set by your first answer: a retry right after the feedback is practice, not recall.",
    },
    "review.due_now": {"ko": "오늘 복습할 차례입니다", "en": "Due for review today"},
    # History
    "history.title": {"ko": "면접 기록", "en": "History"},
    "history.tab_interviews": {"ko": "면접 목록", "en": "Interviews"},
    "history.tab_progress": {"ko": "진척도", "en": "Progress"},
    "history.search": {"ko": "질문·답변 검색", "en": "Search questions and answers"},
    "history.search_help": {
        "ko": "질문, 내 답변, 제목에 이 글자가 들어간 면접만 보여 줍니다.",
        "en": "Shows interviews whose questions, your answers or title contain this text.",
    },
    "history.filters": {"ko": "필터", "en": "Filters"},
    "history.any": {"ko": "전체", "en": "Any"},
    "history.status": {"ko": "상태", "en": "Status"},
    "history.dates": {"ko": "기간", "en": "Dates"},
    "history.scores": {"ko": "총점 범위", "en": "Score range"},
    "history.count": {"ko": "면접 {count}개 · {page}/{pages} 쪽", "en": "{count} interviews · page {page} of {pages}"},
    "history.count_one": {
        "ko": "면접 {count}개 · {page}/{pages} 쪽",
        "en": "{count} interview · page {page} of {pages}",
    },
    "history.none": {"ko": "조건에 맞는 면접이 없습니다.", "en": "No interviews match."},
    "history.empty": {
        "ko": "아직 면접 기록이 없습니다. 모의 면접을 마치면 여기에서 다시 볼 수 있습니다.",
        "en": "No interviews yet. Finish a mock interview and you can review it here.",
    },
    "history.prev": {"ko": "이전", "en": "Previous"},
    "history.next": {"ko": "다음", "en": "Next"},
    "history.open": {"ko": "열기", "en": "Open"},
    "history.answered": {"ko": "{n}문항 답변", "en": "{n} answered"},
    "history.no_score": {"ko": "점수 없음", "en": "no score"},
    "history.so_far": {"ko": "지금까지 {score:.0f}/100", "en": "{score:.0f}/100 so far"},
    "history.back": {"ko": "목록으로", "en": "Back to the list"},
    "history.resume": {"ko": "이어서 하기", "en": "Resume"},
    "history.gone": {"ko": "이 면접은 없거나 삭제되었습니다.", "en": "This interview does not exist or was deleted."},
    "history.rename": {"ko": "이름 바꾸기", "en": "Rename"},
    "history.new_title": {"ko": "새 이름", "en": "New title"},
    "history.save": {"ko": "저장", "en": "Save"},
    "history.renamed": {"ko": "이름을 바꿨습니다.", "en": "Renamed."},
    "history.empty_title": {"ko": "이름을 입력해 주세요.", "en": "Please enter a title."},
    "history.title_help": {
        "ko": "최대 {max}자입니다. 더 길면 {max}자 안으로 줄여 저장합니다.",
        "en": "At most {max} characters: a longer title is shortened to fit.",
    },
    "history.delete": {"ko": "삭제", "en": "Delete"},
    "history.delete_confirm": {
        "ko": "이 면접과 답변, 채점, 평가를 모두 지웁니다. 되돌릴 수 없습니다.",
        "en": "This deletes the interview with its answers, grades and votes. It cannot be undone.",
    },
    "history.delete_sure": {
        "ko": "이 면접을 삭제한다는 것을 이해했습니다",
        "en": "I understand that this interview will be deleted",
    },
    "history.delete_button": {"ko": "영구 삭제", "en": "Delete for good"},
    "history.deleted": {"ko": "면접을 삭제했습니다.", "en": "Interview deleted."},
    "history.attempts": {"ko": "같은 질문의 시도 비교", "en": "Attempts side by side"},
    "history.attempt": {"ko": "{n}번째 시도", "en": "Attempt {n}"},
    "history.practise": {"ko": "이 질문 다시 연습", "en": "Practise this again"},
    "history.practised_later": {
        "ko": "{date}에 다시 연습: {total:.0f}점 ({delta:+.0f})",
        "en": "Practised again on {date}: {total:.0f} ({delta:+.0f})",
    },
    "history.practice_of": {
        "ko": "{date}의 답변({total:.0f}점)을 다시 연습한 것입니다",
        "en": "Practising your answer of {date} again ({total:.0f} then)",
    },
    "history.download_md": {"ko": "Markdown", "en": "Markdown"},
    "history.download_pdf": {"ko": "PDF", "en": "PDF"},
    "progress.chart": {"ko": "점수 변화", "en": "Score over time"},
    "progress.chart_help": {
        "ko": "최근 면접({n}개)의 총점(끝내지 않은 면접은 지금까지의 점수). 선은 전체 추세(최근 5개 이동 평균)입니다.",
        "en": "Overall score of your latest interviews ({n}; an unfinished one by its score so far). The line is the "
        "trend (moving average of 5).",
    },
    "progress.interviews": {"ko": "면접 (오래된 것부터)", "en": "Interviews, oldest first"},
    "progress.when": {"ko": "일시", "en": "When"},
    "progress.score": {"ko": "총점", "en": "Score"},
    "progress.track": {"ko": "분야", "en": "Track"},
    "progress.trend": {"ko": "전체 추세", "en": "Overall trend"},
    "progress.no_data": {
        "ko": "채점된 면접이 생기면 점수 변화를 보여 드립니다.",
        "en": "Your progress appears here once an interview has been graded.",
    },
    "progress.dimensions": {"ko": "루브릭 항목별 평균 (1–5)", "en": "Rubric averages (1–5)"},
    "progress.dimension": {"ko": "항목", "en": "Dimension"},
    "progress.last_30": {"ko": "최근 30일", "en": "Last 30 days"},
    "progress.prev_30": {"ko": "그 전 30일", "en": "30 days before"},
    "progress.change": {"ko": "변화", "en": "Change"},
    "progress.weak_topics": {"ko": "약한 주제", "en": "Weak topics"},
    "progress.weak_help": {
        "ko": "최근 답변 기준으로 점수가 낮은 지식 베이스 섹션입니다 (질문마다 마지막 점수의 평균).",
        "en": "Knowledge-base sections with your lowest recent scores (mean of each question's latest score).",
    },
    "progress.topic_row": {
        "ko": "{track} · 점수 {score:.0f} · {n}번 연습 · 마지막 {last:.0f}점 ({date})",
        "en": "{track} · score {score:.0f} · practised {n}× · last {last:.0f} ({date})",
    },
    "progress.practise": {"ko": "연습하기", "en": "Practise"},
    # Exports
    "export.answer": {"ko": "답변", "en": "Answer"},
    "export.overall": {"ko": "총점 {score}/100", "en": "Overall score {score}/100"},
    "export.title": {"ko": "내 데이터 내보내기", "en": "Export your data"},
    "export.help": {
        "ko": "계정, 모든 면접과 답변, 채점, 평가, 복습 일정, 업로드한 자료 목록을 JSON 파일 하나로 받습니다.",
        "en": "Download your account, every interview with its answers and grades, your votes, review "
        "schedule and the list of your documents as one JSON file.",
    },
    "export.json": {"ko": "JSON으로 받기", "en": "Download JSON"},
    # Account
    "account.title": {"ko": "계정 설정", "en": "Account settings"},
    "account.preferences": {"ko": "환경 설정", "en": "Preferences"},
    "account.timezone": {"ko": "시간대", "en": "Time zone"},
    "account.save": {"ko": "저장", "en": "Save"},
    "account.saved": {"ko": "저장했습니다.", "en": "Saved."},
    "account.change_password": {"ko": "비밀번호 변경", "en": "Change password"},
    "account.current_password": {"ko": "현재 비밀번호", "en": "Current password"},
    "account.change_password_help": {
        "ko": "바꾸면 이 브라우저를 뺀 다른 모든 기기와 탭에서 로그아웃됩니다.",
        "en": "Changing it logs you out everywhere except in this browser.",
    },
    "account.new_password": {"ko": "새 비밀번호", "en": "New password"},
    "account.password_changed": {
        "ko": "비밀번호를 바꿨습니다. 다른 기기의 로그인은 모두 해제되었습니다.",
        "en": "Password changed. You have been logged out everywhere else.",
    },
    "account.delete": {"ko": "계정 삭제", "en": "Delete account"},
    "account.delete_warning": {
        "ko": "계정과 모든 면접 기록, 업로드한 자료가 영구히 삭제됩니다. 되돌릴 수 없습니다.",
        "en": "Your account, every interview and every uploaded document will be deleted for good. "
        "This cannot be undone.",
    },
    "account.delete_confirm": {
        "ko": "모든 데이터가 삭제된다는 것을 이해했습니다",
        "en": "I understand that all my data will be deleted",
    },
    "account.delete_unconfirmed": {
        "ko": "계정과 그 안의 모든 데이터를 삭제하려면 확인란을 선택해 주세요.",
        "en": "Tick the box to confirm you want to delete your account and everything in it.",
    },
    "account.delete_button": {"ko": "계정 영구 삭제", "en": "Delete my account"},
    "account.deleted": {
        "ko": "계정과 모든 데이터를 삭제했습니다.",
        "en": "Your account and all its data were deleted.",
    },
    # Errors
    "error.db_unavailable": {
        "ko": "데이터베이스에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요. 입력한 내용은 그대로 있습니다.",
        "en": "The database cannot be reached right now. Please try again in a moment; nothing you typed is lost.",
    },
    "error.db_busy": {
        "ko": "지금 사용자가 많아 데이터베이스가 바쁩니다. 잠시 후 다시 시도해 주세요. 입력한 내용은 그대로 있습니다.",
        "en": "The database is busy right now. Please try again in a moment; nothing you typed is lost.",
    },
    "error.retry": {"ko": "다시 시도", "en": "Try again"},
    "error.not_found": {"ko": "찾을 수 없습니다.", "en": "Not found."},
    "error.bad_language": {"ko": "지원하지 않는 언어입니다.", "en": "Unsupported language."},
    "error.bad_timezone": {"ko": "알 수 없는 시간대입니다.", "en": "Unknown time zone."},
    "error.unexpected": {
        "ko": "예기치 못한 문제가 생겼습니다. 페이지를 새로 고쳐 다시 시도해 주세요. 문제가 계속되면 관리자에게 알려 주세요.",
        "en": "Something went wrong on our side. Please refresh the page and try again; "
        "if it keeps happening, let the administrator know.",
    },
    "error.config": {
        "ko": "앱 설정에 문제가 있습니다: {detail}",
        "en": "The app is misconfigured: {detail}",
    },
}


def translate(key: str, language: str, **params: object) -> str:
    """The string `key` in `language` (falling back to English, then the key), formatted. With a `count` of 1, the
    singular `key_one` where there is one ("1 passage", not "1 passages")."""
    if params.get("count") == 1 and f"{key}_one" in STRINGS:
        key = f"{key}_one"
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(language) or entry["en"]
    return text.format(**params) if params else text


STRINGS.update(
    {
        # Tracks and difficulties
        "track.python": {"ko": "파이썬", "en": "Python"},
        "track.algorithms": {"ko": "자료구조·알고리즘", "en": "Data structures & algorithms"},
        "track.os": {"ko": "운영체제", "en": "Operating systems"},
        "track.networking": {"ko": "네트워크", "en": "Networking"},
        "track.databases": {"ko": "데이터베이스", "en": "Databases"},
        "track.web": {"ko": "웹·백엔드", "en": "Web & backend"},
        "track.system_design": {"ko": "시스템 설계", "en": "System design"},
        "track.behavioral": {"ko": "인성 면접 (STAR)", "en": "Behavioural (STAR)"},
        "difficulty.easy": {"ko": "쉬움", "en": "Easy"},
        "difficulty.medium": {"ko": "보통", "en": "Medium"},
        "difficulty.hard": {"ko": "어려움", "en": "Hard"},
        "difficulty.mixed": {"ko": "혼합", "en": "Mixed"},
        "track.mixed": {"ko": "여러 분야 (복습)", "en": "Several tracks (review)"},
        "track.notes": {"ko": "내 노트", "en": "My notes"},
        # Chat: set-up
        "chat.title": {"ko": "모의 면접", "en": "Mock interview"},
        "chat.setup": {"ko": "면접 설정", "en": "Set up your interview"},
        "chat.track": {"ko": "분야", "en": "Track"},
        "chat.difficulty": {"ko": "난이도", "en": "Difficulty"},
        "chat.language": {"ko": "면접 언어", "en": "Interview language"},
        "chat.num_questions": {"ko": "질문 수", "en": "Number of questions"},
        "chat.context": {"ko": "채용 공고·이력서 (선택)", "en": "Job description / résumé (optional)"},
        "chat.context_help": {
            "ko": "붙여 넣으면 내용과 관련된 질문을 우선 고릅니다. 이 글은 데이터로만 쓰입니다.",
            "en": "Paste it and the questions closest to it come first. It is only ever used as data.",
        },
        "chat.context_doc": {"ko": "또는 업로드한 자료 사용", "en": "Or use one of your uploaded documents"},
        "chat.context_none": {"ko": "사용 안 함", "en": "None"},
        "chat.notes": {"ko": "내 노트로 연습", "en": "Practise on my notes"},
        "chat.notes_help": {
            "ko": "고른 자료의 섹션마다 질문 하나를 만들고, 기술 답변처럼 그 섹션으로 채점합니다. "
            "그래서 기술 분야를 골라야 하며, 분야는 기록에서 이 면접을 분류하는 데 쓰입니다.",
            "en": "Asks one question per section of the chosen document and grades the answer like a technical one, "
            "against that section: choose a technical track, which also files the interview in your history.",
        },
        "chat.notes_track": {
            "ko": "노트 질문은 노트의 내용을 묻고 기술 답변처럼 채점합니다. 이 면접을 분류할 기술 분야를 골라 주세요.",
            "en": "Questions on your notes ask what the notes explain and are graded like technical answers: "
            "choose a technical track to file this interview under.",
        },
        "chat.notes_pick": {
            "ko": "연습할 노트를 위의 '또는 업로드한 자료 사용'에서 골라 주세요.",
            "en": "Choose the notes to practise on under 'Or use one of your uploaded documents' above.",
        },
        "chat.reason_words": {
            "ko": "{document}에서 언급하신 {words} 관련 질문입니다.",
            "en": "You mention {words} in {document}.",
        },
        "chat.reason_document": {"ko": "'{name}'", "en": "'{name}'"},
        "chat.reason_pasted": {"ko": "붙여 넣은 채용 공고·이력서", "en": "your job description / résumé"},
        "chat.reason_section": {"ko": "내 노트 '{name}' › {section}", "en": "From your notes '{name}' › {section}"},
        "notes.no_sections": {
            "ko": "{name}: 질문을 만들 섹션이 없습니다. 노트를 제목(한 줄짜리 제목, Markdown이면 # 제목)으로 나누거나 "
            "'용어: 설명' 형식의 문단으로 써서 올려 주세요.",
            "en": "{name}: there are no sections to ask about. Divide the notes by headings (a short line of its own, "
            "or # Heading in Markdown), or write them as 'Term: explanation' paragraphs.",
        },
        "notes.not_found": {
            "ko": "{name}: 내 자료에서 찾을 수 없습니다. 자료를 다시 올려 주세요.",
            "en": "{name}: not found among your documents. Please upload it again.",
        },
        "chat.weak_spots": {"ko": "약한 질문 위주로 연습", "en": "Practise my weak spots"},
        "chat.weak_spots_help": {
            "ko": "이전에 60점 미만이었던 질문을 먼저 다시 묻습니다.",
            "en": "Questions you scored below 60 on before come first.",
        },
        "chat.start": {"ko": "면접 시작", "en": "Start interview"},
        "chat.mode_offline": {
            "ko": "오프라인 면접관: 피드백은 LLM이 아니라 각 질문의 핵심 포인트와 비교해 계산합니다.",
            "en": "Offline interviewer: feedback is computed from each question's key points, not by an LLM.",
        },
        "chat.mode_llm": {
            "ko": "LLM 면접관 ({model}): 채점은 temperature 0으로 일관되게 합니다.",
            "en": "LLM interviewer ({model}): grading runs at temperature 0 for consistency.",
        },
        "chat.rubric": {"ko": "채점 기준 (루브릭)", "en": "How answers are graded (rubric)"},
        "chat.rubric_level": {"ko": "점수", "en": "Score"},
        "chat.total_technical": {
            "ko": "총점(0–100)은 내용(정확성과 깊이를 반씩)으로 정해지고, 전달(명확성과 구성)이 부족하면 최대 {form}%까지 "
            "깎입니다. 맞는 내용이 없으면 아무리 명확해도 0점입니다. 항목 점수는 반올림해서 보여 주고 총점은 반올림 전 "
            "값으로 계산하므로, 보이는 점수로 계산한 값과 몇 점 다를 수 있습니다.",
            "en": "The total (0–100) is the content (correctness and depth, half each), with up to {form}% taken off "
            "for unclear form (clarity and structure). An answer that says nothing right scores 0, however clear. The "
            "scores are shown rounded and the total is made from the unrounded ones, so it can differ by a few points "
            "from what the shown scores give.",
        },
        "chat.past_answer": {
            "ko": "이 질문에 대한 지난 답변 ({date}, {total}점)",
            "en": "Your earlier answer to this question ({date}, {total}/100)",
        },
        "chat.past_missed": {"ko": "그때 놓친 핵심 포인트", "en": "Key points you missed then"},
        "chat.total_story": {
            "ko": "총점(0–100)은 STAR 네 부분(상황, 과제, 행동, 결과) 점수의 평균입니다. 항목 점수는 반올림해서 보여 "
            "주고 총점은 반올림 전 값으로 계산합니다.",
            "en": "The total (0–100) is the average of the four STAR parts (situation, task, action, result). The "
            "scores are shown rounded; the total is made from the unrounded ones.",
        },
        "chat.progress": {"ko": "질문 {position} / {planned}", "en": "Question {position} of {planned}"},
        "chat.progress_ended": {
            "ko": "종료 · 질문 {planned}개 중 {position}개 진행",
            "en": "Ended after question {position} of {planned}",
        },
        "chat.progress_done": {"ko": "완료 · 질문 {count}개", "en": "Finished · {count} questions"},
        "chat.progress_done_one": {"ko": "완료 · 질문 {count}개", "en": "Finished · 1 question"},
        "chat.question_label": {"ko": "Q{n}", "en": "Q{n}"},
        "chat.follow_up_label": {"ko": "꼬리 질문", "en": "Follow-up"},
        "chat.retry_label": {"ko": "다시 도전 (시도 {attempt})", "en": "Try again (attempt {attempt})"},
        "chat.skipped": {"ko": "이 질문은 건너뛰었습니다.", "en": "You skipped this question."},
        "chat.input": {"ko": "답변을 입력하세요…", "en": "Type your answer…"},
        "chat.input_disabled": {
            "ko": "위의 버튼으로 다음 단계를 고르세요",
            "en": "Choose what to do next with the buttons above",
        },
        "chat.shorten": {
            "ko": "보낸 답변은 여기 그대로 있습니다. {max}자 이내로 줄여서 보내 주세요.",
            "en": "Your answer is kept here. Shorten it to {max} characters or fewer and send it.",
        },
        "chat.length": {"ko": "{n} / {max}자", "en": "{n} / {max} characters"},
        "chat.send_shortened": {"ko": "줄인 답변 보내기", "en": "Send the shortened answer"},
        "chat.max_chars": {
            "ko": "답변은 최대 {max}자까지 쓸 수 있습니다.",
            "en": "Answers can be up to {max} characters.",
        },
        "chat.grading": {"ko": "답변을 채점하는 중…", "en": "Grading your answer…"},
        "chat.retry_grading": {"ko": "채점 다시 시도", "en": "Retry grading"},
        "chat.answer_saved": {
            "ko": "답변은 저장되어 있습니다. 다시 시도하면 그대로 채점합니다.",
            "en": "Your answer is saved; retrying grades it as it is.",
        },
        "chat.next": {"ko": "다음 질문", "en": "Next question"},
        "chat.finish": {"ko": "결과 보기", "en": "See my results"},
        "chat.follow_up": {"ko": "꼬리 질문 받기", "en": "Ask me a follow-up"},
        "chat.follow_up_none": {
            "ko": "이 질문에는 준비된 꼬리 질문이 없습니다.",
            "en": "There is no follow-up for this question.",
        },
        "chat.follow_up_nested": {
            "ko": "이미 꼬리 질문입니다. 다음 질문으로 넘어가세요.",
            "en": "This is already a follow-up: go on to the next question.",
        },
        "chat.retry": {"ko": "이 질문 다시 풀기", "en": "Retry this question"},
        "chat.skip": {"ko": "건너뛰기", "en": "Skip"},
        "chat.end": {"ko": "면접 끝내기", "en": "End interview"},
        "chat.end_confirm": {
            "ko": "남은 질문은 건너뛰고 결과를 봅니다. 끝낼까요?",
            "en": "The remaining questions are skipped and you see your results. End now?",
        },
        "chat.end_confirm_this": {
            "ko": "이 질문은 건너뛰고 결과를 봅니다. 끝낼까요?",
            "en": "This question is skipped and you see your results. End now?",
        },
        "chat.end_yes": {"ko": "네, 끝냅니다", "en": "Yes, end it"},
        "chat.end_confirm_empty": {
            "ko": "아직 답하거나 건너뛴 질문이 없어서, 끝내면 이 면접은 기록에 남지 않습니다.",
            "en": "Nothing is answered or skipped yet, so ending now keeps nothing of this interview.",
        },
        "chat.discarded": {
            "ko": "답하거나 건너뛴 질문이 없어서 이 면접은 기록에 남기지 않았습니다.",
            "en": "Nothing was answered or skipped, so this interview was not kept in your history.",
        },
        "chat.new": {"ko": "새 면접 시작", "en": "Start a new interview"},
        "chat.transcript": {"ko": "면접 전체 보기", "en": "Show the whole interview"},
        "chat.graded": {"ko": "채점 완료", "en": "Graded"},
        "chat.total": {"ko": "총점", "en": "Total"},
        "chat.insufficient": {"ko": "채점하기에 내용이 부족합니다", "en": "Not enough to grade"},
        "chat.approximate": {
            "ko": "대략적인 점수: 작성된 핵심 포인트가 없어 참고 자료의 문장과 비교했습니다",
            "en": "Approximate grade: compared with sentences of the reference, not authored key points",
        },
        "chat.evidence": {"ko": "근거: “{text}”", "en": "Based on: “{text}”"},
        "chat.no_evidence": {"ko": "근거가 된 문장이 없습니다", "en": "No sentence of the answer supports this"},
        "chat.key_points": {"ko": "핵심 포인트", "en": "Key points"},
        "chat.fewer_questions": {
            "ko": "고른 조건에 맞는 질문이 {count}개뿐이라 {asked}개 대신 {count}개로 시작했습니다.",
            "en": "Only {count} questions match what you chose, so this interview has {count} instead of {asked}.",
        },
        "chat.fewer_questions_one": {
            "ko": "고른 조건에 맞는 질문이 {count}개뿐이라 {asked}개 대신 {count}개로 시작했습니다.",
            "en": "Only one question matches what you chose, so this interview has one instead of {asked}.",
        },
        "chat.missed": {"ko": "놓친 핵심 포인트", "en": "Key points you missed"},
        "chat.covered": {"ko": "다룬 핵심 포인트", "en": "Key points you covered"},
        "chat.none_missed": {"ko": "놓친 포인트가 없습니다.", "en": "Nothing missed."},
        "chat.model_answer": {"ko": "모범 답안", "en": "Model answer"},
        "chat.sources": {"ko": "참고한 문단 ({n})", "en": "Passages used ({n})"},
        "chat.helpful": {"ko": "이 피드백이 도움이 되었나요?", "en": "Was this feedback helpful?"},
        "chat.vote_thanks": {"ko": "의견 고맙습니다. 기록해 두었습니다.", "en": "Thanks, your vote is saved."},
        "chat.vote_comment": {
            "ko": "무엇이 잘못됐나요? (선택, Enter로 저장)",
            "en": "What was wrong with this feedback? (optional, Enter saves it)",
        },
        "chat.vote_comment_saved": {"ko": "의견을 저장했습니다.", "en": "Your comment is saved."},
        "chat.diff": {"ko": "이전 대비 {delta:+d}", "en": "{delta:+d} vs before"},
        "chat.same": {"ko": "이전과 같음", "en": "same as before"},
        # Summary
        "summary.title": {"ko": "면접 결과", "en": "Interview results"},
        "summary.overall": {"ko": "종합 점수", "en": "Overall score"},
        "summary.answered": {"ko": "답한 질문", "en": "Questions answered"},
        "summary.skipped": {"ko": "건너뛴 질문 {n}개", "en": "{n} skipped"},
        "summary.strongest": {"ko": "강한 주제", "en": "Strongest topics"},
        "summary.weakest": {"ko": "보완할 주제", "en": "Topics to work on"},
        "summary.strongest_none": {
            "ko": "{score}점 이상인 주제가 아직 없습니다.",
            "en": "No topic at {score} or above yet.",
        },
        "summary.weakest_none": {"ko": "{score}점 미만인 주제가 없습니다.", "en": "No topic below {score}."},
        "summary.topic_row": {"ko": "{topic}: {score:.0f}점", "en": "{topic}: {score:.0f}"},
        "summary.improvements": {"ko": "다시 도전해서 오른 점수", "en": "Improvements from retries"},
        "summary.improvement_row": {
            "ko": "{question} — {first:.0f} → {best:.0f}",
            "en": "{question} — {first:.0f} → {best:.0f}",
        },
        "summary.study": {"ko": "다음에 공부할 내용", "en": "What to study next"},
        "summary.nothing": {
            "ko": "채점된 답변이 없습니다. 다음에는 한 문제라도 답해 보세요!",
            "en": "No graded answers this time. Try answering at least one question next time!",
        },
        # Interview errors
        "interview.changed": {
            "ko": "다른 탭이나 클릭에서 이 면접이 먼저 바뀌었습니다. 지금 상태를 보여 드립니다.",
            "en": "This interview changed in another tab or click first; here is where it stands now.",
        },
        "interview.answered_elsewhere": {
            "ko": "이 질문은 다른 탭에서 이미 답변했거나 건너뛰었습니다. 여기서 쓴 답변은 저장하지 않았고, 아래에 남겨 "
            "두었습니다.",
            "en": "This question was already answered or skipped in another tab. What you wrote here was not saved; "
            "it is kept below to copy.",
        },
        "interview.invalid_action": {
            "ko": "지금은 그 동작을 할 수 없습니다. 화면을 새로 고쳐 주세요.",
            "en": "That action isn't available right now. Please refresh the page.",
        },
        "interview.empty_answer": {
            "ko": "답변이 비어 있습니다. 답변을 입력해 주세요. 넘어가려면 '건너뛰기'를 누르세요.",
            "en": "That answer is empty. Type your answer, or press Skip to move on.",
        },
        "interview.too_long": {
            "ko": "답변이 너무 깁니다 (최대 {max}자). 줄여서 다시 보내 주세요.",
            "en": "That answer is too long (at most {max} characters). Please shorten it and send it again.",
        },
        "interview.bad_setup": {
            "ko": "면접 설정이 올바르지 않습니다.",
            "en": "Those interview settings are not valid.",
        },
        "interview.no_questions": {
            "ko": "조건에 맞는 질문이 없습니다. 난이도나 분야를 바꿔 보세요.",
            "en": "No questions match. Try another difficulty or track.",
        },
        "interview.no_follow_up": {
            "ko": "이 질문에는 더 이상 꼬리 질문이 없습니다.",
            "en": "There are no more follow-ups for this question.",
        },
        "llm.rate_minute": {
            "ko": "LLM 호출이 너무 잦습니다 (분당 {limit}회). 1분 후에 다시 시도해 주세요. 답변은 저장되어 있습니다.",
            "en": "Too many LLM calls (limit {limit} per minute). Please wait a minute and retry; your answer is saved.",
        },
        "llm.rate_day": {
            "ko": "오늘의 LLM 사용 한도({limit}회)를 다 썼습니다. 내일 다시 이용해 주세요. 답변은 저장되어 있습니다.",
            "en": "You have used today's LLM allowance ({limit} calls). Please come back tomorrow; your answer is saved.",
        },
        "llm.timeout": {
            "ko": "LLM 응답이 너무 오래 걸립니다. 답변은 저장되어 있으니 다시 시도해 주세요.",
            "en": "The LLM took too long to answer. Your answer is saved; please retry.",
        },
        "llm.provider_busy": {
            "ko": "LLM 서비스가 바쁩니다. 잠시 후 다시 시도해 주세요. 답변은 저장되어 있습니다.",
            "en": "The LLM service is busy. Please retry in a moment; your answer is saved.",
        },
        "llm.auth": {
            "ko": "LLM 서비스가 API 키를 거부했습니다. 관리자에게 알려 주세요. 답변은 저장되어 있습니다.",
            "en": "The LLM service rejected the API key. Please tell the administrator; your answer is saved.",
        },
        "llm.failed": {
            "ko": "LLM 호출에 실패했습니다. 답변은 저장되어 있으니 다시 시도해 주세요.",
            "en": "The LLM call failed. Your answer is saved; please retry.",
        },
        # Knowledge base and uploads
        "kb.indexing": {
            "ko": "처음 시작하는 중: 기본 지식 베이스를 준비하고 있습니다…",
            "en": "First start: preparing the bundled knowledge base…",
        },
        "kb.unsupported": {
            "ko": "{name}: 지원하지 않는 파일 형식입니다 ({types}).",
            "en": "{name}: unsupported file type (use {types}).",
        },
        "kb.empty": {"ko": "{name}: 내용이 없는 파일입니다.", "en": "{name}: the file has no text."},
        "kb.corrupt": {
            "ko": "{name}: 파일을 읽을 수 없습니다. 손상되었거나 암호가 걸려 있을 수 있습니다.",
            "en": "{name}: the file cannot be read; it may be damaged or encrypted.",
        },
        "kb.too_large": {
            "ko": "{name}: 파일이 너무 큽니다 (최대 {mb}MB).",
            "en": "{name}: the file is too large (max {mb} MB).",
        },
        "kb.unpacked_too_large": {
            "ko": "{name}: 압축을 풀면 너무 큽니다 (최대 {mb}MB).",
            "en": "{name}: the document is too large once unpacked (max {mb} MB).",
        },
        "kb.too_many_pages": {
            "ko": "{name}: {pages}쪽은 너무 많습니다 (최대 {limit}쪽). 필요한 부분만 나눠 올려 주세요.",
            "en": "{name}: {pages} pages is too many (max {limit}); upload the part you need.",
        },
        "kb.too_much_text": {
            "ko": "{name}: 글자가 너무 많습니다 (최대 {limit:,}자). 파일을 나눠 올려 주세요.",
            "en": "{name}: the text is too long (max {limit:,} characters); split it into smaller files.",
        },
        "kb.too_many_chunks": {
            "ko": "{name}: 문단이 너무 많습니다 ({chunks:,}개, 최대 {limit:,}개). 파일을 나눠 올려 주세요.",
            "en": "{name}: the text makes too many passages ({chunks:,}, max {limit:,}); split it into smaller files.",
        },
        "kb.too_complex": {
            "ko": "{name}: PDF가 너무 복잡해 읽을 수 없습니다 (그리기 명령 최대 {limit:,}개). 텍스트로 저장해 올려 주세요.",
            "en": "{name}: the PDF is too complex to read (max {limit:,} drawing operations); save it as text and upload that.",
        },
        "docs.embedding": {
            "ko": "{name}: 색인하는 중… ({done}/{total}개 문단)",
            "en": "{name}: indexing… ({done}/{total} passages)",
        },
        "docs.reading": {"ko": "{name}: 읽는 중…", "en": "{name}: reading…"},
        "kb.dimension_mismatch": {
            "ko": "Pinecone 인덱스 차원({index})이 임베딩 모델 차원({model})과 다릅니다. 인덱스를 다시 만들어 주세요.",
            "en": "The Pinecone index has dimension {index} but the embedding model produces {model}; "
            "recreate the index with the right dimension.",
        },
        "kb.no_embeddings": {
            "ko": "Pinecone을 쓰려면 임베딩 모델이 필요합니다.",
            "en": "Pinecone needs an embedding model.",
        },
        "docs.title": {"ko": "내 자료", "en": "My documents"},
        "docs.intro": {
            "ko": "노트, 채용 공고, 이력서를 올리면 내 면접에서만 참고합니다. 다른 사용자는 절대 볼 수 없습니다.",
            "en": "Upload notes, a job description or your résumé; only your own interviews draw on them. "
            "No other user can ever see them.",
        },
        "docs.upload": {"ko": "파일 올리기 (.md .txt .docx .pdf)", "en": "Upload a file (.md .txt .docx .pdf)"},
        # What Streamlit's uploader writes in English on its button and under it, in the interface language.
        "docs.upload_button": {"ko": "파일 선택", "en": "Upload"},
        "docs.upload_limit": {"ko": "파일당 {mb}MB", "en": "{mb}MB per file"},
        "docs.upload_help": {
            "ko": "파일당 {mb} MB, 글자 {chars}자까지. '내 노트로 연습'에 쓰려면 노트를 제목(한 줄짜리 제목, "
            "Markdown이면 # 제목)으로 나누거나 '용어: 설명' 형식의 문단으로 써 주세요.",
            "en": "Up to {mb} MB and {chars} characters of text per file. For 'Practise on my notes', divide the notes "
            "by headings (a short line of its own, or # Heading in Markdown) or write 'Term: explanation' paragraphs.",
        },
        "docs.uploaded": {
            "ko": "{name}을(를) 색인했습니다 ({count}개 문단).",
            "en": "Indexed {name} ({count} passages).",
        },
        "docs.uploaded_one": {"ko": "{name}을(를) 색인했습니다 ({count}개 문단).", "en": "Indexed {name} (1 passage)."},
        "docs.list": {"ko": "업로드한 자료", "en": "Your documents"},
        "docs.none": {"ko": "아직 업로드한 자료가 없습니다.", "en": "You haven't uploaded anything yet."},
        "docs.row": {"ko": "{name} · {count}개 문단", "en": "{name} · {count} passages"},
        "docs.row_one": {"ko": "{name} · {count}개 문단", "en": "{name} · 1 passage"},
        "docs.delete": {"ko": "삭제", "en": "Delete"},
        "docs.deleted": {"ko": "{name}을(를) 삭제했습니다.", "en": "Deleted {name}."},
        "docs.search": {"ko": "내 자료와 기본 자료에서 검색", "en": "Search your documents and the bundled ones"},
    }
)
