"""My documents: private uploads (notes, job description, résumé) for the user's own interviews."""

import streamlit as st

from backend.errors import AppError
from ui import keys, runtime
from ui.i18n import t, uploader_in_language

ctx = runtime.context()
account = st.session_state[keys.ACCOUNT]

runtime.show_flash()
st.title(t("docs.title"))
st.write(t("docs.intro"))
kb = runtime.knowledge(ctx)  # after the title: the first visit of a fresh server indexes, with a spinner

# Any file is taken and checked by the loader, so another type gets our translated message, not the uploader's
# English one.
uploader_in_language(max(1, int(ctx.settings.max_upload_mb)))
upload = st.file_uploader(
    t("docs.upload"),
    help=t("docs.upload_help", mb=f"{ctx.settings.max_upload_mb:g}", chars=f"{ctx.settings.max_upload_chars:,}"),
    key=keys.DOC_UPLOAD,
    max_upload_size=max(1, int(ctx.settings.max_upload_mb)),
)
if upload is not None and st.session_state.get(keys.DOC_LAST_UPLOAD) != upload.file_id:
    bar = st.progress(0.0, text=t("docs.reading", name=upload.name))

    def show_progress(done: int, total: int) -> None:
        bar.progress(done / total, text=t("docs.embedding", name=upload.name, done=done, total=total))

    try:
        doc = kb.add_upload(user_id=account.id, filename=upload.name, data=upload.getvalue(), progress=show_progress)
        st.session_state[keys.DOC_LAST_UPLOAD] = upload.file_id
        st.success(t("docs.uploaded", name=doc.source, count=doc.chunk_count), icon="✅")
    except AppError as exc:
        runtime.show_error(exc)
    finally:
        bar.empty()

st.subheader(t("docs.list"))
documents = kb.user_documents(user_id=account.id)
if not documents:
    st.caption(t("docs.none"))
for doc in documents:
    left, right = st.columns([5, 1])
    left.markdown(t("docs.row", name=doc.source, count=doc.chunk_count))
    if right.button(t("docs.delete"), key=f"{keys.DOC_DELETE_PREFIX}{doc.id}", icon=":material/delete:"):
        kb.delete_user_document(user_id=account.id, source=doc.source)
        runtime.flash(t("docs.deleted", name=doc.source))
        st.rerun()
