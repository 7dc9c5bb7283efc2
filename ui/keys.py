"""Session-state and widget keys: one place, so tests select widgets by key."""

# Session state
ACCOUNT = "account"  # backend.accounts.Account of the logged-in user
TOKEN = "auth_token"  # raw session token (also in the browser cookie)
COOKIE_CHECKED = "cookie_checked"  # the request cookie was read once for this session
LANGUAGE = "ui_language"  # language for anonymous visitors
FLASH = "flash"  # one-shot success message shown after a rerun
FAREWELL = "farewell"  # UI string key of the notice the login screen shows after a logout, until the next login
MODEL = "llm_model"
TEMPERATURE = "llm_temperature"

# Cookie
COOKIE_NAME = "ic_session"
COOKIE_MANAGER = "cookie_manager"
COOKIE_JAR = "cookie_jar"  # this run's CookieManager instance
COOKIE_FORGET = "cookie_forget"  # the request's cookie names a dead token: delete it once the component is mounted

# Widgets
LOGIN_USERNAME = "login_username"
LOGIN_PASSWORD = "login_password"
LOGIN_SUBMIT = "login_submit"
SIGNUP_USERNAME = "signup_username"
SIGNUP_PASSWORD = "signup_password"
SIGNUP_CONFIRM = "signup_confirm"
SIGNUP_SUBMIT = "signup_submit"
LANGUAGE_PICKER = "language_picker"
LANGUAGE_PICKED = "language_picked"  # a language the visitor chose on the login screen: the account takes it
LOGOUT = "logout"
ACCOUNT_LANGUAGE = "account_language"
ACCOUNT_TIMEZONE = "account_timezone"
ACCOUNT_SAVE = "account_save"
PW_CURRENT = "pw_current"
PW_NEW = "pw_new"
PW_CONFIRM = "pw_confirm"
PW_SUBMIT = "pw_submit"
PW_OUTCOME = "pw_outcome"  # the last password change: None when it worked, else its AppError
DELETE_PASSWORD = "delete_password"
DELETE_CONFIRM = "delete_confirm"
DELETE_SUBMIT = "delete_submit"
HOME_START = "home_start"

# Interview
CHAT_SESSION = "chat_session_id"  # the interview shown on the chat page
CHAT_NEW = "chat_new"  # "Start a new interview" was clicked: the set-up, not an older unfinished interview
CHAT_CONTINUE = "chat_continue"
VOTE_PREFIX = "vote_"
VOTE_COMMENT_PREFIX = "vote_comment_"
SETUP_TRACK = "setup_track"
SETUP_DIFFICULTY = "setup_difficulty"
SETUP_LANGUAGE = "setup_language"
SETUP_COUNT = "setup_count"
SETUP_CONTEXT = "setup_context"
SETUP_CONTEXT_DOC = "setup_context_doc"
SETUP_WEAK = "setup_weak"
SETUP_NOTES = "setup_notes"
SETUP_START = "setup_start"
SETUP_LAST = "setup_last"  # the choices of the interview last started (not a widget: kept while none is drawn)
CHAT_INPUT = "chat_input"
ACT_NEXT = "act_next"
ACT_FOLLOW_UP = "act_follow_up"
ACT_RETRY = "act_retry"
ACT_SKIP = "act_skip"
ACT_END = "act_end"
ACT_NEW = "act_new"
ACT_RETRY_GRADING = "act_retry_grading"
TOO_LONG_PREFIX = "too_long_"  # + turn: an answer over the limit, kept to shorten
TAB_ID = "tab_id"  # a random id of this browser tab's session
SHOWN_TURN = "shown_turn"  # the question turn this tab last drew: its answer and clicks are about that one
UNSENT = "unsent_answer"  # text typed for a question answered meanwhile in another tab: shown back to copy
SEND_SHORTENED = "send_shortened"
DRAFT_PREFIX = "draft_"  # + turn: the component that saves the unsent answer while it is typed
CHAT_VIEW = "chat_view"  # the interview loaded by this page run, handed to the live turn (one run only)
SCROLL_TO = "chat_scroll_to"  # "score" or "summary": what to bring into view on the next run
SHOW_TRANSCRIPT = "show_transcript"  # after the summary, the whole interview

# History, progress, review, exports
HISTORY_PAGE = "history_page"
HISTORY_SEARCH = "history_search"
HISTORY_TRACK = "history_track"
HISTORY_DIFFICULTY = "history_difficulty"
HISTORY_LANGUAGE = "history_language"
HISTORY_STATUS = "history_status"
HISTORY_DATES = "history_dates"
HISTORY_SCORES = "history_scores"
HISTORY_PREV = "history_prev"
HISTORY_NEXT = "history_next"
HISTORY_OPEN_PREFIX = "history_open_"
HISTORY_BACK = "history_back"
HISTORY_RESUME = "history_resume"
HISTORY_TITLE = "history_title"
HISTORY_RENAME = "history_rename"
HISTORY_DELETE_CONFIRM = "history_delete_confirm"
HISTORY_DELETE = "history_delete"
EXPORT_MARKDOWN = "export_markdown"
EXPORT_PDF = "export_pdf"
EXPORT_JSON = "export_json"
PRACTICE_PREFIX = "practice_"  # + answer id: practise that question again
TOPIC_PREFIX = "topic_"  # + section reference: practise that weak topic
REVIEW_START = "review_start"
HOME_CONTINUE = "home_continue"

# Documents
DOC_UPLOAD = "doc_upload"
DOC_LAST_UPLOAD = "doc_last_upload"  # file id of the upload already indexed (reruns keep the widget value)
DOC_DELETE_PREFIX = "doc_delete_"
