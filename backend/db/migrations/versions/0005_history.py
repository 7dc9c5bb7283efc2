"""History and review: indexes for the history page's filters, practice links between answers, review cards.

Also interview_sessions.version (compare-and-set of an interview's state) and an index on auth_tokens.expires_at, for purging dead session tokens at login.

On PostgreSQL, trigram indexes serve the history search (ILIKE '%…%') where the pg_trgm extension can be
created; elsewhere the search still works, by scanning the user's own rows.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_TRIGRAM = ("ix_answers_question_trgm", "question_text"), ("ix_answers_answer_trgm", "answer_text")


def upgrade() -> None:
    op.add_column("interview_sessions", sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    op.create_index("ix_auth_tokens_expires_at", "auth_tokens", ["expires_at"])
    op.create_index(
        "ix_interview_sessions_user_status_created", "interview_sessions", ["user_id", "status", "created_at"]
    )
    op.create_index("ix_interview_sessions_user_track_created", "interview_sessions", ["user_id", "track", "created_at"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite takes a REFERENCES clause in ADD COLUMN but not a separate constraint, and Alembic's batch
        # mode would rebuild the table (see the comment on User in models.py).
        op.execute(
            "ALTER TABLE answers ADD COLUMN previous_answer_id INTEGER REFERENCES answers (id) ON DELETE SET NULL"
        )
    else:
        op.add_column(
            "answers",
            sa.Column(
                "previous_answer_id", sa.Integer(), sa.ForeignKey("answers.id", ondelete="SET NULL"), nullable=True
            ),
        )
    op.create_index("ix_answers_previous_answer_id", "answers", ["previous_answer_id"])
    op.create_table(
        "review_cards",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("last_total", sa.Float(), nullable=True),
        sa.Column("last_review_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "question_id"),
    )
    op.create_index("ix_review_cards_user_due", "review_cards", ["user_id", "due"])
    if bind.dialect.name == "postgresql":
        try:  # a hosted database may refuse the extension: the search then scans the user's rows
            with bind.begin_nested():
                op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except sa.exc.DBAPIError:
            return
        for name, column in _TRIGRAM:
            op.create_index(name, "answers", [column], postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _ in _TRIGRAM:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_table("review_cards")
    op.drop_index("ix_answers_previous_answer_id", table_name="answers")
    op.drop_column("answers", "previous_answer_id")
    op.drop_index("ix_interview_sessions_user_track_created", table_name="interview_sessions")
    op.drop_index("ix_interview_sessions_user_status_created", table_name="interview_sessions")
    op.drop_index("ix_auth_tokens_expires_at", table_name="auth_tokens")
    op.drop_column("interview_sessions", "version")
