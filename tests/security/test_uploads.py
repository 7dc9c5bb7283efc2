"""Uploads under attack (issue 11, item 3): zip and PDF bombs, endless text, and embedding that hogs the server.

Every bomb is built here, small on disk. The tests use the default limits (the README's) unless they say otherwise.
"""

from __future__ import annotations

import io
import struct
import threading
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from backend.config import load_settings
from backend.context import AppContext
from backend.rag import knowledge, loaders
from backend.rag.knowledge import KnowledgeBase, make_knowledge_base
from backend.rag.loaders import LoaderError, load_bytes
from backend.rag.store import LocalStore, user_namespace
from tests.conftest import make_context
from tests.rag_helpers import HashEmbeddings
from tests.test_rag_ingest import add_user, snapshot
from tests.test_rag_loaders import make_docx, make_pdf, pdf_bytes
from ui.strings import translate

MIB = 1024 * 1024
# The defaults documented in the README's configuration table.
MAX_UNPACKED_MB, MAX_PAGES, MAX_CHARS, MAX_CHUNKS = 50, 300, 150_000, 300


# --- building bombs --------------------------------------------------------------------------------------------------


def docx_bomb(unpacked: int, *, declared: int | None = None) -> bytes:
    """A real .docx whose document.xml holds `unpacked` bytes of 1 KB paragraphs (about a thousandth on disk).

    With `declared`, the zip lies: both of the member's headers claim that size instead.
    """
    template = zipfile.ZipFile(io.BytesIO(make_docx(("Cover page", None))))
    head, tail = template.read("word/document.xml").split(b"<w:body>")
    paragraph = b"<w:p><w:r><w:t>" + b"a" * 985 + b"</w:t></w:r></w:p>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in template.infolist():
            if item.filename != "word/document.xml":
                bomb.writestr(item, template.read(item))
        with bomb.open("word/document.xml", "w") as member:
            member.write(head + b"<w:body>")
            for _ in range(unpacked // MIB):
                member.write(paragraph * (MIB // len(paragraph)))
            member.write(tail)
    data = out.getvalue()
    return data if declared is None else _declare_size(data, b"word/document.xml", declared)


def _declare_size(data: bytes, member: bytes, size: int) -> bytes:
    """Overwrite the uncompressed size of `member` in its local header and its central directory entry."""
    out = bytearray(data)
    for signature, size_at, name_length_at, name_at in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        start = out.find(signature)
        while start != -1:
            length = struct.unpack_from("<H", out, start + name_length_at)[0]
            if out[start + name_at : start + name_at + length] == member:
                struct.pack_into("<I", out, start + size_at, size)
            start = out.find(signature, start + 4)
    return bytes(out)


def pdf_file(pages: list[bytes], *, forms: Iterable[bytes] = ()) -> bytes:
    """A PDF whose pages draw the given (already built) content streams; form i is /X{i} on every page."""
    forms = list(forms)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    form_refs = []
    for form in forms:
        objects.append(form)
        form_refs.append(b"/X%d %d 0 R" % (len(form_refs), len(objects)))
    resources = b"<< /Font << /F1 3 0 R >> /XObject << %s >> >>" % b" ".join(form_refs)
    kids = []
    for content in pages:
        objects.append(content)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources %s /Contents %d 0 R >>"
            % (resources, len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    return pdf_bytes(objects)


def flate(content: bytes, repeat: int = 1, *, form: bool = False) -> bytes:
    """A FlateDecode stream object of `content` repeated `repeat` times, compressed piece by piece."""
    compressor = zlib.compressobj(9)
    piece = content * max(1, MIB // len(content))
    whole, rest = divmod(len(content) * repeat, len(piece))
    data = b"".join(compressor.compress(piece) for _ in range(whole)) + compressor.compress(piece[:rest])
    data += compressor.flush()
    kind = b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> " if form else b""
    return b"<< %s/Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (kind, len(data), data)


def peak_memory(call: Callable[[], object]) -> int:
    """The most memory Python allocated while `call` ran (bytes from zlib, zipfile and pypdf included)."""
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def refused(code: str, name: str, data: bytes, **kwargs: object) -> LoaderError:
    with pytest.raises(LoaderError) as caught:
        load_bytes(name, data, **kwargs)
    assert caught.value.code == code, caught.value.detail
    assert caught.value.params["name"] == name
    return caught.value


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """The issue's zip bomb, scaled down: 64 MB of document.xml in a .docx of a few hundred KB."""
    return docx_bomb(64 * MIB)


# --- .docx -----------------------------------------------------------------------------------------------------------


def test_docx_declaring_more_than_the_unpacked_limit_is_refused_before_inflating(bomb: bytes) -> None:
    assert len(bomb) < MIB
    peak = peak_memory(lambda: refused("kb.unpacked_too_large", "cv.docx", bomb))
    assert peak < 8 * MIB  # nothing of the 64 MB was inflated
    assert refused("kb.unpacked_too_large", "cv.docx", bomb).params["mb"] == str(MAX_UNPACKED_MB)


def test_docx_member_lying_about_its_size_is_refused_without_inflating_it(bomb: bytes) -> None:
    """A member declaring 1 KB that inflates to 64 MB: zipfile.read would inflate it all before noticing."""
    liar = _declare_size(bomb, b"word/document.xml", 1024)
    assert zipfile.ZipFile(io.BytesIO(liar)).getinfo("word/document.xml").file_size == 1024
    peak = peak_memory(lambda: refused("kb.corrupt", "cv.docx", liar))
    assert peak < 8 * MIB


def test_docx_with_more_text_than_the_limit_is_refused() -> None:
    paragraphs = [("x" * 999 + " ", None)] * (MAX_CHARS // 1000 + 1)
    error = refused("kb.too_much_text", "notes.docx", make_docx(*paragraphs))
    assert error.params["limit"] == MAX_CHARS


# --- text files ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("letter", ["a", "가"])
def test_text_file_over_the_character_limit_is_refused(letter: str) -> None:
    refused("kb.too_much_text", "notes.txt", (letter * (MAX_CHARS + 1)).encode())
    assert len(load_bytes("notes.txt", (letter * MAX_CHARS).encode()).page_content) == MAX_CHARS


# --- PDF -------------------------------------------------------------------------------------------------------------


def test_pdf_with_more_pages_than_the_limit_is_refused() -> None:
    error = refused("kb.too_many_pages", "book.pdf", make_pdf([["Page text."]] * (MAX_PAGES + 1)))
    assert (error.params["pages"], error.params["limit"]) == (MAX_PAGES + 1, MAX_PAGES)


@pytest.mark.parametrize(
    "pages",
    [
        pytest.param(lambda: [flate(b"q Q\n", 15 * MIB)], id="one 60 MB stream"),
        pytest.param(lambda: [flate(b"q Q\n", 2_500_000) for _ in range(6)], id="six 10 MB pages"),
    ],
)
def test_pdf_content_inflating_past_the_limit_is_refused(pages: Callable[[], list[bytes]]) -> None:
    data = pdf_file(pages())
    assert len(data) < MIB
    refused("kb.unpacked_too_large", "slides.pdf", data)


def test_pdf_drawing_a_form_over_and_over_is_refused() -> None:
    """933 bytes: a 10,000-operator form drawn 100 times took 26 s to read before the fix."""
    form = flate(b"BT /F1 12 Tf (x) Tj ET\n" + b"0 0 m\n" * 10_000, form=True)
    error = refused("kb.too_complex", "slides.pdf", pdf_file([flate(b"/X0 Do\n", 100)], forms=[form]))
    assert error.params["limit"] == 500 * MAX_PAGES


def test_pdf_repeating_a_forms_text_past_the_limit_is_refused() -> None:
    form = flate(b"BT /F1 12 Tf (" + b"a" * 2000 + b") Tj ET\n", form=True)
    refused("kb.too_much_text", "slides.pdf", pdf_file([flate(b"/X0 Do\n", 100)], forms=[form]))


def test_an_ordinary_pdf_with_a_form_still_loads() -> None:
    form = flate(b"BT /F1 12 Tf 72 700 Td (Company logo) Tj ET\n", form=True)
    page = flate(b"/X0 Do\nBT /F1 12 Tf 72 600 Td (Five years of Go.) Tj ET\n")
    text = load_bytes("cv.pdf", pdf_file([page, page], forms=[form])).page_content
    assert text.count("Company logo") == 2 and text.count("Five years of Go.") == 2


# --- the knowledge base ----------------------------------------------------------------------------------------------


def default_kb(ctx: AppContext, embeddings: HashEmbeddings) -> KnowledgeBase:
    """A knowledge base with the default limits, as the app builds it."""
    return KnowledgeBase(LocalStore(ctx.sessions, embeddings), embeddings, max_bytes=ctx.settings.max_upload_bytes)


def sections(count: int) -> bytes:
    """A Markdown file of `count` tiny sections: one chunk each."""
    return "\n\n".join(f"# Section {i}\n\nPassage {i} about queues." for i in range(count)).encode()


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        pytest.param("notes.txt", lambda: b"lorem ipsum dolor sit amet. " * 353_000, "kb.too_much_text", id="9.9 MB"),
        pytest.param("notes.md", lambda: sections(MAX_CHUNKS + 1), "kb.too_many_chunks", id="chunks"),
        pytest.param("cv.docx", lambda: docx_bomb(64 * MIB), "kb.unpacked_too_large", id="zip bomb"),
        pytest.param("jd.pdf", lambda: make_pdf([["x"]] * (MAX_PAGES + 1)), "kb.too_many_pages", id="pages"),
    ],
)
def test_an_upload_over_a_limit_stores_and_embeds_nothing(
    ctx: AppContext, filename: str, data: Callable[[], bytes], code: str
) -> None:
    """The issue's 9.9 MB .txt made 19,720 chunks and did not finish indexing in 5 minutes."""
    embeddings = HashEmbeddings()
    kb = default_kb(ctx, embeddings)
    user = add_user(ctx)
    kept = "Kept when the new version is refused."
    old = {".docx": make_docx((kept, None)), ".pdf": make_pdf([[kept]])}.get(Path(filename).suffix, kept.encode())
    kb.add_upload(user_id=user, filename=filename, data=old)
    before, embedded = snapshot(ctx), len(embeddings.documents)
    with pytest.raises(LoaderError) as caught:
        kb.add_upload(user_id=user, filename=filename, data=data())
    assert caught.value.code == code
    assert snapshot(ctx) == before
    assert len(embeddings.documents) == embedded
    assert [d.chunk_count for d in kb.user_documents(user_id=user)] == [1]


def test_too_many_passages_names_the_count_and_the_limit(ctx: AppContext) -> None:
    with pytest.raises(LoaderError) as caught:
        default_kb(ctx, HashEmbeddings()).add_upload(
            user_id=add_user(ctx), filename="notes.md", data=sections(MAX_CHUNKS + 1)
        )
    assert caught.value.params == {"name": "notes.md", "chunks": MAX_CHUNKS + 1, "limit": MAX_CHUNKS}


class BatchRecorder(HashEmbeddings):
    """Records the size of every embedding call."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.batches.append(len(texts))
        return super().embed_documents(texts)


def test_an_upload_is_embedded_in_bounded_batches_with_progress(ctx: AppContext) -> None:
    embeddings = BatchRecorder()
    calls: list[tuple[int, int]] = []
    stored = default_kb(ctx, embeddings).add_upload(
        user_id=add_user(ctx), filename="notes.md", data=sections(40), progress=lambda *done: calls.append(done)
    )
    batch = knowledge.EMBED_BATCH
    assert stored.chunk_count == 40 and sum(embeddings.batches) == 40
    assert max(embeddings.batches) == batch < 40
    assert calls == [(min(start + batch, 40), 40) for start in range(0, 40, batch)]


class OverlapProbe(HashEmbeddings):
    """Counts embedding calls running at once; each call waits a moment for another one to join it."""

    def __init__(self) -> None:
        super().__init__()
        self.running = self.most = 0
        self._lock = threading.Lock()
        self._joined = threading.Event()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            if self.running > 1:
                self._joined.set()
        self._joined.wait(0.5)
        try:
            return super().embed_documents(texts)
        finally:
            with self._lock:
                self.running -= 1


class Gate(HashEmbeddings):
    """Embedding calls wait at a gate the test opens; `inside` says one is waiting."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.inside = threading.Event(), threading.Event()
        self.gate.set()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.inside.set()
        assert self.gate.wait(10)
        return super().embed_documents(texts)


@pytest.fixture
def file_ctx(tmp_path: Path) -> Iterator[AppContext]:
    """A SQLite file that threads can share."""
    context = make_context(f"sqlite:///{tmp_path / 'app.db'}")
    yield context
    context.engine.dispose()


def test_uploads_from_two_sessions_take_turns_at_embedding(file_ctx: AppContext) -> None:
    embeddings = OverlapProbe()
    kb = default_kb(file_ctx, embeddings)
    users = [add_user(file_ctx) for _ in range(2)]
    errors: list[BaseException] = []

    def upload(user: int) -> None:
        try:
            kb.add_upload(user_id=user, filename="notes.md", data=sections(20))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert embeddings.most == 1
    assert [d.chunk_count for user in users for d in kb.user_documents(user_id=user)] == [20, 20]


def test_a_search_is_not_held_up_by_another_users_upload(file_ctx: AppContext) -> None:
    embeddings = Gate()
    kb = default_kb(file_ctx, embeddings)
    alice, bob = add_user(file_ctx), add_user(file_ctx)
    kb.add_upload(user_id=bob, filename="cv.md", data=b"# CV\n\nTen years of Kubernetes operators.")
    embeddings.gate.clear()
    embeddings.inside.clear()
    upload = threading.Thread(target=kb.add_upload, kwargs={"user_id": alice, "filename": "a.md", "data": sections(40)})
    upload.start()
    try:
        assert embeddings.inside.wait(10)
        found = kb.search("Kubernetes operators", user_id=bob, k=1)  # while Alice's batch is still embedding
        assert upload.is_alive()
        assert found[0].namespace == user_namespace(bob)
    finally:
        embeddings.gate.set()
        upload.join(30)
    assert kb.user_documents(user_id=alice)[0].chunk_count == 40


# --- messages and settings -------------------------------------------------------------------------------------------


def test_every_limit_error_names_the_file_and_its_limit_in_korean_and_english(ctx: AppContext) -> None:
    limits = loaders.Limits(max_unpacked_bytes=3 * MIB, max_pages=2, max_chars=1000, max_chunks=2)
    form = flate(b"0 0 m\n" * 100, form=True)
    attempts = {
        "kb.unpacked_too_large": ("cv.docx", docx_bomb(4 * MIB)),
        "kb.too_many_pages": ("jd.pdf", make_pdf([["x"]] * 3)),
        "kb.too_much_text": ("notes.txt", b"a" * 1001),
        "kb.too_complex": ("slides.pdf", pdf_file([flate(b"/X0 Do\n", 100)], forms=[form])),
        "kb.too_many_chunks": ("notes.md", sections(3)),
    }
    kb = KnowledgeBase(LocalStore(ctx.sessions, None), None, max_bytes=MIB, limits=limits)
    for code, (name, data) in attempts.items():
        with pytest.raises(LoaderError) as caught:
            kb.add_upload(user_id=add_user(ctx), filename=name, data=data)
        error = caught.value
        assert error.code == code
        limit = f"{error.params['mb']}" if "mb" in error.params else f"{error.params['limit']:,}"
        for language in ("ko", "en"):
            message = translate(code, language, **error.params)
            assert message != code and "{" not in message, message
            assert name in message and limit in message, message
    assert f"{limits.max_pdf_operations:,}" == "1,000"


def test_the_limits_are_settings(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    defaults = load_settings(_env_file=None)
    assert loaders.Limits.from_settings(defaults) == loaders.DEFAULT_LIMITS
    assert loaders.DEFAULT_LIMITS == loaders.Limits(MAX_UNPACKED_MB * MIB, MAX_PAGES, MAX_CHARS, MAX_CHUNKS)
    for name, value in {"UNPACKED_MB": "2", "PAGES": "3", "CHARS": "4000", "CHUNKS": "5"}.items():
        monkeypatch.setenv(f"MAX_UPLOAD_{name}", value)
    settings = load_settings(_env_file=None)
    assert make_knowledge_base(settings, ctx.sessions).limits == loaders.Limits(2 * MIB, 3, 4000, 5)
