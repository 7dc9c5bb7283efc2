"""answer_drafts: the unsent answer of an interview's open turn, saved while the candidate types.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_drafts",
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("interview_sessions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("turn_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "turn_key"),
    )
    op.create_index("ix_answer_drafts_user_id", "answer_drafts", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_answer_drafts_user_id", table_name="answer_drafts")
    op.drop_table("answer_drafts")
