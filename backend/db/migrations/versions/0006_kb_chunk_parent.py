"""Knowledge chunks carry their parent passage: search matches small chunks and returns the enclosing
section (bounded, heading included), so each chunk row stores that section text beside its own.

Rows ingested before have an empty parent and are shown as their own text until their file is
re-indexed (the chunking version is part of a document's hash, so the next ingest re-indexes it).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kb_chunks", sa.Column("parent", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    op.drop_column("kb_chunks", "parent")
