"""interview_sessions: interviews on the candidate's own notes get the track "notes".

They were filed under the track chosen in the set-up, which only sets the rubric: the history, the home page
and the progress chart called an interview on operating-system notes "Python". Such an interview is the one
whose state holds its own questions (settings -> questions).

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_sessions = sa.table(
    "interview_sessions", sa.column("id", sa.Integer), sa.column("track", sa.String), sa.column("settings", sa.JSON)
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_sessions.c.id, _sessions.c.settings)).fetchall()
    notes = [row.id for row in rows if (row.settings or {}).get("questions")]
    for start in range(0, len(notes), 500):
        bind.execute(sa.update(_sessions).where(_sessions.c.id.in_(notes[start : start + 500])).values(track="notes"))


def downgrade() -> None:
    """The track chosen in the set-up is in each interview's state."""
    bind = op.get_bind()
    rows = bind.execute(sa.select(_sessions.c.id, _sessions.c.settings).where(_sessions.c.track == "notes"))
    for row in rows.fetchall():
        track = str((row.settings or {}).get("setup", {}).get("track", "python"))
        bind.execute(sa.update(_sessions).where(_sessions.c.id == row.id).values(track=track))
