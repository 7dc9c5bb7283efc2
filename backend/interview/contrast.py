"""Contrastive perturbations of the reference, for the offline grader.

A confidently wrong answer restates the reference with the roles reversed ("is compares values, ==
checks identity", "a major fault maps a page already in RAM"). Its words are the reference's, so
lexical overlap and topical similarity both reward it. Reversing the roles in the reference itself
gives sentences that say what such an answer says: each key point with the question's compared
terms swapped, or with a word replaced by its opposite. A claim that is closer to one of these
perturbed sentences than to every true reference sentence has most likely swapped something.
"""

from __future__ import annotations

import re

from backend.rag.lexical import tokenize

# "the difference between X and Y", "X vs Y", "X or Y"; Korean "X와 Y의", "X과 Y", "X랑 Y".
_EN_COMPARED = re.compile(
    r"(?:\b(?:a|an|the)\s+)?([^\s,?]+)\s+(?:and|vs\.?|versus|or)\s+(?:(?:a|an|the)\s+)?([^\s,?]+)", re.IGNORECASE
)
_KO_COMPARED = re.compile(r"(\S+?)(?:와|과|이랑|랑)\s+(\S+?)(?:의|는|은|를|을|가|이|에서)?(?=[\s?,]|$)")
_EN_HEAD = re.compile(
    r"[^\s,?]+\s+(?:and|vs\.?|versus|or)\s+(?:(?:a|an|the)\s+)?(?!(?:a|an|the)\s)[^\s,?]+\s+([a-z][\w-]*)",
    re.IGNORECASE,
)
_CONNECTORS = frozenset(("and", "vs", "vs.", "versus", "or"))
_KO_AND = re.compile(r"(?:와|과|이랑|랑)$")
_KO_CASE = re.compile(r"(?:의|는|은|를|을|가|이|에서)$")
_EDGE = "?,.;:()'\"`"

# Opposites that flip a technical claim whatever the topic. Both directions are tried.
_OPPOSITES = (
    ("major", "minor"),
    ("read", "write"),
    ("reads", "writes"),
    ("before", "after"),
    ("first", "last"),
    ("more", "less"),
    ("increases", "decreases"),
    ("faster", "slower"),
    ("larger", "smaller"),
    ("higher", "lower"),
    ("client", "server"),
    ("always", "never"),
    ("stateless", "stateful"),
    ("mutable", "immutable"),
    ("synchronous", "asynchronous"),
    ("encrypted", "encoded"),
    ("public", "private"),
    ("inside", "outside"),
    ("메이저", "마이너"),
    ("읽기", "쓰기"),
    ("먼저", "나중"),
    ("클라이언트", "서버"),
    ("항상", "절대"),
    ("동기", "비동기"),
    ("암호화", "인코딩"),
    ("공개", "비공개"),
    ("늘어", "줄어"),
    ("빠르", "느리"),
)
# More words that trade roles in a wrong answer ("the receiver" for "the sender"), used with _OPPOSITES
# when a claim is checked for exchanged roles (claims.RoleCheck). Not used to perturb key points.
_ROLE_WORDS = (
    "sender/receiver producer/consumer parent/child caller/callee leader/follower primary/replica "
    "input/output upstream/downstream push/pull request/response encrypt/decrypt encrypted/decrypted "
    "sign/verify lock/unlock acquire/release min/max minimum/maximum smallest/largest top/bottom "
    "head/tail inner/outer local/remote physical/virtual kernel/user shared/exclusive "
    "optimistic/pessimistic horizontal/vertical hot/cold old/new older/newer earlier/later start/end "
    "grow/shrink add/remove insert/delete hit/miss valid/invalid dirty/clean same/different "
    "lazy/eager fixed/geometric "
    "송신/수신 생산자/소비자 부모/자식 리더/팔로워 입력/출력 요청/응답 암호화/복호화 서명/검증 "
    "획득/해제 최소/최대 내부/외부 커널/사용자 공유/배타 낙관적/비관적 수평/수직 오래된/새 "
    "시작/끝 추가/삭제 삽입/삭제 히트/미스 유효/무효 물리/가상 로컬/원격 고정/배수"
)
ROLE_PAIRS: tuple[tuple[str, ...], ...] = (*_OPPOSITES, *(tuple(pair.split("/")) for pair in _ROLE_WORDS.split()))
# Korean particles that change with the final consonant of the word before them.
_PARTICLES = {"은": "는", "는": "은", "이": "가", "가": "이", "을": "를", "를": "을", "과": "와", "와": "과"}
_MAX_VARIANTS = 24  # each is one more short sentence to embed, once per question


def compared_terms(question: str) -> list[tuple[str, str]]:
    """The pairs of terms a question sets against each other, as written ("is", "=="; "TCP", "UDP").
    Two phrases that differ in one word compare that word ("fan-out on write and fan-out on read")."""
    found = compared_phrases(question) or _EN_COMPARED.findall(question) + _KO_COMPARED.findall(question)
    pairs = []
    for a, b in found:
        a, b = a.strip(_EDGE), b.strip(_EDGE)
        # At least one side must carry meaning: "made of, and is" compares nothing.
        if a and b and a.lower() != b.lower() and any(_meaningful(t) for t in (a, b)):
            pairs.append((a, b))
    return list(dict.fromkeys(pairs))


def compared_phrases(question: str) -> list[tuple[str, str]]:
    """The words two compared phrases differ in ("write", "read" of "fan-out on write and … on read")."""
    return [(a, b) for a, b, _ in _shared_context(question)]


def shared_words(question: str) -> set[str]:
    """The words two compared phrases share ("fan-out", "on"; "시점", "팬아웃"; "descriptors" of "data
    and non-data descriptors"): a head, not a term."""
    heads = {w for _, _, common in _shared_context(question) for w in common}
    return heads | {m.group(1) for m in _EN_HEAD.finditer(question)}


def _shared_context(question: str) -> list[tuple[str, str, list[str]]]:
    """(word, word, shared words) for each "A X and B X" (Korean "A X와 B X") in the question."""
    tokens = [t.strip(_EDGE) for t in question.split()]
    out = []
    for i, token in enumerate(tokens):
        if token.lower() in _CONNECTORS:
            left_end, right_start = i, i + 1
        elif _KO_AND.search(token) and len(token) > 2:
            left_end, right_start = i + 1, i + 1
        else:
            continue
        for n in (3, 2):
            left, right = tokens[max(0, left_end - n) : left_end], tokens[right_start : right_start + n]
            if len(left) < n or len(right) < n:
                continue
            left[-1], right[-1] = _KO_AND.sub("", left[-1]), _KO_CASE.sub("", right[-1])
            differ = [(a, b) for a, b in zip(left, right, strict=True) if a.lower() != b.lower()]
            if len(differ) == 1 and all(_meaningful(t) for t in differ[0]):
                out.append((*differ[0], [a for a in left if a not in differ[0]]))
                break
    return out


def perturbations(question: str, facts: list[str]) -> list[str]:
    """`facts` with the question's compared terms swapped or a word turned into its opposite: what an
    answer that reverses the reference would say. At most _MAX_VARIANTS, the question's own terms
    first."""
    pairs = compared_terms(question) + list(_OPPOSITES)
    out: list[str] = []
    for fact in facts:
        for a, b in pairs:
            variant = _swap(fact, a, b)
            if variant != fact and variant not in facts:
                out.append(variant)
    return list(dict.fromkeys(out))[:_MAX_VARIANTS]


def _meaningful(term: str) -> bool:
    """A content word, or a symbol such as "==" that tokenizing would drop."""
    return bool(tokenize(term)) or not any(c.isalnum() for c in term)


def _swap(text: str, a: str, b: str) -> str:
    """`text` with every standalone `a` and `b` exchanged; a Korean particle right after one follows
    the new word ("스택은" → "큐는")."""
    edge_before, edge_after = r"(?<![\w=<>!])", r"(?![=<>]|[a-z])"
    pattern = re.compile(
        rf"{edge_before}({re.escape(a)}|{re.escape(b)}){edge_after}([은는이가을를과와](?=\s))?", re.IGNORECASE
    )

    def exchange(match: re.Match[str]) -> str:
        word = b if match.group(1).lower() == a.lower() else a
        if match.group(1)[0].isupper():
            word = word[0].upper() + word[1:]
        return word + _particle(word, match.group(2)) if match.group(2) else word

    return pattern.sub(exchange, text)


def _particle(word: str, particle: str) -> str:
    """The form of a Korean particle that follows `word` (은/는, 이/가, 을/를, 과/와)."""
    last = word[-1]
    if not "가" <= last <= "힣":
        return particle  # after a Latin word either form is read; keep the reference's
    closed = (ord(last) - ord("가")) % 28 != 0  # the syllable ends in a consonant
    return particle if closed == (particle in "은이을과") else _PARTICLES[particle]
